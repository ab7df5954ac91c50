"""Finding activities and fulfilments, for the pages and the API alike."""

import django_filters as filters

from patron.campaigns.models import Activity, Campaign, Fulfilment, Status, Step
from patron.customers.filters import ForCustomerFilterSet


class ActivityFilter(filters.FilterSet):
    campaign = filters.ModelChoiceFilter(queryset=Campaign.objects.none(), empty_label="Any")
    status = filters.ChoiceFilter(choices=Status.choices, empty_label="Any")
    step = filters.ChoiceFilter(choices=Step.choices, empty_label="Any")
    reference_code = filters.CharFilter(
        lookup_expr="iexact", label="Reference code", help_text="The exact code, any case."
    )

    class Meta:
        model = Activity
        fields = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        workspace = getattr(request, "workspace", None)
        self.filters["campaign"].queryset = Campaign.objects.in_workspace(workspace)


class FulfilmentFilter(ForCustomerFilterSet):
    activity = filters.ModelChoiceFilter(queryset=Activity.objects.none())

    class Meta:
        model = Fulfilment
        fields = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        workspace = getattr(request, "workspace", None)
        self.filters["activity"].queryset = Activity.objects.in_workspace(workspace)
