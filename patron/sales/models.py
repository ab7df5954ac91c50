"""Sales (manuals 002, 003, 004): the item catalogue, price levels, quotes with their lines,
and service contracts with the items they support (manual 001).

Money is Decimal with two places; a quote's totals are never stored but computed by
patron.sales.financials from its lines, so pages, API and the printable view agree.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from patron.core.models import WorkspaceScoped, same_name_in_workspace

ZERO = Decimal("0")
HUNDRED = Decimal("100")
PERCENT = [MinValueValidator(ZERO), MaxValueValidator(HUNDRED)]
CURRENCY_CODE = RegexValidator(
    r"^[A-Z]{3}$", "Use a three-letter ISO 4217 currency code in capitals, e.g. GBP."
)


def percent_field(verbose_name: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(
        verbose_name, max_digits=5, decimal_places=2, default=ZERO, validators=PERCENT, **kwargs
    )


def _same_workspace(row, field: str, what: str, errors: dict) -> None:
    if getattr(row, f"{field}_id") is None:
        return
    if getattr(row, field).workspace_id != row.workspace_id:
        errors[field] = f"Choose {what} of this workspace."


class SalesSettings(models.Model):
    """A workspace's sales defaults: the currency new quotes take."""

    workspace = models.OneToOneField(
        "workspaces.Workspace", on_delete=models.CASCADE, related_name="sales_settings"
    )
    currency = models.CharField(
        "default currency",
        max_length=3,
        default="GBP",
        validators=[CURRENCY_CODE],
        help_text="ISO 4217 code new quotes take, e.g. GBP, EUR, USD.",
    )

    def __str__(self) -> str:
        return self.currency


class Item(WorkspaceScoped):
    """Something the workspace sells or supports: quote lines and service contracts name it."""

    code = models.CharField(max_length=50, help_text="Unique in the workspace, any letter case.")
    name = models.CharField(max_length=200)
    unit_price = models.DecimalField(
        "unit price", max_digits=12, decimal_places=2, validators=[MinValueValidator(ZERO)]
    )
    tax_rate = percent_field("default tax rate %")
    active = models.BooleanField(
        default=True, help_text="Only active items are offered for new quote lines and contracts."
    )

    class Meta:
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                "workspace",
                Lower("code"),
                name="unique_item_code",
                violation_error_message="An item with this code already exists.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        self.code = (self.code or "").strip()
        others = Item.objects.filter(workspace_id=self.workspace_id).exclude(pk=self.pk)
        if self.code and others.filter(code__iexact=self.code).exists():
            raise ValidationError({"code": f"An item with the code {self.code} already exists."})


class PriceLevel(WorkspaceScoped):
    """A named discount ("Trade 10%") given to an organization and, through it, its people."""

    name = models.CharField(max_length=100)
    discount = percent_field("discount %", help_text="From 0 to 100, two decimals at most.")

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "workspace",
                Lower("name"),
                name="unique_price_level_name",
                violation_error_message="A price level with this name already exists.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.discount.normalize():f}%)"

    def clean(self) -> None:
        self.name = (self.name or "").strip()
        taken = same_name_in_workspace(self)
        if taken:
            raise ValidationError({"name": f"A price level named {taken.name} already exists."})


class CustomerPriceLevel(WorkspaceScoped):
    """The price level given to one customer (an organization, or a person overriding the
    level it would inherit from its organization)."""

    customer = models.OneToOneField(
        "customers.Customer", on_delete=models.CASCADE, related_name="price_level_link"
    )
    price_level = models.ForeignKey(
        PriceLevel, on_delete=models.PROTECT, related_name="customer_links"
    )

    def __str__(self) -> str:
        return f"{self.customer}: {self.price_level}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        _same_workspace(self, "customer", "a customer", errors)
        _same_workspace(self, "price_level", "a price level", errors)
        if errors:
            raise ValidationError(errors)


class QuoteStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SENT = "sent", "Sent"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    EXPIRED = "expired", "Expired"


