"""Every workspace starts with the common suppression types (issue 4)."""

from django.db.models.signals import post_save

from patron.marketing.models import DEFAULT_SUPPRESSION_TYPES, SuppressionType
from patron.workspaces.models import Workspace


def create_default_suppression_types(workspace) -> None:
    for name, blocks, description in DEFAULT_SUPPRESSION_TYPES:
        SuppressionType.objects.get_or_create(
            workspace=workspace, name=name, defaults={"blocks": blocks, "description": description}
        )


def _on_workspace_saved(sender, instance, created, raw=False, **kwargs) -> None:
    if created and not raw:
        create_default_suppression_types(instance)


def connect() -> None:
    post_save.connect(_on_workspace_saved, sender=Workspace, dispatch_uid="default_suppressions")
