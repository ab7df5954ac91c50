"""The sales API (routes registered by patron/api/urls.py): /api/v1/items/,
/api/v1/price-levels/, /api/v1/customer-price-levels/, /api/v1/quotes/ (lines nested, read
only, with the computed totals), /api/v1/quote-lines/ and /api/v1/service-contracts/."""

from decimal import Decimal

import django_filters as filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from patron.api.serializers import AmountField, StrictModelSerializer
from patron.api.viewsets import WorkspaceModelViewSet, WorkspaceViewSetMixin, Writes, in_use
from patron.cases.models import Case
from patron.customers.filters import ForCustomerFilterSet
from patron.customers.models import Customer
from patron.sales import services
from patron.sales.financials import quote_totals
from patron.sales.models import (
    CustomerPriceLevel,
    Item,
    PriceLevel,
    Quote,
    QuoteLine,
    ServiceContract,
)
from patron.sales.queries import QuoteFilter, ServiceContractFilter, with_lines


def _workspace(serializer):
    return getattr(serializer.context.get("request"), "workspace", None)


@extend_schema_field(
    {
        "type": "string",
        "format": "decimal",
        "pattern": r"^(100(\.0{1,2})?|[0-9]{1,2}(\.[0-9]{1,2})?)$",
        "example": "12.50",
    }
)
class PercentField(AmountField):
    """A percentage from 0 to 100 with at most two decimals, written as a string."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 5)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(min_value=Decimal("0"), max_value=Decimal("100"), **kwargs)


@extend_schema_field(
    {
        "type": "string",
        "format": "decimal",
        "pattern": r"^[0-9]{1,9}(\.[0-9]{1,3})?$",
        "example": "2.5",
    }
)
class QuantityField(AmountField):
    """A quantity above 0 with at most three decimals, written as a string ("2.5")."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=12, decimal_places=3, min_value=Decimal("0.001"), **kwargs)


@extend_schema_field(
    {
        "type": "string",
        "format": "decimal",
        "pattern": r"^[0-9]{1,10}(\.[0-9]{1,2})?$",
        "example": "1200.50",
    }
)
class PriceField(AmountField):
    """A price from 0 with at most two decimals, written as a string ("1200.50")."""

    def __init__(self, **kwargs):
        super().__init__(max_digits=12, decimal_places=2, min_value=Decimal("0"), **kwargs)


def _price(**kwargs) -> PriceField:
    return PriceField(**kwargs)


# Catalogue and price levels ---------------------------------------------------------------


