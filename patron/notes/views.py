"""Note pages: thin adapters that parse input, call a service or query, and render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from patron.core.access import get_in_workspace
from patron.core.forms import add_validation_errors
from patron.customers.models import Customer
from patron.history.services import changes_for
from patron.notes import services
from patron.notes.calendar import callback_calendar
from patron.notes.forms import NoteForm
from patron.notes.models import CalendarFeed, Note
from patron.workspaces.permissions import requires


def _note(request, pk: int, **kwargs) -> Note:
    return get_in_workspace(
        Note.objects.select_related("customer", "author", "callback_for"),
        request.workspace,
        pk=pk,
    )


def _customer(request, pk: int, **kwargs) -> Customer:
    return get_in_workspace(Customer.objects.current(), request.workspace, pk=pk)


@requires("notes.change", owner=_customer)
def note_create(request, pk: int):
    """Add Note, from the customer's left menu; `pk` is the customer's."""
    customer = _customer(request, pk)
    form = NoteForm(request.POST or None, workspace=request.workspace, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.note_create(
                workspace=request.workspace,
                actor=request.user,
                data={"customer": customer, **form.service_data()},
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, f"Added the note to {customer}.")
            return redirect(customer)
    return render(request, "notes/note_form.html", {"form": form, "customer": customer})


@requires("customers.view", owner=_note)
def note_detail(request, pk: int):
    note = _note(request, pk)
    return render(
        request,
        "notes/note_detail.html",
        {"note": note, "customer": note.customer, "changes": changes_for(note)[:200]},
    )


@requires("notes.change", owner=_note)
def note_edit(request, pk: int):
    note = _note(request, pk)
    form = NoteForm(
        request.POST or None, instance=note, workspace=request.workspace, user=request.user
    )
    if request.method == "POST" and form.is_valid():
        try:
            note = services.note_update(note=note, actor=request.user, data=form.service_data())
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, f"Saved the note “{note}”.")
            return redirect(note)
    return render(
        request, "notes/note_form.html", {"form": form, "customer": note.customer, "note": note}
    )


@requires("notes.change", owner=_note)
def note_delete(request, pk: int):
    note = _note(request, pk)
    if request.method != "POST":
        return render(request, "notes/note_confirm_delete.html", {"note": note})
    services.note_delete(note=note, actor=request.user)
    messages.success(request, f"Deleted the note “{note}”.")
    return redirect(note.customer)


def _back(request, default: str):
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return redirect(target)
    return redirect(default)


def _done_action(service, done: str):
    @require_POST
    def view(request, pk: int):
        note = _note(request, pk)
        try:
            service(note=note, actor=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, done.format(customer=note.customer))
        return _back(request, note.get_absolute_url())

    return requires("notes.change", owner=_note)(view)


callback_done = _done_action(services.callback_mark_done, "Call-back to {customer} done.")
callback_undone = _done_action(services.callback_mark_undone, "Call-back to {customer} reopened.")


@requires("customers.view")
def my_callbacks(request):
    """The signed-in member's call-backs still to make in this workspace, due first."""
    callbacks = (
        Note.objects.in_workspace(request.workspace)
        .open_callbacks()
        .filter(callback_for=request.user)
        .select_related("customer", "author")
    )
    return render(request, "notes/my_callbacks.html", {"callbacks": callbacks})


@requires("customers.view")
def calendar_settings(request):
    """The member's private calendar address for their call-backs: create or reset it."""
    new_url = None
    if request.method == "POST":
        token = services.calendar_feed_issue(membership=request.membership)
        new_url = request.build_absolute_uri(reverse("notes:feed", args=[token]))
    feed = CalendarFeed.objects.filter(membership=request.membership).first()
    return render(request, "notes/calendar.html", {"feed": feed, "new_url": new_url})


@login_not_required
@never_cache
@require_GET
def calendar_feed(request, token: str):
    """The iCalendar of a member's open call-backs. The secret address is the only key."""
    feed = services.calendar_feed_for_token(token)
    if feed is None:
        raise Http404("No such calendar.")
    body = callback_calendar(
        feed.membership,
        customer_url=lambda customer: request.build_absolute_uri(customer.get_absolute_url()),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="callbacks.ics"'
    return response
