from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from patron.updates import parsing
from patron.updates.models import BulkUpdate
from patron.updates.services import bulk_update_apply, bulk_update_preview
from patron.workspaces.models import Workspace


class Command(BaseCommand):
    help = (
        "Give many customers suppressions, traits or fulfilments from a CSV file (manual 000 "
        "“Update Customers”). Customers are named by their customer no. Every bad row is "
        "printed with its reason; a file with bad rows applies nothing unless --skip-bad-rows."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", metavar="FILE", help="The CSV file.")
        parser.add_argument("--workspace", required=True, help="The workspace's slug.")
        parser.add_argument("--kind", required=True, choices=BulkUpdate.Kind.values)
        parser.add_argument(
            "--skip-bad-rows", action="store_true", help="Apply the good rows, skip the bad."
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Only print what would change; keep nothing."
        )

    def handle(self, *args, **options):
        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"No workspace with the slug “{options['workspace']}”.")
        path = Path(options["file"])
        try:
            with path.open("rb") as file:
                content = file.read(parsing.MAX_BYTES + 1)
        except OSError as error:
            raise CommandError(f"{path}: {error.strerror}.") from error
        # One transaction: a dry run, or a refusal, keeps nothing (not even the upload).
        with transaction.atomic():
            try:
                preview = bulk_update_preview(
                    workspace=workspace,
                    kind=options["kind"],
                    file_name=path.name,
                    content=content,
                    actor=None,
                )
            except ValidationError as error:
                raise CommandError(f"{path.name}: {' '.join(error.messages)}") from error
            for error in preview.errors:
                column = f", {error.column}" if error.column else ""
                self.stderr.write(f"Row {error.row}{column}: {error.reason}")
            counts = preview.counts
            self.stdout.write(
                f"{path.name}: {counts['rows']} rows: {counts['changes']} to change, "
                f"{counts['unchanged']} already so, {counts['errors']} bad"
            )
            if options["dry_run"]:
                transaction.set_rollback(True)
                self.stdout.write("Dry run: nothing was changed.")
                return
            try:
                applied = bulk_update_apply(
                    bulk_update=preview.bulk_update,
                    skip_bad_rows=options["skip_bad_rows"],
                    actor=None,
                )
            except ValidationError as error:
                hint = " (--skip-bad-rows applies the others)" if counts["errors"] else ""
                raise CommandError(" ".join(error.messages) + hint) from error
        result = applied.result
        self.stdout.write(
            f"Applied: {result['created']} added to {result['customers']} customers, "
            f"{result['already']} already so, {result['skipped']} bad rows skipped "
            f"(bulk update {applied.pk})"
        )
