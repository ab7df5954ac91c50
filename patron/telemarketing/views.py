"""Telemarketing pages: telemarkets and their script editor (Marketing menu), running a
telemarket with a customer (the customer's left menu), and the responses recorded.

The script editor works as plain forms; with htmx its buttons swap only the script.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_POST

from patron.core.access import get_in_workspace
from patron.core.forms import add_validation_errors
from patron.core.service_views import ServiceCreateView, ServiceDeleteView, ServiceUpdateView
from patron.customers.customer_page import with_tab_open
from patron.customers.models import Customer
from patron.history.services import changes_for
from patron.telemarketing import services
from patron.telemarketing.forms import (
    AnswerForm,
    BranchForm,
    ChangeStepForm,
    StepForm,
    TelemarketForm,
)
from patron.telemarketing.models import Response, ScriptStep, StepBranch, Telemarket
from patron.workspaces.permissions import requires


def _telemarket(request, pk: int, **kwargs) -> Telemarket:
    return get_in_workspace(Telemarket.objects.select_related("activity"), request.workspace, pk=pk)


def _step(request, pk: int, **kwargs) -> ScriptStep:
    # Steps carry no workspace of their own: their telemarket's says where they belong.
    return get_object_or_404(
        ScriptStep.objects.select_related("telemarket"),
        telemarket__workspace=request.workspace,
        pk=pk,
    )


def _branch(request, pk: int, **kwargs) -> StepBranch:
    return get_object_or_404(
        StepBranch.objects.select_related("step__telemarket", "goes_to"),
        step__telemarket__workspace=request.workspace,
        pk=pk,
    )


def _customer(request, pk: int, **kwargs) -> Customer:
    return get_in_workspace(Customer.objects.current(), request.workspace, pk=pk)


def _response(request, pk: int, **kwargs) -> Response:
    return get_in_workspace(
        Response.objects.select_related("telemarket", "customer", "step_reached", "agent"),
        request.workspace,
        pk=pk,
    )


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


# Telemarkets ---------------------------------------------------------------------------


@requires("customers.view")
def telemarket_list(request):
    telemarkets = (
        Telemarket.objects.in_workspace(request.workspace)
        .select_related("activity")
        .annotate(
            step_count=Count("steps", distinct=True),
            response_count=Count("responses", distinct=True),
        )
        .order_by("name")
    )
    return render(request, "telemarketing/telemarket_list.html", {"telemarkets": telemarkets})


class TelemarketCreate(ServiceCreateView):
    capability = "marketing.manage"
    form_class = TelemarketForm
    template_name = "telemarketing/telemarket_form.html"
    success_message = "Created {object}: now write its script."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "workspace": self.request.workspace}

    def save(self, data):
        return services.telemarket_create(
            workspace=self.request.workspace, actor=self.request.user, data=data
        )

    def get_success_url(self) -> str:
        return reverse("telemarketing:telemarket_detail", args=[self.object.pk])


def _script_context(request, telemarket: Telemarket, **extra) -> dict:
    steps = list(telemarket.steps.prefetch_related("branches__goes_to"))
    can_manage = request.membership.can("marketing.manage")
    rows = []
    for index, step in enumerate(steps):
        later = steps[index + 1 :]
        branch_form = None
        if can_manage and services.producible_answers(step) is not None:
            branch_form = extra.pop(f"branch_form_{step.pk}", None) or BranchForm(
                step=step, later=later
            )
            if not branch_form.fields["answer"].choices:  # every answer has its branch
                branch_form = None
        rows.append({"step": step, "branch_form": branch_form, "last": not later})
    return {
        "telemarket": telemarket,
        "rows": rows,
        "step_form": extra.pop("step_form", None) or (StepForm() if can_manage else None),
        **extra,
    }


def _show_script(request, telemarket: Telemarket, *, done: str = "", error: str = "", **forms):
    """After a script edit: the script alone for htmx, else back to the telemarket's page
    (or that page with the form's errors, when a form was refused)."""
    if request.htmx:
        context = _script_context(request, telemarket, notice=done, problem=error, **forms)
        return render(request, "telemarketing/_script.html", context)
    if forms:
        return _detail(request, telemarket, problem=error, **forms)
    if error:
        messages.error(request, error)
    elif done:
        messages.success(request, done)
    return redirect("telemarketing:telemarket_detail", pk=telemarket.pk)


def _detail(request, telemarket: Telemarket, **extra):
    context = _script_context(request, telemarket, **extra)
    context["changes"] = changes_for(telemarket)[:200]
    context["response_count"] = telemarket.responses.count()
    return render(request, "telemarketing/telemarket_detail.html", context)


@requires("customers.view", owner=_telemarket)
def telemarket_detail(request, pk: int):
    """The telemarket, its script (editable by managers) and its History."""
    return _detail(request, _telemarket(request, pk))


class TelemarketEdit(ServiceUpdateView):
    capability = "marketing.manage"
    queryset = Telemarket.objects.select_related("activity")
    form_class = TelemarketForm
    context_object_name = "telemarket"
    template_name = "telemarketing/telemarket_form.html"
    success_message = "Saved {object}."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "workspace": self.request.workspace}

    def save(self, data):
        return services.telemarket_update(
            telemarket=self.object, actor=self.request.user, data=data
        )

    def get_success_url(self) -> str:
        return reverse("telemarketing:telemarket_detail", args=[self.object.pk])


