"""Loyalty points and house accounts (manual 002).

Points are a ledger: each entry adds or takes points, and the balance is the ledger's sum.
An entry is never edited; a correction is a new adjustment. House accounts are the
workspace's credit accounts (name, credit limit); a customer may be given several.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower

from patron.core.models import WorkspaceScoped, same_name_in_workspace

MAX_POINTS = 1_000_000  # per entry: a typo of extra zeros is refused, not booked


class LoyaltyEntry(WorkspaceScoped):
    """Points earned (positive), redeemed (negative) or adjusted (either, with a reason)."""

    class Kind(models.TextChoices):
        EARNED = "earned", "Earned"
        REDEEMED = "redeemed", "Redeemed"
        ADJUSTMENT = "adjustment", "Adjustment"

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="loyalty_entries"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    points = models.IntegerField(
        validators=[MinValueValidator(-MAX_POINTS), MaxValueValidator(MAX_POINTS)],
        help_text="Positive for points earned, negative for points redeemed; an adjustment "
        "may be either.",
    )
    reason = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="by",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "loyalty entries"
        indexes = [models.Index(fields=["customer", "-created_at"], name="loyalty_customer_idx")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="earned", points__gt=0)
                    | models.Q(kind="redeemed", points__lt=0)
                    | (models.Q(kind="adjustment") & ~models.Q(points=0))
                ),
                name="loyalty_points_match_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.points:+d} {self.get_kind_display().lower()}"

    def clean(self) -> None:
        errors = {}
        if self.customer_id and self.customer.workspace_id != self.workspace_id:
            errors["customer"] = "Choose a customer of this workspace."
        if self.points is not None:
            if self.kind == self.Kind.EARNED and self.points <= 0:
                errors["points"] = "Points earned are a positive number."
            elif self.kind == self.Kind.REDEEMED and self.points >= 0:
                errors["points"] = "Points redeemed are a negative number in the ledger."
            elif self.kind == self.Kind.ADJUSTMENT and self.points == 0:
                errors["points"] = "An adjustment adds or takes away at least one point."
        if self.kind == self.Kind.ADJUSTMENT and not self.reason.strip():
            errors["reason"] = "Say why the points are adjusted."
        if errors:
            raise ValidationError(errors)


class HouseAccount(WorkspaceScoped):
    """A credit account customers may charge to ("Staff account", "Trade account")."""

    name = models.CharField(max_length=100)
    credit_limit = models.DecimalField(
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="How much may be owed on the account; 0 or more.",
    )
    active = models.BooleanField(
        default=True, help_text="Only active accounts can be given to customers."
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "workspace",
                Lower("name"),
                name="unique_house_account_name",
                violation_error_message="A house account with this name already exists.",
            ),
            models.CheckConstraint(
                condition=models.Q(credit_limit__gte=0), name="house_account_limit_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        taken = same_name_in_workspace(self)
        if taken:
            raise ValidationError({"name": f"A house account named {taken.name} already exists."})


class CustomerHouseAccount(WorkspaceScoped):
    """A house account given to a customer."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="customer_house_accounts"
    )
    house_account = models.ForeignKey(
        HouseAccount, on_delete=models.RESTRICT, related_name="customer_links"
    )

    class Meta:
        ordering = ["house_account__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "house_account"], name="unique_customer_house_account"
            )
        ]

    def __str__(self) -> str:
        return str(self.house_account)
