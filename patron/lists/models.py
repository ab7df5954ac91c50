"""Customer lists (manual 000): who may be mailed, emailed or phoned for a purpose.

A list has a usage (the channel it is for), suppressions it refuses and traits it
requires. The rules themselves live in `patron.lists.rules`, used by every path that adds
customers, so no path can add one the list must refuse.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Lower

from patron.core.models import WorkspaceScoped, same_name_in_workspace
from patron.marketing.models import Channel


class CustomerList(WorkspaceScoped):
    class Usage(models.TextChoices):
        MAIL = Channel.MAIL.value, "Mail"
        EMAIL = Channel.EMAIL.value, "Email"
        PHONE = Channel.PHONE.value, "Phone"
        NONE = "", "No usage"

    # What each usage needs of a customer; shown as the help of the usage field.
    USAGE_HELP = {
        Usage.MAIL: "For post: each customer needs a postal address (address 1 and a postcode "
        "or city) and no suppression that blocks mail.",
        Usage.EMAIL: "For email: each customer needs an email address that is valid, has not "
        "bounced and has not opted out of marketing, and no suppression that blocks email.",
        Usage.PHONE: "For phoning: each customer needs a phone number (work, home or mobile) "
        "and no suppression that blocks phoning.",
        Usage.NONE: "Not for contacting: only the list's own suppressions and traits apply "
        "(and suppressions that block all lists).",
    }

    class Source(models.TextChoices):
        OWN = "own", "Own customers"
        PURCHASED = "purchased", "Purchased"
        RENTED = "rented", "Rented"
        EXCHANGED = "exchanged", "Exchanged with a partner"
        EVENT = "event", "Event or trade show"
        WEB = "web", "Website sign-up"
        OTHER = "other", "Other"

    class Origin(models.TextChoices):
        HAND = "hand", "By hand"
        SEARCH = "search", "From a search"
        FULFILMENTS = "fulfilments", "From fulfilments"
        IMPORT = "import", "By import"

    name = models.CharField("list name", max_length=200)
    description = models.TextField(blank=True, max_length=2000)
    usage = models.CharField(max_length=10, choices=Usage.choices, blank=True)
    source = models.CharField(
        "list source", max_length=20, choices=Source.choices, default=Source.OWN
    )
    vendor = models.CharField(
        max_length=200, blank=True, help_text="The organization that provided the list."
    )
    cost = models.DecimalField(
        max_digits=14,  # as every amount of the API: 12 digits before the point
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    expiry_date = models.DateField(
        null=True, blank=True, help_text="The last day the list may be used."
    )
    usage_frequency = models.PositiveIntegerField(
        default=0, help_text="How many times the list has been used."
    )
    suppressions = models.ManyToManyField(
        "marketing.SuppressionType",
        blank=True,
        related_name="customer_lists",
        help_text="Customers with any of these suppressions cannot join the list.",
    )
    traits = models.ManyToManyField(
        "marketing.Trait",
        blank=True,
        related_name="customer_lists",
        help_text="Customers must have all of these traits to join the list.",
    )
    activities = models.ManyToManyField(
        "campaigns.Activity", blank=True, related_name="customer_lists"
    )
    origin = models.CharField(
        max_length=20, choices=Origin.choices, default=Origin.HAND, editable=False
    )
    # The search a list was built from (the query string of the customer search).
    search = models.CharField(max_length=2000, blank=True, editable=False)
    created_by = models.ForeignKey(
        "workspaces.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "workspace",
                Lower("name"),
                name="unique_customer_list_name",
                violation_error_message="A customer list with this name already exists.",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.name = self.name.strip()
        if not self.name:
            raise ValidationError({"name": "Give the list a name."})
        if same_name_in_workspace(self):
            raise ValidationError({"name": "A customer list with this name already exists."})


class ListEntry(models.Model):
    """A customer in a list."""

    customer_list = models.ForeignKey(
        CustomerList, on_delete=models.CASCADE, related_name="entries"
    )
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="list_entries"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    added_by = models.ForeignKey(
        "workspaces.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    via = models.CharField(max_length=20, choices=CustomerList.Origin.choices)

    class Meta:
        ordering = ["customer_list", "customer"]
        constraints = [
            models.UniqueConstraint(fields=["customer_list", "customer"], name="unique_list_entry")
        ]
        indexes = [
            models.Index(fields=["customer", "customer_list"], name="list_entry_by_customer")
        ]

    def __str__(self) -> str:
        return f"{self.customer_id} in {self.customer_list}"