@requires("marketing.manage", owner=_telemarket)
def telemarket_change_step(request, pk: int):
    telemarket = _telemarket(request, pk)
    form = ChangeStepForm(request.POST or None, initial={"step": telemarket.step})
    if request.method == "POST" and form.is_valid():
        try:
            telemarket = services.telemarket_change_step(
                telemarket=telemarket, step=form.cleaned_data["step"], actor=request.user
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, f"{telemarket} is now {telemarket.get_step_display()}.")
            return redirect("telemarketing:telemarket_detail", pk=telemarket.pk)
    return render(
        request, "telemarketing/change_step.html", {"form": form, "telemarket": telemarket}
    )


class TelemarketDelete(ServiceDeleteView):
    """The service refuses while the telemarket has responses."""

    capability = "marketing.manage"
    queryset = Telemarket.objects.select_related("activity")
    template_name = "telemarketing/confirm.html"
    success_url = reverse_lazy("telemarketing:telemarket_list")
    success_message = "Deleted {object}."

    def delete_object(self):
        services.telemarket_delete(telemarket=self.object, actor=self.request.user)

    def get_refused_url(self) -> str:
        return reverse("telemarketing:telemarket_detail", args=[self.object.pk])

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title=f"Delete {self.object}?",
            explanation="Its script goes with it. A telemarket with responses cannot be deleted.",
            cancel=self.get_refused_url(),
            **kwargs,
        )


@requires("customers.view", owner=_telemarket)
def telemarket_responses(request, pk: int):
    telemarket = _telemarket(request, pk)
    responses = telemarket.responses.select_related("customer", "step_reached", "agent").order_by(
        "-updated_at", "-pk"
    )
    page = Paginator(responses, 50).get_page(request.GET.get("page"))
    return render(
        request, "telemarketing/telemarket_responses.html", {"telemarket": telemarket, "page": page}
    )


# The script ----------------------------------------------------------------------------


