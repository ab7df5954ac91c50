"""Update Customers pages (manual 000): choose a kind, upload, preview, apply, see results."""

import csv

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from patron.core.access import get_in_workspace
from patron.core.forms import add_validation_errors
from patron.updates import parsing, services
from patron.updates.forms import ApplyForm, UploadForm
from patron.updates.models import BulkUpdate, PreviewChunk
from patron.workspaces.permissions import requires

PAGE_SIZE = 100
MAX_ERRORS_SHOWN = 500


def _bulk_update(request, pk: int, **kwargs) -> BulkUpdate:
    return get_in_workspace(
        BulkUpdate.objects.select_related("uploaded_by", "workspace"), request.workspace, pk=pk
    )


def _kinds() -> list[dict]:
    return [
        {"value": value, "label": label, "columns": parsing.COLUMNS[value]}
        for value, label in BulkUpdate.Kind.choices
    ]


@requires("marketing.manage")
def bulk_update_index(request):
    """Choose what to update, upload the file; past bulk updates below."""
    initial = {"kind": request.GET.get("kind")} if request.GET.get("kind") else {}
    form = UploadForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            bulk_update = services.bulk_update_upload(
                workspace=request.workspace,
                kind=form.cleaned_data["kind"],
                file_name=upload.name,
                content=upload.read(),
                actor=request.user,
            )
        except ValidationError as error:
            add_validation_errors(form, error)
        else:
            return redirect(bulk_update)
    history = BulkUpdate.objects.in_workspace(request.workspace).select_related("uploaded_by")
    page = Paginator(history, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "updates/index.html",
        {"form": form, "kinds": _kinds(), "page": page},
    )


@requires("marketing.manage")
def bulk_update_sample(request):
    """A sample file of a kind, to fill in."""
    kind = request.GET.get("kind", "")
    if kind not in parsing.COLUMNS:
        raise Http404("No such kind of bulk update.")
    response = HttpResponse(parsing.sample_csv(kind), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="update-{kind}-sample.csv"'
    return response


@requires("marketing.manage", owner=_bulk_update)
def bulk_update_detail(request, pk: int):
    """The preview of a file not yet applied; the result of one applied."""
    bulk_update = _bulk_update(request, pk)
    if request.htmx and not (bulk_update.is_previewing or bulk_update.is_applying):
        # The page was following a background task that is over: it shows a page of its
        # own (the preview, the result, why it failed), so the browser loads it whole.
        return HttpResponseClientRefresh()
    if bulk_update.state == BulkUpdate.State.APPLIED:
        return render(
            request,
            "updates/result.html",
            {"bulk_update": bulk_update, "result": bulk_update.result},
        )
    if bulk_update.is_applying:
        return render(request, "updates/applying.html", {"bulk_update": bulk_update})
    if bulk_update.state in (BulkUpdate.State.PREVIEWING, BulkUpdate.State.FAILED):
        return render(request, "updates/previewing.html", {"bulk_update": bulk_update})
    # The preview kept when it was evaluated: a view reads it, never the file.
    bulk_update = services.bulk_update_kept(bulk_update)
    kept = bulk_update.preview
    counts = kept["counts"]
    return render(
        request,
        "updates/preview.html",
        {
            "bulk_update": bulk_update,
            "kept": kept,
            "delimiter_name": parsing.DELIMITER_NAMES[kept["delimiter"]],
            "counts": counts,
            "errors": services.kept_lines(bulk_update, PreviewChunk.Status.ERROR)[
                :MAX_ERRORS_SHOWN
            ],
            "errors_hidden": max(kept["lines"][PreviewChunk.Status.ERROR] - MAX_ERRORS_SHOWN, 0),
            "page": Paginator(
                services.kept_lines(bulk_update, PreviewChunk.Status.CHANGE), PAGE_SIZE
            ).get_page(request.GET.get("page")),
            "unchanged": services.kept_lines(bulk_update, PreviewChunk.Status.UNCHANGED)[
                :MAX_ERRORS_SHOWN
            ],
        },
    )


@require_POST
@requires("marketing.manage", owner=_bulk_update)
def bulk_update_apply(request, pk: int):
    bulk_update = _bulk_update(request, pk)
    form = ApplyForm(request.POST)
    form.is_valid()
    try:
        bulk_update = services.bulk_update_request_apply(
            bulk_update=bulk_update,
            skip_bad_rows=form.cleaned_data.get("skip_bad_rows", False),
            actor=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if bulk_update.state != BulkUpdate.State.APPLIED:  # queued: the page follows it
            return redirect(bulk_update)
        result = bulk_update.result
        messages.success(
            request,
            f"Applied {bulk_update.file_name}: {result['created']} added to "
            f"{result['customers']} customer(s).",
        )
    return redirect("updates:detail", pk=bulk_update.pk)


@require_POST
@requires("marketing.manage", owner=_bulk_update)
def bulk_update_discard(request, pk: int):
    bulk_update = _bulk_update(request, pk)
    try:
        services.bulk_update_discard(bulk_update=bulk_update, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("updates:detail", pk=bulk_update.pk)
    messages.success(request, f"Discarded {bulk_update.file_name}; nothing was applied.")
    return redirect("updates:index")


@requires("marketing.manage", owner=_bulk_update)
def bulk_update_errors(request, pk: int):
    """The bad rows as CSV (row, column, value, reason), to fix the file by."""
    bulk_update = _bulk_update(request, pk)
    if bulk_update.state == BulkUpdate.State.APPLIED:
        errors = bulk_update.result.get("errors", [])
    elif not (bulk_update := services.bulk_update_kept(bulk_update)).preview:
        messages.error(request, "The file's preview is not ready: it has no bad rows to download.")
        return redirect(bulk_update)
    else:
        errors = services.kept_lines(bulk_update, PreviewChunk.Status.ERROR)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = bulk_update.file_name.rsplit(".", 1)[0] or "update"
    response["Content-Disposition"] = f'attachment; filename="{_safe(name)}-errors.csv"'
    writer = csv.writer(response, lineterminator="\r\n")
    writer.writerow(["Row", "Column", "Value", "Reason"])
    for error in errors:
        writer.writerow(
            [error["row"], error["column"], _neutral(error["value"]), _neutral(error["reason"])]
        )
    return response


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)[:100]


def _neutral(value: str) -> str:
    # A cell a spreadsheet would run as a formula is written as text.
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
