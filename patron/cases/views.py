"""Case pages: create from a customer, the case, edit, status, delete, the workspace's case
list, and the reason codes' set-up."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_POST

from patron.cases import services
from patron.cases.filters import CaseFilter
from patron.cases.forms import CaseForm, CaseStatusForm, ReasonCodeForm
from patron.cases.models import Case, ReasonCode
from patron.core.access import get_in_workspace
from patron.core.forms import add_validation_errors
from patron.core.service_views import ServiceCreateView, ServiceDeleteView, ServiceUpdateView
from patron.customers.customer_page import with_tab_open
from patron.customers.models import Customer
from patron.history.services import changes_for
from patron.workspaces.permissions import requires

PAGE_SIZE = 50


def _customer(request, pk: int, **kwargs) -> Customer:
    return get_in_workspace(Customer.objects.current(), request.workspace, pk=pk)


def _case(request, pk: int, **kwargs) -> Case:
    # A case of a customer in the recycle bin goes (and comes back) with its customer.
    return get_in_workspace(
        Case.objects.current().select_related("customer", "reason_code", "assignee", "created_by"),
        request.workspace,
        pk=pk,
    )


# Cases ------------------------------------------------------------------------------------


@requires("customers.view")
def case_list(request):
    cases = (
        Case.objects.in_workspace(request.workspace)
        .current()
        .select_related("customer", "reason_code", "assignee")
    )
    found = CaseFilter(request.GET or None, cases, request=request)
    page = Paginator(found.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    customer = None
    if found.is_bound and found.is_valid():
        customer = found.form.cleaned_data.get("customer")
    return render(
        request,
        "cases/case_list.html",
        {"filter": found, "page": page, "query": query.urlencode(), "customer": customer},
    )


@requires("cases.change", owner=_customer)
def case_create(request, pk: int):
    """Create a Case (manual 000's left menu): the customer is filled in."""
    customer = _customer(request, pk)
    form = CaseForm(request.POST or None, workspace=request.workspace, customer=customer)
    if request.method == "POST" and form.is_valid():
        try:
            case = services.case_create(
                customer=customer, actor=request.user, data=form.cleaned_data
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, f"Logged case {case.number} for {customer}.")
            return redirect(with_tab_open(customer, "cases"))
    return render(request, "cases/case_form.html", {"form": form, "customer": customer})


@requires("customers.view", owner=_case)
def case_detail(request, pk: int):
    case = _case(request, pk)
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "status_form": CaseStatusForm(initial={"status": case.status}),
            "changes": changes_for(case)[:200],
        },
    )


@requires("cases.change", owner=_case)
def case_edit(request, pk: int):
    case = _case(request, pk)
    form = CaseForm(request.POST or None, instance=case, workspace=request.workspace)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_update(case=case, actor=request.user, data=form.cleaned_data)
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            messages.success(request, f"Saved case {case.number}.")
            return redirect("cases:detail", pk=case.pk)
    return render(
        request, "cases/case_form.html", {"form": form, "customer": case.customer, "case": case}
    )


@require_POST
@requires("cases.change", owner=_case)
def case_status(request, pk: int):
    case = _case(request, pk)
    form = CaseStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a status: Open, Pending, Resolved or Closed.")
        return redirect("cases:detail", pk=case.pk)
    try:
        case = services.case_set_status(
            case=case, status=form.cleaned_data["status"], actor=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Case {case.number} is now {case.get_status_display()}.")
    return redirect("cases:detail", pk=case.pk)


@requires("cases.change", owner=_case)
def case_delete(request, pk: int):
    case = _case(request, pk)
    if request.method != "POST":
        return render(request, "cases/case_delete.html", {"case": case})
    services.case_delete(case=case, actor=request.user)
    messages.success(request, f"Deleted case {case.number}.")
    return redirect(with_tab_open(case.customer, "cases"))


# Set-up: reason codes ---------------------------------------------------------------------


class ReasonCodeList(ServiceCreateView):
    """The workspace's reason codes, each with how many cases use it, and a form to add one."""

    capability = "service.manage"
    form_class = ReasonCodeForm
    template_name = "cases/reason_codes.html"
    success_url = reverse_lazy("cases:reason_code_list")
    success_message = "Added the reason code {object}."

    def save(self, data):
        return services.reason_code_create(
            workspace=self.request.workspace, actor=self.request.user, data=data
        )

    def get_context_data(self, **kwargs):
        rows = ReasonCode.objects.in_workspace(self.request.workspace)
        return super().get_context_data(rows=rows.annotate(case_count=Count("cases")), **kwargs)


class ReasonCodeEdit(ServiceUpdateView):
    capability = "service.manage"
    model = ReasonCode
    form_class = ReasonCodeForm
    context_object_name = "reason_code"
    template_name = "cases/reason_code_form.html"
    success_url = reverse_lazy("cases:reason_code_list")
    success_message = "Saved the reason code {name}."

    def save(self, data):
        return services.reason_code_update(
            reason_code=self.object, actor=self.request.user, data=data
        )


class ReasonCodeDelete(ServiceDeleteView):
    """Says how many cases use the code; the service refuses while any does."""

    capability = "service.manage"
    model = ReasonCode
    context_object_name = "reason_code"
    template_name = "cases/reason_code_delete.html"
    success_url = reverse_lazy("cases:reason_code_list")
    success_message = "Deleted the reason code {object.name}."

    def delete_object(self):
        services.reason_code_delete(reason_code=self.object, actor=self.request.user)

    def get_context_data(self, **kwargs):
        return super().get_context_data(case_count=self.object.cases.count(), **kwargs)
