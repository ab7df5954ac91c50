"""Finding cases, for the case list page and the API alike."""

import django_filters as filters
from django import forms

from patron.cases.models import Case, ReasonCode
from patron.customers.filters import ForCustomerFilterSet, IntegerFilter, YesNoFilter, YesNoSelect
from patron.workspaces.models import User


class AnyYesNoSelect(YesNoSelect):
    """Yes / No, and "Any" rather than "Unknown" for no filter."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.choices = [("unknown", "Any"), ("true", "Yes"), ("false", "No")]


class CaseFilter(ForCustomerFilterSet):
    customer_number = IntegerFilter(field_name="customer__number", label="Customer no.")
    status = filters.ChoiceFilter(choices=Case.Status.choices, empty_label="Any")
    reason_code = filters.ModelChoiceFilter(
        queryset=ReasonCode.objects.none(), empty_label="Any", label="Reason code"
    )
    assignee = filters.ModelChoiceFilter(queryset=User.objects.none(), empty_label="Anyone")
    done = YesNoFilter(
        method="filter_done",
        label="Resolved or closed",
        widget=AnyYesNoSelect,
        help_text="false: the cases still open or pending.",
    )
    logged_from = filters.DateFilter(
        field_name="logged_at",
        lookup_expr="date__gte",
        label="Logged from",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Logged on or after this day.",
    )
    logged_to = filters.DateFilter(
        field_name="logged_at",
        lookup_expr="date__lte",
        label="Logged to",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Logged on or before this day.",
    )

    class Meta:
        model = Case
        fields = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        workspace = getattr(request, "workspace", None)
        self.filters["reason_code"].queryset = ReasonCode.objects.in_workspace(workspace)
        self.filters["assignee"].queryset = User.objects.filter(
            memberships__workspace=workspace
        ).order_by("full_name", "email")
        # A page's select of thousands of customers would be useless: the page finds a
        # customer by number, and `customer` (an id) comes from links and the API.
        self.filters["customer"].extra["widget"] = forms.HiddenInput

    def filter_done(self, queryset, name, value):
        if value is None:
            return queryset
        done = queryset.filter(status__in=Case.DONE)
        return done if value else queryset.exclude(status__in=Case.DONE)
