"""The lists API (routes registered by patron/api/urls.py): /api/v1/customer-lists/.

Lists with their rules (suppressions, traits and activities as ids of the workspace);
`count` answers what the "Create customer list" wizard shows before a list exists,
`add-customers` and `remove-customers` change members through the same rules as the
pages, and `customers` reads a list's members a page at a time, by key.
"""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from patron.api.serializers import (
    AmountField,
    StrictCharField,
    StrictModelSerializer,
    StrictPrimaryKeyRelatedField,
)
from patron.campaigns.models import Activity
from patron.customers.models import Customer
from patron.lists import queries, rules, services
from patron.lists.models import CustomerList, ListEntry
from patron.marketing.models import SuppressionType, Trait

MAX_IDS = 1000


def _workspace(serializer):
    return getattr(serializer.context.get("request"), "workspace", None)


class SearchField(serializers.DictField):
    """The advanced customer search's criteria, as GET /api/v1/customers/ takes them."""

    def __init__(self, **kwargs):
        kwargs.setdefault("child", StrictCharField(allow_blank=True, max_length=200))
        kwargs.setdefault(
            "help_text",
            'Criteria of the customer search, e.g. {"city": "Leeds", "customer_type": '
            '"customer"}; none for every customer.',
        )
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        if any("\x00" in key or "\x00" in value for key, value in values.items()):
            raise ValidationError(
                "Text cannot contain NUL characters.", code="null_characters_not_allowed"
            )
        return values


class CustomerListSerializer(StrictModelSerializer):
    customer_count = serializers.IntegerField(read_only=True)
    cost = AmountField(
        max_digits=14, decimal_places=2, min_value=0, required=False, allow_null=True
    )

    class Meta:
        model = CustomerList
        fields = [
            "id",
            *services.FIELDS,
            "origin",
            "search",
            "customer_count",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "origin", "search", "created_at", "updated_at"]
        validators = []  # list_create says, in words, that the name is taken

    def get_fields(self):
        fields = super().get_fields()
        workspace = _workspace(self)
        fields["suppressions"].child_relation.queryset = SuppressionType.objects.in_workspace(
            workspace
        )
        fields["traits"].child_relation.queryset = Trait.objects.in_workspace(workspace)
        fields["activities"].child_relation.queryset = Activity.objects.in_workspace(workspace)
        return fields


class ListRuleSerializer(serializers.Serializer):
    """A list's rules and a search, before the list exists."""

    usage = serializers.ChoiceField(
        choices=CustomerList.Usage.choices, required=False, default="", allow_blank=True
    )
    suppressions = StrictPrimaryKeyRelatedField(
        many=True, queryset=SuppressionType.objects.none(), required=False, default=list
    )
    traits = StrictPrimaryKeyRelatedField(
        many=True, queryset=Trait.objects.none(), required=False, default=list
    )
    search = SearchField(required=False, default=dict)

    def get_fields(self):
        fields = super().get_fields()
        workspace = _workspace(self)
        fields["suppressions"].child_relation.queryset = SuppressionType.objects.in_workspace(
            workspace
        )
        fields["traits"].child_relation.queryset = Trait.objects.in_workspace(workspace)
        return fields


class ListCountsSerializer(serializers.Serializer):
    matched = serializers.IntegerField(help_text="Customers the search finds.")
    eligible = serializers.IntegerField(help_text="Of those, how many the list would take.")
    out_of_use = serializers.IntegerField(help_text="Left out: void or deleted.")
    missing_data = serializers.IntegerField(help_text="Left out: no data for the usage.")
    suppressed = serializers.IntegerField(help_text="Left out: a suppression that applies.")
    lacking_traits = serializers.IntegerField(help_text="Left out: a required trait missing.")


class ListMembersSerializer(serializers.Serializer):
    customers = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        max_length=MAX_IDS,
        help_text=f"Customer ids (at most {MAX_IDS}).",
    )
    search = SearchField(required=False)

    def validate(self, attrs):
        if ("customers" in attrs) == ("search" in attrs):
            raise ValidationError("Give either customers (ids) or search (criteria).")
        return attrs


class ListRefusalSerializer(serializers.Serializer):
    customer = serializers.IntegerField()
    reasons = serializers.ListField(child=serializers.CharField())


class ListAddedSerializer(serializers.Serializer):
    added = serializers.IntegerField()
    refused = serializers.IntegerField()
    refusals = ListRefusalSerializer(
        many=True, help_text="Why each refused customer cannot join (explicit ids only)."
    )


class ListEntrySerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="customer.__str__", read_only=True)
    email = serializers.CharField(source="customer.email", read_only=True)

    class Meta:
        model = ListEntry
        fields = ["customer", "name", "email", "added_at", "added_by", "via"]
        read_only_fields = fields


class EntryPagination(CursorPagination):
    """Pages of a list's customers by key (customer id): page 10,000 costs what page 1 does."""

    ordering = "customer_id"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500


