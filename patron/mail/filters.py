"""Finding sent emails, for the API."""

import django_filters as filters

from patron.customers.models import Customer
from patron.mail.models import SentEmail


class SentEmailFilter(filters.FilterSet):
    customer = filters.ModelChoiceFilter(queryset=Customer.objects.none())
    status = filters.ChoiceFilter(choices=SentEmail.Status.choices)

    class Meta:
        model = SentEmail
        fields = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        workspace = getattr(request, "workspace", None)
        self.filters["customer"].queryset = Customer.objects.in_workspace(workspace).current()
