"""Files held against a customer (manual 000's attachments, manual 001's contracts etc.)."""

import os
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from patron.attachments.filetypes import KIND_BY_CONTENT_TYPE
from patron.core.models import WorkspaceQuerySet, WorkspaceScoped


def stored_name(instance: "Attachment", filename: str) -> str:
    """Where the file is kept: the workspace's folder and a random name.

    The person's file name is never part of it, so stored names cannot collide, be
    guessed, or reveal anything; the extension is the checked one, for whoever looks.
    """
    extension = os.path.splitext(filename)[1].lower()
    return f"attachments/{instance.workspace_id}/{secrets.token_hex(16)}{extension}"


class Attachment(WorkspaceScoped):
    """A file attached to a customer, with a description.

    `original_name` is the uploader's file name, made safe, and is what a download is
    called; `content_type` is what the content was found to be, not what the client said.
    Writes go through patron.attachments.services, which check the file first.
    """

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to=stored_name, max_length=255)
    original_name = models.CharField("filename", max_length=255)
    description = models.CharField(max_length=500, blank=True)
    content_type = models.CharField(max_length=100, editable=False)
    size = models.PositiveBigIntegerField(editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = WorkspaceQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["customer", "-created_at"], name="attachment_customer_idx")]

    def __str__(self) -> str:
        return self.original_name

    def get_absolute_url(self) -> str:
        return reverse("attachments:detail", args=[self.pk])

    @property
    def kind_label(self) -> str:
        kind = KIND_BY_CONTENT_TYPE.get(self.content_type)
        return kind.label if kind else self.content_type

    def clean(self) -> None:
        if self.customer_id and self.customer.workspace_id != self.workspace_id:
            raise ValidationError({"customer": "Choose a customer of this workspace."})