class Quote(WorkspaceScoped):
    """A numbered offer to a customer (manual 004, "New Quote").

    The customer's name, address and email are copied onto the quote when it is made, so a
    quote sent stays as it was sent when the customer's record changes later. Its lines and
    details can be changed only while it is a draft.
    """

    Status = QuoteStatus

    number = models.PositiveIntegerField("quote no.", editable=False)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="quotes"
    )
    customer_name = models.CharField("customer name", max_length=300, blank=True)
    customer_address = models.TextField("customer address", max_length=1000, blank=True)
    customer_email = models.CharField("customer email", max_length=254, blank=True)
    case = models.ForeignKey(
        "cases.Case",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="quotes",
        help_text="A case of the same customer this quote answers (optional).",
    )
    status = models.CharField(max_length=10, choices=QuoteStatus.choices, default=QuoteStatus.DRAFT)
    valid_until = models.DateField("valid until")
    currency = models.CharField(max_length=3, validators=[CURRENCY_CODE])
    notes = models.TextField(blank=True, max_length=5000)
    created_by = models.ForeignKey(
        "workspaces.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "number"], name="unique_quote_number")
        ]

    def __str__(self) -> str:
        return f"Quote {self.number}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("sales:quote_detail", args=[self.pk])

    @property
    def is_past_valid_until(self) -> bool:
        return self.valid_until is not None and self.valid_until < timezone.localdate()

    @property
    def shown_status(self) -> str:
        """The status as people see it: a draft or sent quote past its valid-until date is
        Expired, whether or not anyone marked it so."""
        if self.status in (QuoteStatus.DRAFT, QuoteStatus.SENT) and self.is_past_valid_until:
            return QuoteStatus.EXPIRED
        return self.status

    def get_shown_status_display(self) -> str:
        return QuoteStatus(self.shown_status).label

    @property
    def is_editable(self) -> bool:
        return self.status == QuoteStatus.DRAFT

    def clean(self) -> None:
        errors: dict[str, str] = {}
        _same_workspace(self, "customer", "a customer", errors)
        _same_workspace(self, "case", "a case", errors)
        if "case" not in errors and self.case_id and self.case.customer_id != self.customer_id:
            errors["case"] = "Choose a case of this quote's customer."
        self.currency = (self.currency or "").strip().upper()
        if errors:
            raise ValidationError(errors)


class QuoteLine(WorkspaceScoped):
    """One line of a quote: an item of the catalogue or free text, a quantity, a unit price,
    a discount % and a tax rate %. Its money is computed by patron.sales.financials."""

    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(default=1)
    item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.SET_NULL, related_name="quote_lines"
    )
    description = models.CharField(max_length=300, blank=True)
    quantity = models.DecimalField(
        max_digits=12,
        decimal_places=3,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0.001"))],
    )
    unit_price = models.DecimalField(
        "unit price", max_digits=12, decimal_places=2, validators=[MinValueValidator(ZERO)]
    )
    discount = percent_field("discount %")
    tax_rate = percent_field("tax rate %")

    class Meta:
        ordering = ["quote", "position", "pk"]

    def __str__(self) -> str:
        return self.description or (self.item.name if self.item else "")

    def history_text(self) -> str:
        """The line as History reads it: "Widget x 3 @ 10.00, 5% off, 20% tax"."""
        return (
            f"{self} x {self.quantity.normalize():f} @ {self.unit_price:.2f}, "
            f"{self.discount.normalize():f}% off, {self.tax_rate.normalize():f}% tax"
        )

    def clean(self) -> None:
        errors: dict[str, str] = {}
        _same_workspace(self, "item", "an item", errors)
        self.description = (self.description or "").strip()
        if not self.description and self.item is None:
            errors["description"] = "Choose an item or describe the line."
        if errors:
            raise ValidationError(errors)


class ServiceContract(WorkspaceScoped):
    """A service contract with an organization (manual 001) and the items it supports."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        EXPIRED = "expired", "Expired"
        CANCELLED = "cancelled", "Cancelled"

    customer = models.ForeignKey(
        "customers.Customer",
        on_delete=models.CASCADE,
        related_name="service_contracts",
        verbose_name="organization",
    )
    name = models.CharField(max_length=200)
    start_date = models.DateField("start date")
    end_date = models.DateField("end date")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    supported_items = models.ManyToManyField(
        Item, blank=True, related_name="service_contracts", verbose_name="supported items"
    )
    notes = models.TextField(blank=True, max_length=5000)

    class Meta:
        ordering = ["-start_date", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors: dict[str, str] = {}
        _same_workspace(self, "customer", "an organization", errors)
        if self.customer_id and not self.customer.is_organization:
            errors["customer"] = "A service contract is made with an organization."
        self.name = (self.name or "").strip()
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = "The end date cannot be before the start date."
        if errors:
            raise ValidationError(errors)
