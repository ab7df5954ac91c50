"""The portal-access API (routes registered by patron/api/urls.py):
/api/v1/portal-access/{customer id}/ for a contact's access, granted by POST, revoked by
DELETE; /password/ sets a new password and /set-empty-passwords/ runs manual 003's
maintenance action. Passwords are never returned: a generated one goes to the customer
by email."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from patron.api.serializers import StrictBooleanField, StrictCharField, StrictModelSerializer
from patron.customers.filters import ForCustomerFilterSet, YesNoFilter
from patron.customers.models import Customer
from patron.portal import services
from patron.portal.models import PortalAccess


class PortalAccessSerializer(StrictModelSerializer):
    """A contact's portal access. Granting it (POST) emails the contact a generated
    password; only its hash is kept. The contact logs in with its customer email."""

    has_password = serializers.BooleanField(read_only=True)
    is_organization_manager = StrictBooleanField(
        required=False,
        help_text="Also sees and cancels the requests of the organization's other contacts.",
    )

    class Meta:
        model = PortalAccess
        fields = [
            "customer",
            "enabled",
            "is_organization_manager",
            "has_password",
            "password_set_at",
            "last_login_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "enabled",
            "password_set_at",
            "last_login_at",
            "created_at",
            "updated_at",
        ]

    def get_fields(self):
        fields = super().get_fields()
        workspace = getattr(self.context.get("request"), "workspace", None)
        fields["customer"].queryset = Customer.objects.in_workspace(workspace).current()
        return fields


class PortalAccessChangeSerializer(serializers.Serializer):
    is_organization_manager = StrictBooleanField(
        help_text="Also sees and cancels the requests of the organization's other contacts."
    )


class PortalPasswordSerializer(serializers.Serializer):
    password = StrictCharField(
        required=False,
        allow_blank=True,
        write_only=True,
        trim_whitespace=False,
        max_length=128,
        help_text="Checked by the password validators. Leave out to email the contact a "
        "generated one.",
    )


class EmptyPasswordsSerializer(serializers.Serializer):
    given = serializers.IntegerField(help_text="Contacts that got a password by email.")
    skipped = serializers.ListField(
        child=serializers.CharField(), help_text="Contacts left without one, and why."
    )


class PortalAccessFilter(ForCustomerFilterSet):
    enabled = YesNoFilter()

    class Meta:
        model = PortalAccess
        fields = []


CUSTOMER_ID = OpenApiParameter(
    "id", int, OpenApiParameter.PATH, description="The contact's customer id."
)


@extend_schema_view(
    **{
        name: extend_schema(parameters=[CUSTOMER_ID])
        for name in ("retrieve", "partial_update", "destroy", "password")
    }
)
class PortalAccessViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """Portal access of the workspace's contacts, by customer id; ?customer=, ?enabled=."""

    serializer_class = PortalAccessSerializer
    filterset_class = PortalAccessFilter
    lookup_field = "customer_id"
    lookup_url_kwarg = "pk"
    read_capability = "customers.view"
    write_capability = "portal.manage"
    capabilities = {"set_empty_passwords": "workspace.manage"}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PortalAccess.objects.none()
        return (
            PortalAccess.objects.in_workspace(self.request.workspace)
            .filter(customer__deleted_at__isnull=True)
            .select_related("customer")
            .order_by("customer_id")
        )

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def _site_url(self) -> str:
        return self.request.build_absolute_uri("/")

    def perform_create(self, serializer):
        data = serializer.validated_data
        access = services.portal_access_grant(
            customer=data["customer"],
            actor=self.request.user,
            via="api",
            site_url=self._site_url(),
        )
        if data.get("is_organization_manager"):
            access = services.portal_access_set_manager(
                access=access, is_organization_manager=True, actor=self.request.user, via="api"
            )
        serializer.instance = access

    @extend_schema(request=PortalAccessChangeSerializer, responses=PortalAccessSerializer)
    def partial_update(self, request, pk=None):
        """Give or take the organization-manager right."""
        access = self.get_object()
        change = PortalAccessChangeSerializer(data=request.data)
        change.is_valid(raise_exception=True)
        access = services.portal_access_set_manager(
            access=access,
            is_organization_manager=change.validated_data["is_organization_manager"],
            actor=request.user,
            via="api",
        )
        return Response(self.get_serializer(access).data)

    @extend_schema(responses={204: None})
    def destroy(self, request, pk=None):
        """Revoke portal access: the password goes and open portal sessions end."""
        services.portal_access_revoke(access=self.get_object(), actor=request.user, via="api")
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=PortalPasswordSerializer, responses=PortalAccessSerializer)
    @action(detail=True, methods=["post"])
    def password(self, request, pk=None):
        """Set a new password: the one given, or a generated one emailed to the contact."""
        access = self.get_object()
        given = PortalPasswordSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        access = services.portal_password_set(
            access=access,
            actor=request.user,
            password=given.validated_data.get("password", ""),
            via="api",
            site_url=self._site_url(),
        )
        return Response(self.get_serializer(access).data)

    @extend_schema(request=None, responses=EmptyPasswordsSerializer)
    @action(detail=False, methods=["post"], url_path="set-empty-passwords")
    def set_empty_passwords(self, request):
        """Manual 003's "Set empty passwords": every contact with portal access but no
        password gets a generated one by email. For admins."""
        result = services.portal_set_empty_passwords(
            workspace=request.workspace, actor=request.user, via="api", site_url=self._site_url()
        )
        return Response(EmptyPasswordsSerializer(result).data)


ROUTES: list = [("portal-access", PortalAccessViewSet, "portalaccess")]
