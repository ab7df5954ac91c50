"""Create a workspace and its first admin without prompts, as a deployment script would."""

import os

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from patron.workspaces.roles import Role
from patron.workspaces.services import member_add, workspace_create


class Command(BaseCommand):
    help = (
        "Create a workspace and its first admin. The admin's password is read from the "
        "environment variable named by --password-env (PATRON_ADMIN_PASSWORD by default)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--name", required=True, help="Workspace name, e.g. 'Acme Ltd'")
        parser.add_argument("--slug", default="", help="Short id; made from the name if omitted")
        parser.add_argument("--admin-email", required=True)
        parser.add_argument("--admin-name", default="")
        parser.add_argument("--password-env", default="PATRON_ADMIN_PASSWORD")
        parser.add_argument("--region", default="GB", help="Default phone region, e.g. GB, US")
        parser.add_argument("--store", action="append", dest="stores", help="Repeat per store")

    def handle(self, *args, **options):
        password = os.environ.get(options["password_env"], "")
        if not password:
            raise CommandError(f"Set the admin's password in ${options['password_env']}.")
        try:
            with transaction.atomic():  # a bad admin leaves no half-made workspace
                workspace = self._create(options, password)
        except ValidationError as error:
            raise CommandError("; ".join(_messages(error))) from error
        self.stdout.write(f"Created workspace {workspace.slug} with admin {options['admin_email']}")

    def _create(self, options, password: str):
        workspace = workspace_create(
            name=options["name"],
            slug=options["slug"],
            default_region=options["region"],
            store_names=options["stores"],
        )
        member_add(
            workspace=workspace,
            email=options["admin_email"],
            role=Role.ADMIN,
            password=password,
            full_name=options["admin_name"],
        )
        return workspace


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "message_dict"):
        return [f"{field}: {' '.join(msgs)}" for field, msgs in error.message_dict.items()]
    return error.messages
