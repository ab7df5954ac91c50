"""REST API v1: thin viewsets over the same services and queries as the pages."""

import re

from django.contrib import messages
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import AuthenticationFailed, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from patron.api.errors import ErrorSerializer, conflict_response, error_body
from patron.api.models import ApiToken
from patron.api.pagination import KeysetPagination
from patron.api.serializers import (
    BulkDeleteRequestSerializer,
    BulkDeletionSerializer,
    CategorySerializer,
    CustomerSerializer,
    DeclineSerializer,
    StoreSerializer,
    TagSerializer,
    TokenRequestSerializer,
    TokenResponseSerializer,
)
from patron.customers import services
from patron.customers.filters import CustomerFilter, quick_search
from patron.customers.models import BulkDeletion, Category, Customer, Tag
from patron.exchange import api as exchange_api
from patron.exchange.views import download
from patron.workspaces.models import Membership, Store

# What parse_if_match takes: *, or a version, quoted or not, weak (W/) or not.
IF_MATCH_PATTERN = r'^(\*|(W/)?"?([0-9]{1,9})"?)$'
TRANSITION_RESPONSES = {
    200: CustomerSerializer,
    409: OpenApiResponse(
        ErrorSerializer, description="The customer is not in the state this step starts from."
    ),
}
IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    pattern=IF_MATCH_PATTERN,
    description='The ETag of the version you edited (e.g. "3"); an older one answers 412.',
)
ETAG = OpenApiParameter(
    "ETag",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[200, 201, 412],
    pattern=r'^"\d+"$',
    description='The customer\'s current version, e.g. "3"; send it back in If-Match.',
)
LOCATION = OpenApiParameter(
    "Location",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    response=[201],
    description="The new customer's page.",
)


def parse_if_match(header: str | None) -> int | None:
    """The version an If-Match names ("3", W/"3"); None for absent or "*"."""
    if header is None:
        return None
    # [0-9], not isdigit(): "²" passed an isdigit() test here, then int() failed (a 500).
    match = re.fullmatch(IF_MATCH_PATTERN, header.strip())
    if match is None:
        raise ValidationError({"If-Match": 'Give the ETag returned by GET, e.g. "3".'})
    return int(match[3]) if match[3] else None


