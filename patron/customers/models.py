"""The customer record: one table for people and organizations (DESIGN.md)."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone

from patron.core.models import WorkspaceQuerySet, WorkspaceScoped
from patron.customers.normalize import (
    display_phone,
    name_key,
    normalize_email,
    normalize_phone,
)


def validate_logo_size(file) -> None:
    limit = settings.PATRON_LOGO_MAX_BYTES
    if file and file.size > limit:
        raise ValidationError(
            f"The logo is {file.size / 1_048_576:.1f} MB; the largest allowed is "
            f"{limit / 1_048_576:.1f} MB.",
            code="too_large",
        )


class Category(WorkspaceScoped):
    """A customer category (manual 002), for grouping, tracking and reporting."""

    name = models.CharField(max_length=100)
    description = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="unique_category_name")
        ]

    def __str__(self) -> str:
        return self.name


class Tag(WorkspaceScoped):
    """A free label on customers, searchable (manual 003)."""

    name = models.CharField(max_length=50)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "name"], name="unique_tag_name")
        ]

    def __str__(self) -> str:
        return self.name


class CustomerQuerySet(WorkspaceQuerySet):
    def current(self) -> "CustomerQuerySet":
        """Not in the recycle bin."""
        return self.filter(deleted_at__isnull=True)

    def deleted(self) -> "CustomerQuerySet":
        """In the recycle bin."""
        return self.filter(deleted_at__isnull=False)

    def searchable(self) -> "CustomerQuerySet":
        """What lists and searches show: not deleted, not archived."""
        return self.current().filter(archived_at__isnull=True)

    def organizations(self) -> "CustomerQuerySet":
        return self.filter(kind=Customer.Kind.ORGANIZATION)

    def people(self) -> "CustomerQuerySet":
        return self.filter(kind=Customer.Kind.PERSON)


class Customer(WorkspaceScoped):
    """A person or an organization the workspace does business with.

    A person whose `organization` is set is one of that organization's contacts.
    Phones are stored in E.164 and emails in lower case, so search and matching compare
    like with like; `name_key` is the accent-free sort and search form of the name.
    """

    class Kind(models.TextChoices):
        PERSON = "person", "Person"
        ORGANIZATION = "organization", "Organization"

    class Title(models.TextChoices):
        MR = "Mr", "Mr"
        MRS = "Mrs", "Mrs"
        MS = "Ms", "Ms"
        MISS = "Miss", "Miss"
        DR = "Dr", "Dr"
        OTHER = "Other", "Other"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        VOID = "void", "Void"

    class Type(models.TextChoices):
        PROSPECT = "prospect", "Prospect"
        CUSTOMER = "customer", "Customer"
        ACCOUNT = "account", "Account"

    class ContactMethod(models.TextChoices):
        EMAIL = "email", "Email"
        MAIL = "mail", "Mail"
        PHONE = "phone", "Phone"

    class Gender(models.TextChoices):
        MALE = "male", "Male"
        FEMALE = "female", "Female"

    class MaritalStatus(models.TextChoices):
        SINGLE = "single", "Single"
        MARRIED = "married", "Married"
        DIVORCED = "divorced", "Divorced"
        WIDOWED = "widowed", "Widowed"
        DE_FACTO = "de_facto", "De facto"
        COMMON_LAW = "common_law", "Common law"

    class WorkflowState(models.TextChoices):
        """Manuals 003 and 004: New -> Released -> Active, or Declined back to New."""

        NEW = "new", "New"
        RELEASED = "released", "Released (waiting for approval)"
        ACTIVE = "active", "Active (approved)"

    class Flag(models.TextChoices):
        RED = "red", "Red"
        ORANGE = "orange", "Orange"
        YELLOW = "yellow", "Yellow"
        GREEN = "green", "Green"
        BLUE = "blue", "Blue"
        PURPLE = "purple", "Purple"
        CHK = "chk", "CHK"

    PHONE_FIELDS = ("work_phone", "home_phone", "mobile_phone", "fax")

    number = models.PositiveIntegerField("customer no.", editable=False)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PERSON)

    title = models.CharField(max_length=10, choices=Title.choices, blank=True)
    title_other = models.CharField("other title", max_length=30, blank=True)
    first_name = models.CharField(max_length=100, blank=True)
    middle_name = models.CharField(max_length=100, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)

    address_1 = models.CharField("address 1", max_length=200, blank=True)
    address_2 = models.CharField("address 2", max_length=200, blank=True)
    address_3 = models.CharField("address 3", max_length=200, blank=True)
    city = models.CharField("city/suburb", max_length=100, blank=True)
    state = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=20, blank=True)
    country = models.CharField(max_length=100, blank=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    customer_type = models.CharField(max_length=10, choices=Type.choices, default=Type.PROSPECT)
    is_external = models.BooleanField(
        "external", default=False, help_text="Supplied by a third party."
    )
    external_ref = models.CharField("ext. ref.", max_length=100, blank=True)
    contact_method = models.CharField(max_length=10, choices=ContactMethod.choices, blank=True)

    company_name = models.CharField(
        "company name",
        max_length=200,
        blank=True,
        help_text="For an organization, its name; for a person, the company they work for.",
    )
    job_title = models.CharField(max_length=100, blank=True)
    work_phone = models.CharField(max_length=20, blank=True)
    home_phone = models.CharField(max_length=20, blank=True)
    mobile_phone = models.CharField(max_length=20, blank=True)
    fax = models.CharField(max_length=20, blank=True)
    email = models.CharField(max_length=254, blank=True)
    email_invalid_since = models.DateTimeField(null=True, blank=True, editable=False)
    gender = models.CharField(max_length=10, choices=Gender.choices, blank=True)
    marital_status = models.CharField(max_length=20, choices=MaritalStatus.choices, blank=True)

    organization = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contacts",
        limit_choices_to={"kind": Kind.ORGANIZATION},
    )
    job = models.CharField(
        "job at organization", max_length=100, blank=True, help_text="Their role there."
    )
    category = models.ForeignKey(Category, null=True, blank=True, on_delete=models.SET_NULL)
    tags = models.ManyToManyField(Tag, blank=True, related_name="customers")
    flag = models.CharField(max_length=10, choices=Flag.choices, blank=True)
    stores = models.ManyToManyField(
        "workspaces.Store", blank=True, related_name="customers", help_text="All by default."
    )
    workflow_state = models.CharField(
        "workflow",
        max_length=10,
        choices=WorkflowState.choices,
        default=WorkflowState.NEW,
        editable=False,
    )
    decline_reason = models.CharField("reason declined", max_length=500, blank=True, editable=False)
    marketing_opt_out = models.BooleanField(
        "marketing opt-out", default=False, help_text="Does not want email marketing."
    )
    logo = models.ImageField(upload_to="logos/%Y/%m/", blank=True, validators=[validate_logo_size])

    # Accent-free lower-case names: "last first middle" sorts and finds by surname,
    # "first middle last" finds by first name; both are indexed prefixes.
    name_key = models.CharField(max_length=300, editable=False)
    given_name_key = models.CharField(max_length=300, editable=False, default="")
    # The company name in the same form, so "acme" finds Acme's people as well as Acme.
    company_key = models.CharField(max_length=200, editable=False, default="")
    archived_at = models.DateTimeField(null=True, blank=True, editable=False)
    deleted_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Set on a customer merged into another (issue 6): it sits in the recycle bin and points
    # at the survivor, so links and searches can follow it and the merge can be undone.
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_from",
        editable=False,
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        "workspaces.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = CustomerQuerySet.as_manager()

    class Meta:
        ordering = ["name_key", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["workspace", "number"], name="unique_customer_number")
        ]
        # Each sortable column of the list has (workspace, column, id): the list's keyset
        # pages walk it from the cursor on, whatever the page (patron/customers/paging.py).
        # The three name keys that global search reads by prefix also hold the list's sort
        # (name_key, id) and what hides a row (deleted_at, archived_at), so that a branch is
        # tested, sorted and counted from its index alone, never from the table's rows
        # (SQLite, 1M customers: a name prefix's page and count 5.3 -> 1.2 ms of CPU at p95).
        indexes = [
            models.Index(
                fields=["workspace", "name_key", "id", "deleted_at", "archived_at"],
                name="customer_name_idx",
            ),
            models.Index(
                fields=["workspace", "given_name_key", "name_key", "id"],
                name="customer_given_name_idx",
            ),
            models.Index(
                fields=["workspace", "company_key", "name_key", "id", "deleted_at", "archived_at"],
                name="customer_company_idx",
            ),
            models.Index(fields=["workspace", "email", "id"], name="customer_email_idx"),
            models.Index(fields=["workspace", "mobile_phone"], name="customer_mobile_idx"),
            models.Index(fields=["workspace", "work_phone"], name="customer_work_phone_idx"),
            models.Index(fields=["workspace", "home_phone"], name="customer_home_phone_idx"),
            models.Index(fields=["workspace", "postcode", "id"], name="customer_postcode_idx"),
            # Likely duplicates by date of birth (duplicates.queries).
            models.Index(fields=["workspace", "date_of_birth"], name="customer_birth_idx"),
            models.Index(fields=["workspace", "city", "id"], name="customer_city_idx"),
            models.Index(fields=["workspace", "customer_type", "id"], name="customer_type_idx"),
            models.Index(fields=["workspace", "status", "id"], name="customer_status_idx"),
            models.Index(fields=["workspace", "created_at", "id"], name="customer_created_idx"),
            models.Index(fields=["workspace", "external_ref"], name="customer_ext_ref_idx"),
            models.Index(fields=["workspace", "deleted_at"], name="customer_deleted_idx"),
            models.Index(fields=["workspace", "workflow_state"], name="customer_workflow_idx"),
        ]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("customers:detail", args=[self.pk])

    @property
    def is_organization(self) -> bool:
        return self.kind == self.Kind.ORGANIZATION

    @property
    def display_title(self) -> str:
        return self.title_other if self.title == self.Title.OTHER else self.title

    @property
    def display_name(self) -> str:
        if self.is_organization:
            return self.company_name
        return " ".join(p for p in (self.first_name, self.middle_name, self.last_name) if p)

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None

    def history_value(self, field_name: str) -> str | None:
        """Phones read in History as on the page: national for the workspace's country."""
        if field_name in self.PHONE_FIELDS:
            return display_phone(getattr(self, field_name), self.workspace.default_region)
        return None

    def clean(self) -> None:
        """Normalize contact data and check the rules that span fields.

        Runs on every path (forms, API, commands) through the services' full_clean().
        """
        errors: dict[str, list[ValidationError]] = {}

        def fail(field: str, message: str) -> None:
            errors.setdefault(field, []).append(ValidationError(message, code="invalid"))

        if self.is_organization:
            if not self.company_name.strip():
                fail("company_name", "An organization needs a name.")
            if self.organization_id:
                fail("organization", "An organization cannot be a contact of another one.")
        else:
            if not self.last_name.strip():
                fail("last_name", "A person needs a last name.")
            if self.logo:
                fail("logo", "Only organizations have a logo.")
        if self.title == self.Title.OTHER and not self.title_other.strip():
            fail("title_other", "Say which title when the title is “Other”.")
        if self.title != self.Title.OTHER and self.title_other:
            self.title_other = ""
        if self.date_of_birth and self.date_of_birth > timezone.localdate():
            fail("date_of_birth", "The date of birth cannot be in the future.")
        if self.external_ref and not self.is_external:
            self.is_external = True
        if self.organization_id and self.organization.workspace_id != self.workspace_id:
            fail("organization", "Choose an organization of this workspace.")
        if self.organization_id and not self.organization.is_organization:
            fail("organization", "Choose an organization, not a person.")
        if self.organization_id and self.organization_id == self.pk:
            fail("organization", "An organization cannot be its own contact.")
        if self.category_id and self.category.workspace_id != self.workspace_id:
            fail("category", "Choose a category of this workspace.")

        try:
            self.email = normalize_email(self.email)
        except ValidationError as error:
            errors.setdefault("email", []).append(error)
        region = self.workspace.default_region
        for field in self.PHONE_FIELDS:
            try:
                setattr(self, field, normalize_phone(getattr(self, field), region))
            except ValidationError as error:
                errors.setdefault(field, []).append(error)
        if errors:
            raise ValidationError(errors)
        self.name_key, self.given_name_key = self.compute_name_keys()
        self.company_key = name_key(self.company_name)[:200]

    def compute_name_keys(self) -> tuple[str, str]:
        if self.is_organization:
            key = name_key(self.company_name)[:300]
            return key, key
        return (
            name_key(self.last_name, self.first_name, self.middle_name)[:300],
            name_key(self.first_name, self.middle_name, self.last_name)[:300],
        )


