"""The bulk updates API: /api/v1/bulk-updates/ (routes registered by patron/api/urls.py).

POST a CSV file (multipart, with `kind`) for its preview; POST /{id}/apply/ to apply it.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from patron.api.errors import ErrorSerializer, error_body
from patron.updates import parsing, services
from patron.updates.models import BulkUpdate, PreviewChunk

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
            "rows",
            "rows_previewed",
            "result",
        ]
        read_only_fields = fields
        extra_kwargs = {
            "state": {
                "help_text": "previewing (a background task previews it), failed (its preview "
                "failed: see `error`), previewed, applying (a background task applies it), "
                "applied"
            },
            "error": {
                "help_text": "Why the last apply in the background wrote nothing, or why the "
                "preview failed."
            },
            "rows": {"help_text": "The file's rows."},
            "rows_previewed": {"help_text": "How far a background preview has got."},
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
        """The preview kept when it was evaluated; null until then and once applied."""
        if instance.state == BulkUpdate.State.APPLIED:
            return None
        instance = services.bulk_update_kept(instance)
        if not instance.preview:
            return None  # being previewed, or its preview failed
        kept = instance.preview

        def lines(status, limit=None):
            return services.kept_lines(instance, status)[:limit]

        return {
            "counts": kept["counts"],
            "delimiter": kept["delimiter"],
            "has_header": kept["has_header"],
            "ignored_columns": kept["ignored_columns"],
            "errors": lines(PreviewChunk.Status.ERROR),
            "changes": lines(PreviewChunk.Status.CHANGE, MAX_LISTED),
            "unchanged": lines(PreviewChunk.Status.UNCHANGED, MAX_LISTED),
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

    @extend_schema(
        request=UploadSerializer,
        responses={201: BulkUpdateDetailSerializer, 202: BulkUpdateSerializer},
    )
    def create(self, request):
        """Upload a file: it is kept and previewed (nothing is written to customers). A
        file of many rows (PATRON_BULK_UPDATE_BACKGROUND_ROWS) is previewed by a background
        task: 202, state `previewing`, and `Location` to follow until `previewed` (with its
        preview) or `failed` (the reason in `error`)."""
        body = UploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        upload = body.validated_data["file"]
        try:
            bulk_update = services.bulk_update_upload(
                workspace=request.workspace,
                kind=body.validated_data["kind"],
                file_name=upload.name,
                content=upload.read(parsing.MAX_BYTES + 1),
                actor=request.user,
            )
        except DjangoValidationError as error:
            raise ValidationError({"file": error.messages}) from error
        bulk_update.refresh_from_db()  # a task may have previewed it already (immediate)
        if bulk_update.state == BulkUpdate.State.PREVIEWING:
            return Response(
                BulkUpdateSerializer(bulk_update).data,
                status=status.HTTP_202_ACCEPTED,
                headers={"Location": _detail_url(request, bulk_update)},
            )
        serializer = BulkUpdateDetailSerializer(bulk_update, context=self.get_serializer_context())
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
        false (`errors` lists them; the preview is then what this apply found), if the
        file is still being previewed or its preview failed, or if it was already applied
        or is being applied. A file of many rows (PATRON_BULK_UPDATE_BACKGROUND_ROWS) is
        applied by a background task: 202, state `applying`, and `Location` to follow
        until `applied` (or back to `previewed` with the reason in `error`)."""
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
            if isinstance(error, services.RowsHaveErrors):
                rows = [
                    {
                        "field": None,
                        "code": "bad_row",
                        "message": f"Row {e.row}{', ' + e.column if e.column else ''}: {e.reason}",
                    }
                    for e in error.preview.errors[:MAX_LISTED]
                ]
            return Response(
                error_body(409, error.code or "invalid", " ".join(error.messages), rows),
                status=status.HTTP_409_CONFLICT,
            )
        if bulk_update.state != BulkUpdate.State.APPLIED:
            return Response(
                BulkUpdateSerializer(bulk_update).data,
                status=status.HTTP_202_ACCEPTED,
                headers={"Location": _detail_url(request, bulk_update)},
            )
        return Response(BulkUpdateDetailSerializer(bulk_update).data)


def _detail_url(request, bulk_update: BulkUpdate) -> str:
    """Where a client follows a file previewed or applied in the background."""
    return request.build_absolute_uri(reverse("api:bulkupdate-detail", args=[bulk_update.pk]))


ROUTES: list = [("bulk-updates", BulkUpdateViewSet, "bulkupdate")]
