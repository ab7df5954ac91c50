"""Duplicate pages: the review queue with its scan, and one pair side by side."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from patron.core.access import get_in_workspace
from patron.duplicates import queries, services
from patron.duplicates.models import DuplicateCandidate, DuplicateScan
from patron.history.services import snapshot
from patron.workspaces.permissions import requires

PAGE_SIZE = 50
# What the pair page sets side by side, in this order.
COMPARED_FIELDS = [
    "kind",
    "title",
    "first_name",
    "middle_name",
    "last_name",
    "company_name",
    "date_of_birth",
    "gender",
    "email",
    "work_phone",
    "home_phone",
    "mobile_phone",
    "address_1",
    "address_2",
    "address_3",
    "city",
    "state",
    "postcode",
    "country",
    "job_title",
    "organization",
    "customer_type",
    "status",
    "workflow_state",
    "external_ref",
]


def _latest_scan(workspace) -> DuplicateScan | None:
    return DuplicateScan.objects.in_workspace(workspace).order_by("-created_at", "-pk").first()


@requires("customers.merge")
def review_queue(request):
    """Open pairs, likeliest first, and the latest scan (with its progress while it runs)."""
    page = Paginator(queries.open_candidates(request.workspace), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "duplicates/index.html",
        {"page": page, "scan": _latest_scan(request.workspace)},
    )


@requires("customers.merge")
@require_POST
def scan_start(request):
    try:
        services.scan_start(workspace=request.workspace, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("duplicates:index")


def _scan(request, pk: int, **kwargs) -> DuplicateScan:
    return get_in_workspace(DuplicateScan, request.workspace, pk=pk)


@requires("customers.merge", owner=_scan)
def scan_progress(request, pk: int):
    """A scan's progress; the queue polls this part with htmx while the scan runs."""
    scan = _scan(request, pk)
    template = "duplicates/_scan.html" if request.htmx else "duplicates/scan.html"
    response = render(request, template, {"scan": scan})
    if request.htmx and scan.is_finished and request.GET.get("from") == "queue":
        response["HX-Refresh"] = "true"  # show the new pairs
    return response


def _candidate(request, pk: int, **kwargs) -> DuplicateCandidate:
    return get_in_workspace(
        DuplicateCandidate.objects.select_related("customer_a", "customer_b"),
        request.workspace,
        pk=pk,
    )


def side_by_side(candidate: DuplicateCandidate) -> list[dict]:
    """Each field's label and both values as a person reads them; `differs` marks a difference."""
    first = snapshot(candidate.customer_a, COMPARED_FIELDS)
    second = snapshot(candidate.customer_b, COMPARED_FIELDS)
    rows = []
    for name in COMPARED_FIELDS:
        label, a = first[name]
        b = second[name][1]
        if a or b:
            rows.append({"label": label, "a": a, "b": b, "differs": a != b})
    return rows


@requires("customers.merge", owner=_candidate)
def pair_detail(request, pk: int):
    candidate = _candidate(request, pk)
    return render(
        request,
        "duplicates/pair.html",
        {"candidate": candidate, "rows": side_by_side(candidate)},
    )


@requires("customers.merge", owner=_candidate)
@require_POST
def not_duplicate(request, pk: int):
    candidate = _candidate(request, pk)
    try:
        services.candidate_not_duplicate(candidate=candidate, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(candidate)
    messages.success(
        request,
        f"{candidate.customer_a} and {candidate.customer_b} are kept apart; "
        "the scan will not propose them again.",
    )
    return redirect("duplicates:index")
