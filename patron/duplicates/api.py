"""The duplicates API (routes registered by patron/api/urls.py):

/api/v1/duplicate-candidates/ lists the open pairs likeliest first (or by ?status=), one
pair with both customers, and POST /{id}/not-duplicate/ keeps a pair apart for good;
POST /likely/ answers, before a customer is created, which existing ones it likely
duplicates; POST /api/v1/duplicate-scans/ starts a scan, GET /{id}/ follows its progress.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from patron.api.errors import ErrorSerializer, error_body
from patron.api.serializers import StrictCharField
from patron.customers.models import Customer
from patron.duplicates import merge as merging
from patron.duplicates import queries, services
from patron.duplicates.models import (
    CustomerMerge,
    DuplicateCandidate,
    DuplicateScan,
    MergedCustomer,
)


def _workspace(serializer):
    return getattr(serializer.context.get("request"), "workspace", None)


def _conflict(error: DjangoValidationError, code: str) -> Response:
    """409 for a refusal that depends on the state of things, not on the request."""
    if error.code != code:
        raise error
    return Response(error_body(409, code, " ".join(error.messages)), status=409)


class PairCustomerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField(help_text="The customer no.")
    name = serializers.CharField(source="display_name")
    external_ref = serializers.CharField(help_text="The ext. ref.")
    email = serializers.CharField()


class DuplicateCandidateSerializer(serializers.ModelSerializer):
    customer_a = PairCustomerSerializer(read_only=True)
    customer_b = PairCustomerSerializer(read_only=True)
    reasons = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = DuplicateCandidate
        fields = [
            "id",
            "score",
            "reasons",
            "status",
            "customer_a",
            "customer_b",
            "scan",
            "decided_by",
            "decided_at",
            "created_at",
        ]
        read_only_fields = fields


def _text(max_length: int, help_text: str = "") -> StrictCharField:
    return StrictCharField(
        required=False, allow_blank=True, max_length=max_length, help_text=help_text
    )


class LikelyRequestSerializer(serializers.Serializer):
    """A customer about to be created, as the create request would send it."""

    kind = serializers.ChoiceField(
        choices=Customer.Kind.choices, required=False, default=Customer.Kind.PERSON
    )
    first_name = _text(100)
    last_name = _text(100)
    company_name = _text(200, "An organization's name.")
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    email = _text(254, "Compared in lower case; an invalid address is ignored.")
    work_phone = _text(20, "Any format; read as the workspace's country without +.")
    home_phone = _text(20)
    mobile_phone = _text(20)
    address_1 = _text(200)
    address_2 = _text(200)
    address_3 = _text(200)
    city = _text(100)
    state = _text(100)
    postcode = _text(20)

    def validate(self, attrs):
        if any("\x00" in value for value in attrs.values() if isinstance(value, str)):
            raise ValidationError(
                "Text cannot contain NUL characters.", code="null_characters_not_allowed"
            )
        return attrs


class LikelyDuplicateSerializer(serializers.Serializer):
    customer = PairCustomerSerializer()
    score = serializers.FloatField(help_text="0 to 1: how likely the two are one customer.")
    reasons = serializers.ListField(child=serializers.CharField())


class DuplicateScanSerializer(serializers.ModelSerializer):
    class Meta:
        model = DuplicateScan
        fields = [
            "id",
            "state",
            "customer_count",
            "read_count",
            "compared_count",
            "candidate_count",
            "requested_by",
            "via",
            "error",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class DuplicateCandidateViewSet(viewsets.ReadOnlyModelViewSet):
    """Likely duplicate pairs found by the scan (manuals 000 and 003), for those who may
    merge customers, as on the pages."""

    serializer_class = DuplicateCandidateSerializer
    read_capability = "customers.merge"
    write_capability = "customers.merge"
    # Whoever may create customers may ask before creating one.
    capabilities = {"likely": "customers.change"}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return DuplicateCandidate.objects.none()
        if self.action != "list":
            return DuplicateCandidate.objects.in_workspace(self.request.workspace).select_related(
                "customer_a", "customer_b"
            )
        status = self.request.query_params.get("status", DuplicateCandidate.Status.OPEN)
        if status not in DuplicateCandidate.Status.values:
            raise ValidationError({"status": "Choose open, not_duplicate or merged."})
        if status == DuplicateCandidate.Status.OPEN:
            return queries.open_candidates(self.request.workspace)
        return (
            DuplicateCandidate.objects.in_workspace(self.request.workspace)
            .filter(status=status)
            .select_related("customer_a", "customer_b")
            .order_by("-score", "pk")
        )

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "status",
                enum=DuplicateCandidate.Status.values,
                description="Which pairs: open (to review, the default), not_duplicate or merged.",
            )
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=LikelyRequestSerializer, responses=LikelyDuplicateSerializer(many=True))
    @action(detail=False, methods=["post"], pagination_class=None)
    def likely(self, request):
        """Before creating a customer: the existing customers it likely duplicates (at most
        5, likeliest first), found as the create page finds them. Nothing is saved."""
        body = LikelyRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        found = queries.likely_duplicates(request.workspace, body.validated_data)
        rows = [
            {"customer": customer, "score": score, "reasons": reasons}
            for customer, score, reasons in found
        ]
        return Response(LikelyDuplicateSerializer(rows, many=True).data)

    @extend_schema(
        request=None,
        responses={
            200: DuplicateCandidateSerializer,
            409: OpenApiResponse(ErrorSerializer, description="The pair was already judged."),
        },
    )
    @action(detail=True, methods=["post"], url_path="not-duplicate")
    def not_duplicate(self, request, pk=None):
        """Say the two are different customers: never proposed again, in both customers'
        History."""
        try:
            candidate = services.candidate_not_duplicate(
                candidate=self.get_object(), actor=request.user, via="api"
            )
        except DjangoValidationError as error:
            return _conflict(error, "already_judged")
        return Response(self.get_serializer(candidate).data)


class DuplicateScanViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Duplicate scans of the workspace, newest first; POST (no body) starts one, refused
    while another is under way."""

    serializer_class = DuplicateScanSerializer
    read_capability = "customers.merge"
    write_capability = "customers.merge"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return DuplicateScan.objects.none()
        return DuplicateScan.objects.in_workspace(self.request.workspace).order_by(
            "-created_at", "-pk"
        )

    @extend_schema(
        request=None,
        responses={
            202: DuplicateScanSerializer,
            409: OpenApiResponse(ErrorSerializer, description="A scan is already under way."),
        },
    )
    def create(self, request, *args, **kwargs):
        """Start a scan of the whole workspace (no body); follow its Location for progress."""
        try:
            scan = services.scan_start(workspace=request.workspace, actor=request.user, via="api")
        except DjangoValidationError as error:
            return _conflict(error, "busy")
        # Without a worker (PATRON_TASKS=immediate) the scan has already run: show that.
        scan = DuplicateScan.objects.get(pk=scan.pk)
        response = Response(self.get_serializer(scan).data, status=status.HTTP_202_ACCEPTED)
        response["Location"] = _detail_url(request, "api:duplicatescan-detail", scan.pk)
        return response


