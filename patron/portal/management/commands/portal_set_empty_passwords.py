from django.core.management.base import BaseCommand, CommandError

from patron.portal.services import portal_set_empty_passwords
from patron.workspaces.models import Workspace


class Command(BaseCommand):
    help = (
        "Set empty passwords (manual 003): every contact of the workspace with portal access "
        "but no password gets a generated one, emailed to it. Links in the email use "
        "PATRON_SITE_URL."
    )

    def add_arguments(self, parser):
        parser.add_argument("--workspace", required=True, help="The workspace's slug.")

    def handle(self, *args, **options):
        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(f"No workspace with the slug “{options['workspace']}”.")
        result = portal_set_empty_passwords(workspace=workspace, actor=None, via="command")
        for skipped in result.skipped:
            self.stdout.write(f"Left without a password: {skipped}")
        plural = "s" if result.given != 1 else ""
        self.stdout.write(f"{result.given} contact{plural} got a generated password by email.")
