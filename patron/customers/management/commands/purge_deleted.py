from django.conf import settings
from django.core.management.base import BaseCommand

from patron.customers.services import customers_purge


class Command(BaseCommand):
    help = "Delete for good the customers in the recycle bin for longer than the purge window."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=settings.PATRON_PURGE_AFTER_DAYS)

    def handle(self, *args, **options):
        purged = customers_purge(older_than_days=options["days"])
        self.stdout.write(f"Purged {purged} customers deleted more than {options['days']} days ago")
