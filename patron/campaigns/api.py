"""The campaigns API: /api/v1/campaigns/, /api/v1/activities/, /api/v1/fulfilments/.

Thin serializers and viewsets over the same services as the pages (routes registered by
patron/api/urls.py).
"""

from django.db import models
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from patron.api.serializers import StrictCharField
from patron.api.viewsets import WorkspaceModelViewSet, Writes
from patron.campaigns import services
from patron.campaigns.filters import ActivityFilter, FulfilmentFilter
from patron.campaigns.models import Activity, Campaign, Fulfilment, Step
from patron.customers.models import Customer

STRICT_TEXT = {
    **serializers.ModelSerializer.serializer_field_mapping,
    models.CharField: StrictCharField,
    models.TextField: StrictCharField,
}


class CampaignSerializer(serializers.ModelSerializer):
    """A campaign groups activities; its name is unique in the workspace (any case)."""

    serializer_field_mapping = STRICT_TEXT

    class Meta:
        model = Campaign
        fields = ["id", *services.CAMPAIGN_FIELDS, "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class CampaignViewSet(WorkspaceModelViewSet):
    """Campaigns (manual 000). Deleting one leaves its activities without a campaign."""

    queryset = Campaign.objects.order_by("name", "pk")
    serializer_class = CampaignSerializer
    read_capability = "customers.view"
    write_capability = "marketing.manage"
    writes = Writes(
        "campaign",
        create=services.campaign_create,
        update=services.campaign_update,
        delete=services.campaign_delete,
    )


class ActivitySerializer(serializers.ModelSerializer):
    """A numbered activity (the number is given). `step` is Planned by default; POST
    .../change-step/ moves it alone. `campaign` must be of the token's workspace."""

    serializer_field_mapping = STRICT_TEXT
    is_running = serializers.BooleanField(
        read_only=True, help_text="Active and Started: fulfilments can be made under it."
    )

    class Meta:
        model = Activity
        fields = [
            "id",
            "number",
            *services.ACTIVITY_FIELDS,
            "is_running",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "number", "created_at", "updated_at"]

    def get_fields(self):
        fields = super().get_fields()
        workspace = getattr(self.context.get("request"), "workspace", None)
        fields["campaign"].queryset = Campaign.objects.in_workspace(workspace)
        return fields


class ChangeStepSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=Step.choices)


class ActivityViewSet(WorkspaceModelViewSet):
    """Activities (manual 000), newest number first. An activity with fulfilments,
    telemarkets or customer lists cannot be deleted: a 400 says what it still has."""

    queryset = Activity.objects.select_related("campaign").order_by("-number")
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter
    read_capability = "customers.view"
    write_capability = "marketing.manage"
    writes = Writes(
        "activity",
        create=services.activity_create,
        update=services.activity_update,
        delete=services.activity_delete,
    )

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    @extend_schema(request=ChangeStepSerializer, responses=ActivitySerializer)
    @action(detail=True, methods=["post"], url_path="change-step")
    def change_step(self, request, pk=None):
        """Move the activity to any step: planned, started or completed."""
        activity = self.get_object()
        chosen = ChangeStepSerializer(data=request.data)
        chosen.is_valid(raise_exception=True)
        activity = services.activity_change_step(
            activity=activity, step=chosen.validated_data["step"], actor=request.user, via="api"
        )
        return Response(self.get_serializer(activity).data)


class FulfilmentSerializer(serializers.ModelSerializer):
    """Something done for a customer under an activity. Create only under a running
    activity (Active and Started); an existing fulfilment may keep its activity, or move to
    a running one. The customer stays fixed after create."""

    serializer_field_mapping = STRICT_TEXT

    class Meta:
        model = Fulfilment
        fields = [
            "id",
            "customer",
            *services.FULFILMENT_FIELDS,
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "created_by", "created_at", "updated_at"]
        extra_kwargs = {"date": {"required": False, "help_text": "Today if not given."}}

    def get_fields(self):
        fields = super().get_fields()
        workspace = getattr(self.context.get("request"), "workspace", None)
        fields["customer"].queryset = Customer.objects.in_workspace(workspace).current()
        fields["activity"].queryset = Activity.objects.in_workspace(workspace)
        if self.instance is not None:
            fields["customer"].read_only = True
        return fields


class FulfilmentViewSet(WorkspaceModelViewSet):
    """Fulfilments of the workspace's customers, newest first; ?customer= and ?activity=."""

    queryset = (
        Fulfilment.objects.filter(customer__deleted_at__isnull=True)
        .select_related("activity")
        .order_by("-date", "-pk")
    )
    serializer_class = FulfilmentSerializer
    filterset_class = FulfilmentFilter
    read_capability = "customers.view"
    write_capability = "marketing.change"
    writes = Writes(
        "fulfilment", update=services.fulfilment_update, delete=services.fulfilment_delete
    )

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def perform_create(self, serializer):
        data = serializer.validated_data
        serializer.instance = services.fulfilment_create(
            customer=data["customer"],
            activity=data["activity"],
            date=data.get("date"),
            fulfilment_type=data["fulfilment_type"],
            actor=self.request.user,
            via="api",
        )


ROUTES: list = [
    ("campaigns", CampaignViewSet, "campaign"),
    ("activities", ActivityViewSet, "activity"),
    ("fulfilments", FulfilmentViewSet, "fulfilment"),
]
