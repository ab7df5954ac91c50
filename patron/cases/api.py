"""The cases API (routes registered by patron/api/urls.py): /api/v1/cases/ and
/api/v1/reason-codes/, over the same services as the pages."""

from patron.api.serializers import StrictModelSerializer
from patron.api.viewsets import WorkspaceModelViewSet, Writes, in_use
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


@in_use("Cases use it; it stays.")
class ReasonCodeViewSet(WorkspaceModelViewSet):
    """Reason codes of the workspace, read by anyone, set up by admins and managers. A code
    that cases use cannot be deleted (409 saying how many)."""

    queryset = ReasonCode.objects.order_by("name", "pk")
    serializer_class = ReasonCodeSerializer
    read_capability = "customers.view"
    write_capability = "service.manage"
    pagination_class = None  # a workspace defines a handful; clients want them all
    writes = Writes(
        "reason_code",
        create=services.reason_code_create,
        update=services.reason_code_update,
        delete=services.reason_code_delete,
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


class CaseViewSet(WorkspaceModelViewSet):
    """Cases of the workspace's customers (not those in the recycle bin), newest logged
    first. Filter by ?status=, ?reason_code=, ?assignee=, ?customer=, ?customer_number=,
    ?logged_from= and ?logged_to= (days, inclusive)."""

    queryset = Case.objects.current().order_by("-logged_at", "-number")
    serializer_class = CaseSerializer
    filterset_class = CaseFilter
    # Changes are PATCHes: a PUT would have to restate the customer, which never changes.
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    read_capability = "customers.view"
    write_capability = "cases.change"
    writes = Writes(
        "case",
        create=services.case_create,
        update=services.case_update,
        delete=services.case_delete,
        parent="customer",
    )

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset


ROUTES: list = [
    ("reason-codes", ReasonCodeViewSet, "reasoncode"),
    ("cases", CaseViewSet, "case"),
]
