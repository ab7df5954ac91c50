from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from patron.exchange import importing, likely
from patron.exchange.mapping import field_label, resolve
from patron.exchange.models import ImportJob
from patron.exchange.reading import open_table
from patron.lists.models import CustomerList
from patron.workspaces.models import Workspace

LISTED = 50  # likely duplicates a dry run prints (it counts them all)


class Command(BaseCommand):
    help = (
        "Import customers from a CSV, XLSX or vCard (.vcf) file into a workspace: each row "
        "creates a customer or updates the one it matches (customer no., ext. ref., then "
        "the usage's key: email, phone, or name + postcode; with no usage each in turn). "
        "Invalid rows are refused and listed; --dry-run only counts. A run that stops (an "
        "error, or the process killed) goes on with --resume JOB_ID."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", nargs="?", help="The CSV, XLSX or vCard file.")
        parser.add_argument("--workspace", help="The workspace's slug.")
        parser.add_argument(
            "--resume",
            type=int,
            metavar="JOB_ID",
            help="Go on with an import that stopped, from its last committed row.",
        )
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
        parser.add_argument(
            "--list",
            metavar="NAME",
            help="Import Customer List: the imported customers join this existing list "
            "where its rules allow; the others are reported.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Count; write nothing.")
        parser.add_argument("--failed-rows", metavar="OUT.csv", help="Write refused rows here.")
        parser.add_argument("--progress-every", type=int, default=10_000, metavar="N")
        parser.add_argument(
            "--batch-size",
            type=int,
            default=importing.BATCH_SIZE,
            metavar="N",
            help="Rows per transaction (a stopped import resumes after the last one).",
        )

    def handle(self, *args, **options):
        every = max(1, options["progress_every"])
        done = {"last": 0}

        def progress(rows: int) -> None:
            if rows - done["last"] >= every:
                done["last"] = rows
                self.stdout.write(f"… {rows:,} rows", ending="\n")
                self.stdout.flush()

        if options["resume"] is not None:
            report = self._resume(options, progress)
            self._print_report(report, options)
            return
        if not options["file"] or not options["workspace"]:
            raise CommandError("Give the FILE and --workspace, or --resume JOB_ID.")
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"No workspace with the slug “{options['workspace']}”.")
        customer_list = None
        if options["list"]:
            customer_list = (
                CustomerList.objects.in_workspace(workspace)
                .filter(name__iexact=options["list"].strip())
                .first()
            )
            if customer_list is None:
                raise CommandError(f"No list named “{options['list']}” in this workspace.")
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
            arguments = dict(
                workspace=workspace, table=table, mapping=overrides, options=import_options
            )
            if options["dry_run"]:
                # Every row to create is compared, batch by batch; the first few are kept.
                report, duplicates = likely.import_preview(
                    **arguments,
                    progress=progress,
                    limit=None,
                    kept=LISTED,
                    batch_size=options["batch_size"],
                )
            else:
                job = importing.import_job_create(
                    actor=None,
                    batch_size=options["batch_size"],
                    customer_list=customer_list,
                    **arguments,
                )
                self.stdout.write(
                    f"Import {job.pk}. If it stops, `patron import --resume {job.pk}` goes on "
                    "from the last committed row."
                )
                self.stdout.flush()
                report = importing.import_run(
                    workspace=workspace, actor=None, job=job, progress=progress
                )
        except FileNotFoundError as error:
            raise CommandError(f"{options['file']}: no such file.") from error
        except (ValidationError, ValueError) as error:
            raise CommandError(_message(error)) from error
        self._print_report(report, options)
        if options["dry_run"]:
            self._print_duplicates(duplicates)

    def _resume(self, options, progress) -> importing.Report:
        job = ImportJob.objects.select_related("workspace").filter(pk=options["resume"]).first()
        if job is None or (options["workspace"] and job.workspace.slug != options["workspace"]):
            raise CommandError(f"No import {options['resume']} (in this workspace).")
        self.stdout.write(
            f"Resuming import {job.pk} of {job.file_name} after row {job.rows:,} "
            f"({job.workspace.slug})."
        )
        try:
            return importing.import_resume(job, progress=progress)
        except (ValidationError, ValueError) as error:
            raise CommandError(_message(error)) from error

    def _print_report(self, report, options) -> None:
        self.stdout.write(
            ("Dry run: nothing written. " if report.dry_run else "") + report.summary()
        )
        for error in report.errors[:50]:
            self.stdout.write(f"  {error}")
        shown_rows = len({error.row for error in report.errors[:50]})
        if report.failed > shown_rows:
            more = report.failed - shown_rows
            self.stdout.write(f"  … and more problems, in {more:,} more rows.")
        if report.list_refusals:
            self.stdout.write("Refused by the list:")
        for refusal in report.list_refusals[:50]:
            self.stdout.write(f"  {refusal}")
        if len(report.list_refusals) > 50:
            self.stdout.write(f"  … and {len(report.list_refusals) - 50} more.")
        if options["failed_rows"] and report.failed:
            with open(options["failed_rows"], "w", encoding="utf-8", newline="") as file:
                if report.job is not None:  # streamed from the database, a slice at a time
                    file.writelines(report.job.failed_rows_csv_chunks())
                else:
                    file.write(report.failed_csv())
            self.stdout.write(f"Failed rows (with a Reason column): {options['failed_rows']}")

    def _print_duplicates(self, duplicates: likely.Found) -> None:
        if not duplicates.count:
            return
        self.stdout.write(
            f"{duplicates.count:,} row{'s' if duplicates.count != 1 else ''} to create "
            f"look{'' if duplicates.count != 1 else 's'} like existing customers "
            "(warnings: they would be created all the same):"
        )
        for duplicate in duplicates.kept:
            self.stdout.write(f"  {duplicate}")
        if duplicates.count > len(duplicates.kept):
            self.stdout.write(f"  … and {duplicates.count - len(duplicates.kept):,} more.")

    def _print_mapping(self, table, overrides) -> None:
        mapping = resolve(table.headers, overrides)
        source = f"{table.file_format.upper()}"
        if table.file_format == "csv":
            source += f", {table.encoding}, {table.delimiter_name}-delimited"
        self.stdout.write(f"{table.name} ({source}). Columns:")
        for index, header in enumerate(table.headers):
            target = field_label(mapping[index]) if index in mapping else "(ignored)"
            self.stdout.write(f"  {header or f'column {index + 1}'} → {target}")


def _message(error: Exception) -> str:
    return " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
