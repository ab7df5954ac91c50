"""Django's generic editing views, made to write through an app's services.

A page that adds, edits or deletes one object is a `CreateView`, `UpdateView` or
`DeleteView` subclass that names its model, form, template, capability and messages, and
writes one hook that calls the service:

    class ReasonCodeEdit(ServiceUpdateView):
        model = ReasonCode
        form_class = ReasonCodeForm
        capability = "service.manage"
        ...
        def save(self, data):
            return services.reason_code_update(
                reason_code=self.object, actor=self.request.user, data=data
            )

What they add to Django's views, and nothing else:
- the role check of `requires(capability)`; an object page fetches its object first when the
  role is refused, so another workspace's id answers 404, never 403;
- the object comes from the request's workspace (`get_in_workspace`: 404 if missing or
  foreign), through `queryset` when the page needs related rows;
- a service's ValidationError shows on the form (create, edit) or as an error message
  (delete), and nothing is saved;
- `success_message` is formatted with `str.format`: `{object}` is the object written, and
  the form's cleaned fields by name (`{name}`).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.views.generic import CreateView, DeleteView, UpdateView

from patron.core.access import get_in_workspace
from patron.core.forms import add_validation_errors
from patron.workspaces.permissions import requires


class WorkspaceRoleMixin:
    """Only for a member of the current workspace whose role has `capability`."""

    capability: str
    owner = None  # an object page's fetch, run first when the role is refused
    # The page's methods; HTTP DELETE would reach Django's own object.delete().
    http_method_names = ["get", "post", "head", "options"]

    @classmethod
    def as_view(cls, **initkwargs):
        return requires(cls.capability, owner=cls.owner)(super().as_view(**initkwargs))


class WorkspaceObjectMixin(WorkspaceRoleMixin):
    """The object the URL's pk names, in the request's workspace."""

    @classmethod
    def owner(cls, request, pk: int, **kwargs):
        source = cls.queryset if cls.queryset is not None else cls.model
        return get_in_workspace(source, request.workspace, pk=pk)

    def get_object(self, queryset=None):
        return self.owner(self.request, **self.kwargs)


class SuccessMessageMixin:
    success_message = ""

    def get_success_message(self, cleaned_data: dict) -> str:
        return self.success_message.format(object=self.object, **cleaned_data)


class ServiceFormMixin(SuccessMessageMixin):
    """Save a valid form through `save(data)`, the service call, instead of form.save()."""

    def save(self, data: dict):
        raise NotImplementedError("Call the service that creates or updates the object.")

    def form_valid(self, form):
        try:
            self.object = self.save(form.cleaned_data)
        except ValidationError as error:
            add_validation_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.get_success_message(form.cleaned_data))
        return HttpResponseRedirect(self.get_success_url())


class ServiceCreateView(WorkspaceRoleMixin, ServiceFormMixin, CreateView):
    """Add an object of the request's workspace."""

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        # The model's clean() can then compare names inside the workspace.
        form.instance.workspace = self.request.workspace
        return form


class ServiceUpdateView(WorkspaceObjectMixin, ServiceFormMixin, UpdateView):
    """Edit an object of the request's workspace."""


class ServiceDeleteView(WorkspaceObjectMixin, SuccessMessageMixin, DeleteView):
    """A confirmation page (GET); POST deletes through `delete_object()`, the service call.
    A service that refuses (ValidationError) says why, and the user goes to
    `get_refused_url()` (the success URL unless overridden). What the service answers is
    `self.deleted`, for the message (e.g. how many customers lost a trait)."""

    def delete_object(self):
        raise NotImplementedError("Call the service that deletes the object.")

    def get_refused_url(self) -> str:
        return self.get_success_url()

    def form_valid(self, form):
        try:
            self.deleted = self.delete_object()
        except ValidationError as error:
            messages.error(self.request, " ".join(error.messages))
            return HttpResponseRedirect(self.get_refused_url())
        messages.success(self.request, self.get_success_message({}))
        return HttpResponseRedirect(self.get_success_url())
