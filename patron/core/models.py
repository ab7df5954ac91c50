"""The base every workspace-owned row builds on, and per-workspace number sequences."""

from django.db import models, transaction
from django.utils.text import normalize_newlines


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

    def clean_fields(self, exclude=None) -> None:
        # Browsers send textarea lines ending in CRLF, API clients usually LF: store one form.
        for field in self._meta.concrete_fields:
            value = getattr(self, field.attname)
            if isinstance(field, models.TextField) and isinstance(value, str):
                setattr(self, field.attname, normalize_newlines(value))
        super().clean_fields(exclude=exclude)


def same_name_in_workspace(row: models.Model, name: str | None = None) -> models.Model | None:
    """Another row of `row`'s kind and workspace named `name` (row.name by default) in any
    letter case, or None. Names with a case-insensitive unique constraint call this in
    clean(): the constraint guards against races, but it speaks of the whole record, and
    forms and the API should say it on the name field."""
    name = row.name if name is None else name
    if not name:
        return None
    rows = type(row).objects.filter(workspace_id=row.workspace_id, name__iexact=name)
    return rows.exclude(pk=row.pk).first()


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