@requires("marketing.manage", owner=_telemarket)
def telemarket_step_add(request, pk: int):
    telemarket = _telemarket(request, pk)
    if request.method != "POST":
        return redirect(reverse("telemarketing:telemarket_detail", args=[pk]) + "#add-step")
    form = StepForm(request.POST)
    if form.is_valid():
        try:
            step = services.step_add(
                telemarket=telemarket, actor=request.user, data=form.cleaned_data
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            return _show_script(request, telemarket, done=f"Added step {step.position}.")
    return _show_script(request, telemarket, step_form=form)


@requires("marketing.manage", owner=_step)
def step_edit(request, pk: int):
    step = _step(request, pk)
    form = StepForm(request.POST or None, instance=step)
    if request.method == "POST" and form.is_valid():
        try:
            services.step_update(step=step, actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, f"Saved step {step.position}.")
            return redirect("telemarketing:telemarket_detail", pk=step.telemarket_id)
    return render(request, "telemarketing/step_form.html", {"form": form, "step": step})


@requires("marketing.manage", owner=_step)
def step_delete(request, pk: int):
    step = _step(request, pk)
    if request.method != "POST":
        return render(
            request,
            "telemarketing/confirm.html",
            {
                "title": f"Delete step {step}?",
                "explanation": "Later steps move up one place; branches to and from this step "
                "are deleted with it.",
                "cancel": reverse("telemarketing:telemarket_detail", args=[step.telemarket_id]),
            },
        )
    try:
        services.step_delete(step=step, actor=request.user)
    except ValidationError as error:
        return _show_script(request, step.telemarket, error=_error_text(error))
    return _show_script(request, step.telemarket, done=f"Deleted step {step.position}.")


@require_POST
@requires("marketing.manage", owner=_step)
def step_move(request, pk: int):
    step = _step(request, pk)
    try:
        moved = services.step_move(
            step=step, direction=request.POST.get("direction", ""), actor=request.user
        )
    except ValidationError as error:
        return _show_script(request, step.telemarket, error=_error_text(error))
    return _show_script(request, step.telemarket, done=f"Moved “{moved.question}”.")


@requires("marketing.manage", owner=_step)
def step_branch_add(request, pk: int):
    step = _step(request, pk)
    telemarket = step.telemarket
    if request.method != "POST":
        return redirect(reverse("telemarketing:telemarket_detail", args=[telemarket.pk]))
    later = list(telemarket.steps.filter(position__gt=step.position))
    form = BranchForm(request.POST, step=step, later=later)
    if form.is_valid():
        try:
            services.branch_add(
                step=step,
                answer=form.cleaned_data["answer"],
                goes_to=form.cleaned_data["goes_to"],
                actor=request.user,
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            return _show_script(
                request, telemarket, done=f"Added a branch to step {step.position}."
            )
    return _show_script(
        request,
        telemarket,
        error=f"The branch of step {step.position} was not added.",
        **{f"branch_form_{step.pk}": form},
    )


@requires("marketing.manage", owner=_branch)
def branch_delete(request, pk: int):
    branch = _branch(request, pk)
    telemarket = branch.step.telemarket
    if request.method != "POST":
        return render(
            request,
            "telemarketing/confirm.html",
            {
                "title": f"Delete the branch “{branch}” of step {branch.step.position}?",
                "explanation": "That answer will lead to the next step again.",
                "cancel": reverse("telemarketing:telemarket_detail", args=[telemarket.pk]),
            },
        )
    services.branch_delete(branch=branch, actor=request.user)
    return _show_script(
        request, telemarket, done=f"Deleted the branch of step {branch.step.position}."
    )


# Running a telemarket with a customer --------------------------------------------------


@requires("marketing.change", owner=_customer)
def customer_telemarkets(request, pk: int):
    """Create a Response/Run Telemarket: the running telemarkets, each with Run, or with
    view/edit/delete once the customer has a response (manual 000)."""
    customer = _customer(request, pk)
    if request.method == "POST":
        raw = request.POST.get("telemarket", "")
        chosen = Telemarket.objects.in_workspace(request.workspace)
        telemarket = chosen.filter(pk=int(raw)).first() if raw.isdigit() else None
        if telemarket is None:
            messages.error(request, "Choose a telemarket from the list.")
            return redirect("telemarketing:customer_telemarkets", pk=customer.pk)
        try:
            response = services.response_start(
                telemarket=telemarket, customer=customer, actor=request.user
            )
        except ValidationError as error:
            messages.error(request, _error_text(error))
            return redirect("telemarketing:customer_telemarkets", pk=customer.pk)
        return redirect("telemarketing:response_run", pk=response.pk)
    responses = {r.telemarket_id: r for r in customer.tm_responses.all()}
    rows = [
        {"telemarket": telemarket, "response": responses.get(telemarket.pk)}
        for telemarket in Telemarket.objects.in_workspace(request.workspace)
        .running()
        .select_related("activity")
        .annotate(step_count=Count("steps"))
        .order_by("name")
    ]
    return render(
        request, "telemarketing/customer_telemarkets.html", {"customer": customer, "rows": rows}
    )


@requires("customers.view", owner=_response)
def response_detail(request, pk: int):
    """A response's answers along its way through the script (the summary after a run)."""
    response = _response(request, pk)
    return render(
        request,
        "telemarketing/response_detail.html",
        {
            "response": response,
            "customer": response.customer,
            "path": services.response_path(response),
            "total": response.telemarket.steps.count(),
            "changes": changes_for(response)[:200],
        },
    )


@requires("marketing.change", owner=_response)
def response_run(request, pk: int):
    """One step at a time: the question, the input its answer type needs, Back and Next.
    `?step=` goes back to a step already answered (editing the response)."""
    response = _response(request, pk)
    path = services.response_path(response)
    if not path:
        messages.error(request, f"{response.telemarket} has no questions.")
        return redirect("telemarketing:response_detail", pk=response.pk)
    on_path = {str(step.pk): index for index, (step, _) in enumerate(path)}
    asked = request.POST.get("step") or request.GET.get("step")
    index = on_path.get(str(asked)) if asked else None
    if index is None and request.method == "POST":
        messages.error(request, "That step is not on this response's way any more; here it is.")
        return redirect("telemarketing:response_run", pk=response.pk)
    if index is None:
        if path[-1][1] is not None:  # every step on the way is answered
            return redirect("telemarketing:response_detail", pk=response.pk)
        index = len(path) - 1
    step, answer = path[index]
    form = AnswerForm(
        request.POST or None, step=step, initial={"value": answer.value if answer else ""}
    )
    if request.method == "POST" and form.is_valid():
        try:
            following = services.response_answer(
                response=response,
                step=step,
                value=form.cleaned_data["value"],
                actor=request.user,
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            if following is None:
                messages.success(request, f"Response completed for {response.customer}.")
                return redirect("telemarketing:response_detail", pk=response.pk)
            url = reverse("telemarketing:response_run", args=[response.pk])
            return redirect(f"{url}?step={following.pk}")
    return render(
        request,
        "telemarketing/response_run.html",
        {
            "response": response,
            "customer": response.customer,
            "step": step,
            "form": form,
            "previous": path[index - 1][0] if index else None,
            "total": response.telemarket.steps.count(),
            "running": response.telemarket.is_running,
        },
    )


@requires("marketing.change", owner=_response)
def response_delete(request, pk: int):
    response = _response(request, pk)
    if request.method != "POST":
        return render(
            request,
            "telemarketing/confirm.html",
            {
                "title": f"Delete {response.customer}'s response to {response.telemarket}?",
                "explanation": "Its answers are deleted with it.",
                "cancel": reverse("telemarketing:response_detail", args=[response.pk]),
            },
        )
    services.response_delete(response=response, actor=request.user)
    messages.success(request, f"Deleted the response to {response.telemarket}.")
    return redirect(with_tab_open(response.customer, "tm-responses"))