class ItemSerializer(StrictModelSerializer):
    unit_price = _price()
    tax_rate = PercentField(required=False, help_text="Default tax rate of lines, %.")

    class Meta:
        model = Item
        fields = ["id", *services.ITEM_FIELDS, "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
        validators = []  # item_create says, on the code, that it is taken


class PriceLevelSerializer(StrictModelSerializer):
    discount = PercentField(required=False)

    class Meta:
        model = PriceLevel
        fields = ["id", *services.PRICE_LEVEL_FIELDS, "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
        validators = []


class ItemViewSet(WorkspaceModelViewSet):
    """The item catalogue: code unique in the workspace (any case), unit price, default tax
    rate, active. Items are not deleted; make one inactive to stop offering it."""

    queryset = Item.objects.order_by("code", "pk")
    serializer_class = ItemSerializer
    read_capability = "customers.view"
    write_capability = "sales.manage"
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
    writes = Writes("item", create=services.item_create, update=services.item_update)


@in_use("Customers have this level.")
class PriceLevelViewSet(WorkspaceModelViewSet):
    """Price levels: a name (unique, any case) and a discount %. One that customers have
    cannot be deleted (409 saying how many)."""

    queryset = PriceLevel.objects.order_by("name", "pk")
    serializer_class = PriceLevelSerializer
    read_capability = "customers.view"
    write_capability = "sales.manage"
    pagination_class = None  # a workspace defines a handful
    writes = Writes(
        "price_level",
        create=services.price_level_create,
        update=services.price_level_update,
        delete=services.price_level_delete,
    )


class CustomerPriceLevelSerializer(StrictModelSerializer):
    class Meta:
        model = CustomerPriceLevel
        fields = ["id", "customer", "price_level", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
        validators = []  # a second POST for the same customer changes its level

    def get_fields(self):
        fields = super().get_fields()
        workspace = _workspace(self)
        fields["customer"].queryset = Customer.objects.in_workspace(workspace).current()
        fields["price_level"].queryset = PriceLevel.objects.in_workspace(workspace)
        if self.instance is not None:
            fields["customer"].read_only = True
        return fields


class CustomerPriceLevelFilter(ForCustomerFilterSet):
    class Meta:
        model = CustomerPriceLevel
        fields = []


class CustomerPriceLevelViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Customers' own price levels. POST {customer, price_level} gives one (or changes the
    customer's level); DELETE takes it away, and a person then inherits its organization's.
    The level that applies, inherited or not, is `effective_price_level` on a quote."""

    serializer_class = CustomerPriceLevelSerializer
    filterset_class = CustomerPriceLevelFilter
    read_capability = "customers.view"
    write_capability = "sales.manage"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CustomerPriceLevel.objects.none()
        return (
            CustomerPriceLevel.objects.in_workspace(self.request.workspace)
            .filter(customer__deleted_at__isnull=True)
            .order_by("customer_id", "pk")
        )

    def perform_create(self, serializer):
        serializer.instance = services.customer_price_level_set(
            customer=serializer.validated_data["customer"],
            price_level=serializer.validated_data["price_level"],
            actor=self.request.user,
            via="api",
        )

    def perform_update(self, serializer):
        level = serializer.validated_data.get("price_level", serializer.instance.price_level)
        serializer.instance = services.customer_price_level_set(
            customer=serializer.instance.customer,
            price_level=level,
            actor=self.request.user,
            via="api",
        )

    def perform_destroy(self, instance):
        services.customer_price_level_set(
            customer=instance.customer, price_level=None, actor=self.request.user, via="api"
        )


# Quotes -----------------------------------------------------------------------------------


class QuoteLineSerializer(StrictModelSerializer):
    """A line; unit price and tax rate default to the item's, the discount to the
    customer's effective price level's. net, tax and total are computed (read only)."""

    quantity = QuantityField(required=False, help_text="1 if not given.")
    unit_price = _price(required=False, help_text="The item's price if not given.")
    discount = PercentField(required=False, help_text="The price level's discount if not given.")
    tax_rate = PercentField(required=False, help_text="The item's tax rate if not given.")
    net = serializers.SerializerMethodField()
    tax = serializers.SerializerMethodField()
    total = serializers.SerializerMethodField()

    class Meta:
        model = QuoteLine
        fields = [
            "id",
            "quote",
            "position",
            *services.LINE_FIELDS,
            "net",
            "tax",
            "total",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "position", "created_at", "updated_at"]

    def get_fields(self):
        fields = super().get_fields()
        workspace = _workspace(self)
        fields["quote"].queryset = Quote.objects.in_workspace(workspace).filter(
            customer__deleted_at__isnull=True
        )
        fields["item"].queryset = Item.objects.in_workspace(workspace)
        if self.instance is not None and not isinstance(self.instance, list):
            fields["quote"].read_only = True
        return fields

    def _amounts(self, line):
        return quote_totals([line]).lines[0][1]

    @extend_schema_field({"type": "string", "format": "decimal", "readOnly": True})
    def get_net(self, line) -> str:
        return str(self._amounts(line).net)

    @extend_schema_field({"type": "string", "format": "decimal", "readOnly": True})
    def get_tax(self, line) -> str:
        return str(self._amounts(line).tax)

    @extend_schema_field({"type": "string", "format": "decimal", "readOnly": True})
    def get_total(self, line) -> str:
        return str(self._amounts(line).total)


class NestedLineSerializer(QuoteLineSerializer):
    class Meta(QuoteLineSerializer.Meta):
        fields = [f for f in QuoteLineSerializer.Meta.fields if f != "quote"]
        read_only_fields = fields

    def get_fields(self):
        return serializers.ModelSerializer.get_fields(self)


class TotalsSerializer(serializers.Serializer):
    subtotal = serializers.DecimalField(max_digits=20, decimal_places=2)
    discount = serializers.DecimalField(max_digits=20, decimal_places=2)
    net = serializers.DecimalField(max_digits=20, decimal_places=2)
    tax = serializers.DecimalField(max_digits=20, decimal_places=2)
    total = serializers.DecimalField(max_digits=20, decimal_places=2)


class QuoteSerializer(StrictModelSerializer):
    """A quote. The customer's name, address and email are filled in from the customer when
    not given; valid_until defaults to 30 days on and currency to the workspace's. Lines and
    totals are read only here (write lines at /api/v1/quote-lines/); status changes with
    POST .../status/."""

    lines = NestedLineSerializer(many=True, read_only=True)
    totals = serializers.SerializerMethodField()
    shown_status = serializers.CharField(
        read_only=True, help_text="expired for a draft or sent quote past valid_until."
    )

    class Meta:
        model = Quote
        fields = [
            "id",
            "number",
            "customer",
            *services.QUOTE_FIELDS,
            "status",
            "shown_status",
            "lines",
            "totals",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "number", "status", "created_by", "created_at", "updated_at"]
        extra_kwargs = {
            "valid_until": {"required": False},
            "currency": {"required": False},
            "customer_name": {"required": False},
            "customer_address": {"required": False},
            "customer_email": {"required": False},
            "case": {"required": False, "help_text": "A case of the same customer, or null."},
        }

    def get_fields(self):
        fields = super().get_fields()
        workspace = _workspace(self)
        fields["customer"].queryset = Customer.objects.in_workspace(workspace).current()
        fields["case"].queryset = Case.objects.in_workspace(workspace)
        if self.instance is not None:
            fields["customer"].read_only = True
        return fields

    @extend_schema_field(TotalsSerializer)
    def get_totals(self, quote) -> dict:
        return quote_totals(quote.lines.all()).as_strings()


class QuoteStatusSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Quote.Status.choices)


class QuoteViewSet(
    WorkspaceViewSetMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Quotes (manual 004), newest number first; filter by customer, number, status (as
    shown) and valid-until dates. Only a draft's details change."""

    queryset = Quote.objects.filter(customer__deleted_at__isnull=True).order_by("-number")
    serializer_class = QuoteSerializer
    filterset_class = QuoteFilter
    read_capability = "customers.view"
    write_capability = "sales.change"
    http_method_names = ["get", "post", "patch", "head", "options"]
    writes = Writes(
        "quote", create=services.quote_create, update=services.quote_update, parent="customer"
    )

    def get_queryset(self):
        return with_lines(super().get_queryset())

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    @extend_schema(request=QuoteStatusSerializer, responses=QuoteSerializer)
    @action(detail=True, methods=["post"])
    def status(self, request, pk=None):
        """Move the quote to another status: draft → sent → accepted, declined or expired;
        declined or expired back to draft. A 400 says which moves are allowed."""
        quote = self.get_object()
        chosen = QuoteStatusSerializer(data=request.data)
        chosen.is_valid(raise_exception=True)
        quote = services.quote_set_status(
            quote=quote, status=chosen.validated_data["status"], actor=request.user, via="api"
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=quote.pk)).data)


class QuoteLineFilter(ForCustomerFilterSet):
    customer = filters.ModelChoiceFilter(
        field_name="quote__customer", queryset=Customer.objects.none()
    )

    class Meta:
        model = QuoteLine
        fields = ["quote"]

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        workspace = getattr(request, "workspace", None)
        self.filters["quote"].queryset = Quote.objects.in_workspace(workspace)


class QuoteLineViewSet(WorkspaceModelViewSet):
    """Lines of quotes: POST {quote, item or description, quantity, ...}; a draft's lines
    only change (a 400 says so otherwise)."""

    queryset = (
        QuoteLine.objects.filter(quote__customer__deleted_at__isnull=True)
        .select_related("quote", "item")
        .order_by("quote_id", "position", "pk")
    )
    serializer_class = QuoteLineSerializer
    filterset_class = QuoteLineFilter
    read_capability = "customers.view"
    write_capability = "sales.change"
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    writes = Writes(
        "line",
        create=services.quote_line_add,
        update=services.quote_line_update,
        delete=services.quote_line_remove,
        parent="quote",
    )


# Service contracts ------------------------------------------------------------------------


class ServiceContractSerializer(StrictModelSerializer):
    class Meta:
        model = ServiceContract
        fields = [
            "id",
            "customer",
            *services.CONTRACT_FIELDS,
            "supported_items",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_at", "updated_at"]
        extra_kwargs = {"customer": {"help_text": "An organization of this workspace."}}

    def get_fields(self):
        fields = super().get_fields()
        workspace = _workspace(self)
        fields["customer"].queryset = Customer.objects.in_workspace(workspace).current()
        fields["supported_items"].child_relation.queryset = Item.objects.in_workspace(workspace)
        if self.instance is not None:
            fields["customer"].read_only = True
        return fields


class ServiceContractViewSet(WorkspaceModelViewSet):
    """Service contracts with organizations (manual 001) and the items they support.
    PATCH changes one; its organization stays (a PUT would have to restate it)."""

    queryset = (
        ServiceContract.objects.filter(customer__deleted_at__isnull=True)
        .prefetch_related("supported_items")
        .order_by("-start_date", "name", "pk")
    )
    serializer_class = ServiceContractSerializer
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    filterset_class = ServiceContractFilter
    read_capability = "customers.view"
    write_capability = "sales.change"
    writes = Writes(
        "contract",
        create=services.contract_create,
        update=services.contract_update,
        delete=services.contract_delete,
        parent="customer",
    )


ROUTES: list = [
    ("items", ItemViewSet, "item"),
    ("price-levels", PriceLevelViewSet, "pricelevel"),
    ("customer-price-levels", CustomerPriceLevelViewSet, "customerpricelevel"),
    ("quotes", QuoteViewSet, "quote"),
    ("quote-lines", QuoteLineViewSet, "quoteline"),
    ("service-contracts", ServiceContractViewSet, "servicecontract"),
]
