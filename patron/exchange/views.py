"""Export pages: the current search, or a customer list's members, as a file download."""

import tempfile

from django.http import FileResponse, HttpResponseBadRequest, StreamingHttpResponse
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from patron.core.access import get_in_workspace
from patron.customers.models import Customer
from patron.customers.views import customer_search
from patron.exchange import export
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