class CustomerIdsField(serializers.ListField):
    """Ids of the workspace's customers, looked up in one query (a merge may name a
    thousand; a PrimaryKeyRelatedField per id would ask for each)."""

    child = serializers.IntegerField(min_value=1, max_value=2**63 - 1)  # a database id

    def to_internal_value(self, data):
        ids = super().to_internal_value(data)
        found = Customer.objects.in_workspace(_workspace(self.parent)).in_bulk(ids)
        missing = [str(pk) for pk in dict.fromkeys(ids) if pk not in found]
        if missing:
            raise ValidationError(
                f"No customer {', '.join(missing[:10])}{'…' if len(missing) > 10 else ''} "
                "in this workspace.",
                code="does_not_exist",
            )
        return [found[pk] for pk in ids]


class MergeRequestSerializer(serializers.Serializer):
    survivor = serializers.PrimaryKeyRelatedField(
        queryset=Customer.objects.none(), help_text="The customer that stays."
    )
    others = CustomerIdsField(
        min_length=1,
        max_length=1000,
        help_text="The customers merged into the survivor (one or more), of its kind.",
    )
    choices = serializers.DictField(
        child=serializers.IntegerField(),
        required=False,
        default=dict,
        help_text=(
            "Field name: id of the customer (survivor or one of the others) whose value the "
            f"survivor takes; a field not named keeps the survivor's. Fields: "
            f"{', '.join(merging.MERGEABLE_FIELDS)}."
        ),
    )

    def get_fields(self):
        fields = super().get_fields()
        customers = Customer.objects.in_workspace(_workspace(self))
        fields["survivor"].queryset = customers
        return fields