# A bulk deletion that has said nothing for this long died with its worker.
BULK_DELETION_STALE_AFTER = timedelta(minutes=30)


class BulkDeletion(WorkspaceScoped):
    """Manual 000's "Delete Customers": every customer a search found, moved to the recycle
    bin by a background task. The customers are frozen at confirmation (BulkDeletionItem),
    so a re-run after a crash touches only those not yet done, and one restored meanwhile
    stays restored."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    query = models.CharField(max_length=2000, blank=True, help_text="the search, as a URL query")
    count = models.PositiveIntegerField(help_text="how many customers the user confirmed")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    done_count = models.PositiveIntegerField(default=0, help_text="customers handled so far")
    deleted_count = models.PositiveIntegerField(
        default=0, help_text="of those, moved to the recycle bin (the rest already were)"
    )
    error = models.TextField(blank=True)
    via = models.CharField(max_length=20, blank=True, help_text="page or api")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"Deletion of {self.count:,} customers"

    def get_absolute_url(self) -> str:
        return reverse("customers:bulk_deletion", args=[self.pk])

    @property
    def percent(self) -> int:
        return 100 if not self.count else min(100, self.done_count * 100 // self.count)

    @property
    def is_finished(self) -> bool:
        return self.state in {self.State.DONE, self.State.FAILED}

    @property
    def is_stalled(self) -> bool:
        """Queued or running, but silent for so long that its worker must have died: it may
        be run again (each batch records its progress, so a live one is never this quiet)."""
        return (
            self.state in {self.State.QUEUED, self.State.RUNNING}
            and self.updated_at < timezone.now() - BULK_DELETION_STALE_AFTER
        )


class BulkDeletionItem(models.Model):
    """One customer of a bulk deletion; `done` once the task has handled it."""

    deletion = models.ForeignKey(BulkDeletion, on_delete=models.CASCADE, related_name="items")
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    done = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["deletion", "customer"], name="unique_deletion_item")
        ]
        indexes = [models.Index(fields=["deletion", "done"], name="deletion_item_todo_idx")]

    def __str__(self) -> str:
        return f"Customer {self.customer_id} of deletion {self.deletion_id}"
