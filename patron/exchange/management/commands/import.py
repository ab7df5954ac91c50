from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from patron.exchange import importing
from patron.exchange.mapping import field_label, resolve
from patron.exchange.reading import open_table
from patron.workspaces.models import Workspace


class Command(BaseCommand):
    help = (
        "Import customers from a CSV, XLSX or vCard (.vcf) file into a workspace: each row "
        "creates a customer or updates the one it matches (customer no., ext. ref., then "
        "the usage's key: email, phone, or name + postcode; with no usage each in turn). "
        "Invalid rows are refused and listed; --dry-run only counts."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="The CSV, XLSX or vCard file.")
        parser.add_argument("--workspace", required=True, help="The workspace's slug.")
        parser.add_argument("--usage", choices=["email", "phone", "mail"], default="")
        parser.add_argument(
            "--match",
            choices=importing.MATCH_ACTIONS,
            default="update",
            help="What to do with a customer the row matches (fill: only its empty fields).",
        )
        parser.add_argument(
            "--type",
            choices=["prospect", "customer", "account"],
            default="prospect",
            help="The customer type of new customers (when the file has no type column).",
        )
        parser.add_argument(
            "--overwrite-type", action="store_true", help="Matched customers take --type."
        )
        parser.add_argument(
            "--overwrite-status",
            action="store_true",
            help="Matched customers take the file's status.",
        )
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="HEADER=FIELD",
            help="Map a column to a field (or to nothing: HEADER=); repeat for more.",
        )
        parser.add_argument("--encoding", default="", help="e.g. cp1252; detected if not given.")
        parser.add_argument("--delimiter", default="", help="e.g. ';'; detected if not given.")
        parser.add_argument("--dry-run", action="store_true", help="Count; write nothing.")
        parser.add_argument("--failed-rows", metavar="OUT.csv", help="Write refused rows here.")
        parser.add_argument("--progress-every", type=int, default=10_000, metavar="N")

    def handle(self, *args, **options):
        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"No workspace with the slug “{options['workspace']}”.")
        overrides = {}
        for pair in options["map"]:
            header, equals, name = pair.partition("=")
            if not equals:
                raise CommandError(f"Give a mapping as HEADER=FIELD, not “{pair}”.")
            overrides[header.strip()] = name.strip()
        try:
            import_options = importing.Options(
                customer_type=options["type"],
                overwrite_type=options["overwrite_type"],
                overwrite_status=options["overwrite_status"],
                usage=options["usage"],
                match=options["match"],
            )
            table = open_table(
                options["file"], encoding=options["encoding"], delimiter=options["delimiter"]
            )
            self._print_mapping(table, overrides)
            every = max(1, options["progress_every"])
            done = {"last": 0}

            def progress(rows: int) -> None:
                if rows - done["last"] >= every:
                    done["last"] = rows
                    self.stdout.write(f"… {rows:,} rows")

            arguments = dict(
                workspace=workspace,
                table=table,
                mapping=overrides,
                options=import_options,
                progress=progress,
            )
            if options["dry_run"]:
                report = importing.import_preview(**arguments)
            else:
                report = importing.import_run(actor=None, **arguments)
        except FileNotFoundError as error:
            raise CommandError(f"{options['file']}: no such file.") from error
        except (ValidationError, ValueError) as error:
            message = " ".join(error.messages) if isinstance(error, ValidationError) else error
            raise CommandError(str(message)) from error
        self.stdout.write(
            ("Dry run: nothing written. " if report.dry_run else "") + report.summary()
        )
        for error in report.errors[:50]:
            self.stdout.write(f"  {error}")
        if len(report.errors) > 50:
            self.stdout.write(f"  … and {len(report.errors) - 50} more problems.")
        if options["failed_rows"] and report.failed_rows:
            with open(options["failed_rows"], "w", encoding="utf-8", newline="") as file:
                file.write(report.failed_csv())
            self.stdout.write(f"Failed rows (with a Reason column): {options['failed_rows']}")

    def _print_mapping(self, table, overrides) -> None:
        mapping = resolve(table.headers, overrides)
        source = f"{table.file_format.upper()}"
        if table.file_format == "csv":
            source += f", {table.encoding}, {table.delimiter_name}-delimited"
        self.stdout.write(f"{table.name} ({source}). Columns:")
        for index, header in enumerate(table.headers):
            target = field_label(mapping[index]) if index in mapping else "(ignored)"
            self.stdout.write(f"  {header or f'column {index + 1}'} → {target}")