class MergedCustomerSerializer(serializers.ModelSerializer):
    class Meta:
        model = MergedCustomer
        fields = ["customer", "number", "name"]
        read_only_fields = fields


class CustomerMergeSerializer(serializers.ModelSerializer):
    others = MergedCustomerSerializer(source="members", many=True, read_only=True)
    summary = serializers.ListField(child=serializers.DictField(), read_only=True)
    moved_count = serializers.SerializerMethodField()
    dropped_count = serializers.SerializerMethodField()
    can_undo = serializers.SerializerMethodField(
        help_text="Why it cannot be undone now, or null if it can."
    )

    class Meta:
        model = CustomerMerge
        fields = [
            "id",
            "survivor",
            "others",
            "choices",
            "summary",
            "moved_count",
            "dropped_count",
            "merged_by",
            "via",
            "created_at",
            "undone_at",
            "undone_by",
            "state",
            "error",
            "can_undo",
        ]
        read_only_fields = fields

    def get_moved_count(self, merge) -> int:
        return len(merge.moved)

    def get_dropped_count(self, merge) -> int:
        return sum(len(drop["pks"]) for drop in merge.dropped)

    def get_can_undo(self, merge) -> str | None:
        return merging.undo_refusal(merge)


class CustomerMergeViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Merges of the workspace's customers, newest first. POST merges two or more customers
    into the survivor with the values chosen field by field; POST /{id}/undo/ takes a merge
    back while the others are still in the recycle bin."""

    serializer_class = CustomerMergeSerializer
    read_capability = "customers.merge"
    write_capability = "customers.merge"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return CustomerMerge.objects.none()
        return (
            CustomerMerge.objects.in_workspace(self.request.workspace)
            .select_related("survivor")
            .prefetch_related("members__customer")
            .order_by("-created_at", "-pk")
        )

    @extend_schema(
        request=MergeRequestSerializer,
        responses={
            201: CustomerMergeSerializer,
            202: OpenApiResponse(
                CustomerMergeSerializer,
                description=(
                    "Queued: the others have many records to move, so the merge runs in the "
                    "background; follow its Location until its state is done (or failed)."
                ),
            ),
        },
    )
    def create(self, request, *args, **kwargs):
        """Merge: the others' records move to the survivor, the others go to the recycle bin."""
        body = MergeRequestSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        merge = merging.merge_request(
            workspace=request.workspace,
            actor=request.user,
            survivor=body.validated_data["survivor"],
            others=body.validated_data["others"],
            choices=body.validated_data["choices"],
            via="api",
        )
        merge = self.get_queryset().get(pk=merge.pk)  # without a worker, it has already run
        done = merge.state == CustomerMerge.State.DONE
        response = Response(
            self.get_serializer(merge).data,
            status=status.HTTP_201_CREATED if done else status.HTTP_202_ACCEPTED,
        )
        response["Location"] = _detail_url(request, "api:customermerge-detail", merge.pk)
        return response

    @extend_schema(
        request=None,
        responses={
            200: CustomerMergeSerializer,
            202: OpenApiResponse(
                CustomerMergeSerializer,
                description=(
                    "Undoing: the merge moved many records, so the undo runs in the "
                    "background; follow the merge until undone_at is set (or error says why not)."
                ),
            ),
            409: OpenApiResponse(ErrorSerializer, description="It can no longer be undone."),
        },
    )
    @action(detail=True, methods=["post"])
    def undo(self, request, pk=None):
        """Undo the merge: fields, records and the others back as they were."""
        try:
            merge = merging.merge_undo_request(
                merge=self.get_object(), actor=request.user, via="api"
            )
        except DjangoValidationError as error:
            return _conflict(error, "cannot_undo")
        merge = self.get_queryset().get(pk=merge.pk)  # without a worker, it has already run
        return Response(
            self.get_serializer(merge).data,
            status=status.HTTP_200_OK if merge.is_undone else status.HTTP_202_ACCEPTED,
        )


def _detail_url(request, name: str, pk: int) -> str:
    """The absolute URL of what a POST started, for its `Location` (as the other APIs')."""
    return request.build_absolute_uri(reverse(name, args=[pk]))


ROUTES = [
    ("duplicate-candidates", DuplicateCandidateViewSet, "duplicatecandidate"),
    ("duplicate-scans", DuplicateScanViewSet, "duplicatescan"),
    ("merges", CustomerMergeViewSet, "customermerge"),
]
