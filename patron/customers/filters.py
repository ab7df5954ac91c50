"""The advanced search (manual 000's 18 criteria plus manual 003's), for pages and API."""

import django_filters as filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from patron.customers.models import Category, Customer, Tag
from patron.customers.normalize import name_key, normalize_phone
from patron.customers.queries import global_search
from patron.lists.models import CustomerList
from patron.workspaces.models import Store

SORTABLE = (
    ("number", "number"),
    ("name_key", "name"),
    ("email", "email"),
    ("city", "city"),
    ("postcode", "postcode"),
    ("customer_type", "customer_type"),
    ("status", "status"),
    ("created_at", "created"),
)


class YesNoSelect(forms.NullBooleanSelect):
    """The search form's yes/no/unknown select; also reads the API's true and false.

    NullBooleanSelect reads any other value ("maybe", "1") as unknown, i.e. no filter;
    this hands it on to YesNoField, which refuses it.
    """

    VALUES = {"true": True, "True": True, "false": False, "False": False}

    def value_from_datadict(self, data, files, name):
        raw = data.get(name)
        if raw in (None, "", "unknown"):
            return None
        return self.VALUES.get(raw, raw)


class YesNoField(forms.NullBooleanField):
    """Yes, no or not given; anything else is an error rather than "not given"."""

    widget = YesNoSelect

    def to_python(self, value):
        if value not in (True, False, None):
            raise ValidationError("Give true or false.", code="invalid")
        return value


class YesNoFilter(filters.BooleanFilter):
    field_class = YesNoField


class IntegerFilter(filters.NumberFilter):
    """A whole number: NumberFilter would take 0.5 (a Decimal) and find nothing."""

    field_class = forms.IntegerField


class CustomerFilter(filters.FilterSet):
    q = filters.CharFilter(label="Name, customer no., email or phone", method="filter_q")
    number = IntegerFilter(label="Customer no.")
    kind = filters.ChoiceFilter(choices=Customer.Kind.choices)
    title = filters.ChoiceFilter(choices=Customer.Title.choices)
    customer_type = filters.ChoiceFilter(choices=Customer.Type.choices)
    first_name = filters.CharFilter(lookup_expr="istartswith")
    last_name = filters.CharFilter(method="filter_name", label="Last name (or organization)")
    address_1 = filters.CharFilter(lookup_expr="icontains", label="Address 1")
    city = filters.CharFilter(lookup_expr="istartswith", label="City/Suburb")
    state = filters.CharFilter(lookup_expr="iexact")
    postcode = filters.CharFilter(method="filter_postcode")
    marital_status = filters.ChoiceFilter(choices=Customer.MaritalStatus.choices)
    work_phone = filters.CharFilter(method="filter_phone")
    home_phone = filters.CharFilter(method="filter_phone")
    mobile_phone = filters.CharFilter(method="filter_phone")
    email = filters.CharFilter(method="filter_email")
    gender = filters.ChoiceFilter(choices=Customer.Gender.choices)
    contact_method = filters.ChoiceFilter(choices=Customer.ContactMethod.choices)
    status = filters.ChoiceFilter(choices=Customer.Status.choices)
    date_of_birth = filters.DateFilter()
    external_ref = filters.CharFilter(label="Ext. ref.")
    tag = filters.ModelChoiceFilter(field_name="tags", queryset=Tag.objects.none())
    flag = filters.ChoiceFilter(choices=Customer.Flag.choices)
    workflow_state = filters.ChoiceFilter(
        choices=Customer.WorkflowState.choices, label="Workflow (quick search)"
    )
    category = filters.ModelChoiceFilter(queryset=Category.objects.none())
    store = filters.ModelChoiceFilter(field_name="stores", queryset=Store.objects.none())
    # An id box, not a select: a workspace can hold tens of thousands of organizations,
    # and listing them all made the list page take 40 s at a million customers.
    organization = filters.ModelChoiceFilter(
        queryset=Customer.objects.none(),
        widget=forms.NumberInput,
        label="Organization (its id)",
    )
    customer_list = filters.ModelChoiceFilter(
        field_name="list_entries__customer_list",
        queryset=CustomerList.objects.none(),
        label="In customer list",
    )
    archived = YesNoFilter(
        method="filter_archived", label="Archived (only archived when yes; none when no)"
    )
    ordering = filters.OrderingFilter(fields=SORTABLE)

    class Meta:
        model = Customer
        fields = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.workspace = getattr(request, "workspace", None)
        scoped = {
            "tag": Tag.objects.in_workspace(self.workspace),
            "category": Category.objects.in_workspace(self.workspace),
            "store": Store.objects.filter(workspace=self.workspace),
            "organization": Customer.objects.in_workspace(self.workspace).organizations(),
            "customer_list": CustomerList.objects.in_workspace(self.workspace),
        }
        for name, queryset in scoped.items():
            self.filters[name].queryset = queryset

    @property
    def region(self) -> str:
        return self.workspace.default_region if self.workspace else "GB"

    def filter_q(self, queryset, name, value):
        return global_search(queryset, value, self.region, workspace=self.workspace)

    def filter_name(self, queryset, name, value):
        return queryset.filter(name_key__startswith=name_key(value))

    def filter_postcode(self, queryset, name, value):
        return queryset.filter(postcode__istartswith=value.strip())

    def filter_email(self, queryset, name, value):
        return queryset.filter(email__startswith=value.strip().lower())

    def filter_phone(self, queryset, name, value):
        try:
            return queryset.filter(**{name: normalize_phone(value, self.region)})
        except ValidationError:
            return queryset.none()

    def filter_archived(self, queryset, name, value):
        return queryset.filter(archived_at__isnull=not value)

    def filter_queryset(self, queryset):
        # Archived customers leave searches unless asked for (manual 001).
        if self.form.cleaned_data.get("archived") is None:
            queryset = queryset.filter(archived_at__isnull=True)
        return super().filter_queryset(queryset)


# What pagination reads from a list's query, beside the search.
PAGING_PARAMETERS = {"page", "page_size", "cursor"}


def quick_search(queryset, data, workspace) -> "QuerySet[Customer] | None":
    """What CustomerFilter finds for `data` when it holds the search box (`q`) and nothing
    else but paging, without building the filter's form of 30 fields: most of a type-ahead
    or API search's time went there. None for anything else, which CustomerFilter judges
    (and refuses when bad, e.g. a NUL)."""
    if not set(data) <= {"q", *PAGING_PARAMETERS} or "\x00" in data.get("q", ""):
        return None
    queryset = queryset.filter(archived_at__isnull=True)
    region = workspace.default_region if workspace else "GB"
    return global_search(queryset, data.get("q", ""), region, workspace=workspace)


class ForCustomerFilterSet(filters.FilterSet):
    """Filters for records that hang off a customer: `customer` takes this workspace's ids
    only (another's, or an id out of range, is a 400 naming the field, never a 500)."""

    customer = filters.ModelChoiceFilter(queryset=Customer.objects.none())

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        workspace = getattr(request, "workspace", None)
        self.filters["customer"].queryset = Customer.objects.in_workspace(workspace)
