from types import SimpleNamespace

from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from patron.customers.filters import CustomerFilter
from patron.customers.models import Customer
from patron.exchange import export
from patron.workspaces.models import Workspace


class Command(BaseCommand):
    help = (
        "Export a workspace's customers (outside the recycle bin; archived ones only with "
        "--filter archived=true) as CSV, XLSX or vCard, filtered as the advanced search "
        "filters them. CSV and vCard go to standard output unless --output is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--workspace", required=True, help="The workspace's slug.")
        parser.add_argument("--format", required=True, choices=export.FORMATS)
        parser.add_argument("--output", metavar="FILE", help="The file to write.")
        parser.add_argument(
            "--filter",
            action="append",
            default=[],
            metavar="NAME=VALUE",
            help="A search filter, e.g. city=London or tag=7; repeat for more.",
        )

    def handle(self, *args, **options):
        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"No workspace with the slug “{options['workspace']}”.")
        file_format, output = options["format"], options["output"]
        if file_format == "xlsx" and not output:
            raise CommandError("An XLSX file is binary: say where to write it with --output.")
        customer_filter = CustomerFilter(
            self._filters(options["filter"]),
            Customer.objects.in_workspace(workspace).current(),
            request=SimpleNamespace(workspace=workspace),
        )
        if not customer_filter.is_valid():
            problems = "; ".join(
                f"{name}: {' '.join(messages)}" for name, messages in customer_filter.errors.items()
            )
            raise CommandError(f"Some filters are not valid: {problems}")
        customers = export.stream(customer_filter.qs)
        if not output:
            writer = export.write_csv if file_format == "csv" else export.write_vcf
            for chunk in writer(customers):
                self.stdout.write(chunk.decode(), ending="")
            return
        try:
            with open(output, "wb") as file:
                if file_format == "xlsx":
                    export.write_xlsx(customers, file)
                else:
                    writer = export.write_csv if file_format == "csv" else export.write_vcf
                    file.writelines(writer(customers))
        except OSError as error:
            raise CommandError(f"{output}: {error.strerror}.") from error

    def _filters(self, pairs: list[str]) -> QueryDict:
        known = sorted(CustomerFilter.base_filters)
        data = QueryDict(mutable=True)
        for pair in pairs:
            name, equals, value = pair.partition("=")
            if not equals:
                raise CommandError(f"Give a filter as NAME=VALUE, not “{pair}”.")
            if name not in known:
                raise CommandError(
                    f"No filter is named “{name}”. The filters are: {', '.join(known)}."
                )
            data.appendlist(name, value)
        return data
