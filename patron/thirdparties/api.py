"""API for third parties on customers: /api/v1/third-parties/."""

from rest_framework import serializers

from patron.api.serializers import AmountField
from patron.api.viewsets import WorkspaceModelViewSet, Writes
from patron.customers.filters import ForCustomerFilterSet
from patron.customers.models import Customer
from patron.thirdparties import services
from patron.thirdparties.models import ThirdParty


class ThirdPartySerializer(serializers.ModelSerializer):
    contract_value = AmountField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )

    class Meta:
        model = ThirdParty
        fields = ["id", "customer", *services.FIELDS, "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]

    def get_fields(self):
        fields = super().get_fields()
        workspace = getattr(self.context.get("request"), "workspace", None)
        fields["customer"].queryset = Customer.objects.in_workspace(workspace).current()
        if self.instance is not None:  # a contract stays with its customer
            fields["customer"].read_only = True
        return fields


class ThirdPartyFilter(ForCustomerFilterSet):
    class Meta:
        model = ThirdParty
        fields = []


class ThirdPartyViewSet(WorkspaceModelViewSet):
    """Third parties with contract details (manual 004); name, contract no. and start required."""

    queryset = ThirdParty.objects.filter(customer__deleted_at__isnull=True).order_by(
        "-contract_start", "name", "pk"
    )
    serializer_class = ThirdPartySerializer
    filterset_class = ThirdPartyFilter
    read_capability = "customers.view"
    write_capability = "customers.change"
    writes = Writes(
        "third_party",
        create=services.third_party_add,
        update=services.third_party_update,
        delete=services.third_party_remove,
        parent="customer",
    )
