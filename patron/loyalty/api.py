"""The loyalty API (routes registered by patron/api/urls.py): /api/v1/loyalty-entries/
(list and create; entries are never edited), /api/v1/loyalty-balances/{customer id}/,
/api/v1/house-accounts/ and /api/v1/customer-house-accounts/."""

from decimal import Decimal

import django_filters as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from patron.api.serializers import AmountField, StrictModelSerializer
from patron.api.viewsets import WorkspaceModelViewSet, WorkspaceViewSetMixin, Writes, in_use
from patron.customers.filters import ForCustomerFilterSet, YesNoFilter
from patron.customers.models import Customer
from patron.loyalty import services
from patron.loyalty.models import CustomerHouseAccount, HouseAccount, LoyaltyEntry


def _workspace(serializer):
    return getattr(serializer.context.get("request"), "workspace", None)


# Points -----------------------------------------------------------------------------------


class LoyaltyEntrySerializer(StrictModelSerializer):
    """A ledger entry, signed as the ledger keeps it: `earned` > 0, `redeemed` < 0, an
    `adjustment` either way with a `reason`. An entry that would take the customer's
    balance below zero is refused (400 on `points`)."""

    class Meta:
        model = LoyaltyEntry
        fields = ["id", *services.ENTRY_FIELDS, "created_by", "created_at"]
        read_only_fields = ["id", "created_by", "created_at"]

    def get_fields(self):
        fields = super().get_fields()
        fields["customer"].queryset = Customer.objects.in_workspace(_workspace(self)).current()
        return fields


class LoyaltyEntryFilter(ForCustomerFilterSet):
    kind = filters.ChoiceFilter(choices=LoyaltyEntry.Kind.choices)

    class Meta:
        model = LoyaltyEntry
        fields = []


class LoyaltyEntryViewSet(
    WorkspaceViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The loyalty ledger of the workspace's customers, newest first; ?customer=, ?kind=.
    Entries are not edited or deleted: a correction is a new adjustment."""

    queryset = LoyaltyEntry.objects.filter(customer__deleted_at__isnull=True).order_by(
        "-created_at", "-pk"
    )
    serializer_class = LoyaltyEntrySerializer
    filterset_class = LoyaltyEntryFilter
    read_capability = "customers.view"
    write_capability = "loyalty.change"

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.loyalty_entry_create(
            customer=data["customer"],
            kind=data["kind"],
            points=data["points"],
            reason=data.get("reason", ""),
            actor=self.request.user,
            via="api",
        )


class LoyaltyBalanceSerializer(serializers.Serializer):
    customer = serializers.IntegerField(source="pk")
    balance = serializers.IntegerField(help_text="The sum of the customer's ledger; never < 0.")


class LoyaltyBalanceViewSet(mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A customer's loyalty balance: /api/v1/loyalty-balances/{customer id}/."""

    serializer_class = LoyaltyBalanceSerializer
    read_capability = "customers.view"
    write_capability = "loyalty.change"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Customer.objects.none()
        return Customer.objects.in_workspace(self.request.workspace).current()

    def retrieve(self, request, *args, **kwargs):
        customer = self.get_object()
        customer.balance = services.loyalty_balance(customer)
        return Response(self.get_serializer(customer).data)


# House accounts ---------------------------------------------------------------------------


@extend_schema_field(
    {
        "type": "string",
        "format": "decimal",
        "pattern": r"^[0-9]{1,10}(\.[0-9]{1,2})?$",
        "example": "500.00",
    }
)
class CreditLimitField(AmountField):
    """0 or more with at most two decimals, written as a string ("500.00"), never null."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=12, decimal_places=2, min_value=Decimal("0"), **kwargs)


class HouseAccountSerializer(StrictModelSerializer):
    """A house account; its name is unique in the workspace (any case), its credit limit
    0 or more (0 when not given)."""

    credit_limit = CreditLimitField(required=False)

    class Meta:
        model = HouseAccount
        fields = ["id", *services.HOUSE_ACCOUNT_FIELDS, "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
        validators = []  # the model says, on the name, that it is taken


class HouseAccountFilter(filters.FilterSet):
    active = YesNoFilter(help_text="true: the accounts that can be given to customers.")

    class Meta:
        model = HouseAccount
        fields = []


@in_use("Customers have it; it stays.")
class HouseAccountViewSet(WorkspaceModelViewSet):
    """House accounts of the workspace (manual 002), set up by admins and managers. One
    that customers have cannot be deleted (409 saying how many); make it inactive."""

    queryset = HouseAccount.objects.order_by("name", "pk")
    serializer_class = HouseAccountSerializer
    filterset_class = HouseAccountFilter
    read_capability = "customers.view"
    write_capability = "service.manage"
    pagination_class = None  # a handful per workspace
    writes = Writes(
        "house_account",
        create=services.house_account_create,
        update=services.house_account_update,
        delete=services.house_account_delete,
    )

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset


class CustomerHouseAccountSerializer(StrictModelSerializer):
    house_account_name = serializers.CharField(source="house_account.name", read_only=True)

    class Meta:
        model = CustomerHouseAccount
        fields = ["id", "customer", "house_account", "house_account_name", "created_at"]
        read_only_fields = ["id", "created_at"]
        validators = []  # the service says, in words, that the customer already has it

    def get_fields(self):
        fields = super().get_fields()
        workspace = _workspace(self)
        fields["customer"].queryset = Customer.objects.in_workspace(workspace).current()
        fields["house_account"].queryset = HouseAccount.objects.in_workspace(workspace)
        return fields


class CustomerHouseAccountFilter(ForCustomerFilterSet):
    house_account = filters.ModelChoiceFilter(queryset=HouseAccount.objects.none())

    class Meta:
        model = CustomerHouseAccount
        fields = []

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        workspace = getattr(request, "workspace", None)
        self.filters["house_account"].queryset = HouseAccount.objects.in_workspace(workspace)


class CustomerHouseAccountViewSet(
    WorkspaceViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The house accounts customers have: give one (active) with POST {customer,
    house_account}, take it away with DELETE. Filter by ?customer= or ?house_account=."""

    queryset = (
        CustomerHouseAccount.objects.filter(customer__deleted_at__isnull=True)
        .select_related("house_account")
        .order_by("customer_id", "house_account__name", "pk")
    )
    serializer_class = CustomerHouseAccountSerializer
    filterset_class = CustomerHouseAccountFilter
    read_capability = "customers.view"
    write_capability = "loyalty.change"
    writes = Writes("link", delete=services.customer_house_account_remove)

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def perform_create(self, serializer):
        serializer.instance = services.customer_house_account_add(
            customer=serializer.validated_data["customer"],
            house_account=serializer.validated_data["house_account"],
            actor=self.request.user,
            via="api",
        )


ROUTES: list = [
    ("loyalty-entries", LoyaltyEntryViewSet, "loyaltyentry"),
    ("loyalty-balances", LoyaltyBalanceViewSet, "loyaltybalance"),
    ("house-accounts", HouseAccountViewSet, "houseaccount"),
    ("customer-house-accounts", CustomerHouseAccountViewSet, "customerhouseaccount"),
]
