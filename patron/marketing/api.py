"""The marketing API (routes registered by patron/api/urls.py): /api/v1/traits/,
/api/v1/suppression-types/, /api/v1/suppressions/ and /api/v1/customer-traits/."""

import django_filters as filters
from django.db import models
from rest_framework import mixins, serializers, viewsets

from patron.api.serializers import StrictCharField
from patron.api.viewsets import WorkspaceModelViewSet, WorkspaceViewSetMixin, Writes, in_use
from patron.customers.filters import ForCustomerFilterSet
from patron.customers.models import Customer
from patron.marketing import services
from patron.marketing.models import CustomerTrait, Suppression, SuppressionType, Trait

# Text is a string, as the schema says (DRF would store 0 as "0").
STRICT_TEXT = {
    **serializers.ModelSerializer.serializer_field_mapping,
    models.CharField: StrictCharField,
    models.TextField: StrictCharField,
}


def _workspace(serializer):
    return getattr(serializer.context.get("request"), "workspace", None)


# Definitions ------------------------------------------------------------------------------


class TraitSerializer(serializers.ModelSerializer):
    serializer_field_mapping = STRICT_TEXT

    class Meta:
        model = Trait
        fields = ["id", *services.TRAIT_FIELDS, "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class SuppressionTypeSerializer(serializers.ModelSerializer):
    serializer_field_mapping = STRICT_TEXT

    class Meta:
        model = SuppressionType
        fields = ["id", *services.SUPPRESSION_TYPE_FIELDS, "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class TraitViewSet(WorkspaceModelViewSet):
    """Traits of the workspace (manual 000). Deleting one removes it from every customer
    that has it (recorded in each one's History) and from the lists that require it."""

    queryset = Trait.objects.order_by("name", "pk")
    serializer_class = TraitSerializer
    read_capability = "customers.view"
    write_capability = "marketing.manage"
    pagination_class = None  # a workspace defines a handful; clients want them all
    writes = Writes(
        "trait",
        create=services.trait_create,
        update=services.trait_update,
        delete=services.trait_delete,
    )


@in_use("Customers have this suppression; it stays.")
class SuppressionTypeViewSet(WorkspaceModelViewSet):
    """Suppression types of the workspace; `blocks` says which lists a customer with one
    cannot join. A type that customers have cannot be deleted (409 saying how many)."""

    queryset = SuppressionType.objects.order_by("name", "pk")
    serializer_class = SuppressionTypeSerializer
    read_capability = "customers.view"
    write_capability = "marketing.manage"
    pagination_class = None
    writes = Writes(
        "suppression_type",
        create=services.suppression_type_create,
        update=services.suppression_type_update,
        delete=services.suppression_type_delete,
    )


# On customers -----------------------------------------------------------------------------


class SuppressionSerializer(serializers.ModelSerializer):
    serializer_field_mapping = STRICT_TEXT
    date = serializers.DateField(required=False, help_text="From when; today when not given.")

    class Meta:
        model = Suppression
        fields = ["id", "customer", "suppression_type", "date", "note", "created_at"]
        read_only_fields = ["id", "created_at"]
        validators = []  # suppression_add says, in words, that the customer already has it

    def get_fields(self):
        fields = super().get_fields()
        workspace = _workspace(self)
        fields["customer"].queryset = Customer.objects.in_workspace(workspace).current()
        fields["suppression_type"].queryset = SuppressionType.objects.in_workspace(workspace)
        if self.instance is not None:  # another type or customer is a delete and an add
            fields["customer"].read_only = True
            fields["suppression_type"].read_only = True
        return fields


class SuppressionFilter(ForCustomerFilterSet):
    suppression_type = filters.ModelChoiceFilter(queryset=SuppressionType.objects.none())

    class Meta:
        model = Suppression
        fields = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        workspace = getattr(request, "workspace", None)
        self.filters["suppression_type"].queryset = SuppressionType.objects.in_workspace(workspace)


class SuppressionViewSet(WorkspaceModelViewSet):
    """Customers' suppressions (manual 000): each type once per customer, from a date.
    PATCH corrects the date or note; another type is a DELETE and a POST."""

    queryset = Suppression.objects.filter(customer__deleted_at__isnull=True).order_by(
        "customer_id", "-date", "pk"
    )
    serializer_class = SuppressionSerializer
    filterset_class = SuppressionFilter
    # A suppression's date and note are corrected with PATCH; a PUT would have to restate
    # the customer and type, which never change.
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    read_capability = "customers.view"
    write_capability = "marketing.change"
    writes = Writes(
        "suppression", update=services.suppression_update, delete=services.suppression_delete
    )

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.suppression_add(
            customer=data["customer"],
            suppression_type=data["suppression_type"],
            date=data.get("date"),
            note=data.get("note", ""),
            actor=self.request.user,
            via="api",
        )


class CustomerTraitSerializer(serializers.ModelSerializer):
    serializer_field_mapping = STRICT_TEXT
    trait_name = serializers.CharField(source="trait.name", read_only=True)

    class Meta:
        model = CustomerTrait
        fields = ["id", "customer", "trait", "trait_name", "created_at"]
        read_only_fields = ["id", "created_at"]
        validators = []  # customer_trait_add says, in words, that the customer already has it

    def get_fields(self):
        fields = super().get_fields()
        workspace = _workspace(self)
        fields["customer"].queryset = Customer.objects.in_workspace(workspace).current()
        fields["trait"].queryset = Trait.objects.in_workspace(workspace)
        return fields


class CustomerTraitFilter(ForCustomerFilterSet):
    trait = filters.ModelChoiceFilter(queryset=Trait.objects.none())

    class Meta:
        model = CustomerTrait
        fields = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        workspace = getattr(request, "workspace", None)
        self.filters["trait"].queryset = Trait.objects.in_workspace(workspace)


class CustomerTraitViewSet(
    WorkspaceViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The traits customers have: give one with POST {customer, trait}, take it away with
    DELETE. Filter by ?customer= or ?trait=."""

    queryset = (
        CustomerTrait.objects.filter(customer__deleted_at__isnull=True)
        .select_related("trait")
        .order_by("customer_id", "trait__name", "pk")
    )
    serializer_class = CustomerTraitSerializer
    filterset_class = CustomerTraitFilter
    read_capability = "customers.view"
    write_capability = "marketing.change"
    writes = Writes("customer_trait", delete=services.customer_trait_remove)

    def perform_create(self, serializer):
        serializer.instance = services.customer_trait_add(
            customer=serializer.validated_data["customer"],
            trait=serializer.validated_data["trait"],
            actor=self.request.user,
            via="api",
        )


ROUTES: list = [
    ("traits", TraitViewSet, "trait"),
    ("suppression-types", SuppressionTypeViewSet, "suppressiontype"),
    ("suppressions", SuppressionViewSet, "suppression"),
    ("customer-traits", CustomerTraitViewSet, "customertrait"),
]
