"""The audit trail: one row per change to a record, with its field-by-field differences."""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from patron.core.models import WorkspaceQuerySet


class Change(models.Model):
    """Something done to a record: who, when, what kind, and each field's old and new value.

    `fields` is a list of {"field", "label", "old", "new"} with values as a person reads
    them (choice labels, names of related rows), so history stays readable after the
    related rows change or go. `version` is the record's version after the change.
    """

    class Action(models.TextChoices):
        CREATE = "create", "Created"
        UPDATE = "update", "Updated"
        DELETE = "delete", "Deleted"
        RESTORE = "restore", "Restored"
        ARCHIVE = "archive", "Archived"
        UNARCHIVE = "unarchive", "Unarchived"
        RELEASE = "release", "Released"
        APPROVE = "approve", "Approved"
        DECLINE = "decline", "Declined"
        MERGE = "merge", "Merged"
        UNMERGE = "unmerge", "Merge undone"

    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")  # None once the record is gone
    # The customer a note, attachment, case... belonged to when it changed, so that its
    # History stays on the customer's tab after the record is deleted for good.
    about_customer = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    action = models.CharField(max_length=20, choices=Action.choices)
    fields = models.JSONField(default=list)
    version = models.PositiveIntegerField(null=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    via = models.CharField(max_length=20, blank=True, help_text="page, api or command")
    reason = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id", "-created_at"]),
            models.Index(
                fields=["about_customer"],
                name="change_about_customer",
                condition=models.Q(about_customer__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.content_type.model} {self.object_id}"
