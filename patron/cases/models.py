"""Cases (manual 000's Cases tab, manual 004's "New Activity"): service requests from a
customer, numbered per workspace, with a reason code from the workspace's own list."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from patron.core.models import WorkspaceScoped, same_name_in_workspace
from patron.workspaces.models import Membership


class ReasonCode(WorkspaceScoped):
    """Why a customer raised a case ("Faulty goods", "Billing query"); a workspace's list."""

    name = models.CharField(max_length=100)
    description = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "workspace",
                Lower("name"),
                name="unique_reason_code_name",
                violation_error_message="A reason code with this name already exists.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        taken = same_name_in_workspace(self)
        if taken:
            raise ValidationError({"name": f"A reason code named {taken.name} already exists."})


class CaseQuerySet(models.QuerySet):
    def in_workspace(self, workspace) -> "CaseQuerySet":
        return self.filter(workspace=workspace)

    def current(self) -> "CaseQuerySet":
        """Cases of customers outside the recycle bin (those stay with their customer)."""
        return self.filter(customer__deleted_at__isnull=True)


class Case(WorkspaceScoped):
    """A customer's service request. `resolved_at` is set by the service when the case is
    resolved or closed, and cleared when it is reopened (open or pending again)."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        PENDING = "pending", "Pending"
        RESOLVED = "resolved", "Resolved"
        CLOSED = "closed", "Closed"

    DONE = frozenset({Status.RESOLVED, Status.CLOSED})

    number = models.PositiveIntegerField("case no.", editable=False)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="cases"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    reason_code = models.ForeignKey(
        ReasonCode,
        null=True,
        blank=True,
        on_delete=models.RESTRICT,
        related_name="cases",
        verbose_name="reason code",
    )
    logged_at = models.DateTimeField("logged", default=timezone.now)
    resolved_at = models.DateTimeField("resolved", null=True, blank=True, editable=False)
    subject = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=10000)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_cases",
        help_text="The member who handles the case.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-logged_at", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "number"], name="unique_case_number")
        ]
        indexes = [
            models.Index(fields=["workspace", "-logged_at"], name="case_logged_idx"),
            models.Index(fields=["customer", "-logged_at"], name="case_customer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("cases:detail", args=[self.pk])

    @property
    def is_done(self) -> bool:
        return self.status in self.DONE

    def history_value(self, field_name: str) -> str | None:
        """Times read in History in the site's time zone, as on the page."""
        if field_name in ("logged_at", "resolved_at"):
            value = getattr(self, field_name)
            return timezone.localtime(value).strftime("%d %b %Y %H:%M") if value else ""
        return None

    def clean(self) -> None:
        errors = {}
        if self.customer_id and self.customer.workspace_id != self.workspace_id:
            errors["customer"] = "Choose a customer of this workspace."
        if self.reason_code_id and self.reason_code.workspace_id != self.workspace_id:
            errors["reason_code"] = "Choose a reason code of this workspace."
        if (
            self.assignee_id
            and not Membership.objects.filter(
                workspace_id=self.workspace_id, user_id=self.assignee_id
            ).exists()
        ):
            errors["assignee"] = "Choose a member of this workspace."
        if self.logged_at and self.logged_at > timezone.now():
            errors["logged_at"] = "A case cannot be logged in the future."
        elif self.logged_at and self.resolved_at and self.logged_at > self.resolved_at:
            errors["logged_at"] = (
                f"The case was resolved on {timezone.localtime(self.resolved_at):%d/%m/%Y %H:%M}"
                ": it cannot have been logged after that."
            )
        if errors:
            raise ValidationError(errors)
