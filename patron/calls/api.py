"""API for cold calls: /api/v1/cold-calls/ (a new prospect may be created with its call)."""

import django_filters as filters
from rest_framework import serializers, viewsets

from patron.api.serializers import StrictCharField
from patron.calls import services
from patron.calls.models import ColdCall
from patron.customers.filters import ForCustomerFilterSet
from patron.customers.models import Customer


class NewProspectSerializer(serializers.Serializer):
    """Someone new: created as a prospect together with the call."""

    title = serializers.ChoiceField(choices=Customer.Title.choices, required=False)
    first_name = StrictCharField(max_length=100, required=False)
    last_name = StrictCharField(max_length=100)
    company_name = StrictCharField(max_length=200, required=False)
    job_title = StrictCharField(max_length=100, required=False)
    work_phone = StrictCharField(max_length=40, required=False)
    mobile_phone = StrictCharField(max_length=40, required=False)
    email = StrictCharField(max_length=254, required=False)
    postcode = StrictCharField(max_length=20, required=False)


class ColdCallSerializer(serializers.ModelSerializer):
    new_customer = NewProspectSerializer(
        write_only=True, required=False, help_text="Instead of `customer`: create the prospect."
    )

    class Meta:
        model = ColdCall
        fields = [
            "id",
            "customer",
            "new_customer",
            "caller",
            "called_at",
            "outcome",
            "notes",
            "follow_up_on",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "caller", "created_at", "updated_at"]
        extra_kwargs = {"customer": {"required": False}}

    def get_fields(self):
        fields = super().get_fields()
        workspace = getattr(self.context.get("request"), "workspace", None)
        fields["customer"].queryset = Customer.objects.in_workspace(workspace).current()
        if self.instance is not None:  # a logged call stays with its customer
            fields["customer"].read_only = True
            fields.pop("new_customer")
        return fields

    def validate(self, attrs):
        if self.instance is None and ("customer" in attrs) == ("new_customer" in attrs):
            raise serializers.ValidationError(
                {
                    "new_customer": "Give either `customer` (an existing one) or `new_customer` "
                    "(someone new), not both."
                }
            )
        return attrs


class ColdCallFilter(ForCustomerFilterSet):
    outcome = filters.ChoiceFilter(choices=ColdCall.Outcome.choices)
    follow_up_before = filters.DateFilter(field_name="follow_up_on", lookup_expr="lte")

    class Meta:
        model = ColdCall
        fields = []


class ColdCallViewSet(viewsets.ModelViewSet):
    """Cold calls (manual 004): outcome, notes and follow-up date, newest first."""

    serializer_class = ColdCallSerializer
    filterset_class = ColdCallFilter
    read_capability = "customers.view"
    write_capability = "calls.log"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ColdCall.objects.none()
        return (
            ColdCall.objects.in_workspace(self.request.workspace)
            .filter(customer__deleted_at__isnull=True)
            .order_by("-called_at", "-pk")
        )

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        customer = data.pop("customer", None)
        new_customer = data.pop("new_customer", None)
        serializer.instance = services.cold_call_log(
            workspace=self.request.workspace,
            actor=self.request.user,
            data=data,
            customer=customer,
            new_customer=new_customer,
            via="api",
        )

    def perform_update(self, serializer):
        serializer.instance = services.cold_call_update(
            call=serializer.instance,
            actor=self.request.user,
            data=serializer.validated_data,
            via="api",
        )

    def perform_destroy(self, instance):
        services.cold_call_delete(call=instance, actor=self.request.user, via="api")
