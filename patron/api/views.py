"""REST API v1: thin viewsets over the same services and queries as the pages."""

from django.contrib import messages
from django.contrib.auth import authenticate
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action, api_view, authentication_classes
from rest_framework.decorators import permission_classes as use_permissions
from rest_framework.exceptions import AuthenticationFailed, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from patron.api.errors import conflict_response
from patron.api.models import ApiToken
from patron.api.serializers import (
    CustomerSerializer,
    TokenRequestSerializer,
    TokenResponseSerializer,
)
from patron.customers import services
from patron.customers.filters import CustomerFilter
from patron.customers.models import Customer
from patron.workspaces.models import Membership

IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="The ETag of the version you edited; an older one answers 412.",
)


def parse_if_match(header: str | None) -> int | None:
    """The version an If-Match names ("3", W/"3"); None for absent or "*"."""
    if not header or header.strip() == "*":
        return None
    value = header.strip().removeprefix("W/").strip('"')
    if not value.isdigit() or len(value) > 9:
        raise ValidationError({"If-Match": 'Give the ETag returned by GET, e.g. "3".'})
    return int(value)


@extend_schema_view(
    update=extend_schema(parameters=[IF_MATCH]),
    partial_update=extend_schema(parameters=[IF_MATCH]),
)
class CustomerViewSet(viewsets.ModelViewSet):
    """Customers and organizations of the token's workspace.

    Lists leave out archived customers unless `archived` is given, and never show the
    recycle bin; DELETE moves a customer there and `restore` brings it back.
    """

    serializer_class = CustomerSerializer
    filterset_class = CustomerFilter
    read_capability = "customers.view"
    write_capability = "customers.change"
    capabilities = {"destroy": "customers.delete", "restore": "customers.delete"}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no workspace
            return Customer.objects.none()
        customers = Customer.objects.in_workspace(self.request.workspace)
        customers = customers.deleted() if self.action == "restore" else customers.current()
        return (
            customers.select_related("organization", "category")
            .prefetch_related("tags", "stores")
            .order_by("name_key", "pk")
        )

    def filter_queryset(self, queryset):
        # Search filters apply to lists; a single customer is reachable by its id.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def _with_etag(self, customer: Customer, status_code=status.HTTP_200_OK) -> Response:
        response = Response(self.get_serializer(customer).data, status=status_code)
        response["ETag"] = f'"{customer.version}"'
        return response

    def retrieve(self, request, *args, **kwargs):
        return self._with_etag(self.get_object())

    def perform_create(self, serializer):
        serializer.instance = services.customer_create(
            workspace=self.request.workspace,
            actor=self.request.user,
            data=serializer.validated_data,
            via="api",
        )

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        response = self._with_etag(serializer.instance, status.HTTP_201_CREATED)
        response["Location"] = serializer.instance.get_absolute_url()
        return response

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        customer = self.get_object()
        expected = parse_if_match(request.headers.get("If-Match"))
        serializer = self.get_serializer(customer, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        try:
            customer = services.customer_update(
                customer=customer,
                actor=request.user,
                data=serializer.validated_data,
                expected_version=expected,
                via="api",
            )
        except services.EditConflict as conflict:
            return conflict_response(conflict)
        return self._with_etag(customer)

    def perform_destroy(self, instance):
        services.customer_delete(customer=instance, actor=self.request.user, via="api")

    @extend_schema(request=None, responses=CustomerSerializer)
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        """Bring a customer back from the recycle bin."""
        customer = services.customer_restore(
            customer=self.get_object(), actor=request.user, via="api"
        )
        return self._with_etag(customer)

    @extend_schema(request=None, responses=CustomerSerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        """Hide from lists and searches; still reachable by id."""
        customer = services.customer_archive(
            customer=self.get_object(), actor=request.user, via="api"
        )
        return self._with_etag(customer)

    @extend_schema(request=None, responses=CustomerSerializer)
    @action(detail=True, methods=["post"])
    def unarchive(self, request, pk=None):
        customer = services.customer_unarchive(
            customer=self.get_object(), actor=request.user, via="api"
        )
        return self._with_etag(customer)


@extend_schema(request=TokenRequestSerializer, responses={201: TokenResponseSerializer})
@api_view(["POST"])
@authentication_classes([])
@use_permissions([AllowAny])
def obtain_token(request):
    """Exchange an email and password for an API token of one workspace."""
    form = TokenRequestSerializer(data=request.data)
    form.is_valid(raise_exception=True)
    user = authenticate(
        request._request,
        username=form.validated_data["username"],
        password=form.validated_data["password"],
    )
    if user is None:
        raise AuthenticationFailed("Wrong email or password.")
    memberships = Membership.objects.filter(user=user).select_related("workspace")
    if slug := form.validated_data.get("workspace"):
        memberships = memberships.filter(workspace__slug=slug)
    membership = memberships.order_by("workspace__name").first()
    if membership is None:
        raise ValidationError({"workspace": "You are not a member of that workspace."})
    _, key = ApiToken.issue(membership=membership, name=form.validated_data["name"])
    return Response({"token": key, "workspace": membership.workspace.slug}, status=201)


def token_list(request):
    """The signed-in user's API tokens for the current workspace; create and revoke them."""
    membership = request.membership
    if membership is None:
        return render(request, "workspaces/no_workspace.html", status=403)
    new_key = None
    if request.method == "POST":
        name = request.POST.get("name", "").strip()[:100]
        if not name:
            messages.error(request, "Give the token a name, e.g. “nightly export”.")
        else:
            _, new_key = ApiToken.issue(membership=membership, name=name)
    return render(
        request,
        "api/token_list.html",
        {"tokens": membership.api_tokens.all(), "new_key": new_key},
    )


@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, membership=request.membership)
    token.delete()
    messages.success(request, f"Revoked the token “{token.name}”.")
    return redirect("token_list")
