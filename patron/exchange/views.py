"""Export pages (the current search, or a customer list's members, as a file download) and
the import wizard's pages, its progress and report."""

import tempfile
from itertools import islice
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import (
    FileResponse,
    Http404,
    HttpResponse,
    HttpResponseBadRequest,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from patron.core.access import get_in_workspace
from patron.core.forms import add_validation_errors
from patron.customers.models import Customer
from patron.customers.views import customer_search
from patron.exchange import checking, export, importing, jobs, likely
from patron.exchange.forms import ListOptionsForm, MappingForm, OptionsForm, UploadForm
from patron.exchange.mapping import auto_mapping, sample_csv
from patron.exchange.models import ImportCheck, ImportJob, ImportMapping
from patron.lists import services as list_services
from patron.lists.models import CustomerList
from patron.workspaces.permissions import requires

# Exporting needs only customers.view: an export holds what the user may already read page
# by page, and a read-only role (an auditor, an accountant) is the one most likely to want
# a spreadsheet. Limiting it would only make them copy pages by hand.


def download(queryset, file_format: str, stem: str):
    """The customers as a file: CSV and vCard streamed, XLSX built in a temporary file."""
    customers = export.stream(queryset)
    name = export.file_name(stem, file_format)
    if file_format == "xlsx":
        # A workbook is a zip, written whole at the end; a temporary file (removed on
        # close, which FileResponse does once sent) keeps it out of memory.
        file = tempfile.TemporaryFile()  # noqa: SIM115
        export.write_xlsx(customers, file)
        file.seek(0)
        return FileResponse(
            file, as_attachment=True, filename=name, content_type=export.CONTENT_TYPES["xlsx"]
        )
    writer = export.write_csv if file_format == "csv" else export.write_vcf
    response = StreamingHttpResponse(
        writer(customers), content_type=export.CONTENT_TYPES[file_format]
    )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_safe
@requires("customers.view")
def customers_export(request, file_format: str):
    """The customer list's current search (its query string), every page of it."""
    customer_filter = customer_search(request, request.GET, mine=request.GET.get("mine") == "yes")
    if not customer_filter.is_valid():
        return HttpResponseBadRequest(
            f"Some search criteria are not valid: {customer_filter.errors.as_text()}",
            content_type="text/plain; charset=utf-8",
        )
    return download(customer_filter.qs, file_format, "customers")


def _list(request, pk: int, **kwargs) -> CustomerList:
    return get_in_workspace(CustomerList, request.workspace, pk=pk)


@require_safe
@requires("customers.view", owner=_list)
def list_export(request, pk: int, file_format: str):
    """A customer list's members outside the recycle bin, as its Customers tab counts them."""
    customer_list = _list(request, pk)
    members = (
        Customer.objects.in_workspace(request.workspace)
        .current()
        .filter(list_entries__customer_list=customer_list)
        .order_by("name_key", "pk")
    )
    return download(members, file_format, slugify(customer_list.name) or "customer-list")


# --- The import wizard (manual 000 "Import Customers" / "Import Customer List") ----------
# Step 1's answers wait in the session; step 2 keeps the file in a draft ImportJob, which
# steps 3 to 5 name in their URLs; step 5 starts it as a background task. The column
# mapping waits in the session too, by position, until the import starts.

WIZARD = "import_wizard"
STEPS = ["Options", "Upload", "Mapping", "Validation", "Matching"]
ERRORS_PER_PAGE = 50
DUPLICATES_PER_PAGE = 100  # likely duplicates listed on a page of step 5
KINDS = {"customers": "Import customers", "list": "Import customer list"}


def _whole(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() and len(text) < 18 else None


def _state(request) -> dict:
    return request.session.get(WIZARD, {})


def _save_state(request, **changes) -> None:
    request.session[WIZARD] = {**_state(request), **changes}


def _options_form(request, kind: str, data=None):
    if kind == "list":
        return ListOptionsForm(data, workspace=request.workspace)
    return OptionsForm(data)


def _wizard(request, step: int, context: dict, status: int = 200, kind: str = ""):
    state = _state(request)
    kind = kind or state.get("kind", "customers")
    return render(
        request,
        "exchange/import_wizard.html",
        {
            "step": step,
            "steps": STEPS,
            "state": state,
            "kind": kind,
            "title": KINDS[kind],
            "start_url": reverse("exchange:list_import" if kind == "list" else "exchange:import"),
            **context,
        },
        status=status,
    )


def _import_start(request, kind: str):
    state = _state(request)
    if request.method == "GET" and ("continue" not in request.GET or state.get("kind") != kind):
        _discard_draft(request)
        request.session[WIZARD] = state = {"kind": kind}
    form = _options_form(request, kind, request.POST if request.method == "POST" else None)
    if request.method == "GET" and state.get("options_data"):
        form = _options_form(request, kind, state["options_data"])
        form.is_valid()  # shows the saved answers as they were given
    if request.method == "POST" and form.is_valid():
        # The raw answers (dates and amounts as typed) keep in the session as JSON.
        answers = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
        _save_state(request, kind=kind, options_data=answers)
        return redirect("exchange:import_upload")
    return _wizard(request, 1, {"form": form}, status=400 if form.errors else 200, kind=kind)


@requires("customers.change")
def import_start(request):
    """Step 1 of Import Customers: the options."""
    return _import_start(request, "customers")


@requires("marketing.manage")
def list_import_start(request):
    """Step 1 of Import Customer List: the list's details and the options. Creating a
    list is for managers, as on the lists page."""
    return _import_start(request, "list")


def _discard_draft(request) -> None:
    job_id = _state(request).get("job")
    if job_id:
        job = ImportJob.objects.in_workspace(request.workspace).filter(pk=job_id).first()
        if job is not None and jobs.is_draft(job):
            jobs.job_discard(job)


def _state_options(request):
    """Step 1's answers, validated again (a list name may have been taken since)."""
    state = _state(request)
    if "options_data" not in state:
        return None
    form = _options_form(request, state.get("kind", "customers"), state["options_data"])
    return form if form.is_valid() else None


@requires("customers.change")
def import_upload(request):
    """Step 2: upload the file; the encoding and delimiter are detected and can be set."""
    state = _state(request)
    if "options_data" not in state:
        return redirect("exchange:import")
    job = _draft(request, state.get("job"))
    initial = job.reading if job else {}
    posted = request.method == "POST"
    form = UploadForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        has_file=job is not None,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        encoding = form.cleaned_data["encoding"]
        delimiter = form.cleaned_data["delimiter"]
        try:
            if form.cleaned_data["file"] is not None:
                _discard_draft(request)
                job, _ = jobs.import_job_create(
                    workspace=request.workspace,
                    actor=request.user,
                    upload=form.cleaned_data["file"],
                    encoding=encoding,
                    delimiter=delimiter,
                )
                _save_state(request, job=job.pk, fields=None)
            else:
                jobs.import_job_reread(job=job, encoding=encoding, delimiter=delimiter)
                _save_state(request, fields=None)
        except ValidationError as error:
            form.add_error("file", error.messages)
        else:
            return redirect("exchange:import_mapping", pk=job.pk)
    table = None
    if job is not None:
        try:
            table = jobs.job_table(job)
        except ValidationError as error:
            form.add_error(None, error.messages)
    return _wizard(
        request,
        2,
        {"form": form, "job": job, "table": table},
        status=400 if form.errors else 200,
    )


def _draft(request, pk) -> ImportJob | None:
    if pk is None:
        return None
    job = ImportJob.objects.in_workspace(request.workspace).filter(pk=pk).first()
    return job if job is not None and jobs.is_draft(job) else None


def _job(request, pk: int, **kwargs) -> ImportJob:
    return get_in_workspace(ImportJob, request.workspace, pk=pk)


def _wizard_job(request, pk: int):
    """The draft this session's wizard is on, or a redirect to where the wizard is."""
    job = _job(request, pk)
    if not jobs.is_draft(job):
        return None, redirect("exchange:import_job", pk=job.pk)
    state = _state(request)
    if state.get("job") != job.pk:
        messages.error(request, "Start the import again: its first steps were not kept.")
        return None, redirect("exchange:import")
    if _state_options(request) is None:
        # Step 1's answers no longer hold (a list of that name was created meanwhile).
        messages.error(request, "Check the first step again.")
        start = "exchange:list_import" if state.get("kind") == "list" else "exchange:import"
        return None, redirect(f"{reverse(start)}?continue=1")
    try:
        table = jobs.job_table(job)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return None, redirect("exchange:import_upload")
    return (job, table), None


def _fields(request, table) -> list[str]:
    fields = _state(request).get("fields")
    if fields and len(fields) == len(table.headers):
        return fields
    automatic = auto_mapping(table.headers)
    return [automatic.get(index, "") for index in range(len(table.headers))]


@requires("customers.change", owner=_job)
def import_mapping(request, pk: int):
    """Step 3: each column to a field or Ignore; a saved mapping can fill the choices."""
    found, elsewhere = _wizard_job(request, pk)
    if elsewhere:
        return elsewhere
    job, table = found
    samples = [cells for _, cells in islice(table.rows(), 3)]
    saved_mappings = ImportMapping.objects.in_workspace(request.workspace)
    fields = _fields(request, table)
    used = None
    if request.method == "GET" and request.GET.get("saved"):
        used = saved_mappings.filter(pk=_whole(request.GET["saved"])).first()
        if used is None:
            messages.error(request, "No saved mapping of that name: choose one in the list.")
        else:
            fields = jobs.mapping_for_headers(used, table.headers)
    initial = {f"column_{index}": name for index, name in enumerate(fields)}
    form = MappingForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        headers=table.headers,
        samples=samples,
        workspace=request.workspace,
    )
    if request.method == "POST" and form.is_valid():
        chosen = form.fields_chosen()
        _save_state(request, fields=chosen)
        if form.cleaned_data["save_as"]:
            try:
                jobs.mapping_create(
                    workspace=request.workspace,
                    actor=request.user,
                    name=form.cleaned_data["save_as"],
                    mapping={header: chosen[index] for index, header in enumerate(table.headers)},
                )
            except ValidationError as error:
                add_validation_errors(form, error)
        if not form.errors:
            if form.cleaned_data["save_as"]:
                messages.success(request, f"Saved the mapping as “{form.cleaned_data['save_as']}”.")
            return redirect("exchange:import_validation", pk=job.pk)
    return _wizard(
        request,
        3,
        {"form": form, "job": job, "table": table, "saved_mappings": saved_mappings, "used": used},
        status=400 if form.errors else 200,
    )


def _preview(request, job, table, *, duplicates: bool = False):
    """The page's check of the file: its first PREVIEW_ROWS rows (the import checks all);
    with `duplicates`, also the rows it would create that look like existing customers."""
    arguments = dict(
        workspace=request.workspace,
        table=jobs.capped(table, jobs.PREVIEW_ROWS),
        mapping=jobs.column_mapping(table.headers, _fields(request, table)),
        options=_state_options(request).options(),
    )
    more = jobs.has_more_rows(table, jobs.PREVIEW_ROWS)
    if duplicates:
        report, found = likely.import_preview(**arguments)
        return report, more, found
    return importing.import_preview(**arguments), more


@requires("customers.change", owner=_job)
def import_validation(request, pk: int):
    """Step 4: every bad row with its row number, column and reason."""
    found, elsewhere = _wizard_job(request, pk)
    if elsewhere:
        return elsewhere
    job, table = found
    check = _check(request, job, table)
    if check is not None and check.status == ImportCheck.Status.DONE:
        # The whole file's check stands in for the page's own of its first rows.
        report, more, errors = check, False, check.problems
    else:
        try:
            report, more = _preview(request, job, table)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("exchange:import_mapping", pk=job.pk)
        errors = report.errors
    page = Paginator(errors, ERRORS_PER_PAGE).get_page(request.GET.get("page"))
    return _wizard(
        request,
        4,
        {
            "job": job,
            "table": table,
            "report": report,
            "more": more,
            "page": page,
            **_check_context(job, check, "validation"),
        },
    )


@requires("customers.change", owner=_job)
def import_matching(request, pk: int):
    """Step 5: what the import would do; its button starts the import."""
    found, elsewhere = _wizard_job(request, pk)
    if elsewhere:
        return elsewhere
    job, table = found
    options_form = _state_options(request)
    if request.method == "POST":
        return _start(request, job, table, options_form)
    check = _check(request, job, table)
    if check is not None and check.status == ImportCheck.Status.DONE:
        # The whole file's counts and likely duplicates stand in for the first rows'.
        report, more = check, False
        duplicates, duplicates_count = checking.kept_duplicates(check), check.likely_duplicates
    else:
        try:
            report, more, found = _preview(request, job, table, duplicates=True)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("exchange:import_mapping", pk=job.pk)
        duplicates, duplicates_count = found.kept, found.count
    page = Paginator(duplicates, DUPLICATES_PER_PAGE).get_page(request.GET.get("page"))
    return _wizard(
        request,
        5,
        {
            "job": job,
            "table": table,
            "report": report,
            "more": more,
            "duplicates": page,
            "duplicates_count": duplicates_count,
            "duplicates_kept": len(duplicates),
            "options": options_form.options(),
            **_check_context(job, check, "matching"),
        },
    )


# "Check all rows": the import's dry run over the whole file, in the background.

CHECK_STEPS = {"validation": "exchange:import_validation", "matching": "exchange:import_matching"}


def _check(request, job, table) -> ImportCheck | None:
    """The check of every row made with the mapping and options the wizard has now."""
    return checking.current_check(
        job=job, fields=_fields(request, table), options=_state_options(request).options()
    )


def _check_context(job, check: ImportCheck | None, step_name: str) -> dict:
    stalled = check is not None and checking.stalled(check)
    under_way = checking.under_way(check)
    return {
        "check": check,
        "check_under_way": under_way,
        "check_stalled": stalled,
        "checked_all": check is not None and check.status == ImportCheck.Status.DONE,
        "check_total": max(jobs.estimated_rows(job) or 0, check.rows) if under_way else 0,
        "check_step": step_name,
        "check_step_url": reverse(CHECK_STEPS[step_name], args=[job.pk]),
        "problems_kept": checking.PROBLEMS_KEPT,
    }


def _check_step(request) -> str:
    step_name = request.POST.get("step") or request.GET.get("step")
    return step_name if step_name in CHECK_STEPS else "validation"


@requires("customers.change", owner=_job)
def import_check(request, pk: int):
    """Steps 4 and 5's "Check all rows" button: queue the dry run of the whole file."""
    found, elsewhere = _wizard_job(request, pk)
    if elsewhere:
        return elsewhere
    job, table = found
    step_name = _check_step(request)
    if request.method != "POST":
        return redirect(CHECK_STEPS[step_name], pk=job.pk)
    try:
        checking.import_check_start(
            job=job, fields=_fields(request, table), options=_state_options(request).options()
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(CHECK_STEPS[step_name], pk=job.pk)


@require_safe
@requires("customers.change", owner=_job)
def import_check_progress(request, pk: int):
    """The check's progress bar, which htmx polls; once the check is over (or no longer
    for this mapping) the step's page is loaded again to show what it found. Without htmx,
    the step's page."""
    found, elsewhere = _wizard_job(request, pk)
    if elsewhere:
        return elsewhere
    job, table = found
    step_name = _check_step(request)
    check = _check(request, job, table)
    if not request.htmx:
        return redirect(CHECK_STEPS[step_name], pk=job.pk)
    if not checking.under_way(check):
        return HttpResponse(headers={"HX-Redirect": reverse(CHECK_STEPS[step_name], args=[job.pk])})
    return render(
        request,
        "exchange/_import_check.html",
        {"job": job, "more": True, **_check_context(job, check, step_name)},
    )


def _start(request, job, table, options_form):
    kind = _state(request).get("kind", "customers")
    if kind == "list" and not request.membership.can("marketing.manage"):
        raise PermissionDenied("Your role may not create customer lists.")
    mapping = jobs.column_mapping(table.headers, _fields(request, table))
    try:
        with transaction.atomic():
            customer_list = None
            if kind == "list":
                customer_list = list_services.list_create(
                    workspace=request.workspace,
                    actor=request.user,
                    data=options_form.list_data(),
                    origin=CustomerList.Origin.IMPORT,
                )
            job = jobs.import_job_start(
                job=job,
                options=options_form.options(),
                mapping=mapping,
                customer_list=customer_list,
            )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("exchange:import_matching", pk=job.pk)
    request.session.pop(WIZARD, None)
    return redirect("exchange:import_job", pk=job.pk)


@require_safe
@requires("customers.change")
def import_sample(request):
    """A sample file to start from (manual 002)."""
    response = HttpResponse(sample_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="customers.csv"'
    return response


# --- Past imports, progress and report --------------------------------------------------


@require_safe
@requires("customers.change")
def import_list(request):
    """Past imports with their status and counts, newest first."""
    page = Paginator(
        ImportJob.objects.in_workspace(request.workspace).select_related(
            "created_by", "customer_list"
        ),
        50,
    ).get_page(request.GET.get("page"))
    return render(request, "exchange/import_list.html", {"page": page})


@requires("customers.change", owner=_job)
def import_job(request, pk: int):
    """An import's progress while it runs (htmx polls the progress part), then its report."""
    job = _job(request, pk)
    if request.method == "POST":  # resume a stopped import
        try:
            jobs.import_job_resume(job=job)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("exchange:import_job", pk=job.pk)
    total = jobs.estimated_rows(job) if job.status in ("queued", "running") else job.rows
    context = {
        "job": job,
        "total": max(total or 0, job.rows),
        "draft": jobs.is_draft(job),
        "can_resume": jobs.can_resume(job),
        "in_wizard": _state(request).get("job") == job.pk,
    }
    template = "exchange/_import_progress.html" if request.htmx else "exchange/import_job.html"
    return render(request, template, context)


@require_safe
@requires("customers.change", owner=_job)
def import_failed_rows(request, pk: int):
    """The refused rows as they were, plus a Reason column: fix them and import again."""
    job = _job(request, pk)
    if not job.failed:
        raise Http404("This import has no failed rows.")
    stem = Path(job.file_name).stem or "import"
    response = StreamingHttpResponse(
        job.failed_rows_csv_chunks(), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{slugify(stem)}-failed-rows.csv"'
    return response


@require_safe
@requires("customers.change", owner=_job)
def import_customers(request, pk: int):
    """The customers this import created or updated."""
    job = _job(request, pk)
    customers = jobs.imported_customers(job).order_by("pk")
    page = Paginator(customers, 100).get_page(request.GET.get("page"))
    return render(request, "exchange/import_customers.html", {"job": job, "page": page})
