"""Third parties on a customer with their contract details (manual 004, "Add Third Party")."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from patron.core.models import WorkspaceScoped


class ThirdParty(WorkspaceScoped):
    """A third party involved with the customer (a supplier, a service provider...) and the
    contract under which it works: number, start and end, value, and the items it uses."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="third_parties"
    )
    name = models.CharField("third party", max_length=200)
    contract_no = models.CharField("contract no.", max_length=100)
    contract_start = models.DateField("contract start")
    contract_end = models.DateField("contract end", null=True, blank=True)
    contract_value = models.DecimalField(
        "contract value",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    currency = models.CharField(max_length=3, default="GBP", help_text="ISO code, e.g. GBP, EUR.")
    item_usage = models.TextField(
        "item usage", blank=True, max_length=5000, help_text="The items used under the contract."
    )

    class Meta:
        ordering = ["-contract_start", "name"]
        verbose_name_plural = "third parties"

    def __str__(self) -> str:
        return f"{self.name} ({self.contract_no})"

    def clean(self) -> None:
        errors = {}
        if self.contract_end and self.contract_start and self.contract_end < self.contract_start:
            errors["contract_end"] = "The contract cannot end before it starts."
        if self.currency and not (
            len(self.currency) == 3 and self.currency.isascii() and self.currency.isalpha()
        ):
            errors["currency"] = "Use a three-letter currency code, e.g. GBP."
        if self.customer_id and self.customer.workspace_id != self.workspace_id:
            errors["customer"] = "Choose a customer of this workspace."
        if errors:
            raise ValidationError(errors)
        self.currency = self.currency.upper()
