from django.conf import settings
from django.core.management.base import BaseCommand

from patron.customers.services import customers_purge
from patron.exchange.jobs import DRAFTS_KEPT_DAYS, drafts_purge


class Command(BaseCommand):
    help = (
        "Delete for good the customers in the recycle bin for longer than the purge window, "
        "and the import drafts (files uploaded to the wizard, never imported) left for longer "
        "than --draft-days."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=settings.PATRON_PURGE_AFTER_DAYS)
        parser.add_argument("--draft-days", type=int, default=DRAFTS_KEPT_DAYS)

    def handle(self, *args, **options):
        purged = customers_purge(older_than_days=options["days"])
        self.stdout.write(f"Purged {purged} customers deleted more than {options['days']} days ago")
        drafts = drafts_purge(older_than_days=options["draft_days"])
        self.stdout.write(
            f"Deleted {drafts} import drafts (uploaded, never imported) and their files, "
            f"left more than {options['draft_days']} days"
        )
