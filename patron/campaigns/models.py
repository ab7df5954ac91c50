"""Campaigns, their activities, and fulfilments of an activity for a customer (manual 000)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from patron.core.models import WorkspaceScoped, same_name_in_workspace


class Campaign(WorkspaceScoped):
    """A group of activities ("Spring 2027")."""

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "workspace",
                Lower("name"),
                name="unique_campaign_name",
                violation_error_message="A campaign with this name already exists.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if same_name_in_workspace(self):
            raise ValidationError({"name": "A campaign with this name already exists."})


class Status(models.TextChoices):
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"


class Step(models.TextChoices):
    """Where an activity (or a telemarket) is in its life; changed with "Change step"."""

    PLANNED = "planned", "Planned"
    STARTED = "started", "Started"
    COMPLETED = "completed", "Completed"


class Runnable(WorkspaceScoped):
    """Status, step and dates, shared by activities and telemarkets: only one that is
    Active and Started can be fulfilled or run (manual 000)."""

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    step = models.CharField(max_length=10, choices=Step.choices, default=Step.PLANNED)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)

    class Meta:
        abstract = True

    @property
    def is_running(self) -> bool:
        return self.status == Status.ACTIVE and self.step == Step.STARTED

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The end date cannot be before the start date."})


class ActivityQuerySet(models.QuerySet):
    def in_workspace(self, workspace) -> "ActivityQuerySet":
        return self.filter(workspace=workspace)

    def running(self) -> "ActivityQuerySet":
        return self.filter(status=Status.ACTIVE, step=Step.STARTED)


class Activity(Runnable):
    """A numbered marketing activity (a mailing, an event, an offer)."""

    number = models.PositiveIntegerField("activity no.", editable=False)
    name = models.CharField("activity", max_length=200)
    campaign = models.ForeignKey(
        Campaign, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    reference_code = models.CharField(
        "reference code",
        max_length=50,
        blank=True,
        help_text="A code that names the activity in imported files, e.g. SPRING27.",
    )
    description = models.TextField(blank=True, max_length=2000)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]
        verbose_name_plural = "activities"
        constraints = [
            models.UniqueConstraint(fields=["workspace", "number"], name="unique_activity_number"),
            models.UniqueConstraint(
                "workspace",
                Lower("reference_code"),
                condition=~models.Q(reference_code=""),
                name="unique_activity_reference_code",
                violation_error_message="Another activity already has this reference code.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    def clean(self) -> None:
        errors = {}
        try:
            super().clean()
        except ValidationError as error:
            errors.update(error.message_dict)
        if self.campaign_id and self.campaign.workspace_id != self.workspace_id:
            errors["campaign"] = "Choose a campaign of this workspace."
        self.reference_code = self.reference_code.strip()
        others = Activity.objects.filter(workspace_id=self.workspace_id).exclude(pk=self.pk)
        if (
            self.reference_code
            and others.filter(reference_code__iexact=self.reference_code).exists()
        ):
            errors["reference_code"] = "Another activity already has this reference code."
        if errors:
            raise ValidationError(errors)


class Fulfilment(WorkspaceScoped):
    """Something done for a customer under an activity (a brochure sent, information given)."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="fulfilments"
    )
    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="fulfilments")
    date = models.DateField(default=timezone.localdate)
    fulfilment_type = models.CharField(
        "type", max_length=100, help_text="What was done, e.g. Send brochure, More information."
    )
    created_by = models.ForeignKey(
        "workspaces.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["activity", "customer"], name="fulfilment_by_activity")]

    def __str__(self) -> str:
        return f"{self.fulfilment_type} ({self.activity.name}, {self.date:%d/%m/%Y})"

    def clean(self) -> None:
        errors = {}
        if self.customer_id and self.customer.workspace_id != self.workspace_id:
            errors["customer"] = "Choose a customer of this workspace."
        if self.activity_id and self.activity.workspace_id != self.workspace_id:
            errors["activity"] = "Choose an activity of this workspace."
        self.fulfilment_type = self.fulfilment_type.strip()
        if not self.fulfilment_type:
            errors["fulfilment_type"] = "Say what was done, e.g. Send brochure."
        if errors:
            raise ValidationError(errors)


# Offered as suggestions on the fulfilment form (any text is allowed).
SUGGESTED_FULFILMENT_TYPES = ["Send brochure", "More information", "Call back", "Send sample"]
