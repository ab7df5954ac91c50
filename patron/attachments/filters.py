"""Finding attachments, for the API."""

import django_filters as filters

from patron.attachments.models import Attachment
from patron.customers.models import Customer


class AttachmentFilter(filters.FilterSet):
    customer = filters.ModelChoiceFilter(
        queryset=Customer.objects.none(), label="The customer's id"
    )

    class Meta:
        model = Attachment
        fields = ["customer"]

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        workspace = getattr(request, "workspace", None)
        self.filters["customer"].queryset = Customer.objects.in_workspace(workspace)
