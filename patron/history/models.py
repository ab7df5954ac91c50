"""The audit trail: one row per change to a record, with its field-by-field differences."""

import json

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from patron.core.models import WorkspaceQuerySet


class WrittenJSONField(models.JSONField):
    """JSON kept as it was written: PostgreSQL's `json` type, not `jsonb`. History writes
    a row for every change and reads it back whole, never searching inside it; `json`
    checks the text is JSON and keeps it, where `jsonb` converts it (an imported
    customer's History, about 1.5 KB: over plain text, 10 us of the server's time a row
    in jsonb, 3 in json). So no key lookups (`fields__0__field`), which `json` could not
    compare: refused on SQLite too, where the column is text either way."""

    def db_type(self, connection):
        return "json" if connection.vendor == "postgresql" else super().db_type(connection)

    def get_db_prep_value(self, value, connection, prepared=False):
        if connection.vendor != "postgresql":
            return super().get_db_prep_value(value, connection, prepared)
        if not prepared:
            value = self.get_prep_value(value)
        # As text: psycopg sends a str untyped, so the server reads it as the column's json
        # (its Jsonb wrapper would be cast jsonb -> json, parsed twice).
        return json.dumps(value, cls=self.encoder)

    def from_db_value(self, value, expression, connection):
        if value is not None and not isinstance(value, str):
            return value  # psycopg reads a json column into Python values itself
        return super().from_db_value(value, expression, connection)

    def get_transform(self, name):
        return None


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

    # History is written on every change and never edited: its links to the workspace,
    # the record's type and the actor carry no database constraint, like object_id, the
    # record itself, never did. Django's on_delete still follows them (a workspace's
    # History goes with it, a deleted user's entries keep no actor); the three checks cost
    # the server 9 us a History row, in series with each batch an import writes.
    workspace = models.ForeignKey(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="+", db_constraint=False
    )
    # Its own index would repeat the first column of (content_type, object_id, -created_at).
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, db_constraint=False, db_index=False
    )
    object_id = models.PositiveBigIntegerField()
    target = GenericForeignKey("content_type", "object_id")  # None once the record is gone
    # The customer a note, attachment, case... belonged to when it changed, so that its
    # History stays on the customer's tab after the record is deleted for good.
    about_customer = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    action = models.CharField(max_length=20, choices=Action.choices)
    fields = WrittenJSONField(default=list)
    version = models.PositiveIntegerField(null=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_constraint=False,
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