class CustomerListViewSet(viewsets.ModelViewSet):
    """Customer lists (manual 000). Read by anyone; defined, built and deleted by managers;
    members added and removed by anyone who edits (the list's rules apply)."""

    serializer_class = CustomerListSerializer
    read_capability = "customers.view"
    write_capability = "marketing.manage"
    capabilities = {
        "count": "customers.view",
        "add_customers": "marketing.change",
        "remove_customers": "marketing.change",
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CustomerList.objects.none()
        return (
            queries.lists_with_counts(self.request.workspace)
            .prefetch_related("suppressions", "traits", "activities")
            .order_by("name", "pk")
        )

    def perform_create(self, serializer):
        serializer.instance = services.list_create(
            workspace=self.request.workspace,
            actor=self.request.user,
            data=serializer.validated_data,
            via="api",
        )
        serializer.instance.customer_count = 0

    def perform_update(self, serializer):
        updated = services.list_update(
            customer_list=serializer.instance,
            actor=self.request.user,
            data=serializer.validated_data,
            via="api",
        )
        serializer.instance = self.get_queryset().get(pk=updated.pk)

    def perform_destroy(self, instance):
        services.list_delete(customer_list=instance, actor=self.request.user, via="api")

    def _search(self, criteria: dict):
        search = queries.customer_search(self.request, criteria)
        if not search.is_valid():
            raise ValidationError({"search": search.errors})
        return search.qs

    @extend_schema(request=ListRuleSerializer, responses=ListCountsSerializer)
    @action(detail=False, methods=["post"])
    def count(self, request):
        """The wizard's confirmation: how many customers of a search a list with these
        rules would take, and how many are left out for each reason."""
        rule_input = ListRuleSerializer(data=request.data, context=self.get_serializer_context())
        rule_input.is_valid(raise_exception=True)
        data = rule_input.validated_data
        rule = rules.Rule(
            workspace_id=request.workspace.pk,
            usage=data["usage"],
            suppression_type_ids=frozenset(t.pk for t in data["suppressions"]),
            trait_ids=frozenset(t.pk for t in data["traits"]),
        )
        return Response(rules.counts(self._search(data["search"]), rule))

    def _members(self, request):
        members = ListMembersSerializer(data=request.data)
        members.is_valid(raise_exception=True)
        data = members.validated_data
        if "search" in data:
            return self._search(data["search"]), None
        ids = set(data["customers"])
        customers = Customer.objects.in_workspace(request.workspace).current().filter(pk__in=ids)
        unknown = ids - set(customers.values_list("pk", flat=True))
        if unknown:
            listed = ", ".join(str(pk) for pk in sorted(unknown)[:20])
            raise ValidationError({"customers": f"No customer of this workspace has id {listed}."})
        return customers, sorted(ids)

    @extend_schema(request=ListMembersSerializer, responses=ListAddedSerializer)
    @action(detail=True, methods=["post"], url_path="add-customers")
    def add_customers(self, request, pk=None):
        """Add customers by id or by search; those the list's rules refuse are counted
        (and, for ids, each given with its reasons). Those already in count as neither."""
        customer_list = self.get_object()
        customers, ids = self._members(request)
        added, refused = services.list_add_customers(
            customer_list=customer_list,
            customers=customers,
            actor=request.user,
            via=CustomerList.Origin.HAND if ids else CustomerList.Origin.SEARCH,
            channel="api",
        )
        refusals = []
        if ids and refused:
            members = set(
                customer_list.entries.filter(customer__in=ids).values_list("customer", flat=True)
            )
            for customer in customers.exclude(pk__in=members).order_by("pk"):
                reasons = rules.reasons_cannot_join(customer, customer_list)
                refusals.append({"customer": customer.pk, "reasons": reasons})
        return Response({"added": added, "refused": refused, "refusals": refusals})

    @extend_schema(
        request=ListMembersSerializer,
        responses=inline_serializer("ListRemoved", {"removed": serializers.IntegerField()}),
    )
    @action(detail=True, methods=["post"], url_path="remove-customers")
    def remove_customers(self, request, pk=None):
        """Take customers out of the list, by id or by search."""
        customer_list = self.get_object()
        customers, _ = self._members(request)
        removed = services.list_remove_customers(
            customer_list=customer_list, customers=customers, actor=request.user, channel="api"
        )
        return Response({"removed": removed})

    @extend_schema(responses=ListEntrySerializer(many=True))
    @action(
        detail=True,
        methods=["get"],
        pagination_class=EntryPagination,
        serializer_class=ListEntrySerializer,
    )
    def customers(self, request, pk=None):
        """The list's customers (outside the recycle bin) in customer-id order."""
        customer_list = self.get_object()
        entries = ListEntry.objects.filter(
            customer_list=customer_list, customer__deleted_at__isnull=True
        ).select_related("customer")
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(ListEntrySerializer(page, many=True).data)


ROUTES: list = [("customer-lists", CustomerListViewSet, "customerlist")]
