"""Traits and suppressions (manual 000): what a customer is, and what it must not receive."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from patron.core.models import WorkspaceScoped


class Channel(models.TextChoices):
    """The ways of reaching a customer; a customer list has one as its usage."""

    MAIL = "mail", "Mail"
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone"


class Trait(WorkspaceScoped):
    """Something true of a customer that lists can require ("Golfer", "Owns a boat")."""

    name = models.CharField(max_length=100)
    description = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "workspace",
                Lower("name"),
                name="unique_trait_name",
                violation_error_message=("A trait with this name already exists."),
            )
        ]

    def __str__(self) -> str:
        return self.name


class CustomerTrait(WorkspaceScoped):
    """A trait a customer has."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="customer_traits"
    )
    trait = models.ForeignKey(Trait, on_delete=models.CASCADE, related_name="customer_traits")

    class Meta:
        ordering = ["trait__name"]
        constraints = [
            models.UniqueConstraint(fields=["customer", "trait"], name="unique_customer_trait")
        ]
        # Lists require traits: "customers with trait T" must not scan every customer.
        indexes = [models.Index(fields=["trait", "customer"], name="customer_trait_by_trait")]

    def __str__(self) -> str:
        return str(self.trait)

    def clean(self) -> None:
        if self.customer_id and self.customer.workspace_id != self.workspace_id:
            raise ValidationError({"customer": "Choose a customer of this workspace."})
        if self.trait_id and self.trait.workspace_id != self.workspace_id:
            raise ValidationError({"trait": "Choose a trait of this workspace."})


class SuppressionType(WorkspaceScoped):
    """A reason not to contact a customer ("Do not email", "Gone away").

    `channel` says which usage the type always blocks: a "Do not phone" suppression keeps
    the customer off every phone list, whether or not the list names it. "All channels"
    (deceased) blocks every list; "Only where a list names it" blocks none by itself.
    """

    class Blocks(models.TextChoices):
        MAIL = Channel.MAIL.value, "Mail lists"
        EMAIL = Channel.EMAIL.value, "Email lists"
        PHONE = Channel.PHONE.value, "Phone lists"
        ALL = "all", "All lists"
        NAMED = "", "Only lists that name it"

    name = models.CharField(max_length=100)
    description = models.CharField(max_length=255, blank=True)
    blocks = models.CharField(
        max_length=10,
        choices=Blocks.choices,
        blank=True,
        help_text="Which customer lists a customer with this suppression cannot join: every "
        "list of that usage (mail, email or phone), every list, or only the lists that name "
        "this type among their suppressions.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "workspace",
                Lower("name"),
                name="unique_suppression_type_name",
                violation_error_message="A suppression type with this name already exists.",
            )
        ]

    def __str__(self) -> str:
        return self.name


# What every new workspace starts with (name, what it blocks, description).
DEFAULT_SUPPRESSION_TYPES = [
    ("Do not mail", SuppressionType.Blocks.MAIL, "Asked not to receive post."),
    ("Do not email", SuppressionType.Blocks.EMAIL, "Asked not to receive email."),
    ("Do not phone", SuppressionType.Blocks.PHONE, "Asked not to be phoned."),
    ("Gone away", SuppressionType.Blocks.MAIL, "Post came back: no longer at this address."),
    ("Deceased", SuppressionType.Blocks.ALL, "Never contact again."),
]


class Suppression(WorkspaceScoped):
    """A customer's suppression of one type, from a date: one dated in the future keeps the
    customer off lists only from that date."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="suppressions"
    )
    suppression_type = models.ForeignKey(
        SuppressionType, on_delete=models.PROTECT, related_name="suppressions", verbose_name="type"
    )
    date = models.DateField(default=timezone.localdate)
    note = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-date", "suppression_type__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "suppression_type"],
                name="unique_customer_suppression",
                violation_error_message="The customer already has this suppression.",
            )
        ]
        # The date is in the index so that "suppressed today" is read from it alone.
        indexes = [
            models.Index(
                fields=["suppression_type", "customer", "date"], name="suppression_by_type"
            )
        ]

    def __str__(self) -> str:
        return f"{self.suppression_type} since {self.date:%d/%m/%Y}"

    @property
    def in_force(self) -> bool:
        return self.date <= timezone.localdate()

    def clean(self) -> None:
        errors = {}
        if self.customer_id and self.customer.workspace_id != self.workspace_id:
            errors["customer"] = "Choose a customer of this workspace."
        if self.suppression_type_id and self.suppression_type.workspace_id != self.workspace_id:
            errors["suppression_type"] = "Choose a suppression type of this workspace."
        if errors:
            raise ValidationError(errors)
