from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from patron.mail.services import bounce_record
from patron.workspaces.models import Workspace


def _moment(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise CommandError(
            f"--date: “{value}” is not an ISO 8601 date or date-time (e.g. 2025-03-31)."
        ) from error
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


class Command(BaseCommand):
    help = (
        "Report addresses that bounced: every customer of the workspace with one is marked "
        "invalid (never mailed again until corrected) and the last email to it bounced. "
        "All or nothing: an invalid address changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("addresses", nargs="+", metavar="ADDRESS")
        parser.add_argument("--workspace", required=True, help="The workspace's slug.")
        parser.add_argument(
            "--date", help="When they bounced (ISO 8601 date or date-time); now by default."
        )

    def handle(self, *args, **options):
        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"No workspace with the slug “{options['workspace']}”.")
        when = _moment(options["date"])
        results = []
        with transaction.atomic():
            for address in options["addresses"]:
                try:
                    results.append(
                        bounce_record(
                            workspace=workspace,
                            address=address,
                            bounced_at=when,
                            actor=None,
                            via="command",
                        )
                    )
                except ValidationError as error:
                    raise CommandError(f"{address}: {' '.join(error.messages)}") from error
        for result in results:
            bounced = f"; email “{result.email}” bounced" if result.email else ""
            self.stdout.write(
                f"{result.address}: {result.customers_marked} customers marked invalid{bounced}"
            )
        total = sum(result.customers_marked for result in results)
        self.stdout.write(f"Marked {total} customers invalid in {workspace.slug}")
