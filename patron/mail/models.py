"""Emails sent to customers (manual 001: "send and record email communications")."""

from django.db import models
from django.urls import reverse

from patron.core.models import WorkspaceQuerySet, WorkspaceScoped


class SentEmailQuerySet(WorkspaceQuerySet):
    def newest_first(self) -> "SentEmailQuerySet":
        return self.order_by("-created_at", "-pk")


class SentEmail(WorkspaceScoped):
    """One plain-text email to one customer, and what became of it.

    The address is copied from the customer when it is sent, so the record keeps saying
    where it went after the customer's email changes. Queued until the mail server has
    answered: then sent, or failed with the server's reason; a later bounce report turns
    a sent one into bounced.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        BOUNCED = "bounced", "Bounced"

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="emails"
    )
    to_address = models.CharField("to", max_length=254)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    sender = models.ForeignKey(
        "workspaces.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Replies go to them.",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True, help_text="Why it failed or bounced.")
    message_id = models.CharField("Message-ID", max_length=255, blank=True)
    via = models.CharField(max_length=20, blank=True, help_text="page, api or command")
    last_attempt_at = models.DateTimeField("last attempt", null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)

    objects = SentEmailQuerySet.as_manager()

    class Meta:
        verbose_name = "email"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["customer", "-created_at"], name="sentemail_customer_idx"),
            models.Index(fields=["workspace", "to_address"], name="sentemail_address_idx"),
            models.Index(fields=["workspace", "status"], name="sentemail_status_idx"),
        ]

    def __str__(self) -> str:
        return self.subject

    def get_absolute_url(self) -> str:
        return reverse("mail:detail", args=[self.pk])
