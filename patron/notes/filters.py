"""Finding notes and call-backs, for the API (and any page that lists them)."""

from datetime import UTC

import django_filters as filters
from django.core.exceptions import ValidationError
from django_filters.fields import IsoDateTimeField

from patron.customers.filters import YesNoFilter
from patron.customers.models import Customer
from patron.notes.models import Note
from patron.workspaces.models import User

SORTABLE = (
    ("created_at", "created"),
    ("updated_at", "updated"),
    ("callback_at", "callback_at"),
)


class UtcDateTimeField(IsoDateTimeField):
    """An ISO 8601 date-time, read in UTC as the database compares it.

    "9999-12-31T23:59-01:00" is past the last UTC date Python has; refused, not a 500.
    """

    def to_python(self, value):
        moment = super().to_python(value)
        try:
            return moment.astimezone(UTC) if moment else moment
        except OverflowError as error:
            raise ValidationError("That date and time is out of range.", code="invalid") from error


class UtcDateTimeFilter(filters.IsoDateTimeFilter):
    field_class = UtcDateTimeField


class NoteFilter(filters.FilterSet):
    customer = filters.ModelChoiceFilter(queryset=Customer.objects.none())
    callback_for = filters.ModelChoiceFilter(
        queryset=User.objects.none(), label="Who is to call back (a user id)"
    )
    callback_done = YesNoFilter(label="Call-back done")
    due_before = UtcDateTimeFilter(
        field_name="callback_at", lookup_expr="lt", label="Call-back due before (ISO 8601)"
    )
    ordering = filters.OrderingFilter(fields=SORTABLE)

    class Meta:
        model = Note
        fields = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        workspace = getattr(request, "workspace", None)
        self.filters["customer"].queryset = Customer.objects.in_workspace(workspace).current()
        self.filters["callback_for"].queryset = User.objects.filter(
            memberships__workspace=workspace
        )
