"""Duplicate pages: the review queue with its scan, and one pair side by side."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from patron.core.access import get_in_workspace
from patron.customers.models import Customer
from patron.duplicates import merge as merging
from patron.duplicates import queries, services
from patron.duplicates.models import CustomerMerge, DuplicateCandidate, DuplicateScan
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


# Merging: the form (from a pair, a customer's page or the customer list), merges, undo.


def _ids(values) -> list[int]:
    ids = []
    for value in values:
        for part in str(value).split(","):
            if part.strip().isdigit() and int(part) not in ids:
                ids.append(int(part))
    return ids


def _merge_rows(customers: list[Customer], survivor: Customer) -> list[dict]:
    """Each mergeable field with a value, every customer's value as a person reads it, and
    the one picked to start with: the survivor's, or the first customer's that has one."""
    shown = [snapshot(customer, merging.MERGEABLE_FIELDS) for customer in customers]
    rows = []
    for name in merging.MERGEABLE_FIELDS:
        values = [values[name][1] for values in shown]
        if not any(values):
            continue
        picked = survivor.pk
        if not values[customers.index(survivor)]:
            picked = next(c.pk for c, v in zip(customers, values, strict=True) if v)
        rows.append(
            {
                "name": name,
                "label": shown[0][name][0],
                "cells": [
                    {"customer": c, "value": v, "picked": c.pk == picked}
                    for c, v in zip(customers, values, strict=True)
                ],
                "differs": len(set(values)) > 1,
            }
        )
    return rows


@requires("customers.merge")
def merge_new(request):
    """Merge customers: choose the one that stays and, field by field, the value it keeps.
    `?customer=` names the customers (repeated or comma-separated); `add` a customer no."""
    source = request.POST if request.method == "POST" else request.GET
    ids = _ids(source.getlist("customer"))
    number = source.get("add", "").strip().lstrip("#")
    if number:
        added = (
            Customer.objects.in_workspace(request.workspace)
            .current()
            .filter(number=number if number.isdigit() else -1)
            .first()
        )
        if added is None:
            messages.error(request, f"No customer no. {number} outside the recycle bin.")
        elif added.pk not in ids:
            ids.append(added.pk)
    found = Customer.objects.in_workspace(request.workspace).current().in_bulk(ids)
    customers = [found[pk] for pk in ids if pk in found]
    survivor_id = _ids([source.get("survivor", "")])
    survivor = next((c for c in customers if [c.pk] == survivor_id), None) or (
        customers[0] if customers else None
    )
    if request.method == "POST" and "merge" in source:
        choices = {
            name: int(source[f"choice_{name}"])
            for name in merging.MERGEABLE_FIELDS
            if source.get(f"choice_{name}", "").isdigit()
        }
        try:
            merge = merging.merge_request(
                workspace=request.workspace,
                actor=request.user,
                survivor=survivor or Customer(),
                others=[c for c in customers if c != survivor],
                choices=choices,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            merge.refresh_from_db()  # without a worker, a queued merge has already run
            if merge.state != CustomerMerge.State.DONE:
                messages.info(
                    request,
                    f"Merging {len(customers) - 1} into {merge.survivor}: they have many "
                    "records to move, so it runs in the background. This page shows when it "
                    "is done.",
                )
                return redirect(merge)
            messages.success(
                request,
                f"Merged {len(customers) - 1} into {merge.survivor}. "
                "Undo it from the merge's page while the others are in the recycle bin.",
            )
            return redirect(merge.survivor)
    return render(
        request,
        "duplicates/merge_form.html",
        {
            "customers": customers,
            "survivor": survivor,
            "rows": _merge_rows(customers, survivor) if survivor else [],
            "ids": ",".join(str(c.pk) for c in customers),
            "pair": request.GET.get("pair", ""),
        },
    )


def _customer(request, pk: int, **kwargs) -> Customer:
    return get_in_workspace(Customer.objects.current(), request.workspace, pk=pk)


@requires("customers.merge", owner=_customer)
def merge_start(request, pk: int):
    """The customer page's "Merge with…": the merge form with this customer in it."""
    customer = _customer(request, pk)
    return redirect(f"{reverse('duplicates:merge_new')}?customer={customer.pk}")


@requires("customers.merge")
def merge_list(request):
    merges = (
        CustomerMerge.objects.in_workspace(request.workspace)
        .select_related("survivor", "merged_by")
        .prefetch_related("members")
    )
    page = Paginator(merges, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "duplicates/merge_list.html", {"page": page})


def _merge(request, pk: int, **kwargs) -> CustomerMerge:
    return get_in_workspace(
        CustomerMerge.objects.select_related("survivor", "merged_by", "undone_by"),
        request.workspace,
        pk=pk,
    )


@requires("customers.merge", owner=_merge)
def merge_detail(request, pk: int):
    merge = _merge(request, pk)
    return render(
        request,
        "duplicates/merge_detail.html",
        {
            "merge": merge,
            "members": merge.members.select_related("customer"),
            "refusal": merging.undo_refusal(merge),
            "chosen": [(merging.field_label(name), pk) for name, pk in merge.choices.items()],
        },
    )


@requires("customers.merge", owner=_merge)
@require_POST
def merge_undo(request, pk: int):
    merge = _merge(request, pk)
    try:
        merging.merge_undo_request(merge=merge, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(merge)
    merge.refresh_from_db()  # without a worker, a queued undo has already run
    if not merge.is_undone:
        messages.info(
            request,
            "Undoing the merge: it moved many records, so it runs in the background. "
            "This page shows when it is done.",
        )
        return redirect(merge)
    messages.success(request, f"Merge undone: {merge.survivor} is as it was before.")
    return redirect(merge.survivor)
