"""API for third parties on customers: /api/v1/third-parties/."""

from rest_framework import serializers, viewsets

from patron.api.serializers import AmountField
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


class ThirdPartyViewSet(viewsets.ModelViewSet):
    """Third parties with contract details (manual 004); name, contract no. and start required."""

    serializer_class = ThirdPartySerializer
    filterset_class = ThirdPartyFilter
    read_capability = "customers.view"
    write_capability = "customers.change"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ThirdParty.objects.none()
        return (
            ThirdParty.objects.in_workspace(self.request.workspace)
            .filter(customer__deleted_at__isnull=True)
            .order_by("-contract_start", "name", "pk")
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        serializer.instance = services.third_party_add(
            customer=data.pop("customer"), actor=self.request.user, data=data, via="api"
        )

    def perform_update(self, serializer):
        serializer.instance = services.third_party_update(
            third_party=serializer.instance,
            actor=self.request.user,
            data=serializer.validated_data,
            via="api",
        )

    def perform_destroy(self, instance):
        services.third_party_remove(third_party=instance, actor=self.request.user, via="api")