@extend_schema_view(
    create=extend_schema(parameters=[ETAG, LOCATION]),
    retrieve=extend_schema(parameters=[ETAG]),
    update=extend_schema(parameters=[IF_MATCH, ETAG]),
    partial_update=extend_schema(parameters=[IF_MATCH, ETAG]),
)
class CustomerViewSet(viewsets.ModelViewSet):
    """Customers and organizations of the token's workspace.

    Lists leave out archived customers unless `archived` is given, and never show the
    recycle bin; DELETE moves a customer there and `restore` brings it back.
    """

    serializer_class = CustomerSerializer
    filterset_class = CustomerFilter
    pagination_class = KeysetPagination
    read_capability = "customers.view"
    write_capability = "customers.change"
    capabilities = {
        "destroy": "customers.delete",
        "restore": "customers.delete",
        "bulk_delete": "customers.delete",
        "release": "customers.release",
        "approve": "customers.approve",
        "decline": "customers.approve",
    }

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no workspace
            return Customer.objects.none()
        customers = Customer.objects.in_workspace(self.request.workspace)
        customers = customers.deleted() if self.action == "restore" else customers.current()
        if self.action != "list":  # a list writes out the organization's and category's ids
            customers = customers.select_related("organization", "category")
            # (and reads its page's tags and stores itself: CustomerListSerializer)
            customers = customers.prefetch_related("tags", "stores")
        return customers.order_by("name_key", "pk")

    def filter_queryset(self, queryset):
        # Search filters apply to lists; a single customer is reachable by its id.
        searched = self.action in ("list", "export", "bulk_delete")
        if self.action == "list":
            quick = quick_search(queryset, self.request.query_params, self.request.workspace)
            if quick is not None:
                return quick
        return super().filter_queryset(queryset) if searched else queryset

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

    @extend_schema(request=None, responses=CustomerSerializer, parameters=[ETAG])
    @action(detail=True, methods=["post"])
    def restore(self, request, pk=None):
        """Bring a customer back from the recycle bin."""
        customer = services.customer_restore(
            customer=self.get_object(), actor=request.user, via="api"
        )
        return self._with_etag(customer)

    @extend_schema(request=None, responses=CustomerSerializer, parameters=[ETAG])
    @action(detail=True, methods=["post"])
    def archive(self, request, pk=None):
        """Hide from lists and searches; still reachable by id."""
        customer = services.customer_archive(
            customer=self.get_object(), actor=request.user, via="api"
        )
        return self._with_etag(customer)

    @extend_schema(request=None, responses=CustomerSerializer, parameters=[ETAG])
    @action(detail=True, methods=["post"])
    def unarchive(self, request, pk=None):
        customer = services.customer_unarchive(
            customer=self.get_object(), actor=request.user, via="api"
        )
        return self._with_etag(customer)

    @extend_schema(
        parameters=[exchange_api.FORMAT_PARAMETER],
        responses=exchange_api.EXPORT_RESPONSES,
        filters=True,
    )
    @action(
        detail=False,
        methods=["get"],
        pagination_class=None,
        renderer_classes=[JSONRenderer],
        content_negotiation_class=exchange_api.JsonErrorsOnly,
    )
    def export(self, request):
        """The customers the same filters list, every page, as one CSV, XLSX or vCard file."""
        chosen = exchange_api.ExportFormatSerializer(data=request.query_params)
        chosen.is_valid(raise_exception=True)
        customers = self.filter_queryset(self.get_queryset())
        return download(customers, chosen.validated_data["format"], "customers")

    @extend_schema(
        request=BulkDeleteRequestSerializer,
        responses={
            202: BulkDeletionSerializer,
            409: OpenApiResponse(
                ErrorSerializer,
                description="The search now finds another number of customers than "
                "expected_count: nothing is deleted.",
            ),
        },
        filters=True,
    )
    @action(detail=False, methods=["post"], url_path="bulk-delete")
    def bulk_delete(self, request):
        """Move every customer the same filters as the list find to the recycle bin, in the
        background. Send the number you confirmed as `expected_count`; follow the job's
        `url` for its progress."""
        body = BulkDeleteRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            deletion = services.bulk_delete_start(
                workspace=request.workspace,
                actor=request.user,
                customers=self.filter_queryset(self.get_queryset()),
                query=request.query_params.urlencode(),
                expected_count=body.validated_data["expected_count"],
                via="api",
            )
        except DjangoValidationError as error:
            changed = getattr(error, "error_dict", {}).get("expected_count", [])
            if not changed or changed[0].code != "count_changed":
                raise
            message = " ".join(changed[0].messages)
            errors = [{"field": "expected_count", "code": "count_changed", "message": message}]
            body = error_body(409, "count_changed", message, errors)
            return Response(body, status=status.HTTP_409_CONFLICT)
        data = BulkDeletionSerializer(deletion, context=self.get_serializer_context()).data
        response = Response(data, status=status.HTTP_202_ACCEPTED)
        response["Location"] = data["url"]
        return response

    def _transition(self, service, **extra) -> Response:
        try:
            customer = service(
                customer=self.get_object(), actor=self.request.user, via="api", **extra
            )
        except DjangoValidationError as error:
            if error.code != "invalid_state":
                raise
            return Response(error_body(409, "invalid_state", " ".join(error.messages)), status=409)
        return self._with_etag(customer)

    @extend_schema(request=None, responses=TRANSITION_RESPONSES, parameters=[ETAG])
    @action(detail=True, methods=["post"])
    def release(self, request, pk=None):
        """Release a New customer for approval by the accounts department."""
        return self._transition(services.customer_release)

    @extend_schema(request=None, responses=TRANSITION_RESPONSES, parameters=[ETAG])
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        """Approve a Released customer (accounts role): it becomes Active."""
        return self._transition(services.customer_approve)

    @extend_schema(request=DeclineSerializer, responses=TRANSITION_RESPONSES, parameters=[ETAG])
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        """Decline a Released customer (accounts role): back to New with the reason."""
        self.get_object()  # a foreign id answers 404 before its body is judged
        body = DeclineSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._transition(services.customer_decline, reason=body.validated_data["reason"])


class _WorkspaceLookup(viewsets.ReadOnlyModelViewSet):
    """The workspace's ids for a customer's related fields; set up on the Set-up pages."""

    read_capability = "customers.view"
    write_capability = "workspace.manage"
    pagination_class = None
    model = None

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.model.objects.none()
        return self.model.objects.filter(workspace=self.request.workspace).order_by("name")


class TagViewSet(_WorkspaceLookup):
    """Tags of the workspace (a customer's `tags`)."""

    model = Tag
    serializer_class = TagSerializer


class CategoryViewSet(_WorkspaceLookup):
    """Customer categories of the workspace (a customer's `category`)."""

    model = Category
    serializer_class = CategorySerializer


class StoreViewSet(_WorkspaceLookup):
    """Stores of the workspace (a customer's `stores`)."""

    model = Store
    serializer_class = StoreSerializer


class BulkDeletionViewSet(viewsets.ReadOnlyModelViewSet):
    """Deletions of customers by search (POST /customers/bulk-delete/), newest first, with
    their progress. Only those who may delete customers see them, as on the pages."""

    serializer_class = BulkDeletionSerializer
    read_capability = "customers.delete"
    write_capability = "customers.delete"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return BulkDeletion.objects.none()
        return BulkDeletion.objects.filter(workspace=self.request.workspace).order_by(
            "-created_at", "-pk"
        )


class ObtainTokenView(APIView):
    """Exchange an email and password for an API token of one workspace."""

    authentication_classes = []
    permission_classes = [AllowAny]

    def get_authenticate_header(self, request):
        # The credentials come in the body, so no authenticator runs; without a challenge
        # DRF would turn the wrong-password 401 into a 403 (SimpleJWT answers the same).
        return 'Bearer realm="api"'

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            201: TokenResponseSerializer,
            401: OpenApiResponse(ErrorSerializer, description="Wrong email or password."),
            429: OpenApiResponse(
                ErrorSerializer,
                description="5 wrong passwords in a row for this email from this address: "
                "refused for 15 minutes (Retry-After says how many seconds).",
            ),
        },
    )
    def post(self, request):
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


obtain_token = ObtainTokenView.as_view()


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
