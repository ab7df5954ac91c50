"""The bulk updates API: /api/v1/bulk-updates/ (routes registered by patron/api/urls.py).

POST a CSV file (multipart, with `kind`) for its preview; POST /{id}/apply/ to apply it.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from patron.api.errors import ErrorSerializer, error_body
from patron.updates import parsing, services
from patron.updates.models import BulkUpdate

MAX_LISTED = 1000


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="The row in the file (a header is row 1).")
    column = serializers.CharField(help_text='The column\'s name; "" for the whole row.')
    value = serializers.CharField(help_text="What the cell holds.")
    reason = serializers.CharField()


class RowChangeSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    text = serializers.CharField(help_text="What applying does (or why it changes nothing).")


class CountsSerializer(serializers.Serializer):
    rows = serializers.IntegerField()
    changes = serializers.IntegerField()
    unchanged = serializers.IntegerField(help_text="Rows already so: nothing to do.")
    errors = serializers.IntegerField(help_text="Bad rows.")


class PreviewSerializer(serializers.Serializer):
    counts = CountsSerializer()
    delimiter = serializers.CharField()
    has_header = serializers.BooleanField()
    ignored_columns = serializers.ListField(child=serializers.CharField())
    errors = RowErrorSerializer(many=True, help_text="Every problem of every bad row.")
    changes = RowChangeSerializer(many=True, help_text=f"The first {MAX_LISTED} changes.")
    unchanged = RowChangeSerializer(many=True, help_text=f"The first {MAX_LISTED} rows already so.")


class ResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    already = serializers.IntegerField()
    skipped = serializers.IntegerField()
    customers = serializers.IntegerField(help_text="Customers changed.")
    errors = RowErrorSerializer(many=True, help_text="The bad rows skipped and why.")


class BulkUpdateSerializer(serializers.ModelSerializer):
    result = serializers.SerializerMethodField(help_text="What applying did; null until applied.")

    class Meta:
        model = BulkUpdate
        fields = [
            "id",
            "kind",
            "file_name",
            "state",
            "uploaded_by",
            "created_at",
            "applied_at",
            "error",
            "result",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "state": {"help_text": "previewed, applying (a background task applies it), applied"},
            "error": {"help_text": "Why the last apply in the background wrote nothing."},
        }

    @extend_schema_field(ResultSerializer(allow_null=True))
    def get_result(self, instance) -> dict | None:
        return ResultSerializer(instance.result).data if instance.result else None


class BulkUpdateDetailSerializer(BulkUpdateSerializer):
    preview = serializers.SerializerMethodField()

    class Meta(BulkUpdateSerializer.Meta):
        fields = [*BulkUpdateSerializer.Meta.fields, "preview"]
        read_only_fields = fields

    @extend_schema_field(PreviewSerializer(allow_null=True))
    def get_preview(self, instance) -> dict | None:
        if instance.state == BulkUpdate.State.APPLIED:
            return None
        preview = self.context.get("preview") or services.bulk_update_preview_of(instance)
        return preview_data(preview)


def preview_data(preview: services.Preview) -> dict:
    return {
        "counts": preview.counts,
        "delimiter": preview.parsed.delimiter,
        "has_header": preview.parsed.has_header,
        "ignored_columns": preview.parsed.ignored_columns,
        "errors": [error.as_dict() for error in preview.errors],
        "changes": [{"row": o.row, "text": o.text} for o in preview.changes[:MAX_LISTED]],
        "unchanged": [{"row": o.row, "text": o.text} for o in preview.unchanged[:MAX_LISTED]],
    }


class UploadSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(
        choices=BulkUpdate.Kind.choices,
        help_text="What the file adds: suppressions, traits or fulfilments.",
    )
    file = serializers.FileField(
        allow_empty_file=True,  # refused with a reason by the service
        help_text="A CSV file, UTF-8 or Windows-1252, separated by , ; tab or |; a header "
        f"row is optional. At most {parsing.content_size(parsing.MAX_BYTES)} and "
        f"{parsing.MAX_ROWS} rows. Customers are named by their customer no.",
    )


class ApplySerializer(serializers.Serializer):
    skip_bad_rows = serializers.BooleanField(
        default=False, help_text="Apply the good rows even if some rows are bad."
    )


class BulkUpdateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Bulk updates from CSV (manual 000 "Update Customers"): suppressions, traits or
    fulfilments for many customers. A file is previewed first; applying it writes every
    good row in one transaction, or nothing while bad rows are not skipped."""

    read_capability = "marketing.manage"
    write_capability = "marketing.manage"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return BulkUpdate.objects.none()
        return BulkUpdate.objects.in_workspace(self.request.workspace).order_by(
            "-created_at", "-pk"
        )

    def get_serializer_class(self):
        return BulkUpdateSerializer if self.action == "list" else BulkUpdateDetailSerializer

    def get_parsers(self):
        action_name = getattr(self, "action", None)
        if action_name is None and getattr(self, "request", None) is not None:
            action_name = self.action_map.get(self.request.method.lower())
        return [MultiPartParser()] if action_name == "create" else [JSONParser()]

    @extend_schema(request=UploadSerializer, responses={201: BulkUpdateDetailSerializer})
    def create(self, request):
        """Upload a file: it is kept and previewed (nothing is written to customers)."""
        body = UploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        try:
            preview = services.bulk_update_preview(
                workspace=request.workspace,
                kind=body.validated_data["kind"],
                file_name=upload.name,
                content=upload.read(parsing.MAX_BYTES + 1),
                actor=request.user,
            )
        except DjangoValidationError as error:
            raise ValidationError({"file": error.messages}) from error
        serializer = BulkUpdateDetailSerializer(
            preview.bulk_update, context={**self.get_serializer_context(), "preview": preview}
        )
        return Response(serializer.data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=ApplySerializer,
        responses={
            200: BulkUpdateDetailSerializer,
            202: BulkUpdateSerializer,
            409: ErrorSerializer,
        },
    )
    @action(detail=True, methods=["post"])
    def apply(self, request, pk=None):
        """Apply the file. 409 (nothing written) if rows are bad and `skip_bad_rows` is
        false (`errors` lists them), or if the file was already applied or is being
        applied. A file of many rows (PATRON_BULK_UPDATE_BACKGROUND_ROWS) is applied by a
        background task: 202, state `applying`, and `Location` to follow until `applied`
        (or back to `previewed` with the reason in `error`)."""
        bulk_update = self.get_object()
        body = ApplySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            bulk_update = services.bulk_update_request_apply(
                bulk_update=bulk_update,
                skip_bad_rows=body.validated_data["skip_bad_rows"],
                actor=request.user,
            )
        except DjangoValidationError as error:
            rows = []
            if error.code == "has_errors":
                rows = [
                    {
                        "field": None,
                        "code": "bad_row",
                        "message": f"Row {e.row}{', ' + e.column if e.column else ''}: {e.reason}",
                    }
                    for e in services.bulk_update_preview_of(bulk_update).errors[:MAX_LISTED]
                ]
            return Response(
                error_body(409, error.code or "invalid", " ".join(error.messages), rows),
                status=status.HTTP_409_CONFLICT,
            )
        if bulk_update.state != BulkUpdate.State.APPLIED:
            return Response(
                BulkUpdateSerializer(bulk_update).data,
                status=status.HTTP_202_ACCEPTED,
                headers={"Location": request.path.removesuffix("apply/")},
            )
        return Response(BulkUpdateDetailSerializer(bulk_update).data)


ROUTES: list = [("bulk-updates", BulkUpdateViewSet, "bulkupdate")]
