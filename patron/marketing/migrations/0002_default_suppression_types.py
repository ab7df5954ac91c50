"""Give the workspaces that existed before suppressions the default suppression types."""

from django.db import migrations

DEFAULTS = [
    ("Do not mail", "mail", "Asked not to receive post."),
    ("Do not email", "email", "Asked not to receive email."),
    ("Do not phone", "phone", "Asked not to be phoned."),
    ("Gone away", "mail", "Post came back: no longer at this address."),
    ("Deceased", "all", "Never contact again."),
]


def add_defaults(apps, schema_editor):
    Workspace = apps.get_model("workspaces", "Workspace")
    SuppressionType = apps.get_model("marketing", "SuppressionType")
    for workspace in Workspace.objects.all():
        for name, blocks, description in DEFAULTS:
            SuppressionType.objects.get_or_create(
                workspace=workspace,
                name=name,
                defaults={"blocks": blocks, "description": description},
            )


class Migration(migrations.Migration):
    dependencies = [("marketing", "0001_initial"), ("workspaces", "0001_initial")]

    operations = [migrations.RunPython(add_defaults, migrations.RunPython.noop)]
