"""The cases API (routes registered by patron/api/urls.py): /api/v1/cases/ and
/api/v1/reason-codes/, over the same services as the pages."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import viewsets

from patron.api.errors import ErrorSerializer, deleted_unless_in_use
from patron.api.serializers import StrictModelSerializer
from patron.cases import services
from patron.cases.filters import CaseFilter
from patron.cases.models import Case, ReasonCode
from patron.customers.models import Customer
from patron.workspaces.models import User


def _workspace(serializer):
    return getattr(serializer.context.get("request"), "workspace", None)


class ReasonCodeSerializer(StrictModelSerializer):
    """A reason code; its name is unique in the workspace, whatever its case."""

    class Meta:
        model = ReasonCode
        fields = ["id", *services.REASON_CODE_FIELDS, "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]
        validators = []  # the model says, on the name, that it is taken (any case)


class ReasonCodeViewSet(viewsets.ModelViewSet):
    """Reason codes of the workspace, read by anyone, set up by admins and managers. A code
    that cases use cannot be deleted (409 saying how many)."""

    serializer_class = ReasonCodeSerializer
    read_capability = "customers.view"
    write_capability = "service.manage"
    pagination_class = None  # a workspace defines a handful; clients want them all

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ReasonCode.objects.none()
        return ReasonCode.objects.in_workspace(self.request.workspace).order_by("name", "pk")

    def perform_create(self, serializer):
        serializer.instance = services.reason_code_create(
            workspace=self.request.workspace,
            actor=self.request.user,
            data=serializer.validated_data,
            via="api",
        )

    def perform_update(self, serializer):
        serializer.instance = services.reason_code_update(
            reason_code=serializer.instance,
            actor=self.request.user,
            data=serializer.validated_data,
            via="api",
        )

    @extend_schema(
        responses={
            204: None,
            409: OpenApiResponse(ErrorSerializer, description="Cases use it; it stays."),
        }
    )
    def destroy(self, request, *args, **kwargs):
        return deleted_unless_in_use(
            lambda: services.reason_code_delete(
                reason_code=self.get_object(), actor=request.user, via="api"
            )
        )


class CaseSerializer(StrictModelSerializer):
    """A customer's case. The number is given; `resolved_at` is set when the status becomes
    resolved or closed and cleared when it is reopened. `customer`, `reason_code` and
    `assignee` (a member's user id) must be of the token's workspace; the customer stays
    fixed after create."""

    class Meta:
        model = Case
        fields = [
            "id",
            "number",
            "customer",
            *services.CASE_FIELDS,
            "resolved_at",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "number", "resolved_at", "created_by", "created_at", "updated_at"]
        extra_kwargs = {
            "logged_at": {"required": False, "help_text": "Now if not given; not in the future."}
        }

    def get_fields(self):
        fields = super().get_fields()
        workspace = _workspace(self)
        fields["customer"].queryset = Customer.objects.in_workspace(workspace).current()
        fields["reason_code"].queryset = ReasonCode.objects.in_workspace(workspace)
        fields["assignee"].queryset = User.objects.filter(memberships__workspace=workspace)
        if self.instance is not None:
            fields["customer"].read_only = True
        return fields


class CaseViewSet(viewsets.ModelViewSet):
    """Cases of the workspace's customers (not those in the recycle bin), newest logged
    first. Filter by ?status=, ?reason_code=, ?assignee=, ?customer=, ?customer_number=,
    ?logged_from= and ?logged_to= (days, inclusive)."""

    serializer_class = CaseSerializer
    filterset_class = CaseFilter
    # Changes are PATCHes: a PUT would have to restate the customer, which never changes.
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    read_capability = "customers.view"
    write_capability = "cases.change"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Case.objects.none()
        return (
            Case.objects.in_workspace(self.request.workspace)
            .current()
            .order_by("-logged_at", "-number")
        )

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        customer = data.pop("customer")
        serializer.instance = services.case_create(
            customer=customer, actor=self.request.user, data=data, via="api"
        )

    def perform_update(self, serializer):
        serializer.instance = services.case_update(
            case=serializer.instance,
            actor=self.request.user,
            data=serializer.validated_data,
            via="api",
        )

    def perform_destroy(self, instance):
        services.case_delete(case=instance, actor=self.request.user, via="api")


ROUTES: list = [
    ("reason-codes", ReasonCodeViewSet, "reasoncode"),
    ("cases", CaseViewSet, "case"),
]
