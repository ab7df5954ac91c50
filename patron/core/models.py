"""The base every workspace-owned row builds on, and per-workspace number sequences."""

from django.db import models, transaction


class WorkspaceQuerySet(models.QuerySet):
    def in_workspace(self, workspace) -> "WorkspaceQuerySet":
        """The one door to tenant data: rows of this workspace only."""
        return self.filter(workspace=workspace)


class WorkspaceScoped(models.Model):
    """Timestamps plus the workspace that owns the row."""

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        abstract = True


class Sequence(models.Model):
    """The last number handed out for one kind of record in one workspace.

    Customer numbers, case numbers and the like come from here: the row is locked while
    the next number is taken, so concurrent creates never share a number.
    """

    workspace = models.ForeignKey("workspaces.Workspace", on_delete=models.CASCADE)
    name = models.CharField(max_length=50)
    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="unique_sequence_name")
        ]

    def __str__(self) -> str:
        return f"{self.name}={self.last_value}"


def next_number(workspace, name: str) -> int:
    """Take the next number of the sequence `name` in `workspace` (1, 2, 3, ...)."""
    with transaction.atomic():
        sequence, _ = Sequence.objects.get_or_create(workspace=workspace, name=name)
        sequence = Sequence.objects.select_for_update().get(pk=sequence.pk)
        sequence.last_value += 1
        sequence.save(update_fields=["last_value"])
        return sequence.last_value
