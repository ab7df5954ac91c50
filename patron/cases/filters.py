"""Finding cases, for the case list page and the API alike."""

from datetime import date, datetime, time, timedelta

import django_filters as filters
from django import forms
from django.utils import timezone

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
        method="filter_logged_from",
        label="Logged from",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Logged on or after this day.",
    )
    logged_to = filters.DateFilter(
        method="filter_logged_to",
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

    # Days become time ranges in the site's time zone, so the (workspace, logged_at) index
    # serves them; a date lookup would compute the date of every row.
    def filter_logged_from(self, queryset, name, value):
        return queryset.filter(logged_at__gte=_start_of(value)) if value else queryset

    def filter_logged_to(self, queryset, name, value):
        return (
            queryset.filter(logged_at__lt=_start_of(value + timedelta(days=1)))
            if value
            else queryset
        )


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))
