"""REST API for attachments: /api/v1/attachments/, over the same services as the pages.

A file is uploaded as multipart/form-data (the only body `create` takes); the description
is changed with a JSON PATCH. `download` streams the file with the pages' headers.
"""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser, MultiPartParser
from rest_framework.response import Response

from patron.api.serializers import StrictCharField
from patron.attachments import services
from patron.attachments.downloads import download_response
from patron.attachments.filetypes import ACCEPTED_EXTENSIONS
from patron.attachments.filters import AttachmentFilter
from patron.attachments.models import Attachment
from patron.customers.models import Customer


class AttachmentSerializer(serializers.ModelSerializer):
    """A file attached to a customer of the token's workspace.

    `content_type` is what the content was found to be; `filename` is the uploaded name,
    made safe. The file itself comes from `download`.
    """

    file = serializers.FileField(
        write_only=True,
        allow_empty_file=True,  # refused by the service, which names the file
        help_text="The file (multipart). Accepted by content: " + ", ".join(ACCEPTED_EXTENSIONS),
    )
    filename = serializers.CharField(source="original_name", read_only=True)
    description = StrictCharField(max_length=500, required=False, allow_blank=True)
    download = serializers.HyperlinkedIdentityField(
        view_name="api:attachment-download", read_only=True
    )

    class Meta:
        model = Attachment
        fields = [
            "id",
            "customer",
            "file",
            "filename",
            "description",
            "content_type",
            "size",
            "uploaded_by",
            "download",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "content_type", "size", "uploaded_by", "created_at", "updated_at"]

    def get_fields(self):
        fields = super().get_fields()
        workspace = getattr(self.context.get("request"), "workspace", None)
        fields["customer"].queryset = Customer.objects.in_workspace(workspace).current()
        return fields


class AttachmentChangeSerializer(serializers.Serializer):
    """What PATCH changes; every field is optional."""

    description = StrictCharField(max_length=500, allow_blank=True)


DOWNLOAD_HEADERS = [
    OpenApiParameter(
        "Content-Disposition",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=[200],
        description='Always `attachment; filename="…"` (the uploaded name, made safe).',
    ),
]


class AttachmentViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Files attached to the workspace's customers, newest first (`customer` filters).

    Attachments of customers in the recycle bin are left out, as their customers are.
    """

    serializer_class = AttachmentSerializer
    filterset_class = AttachmentFilter
    read_capability = "customers.view"
    write_capability = "attachments.change"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no workspace
            return Attachment.objects.none()
        return Attachment.objects.in_workspace(self.request.workspace).filter(
            customer__deleted_at__isnull=True
        )

    def filter_queryset(self, queryset):
        # Filters apply to lists; a single attachment is reachable by its id.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def get_parsers(self):
        # Runs before `action` is set; the router's method map says which it will be.
        action_name = getattr(self, "action", None)
        if action_name is None and getattr(self, "request", None) is not None:
            action_name = self.action_map.get(self.request.method.lower())
        return [MultiPartParser()] if action_name == "create" else [JSONParser()]

    def perform_content_negotiation(self, request, force=False):
        # A download is not JSON; whatever it accepts, its errors still are.
        return super().perform_content_negotiation(request, force=force or self._downloading())

    def _downloading(self) -> bool:
        return getattr(self, "action", None) == "download"

    def perform_create(self, serializer):
        serializer.instance = services.attachment_create(
            workspace=self.request.workspace,
            actor=self.request.user,
            data=serializer.validated_data,
            via="api",
        )

    @extend_schema(request=AttachmentChangeSerializer, responses=AttachmentSerializer)
    def partial_update(self, request, *args, **kwargs):
        """Change the description (JSON). Replace a file by uploading a new attachment."""
        attachment = self.get_object()
        body = AttachmentChangeSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        attachment = services.attachment_update(
            attachment=attachment, actor=request.user, data=body.validated_data, via="api"
        )
        return Response(self.get_serializer(attachment).data, status=status.HTTP_200_OK)

    def perform_destroy(self, instance):
        services.attachment_delete(attachment=instance, actor=self.request.user, via="api")

    @extend_schema(
        responses={
            (200, "*/*"): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="The file, as a download: its detected type (or "
                "application/octet-stream), nosniff and a sandboxing Content-Security-Policy.",
            )
        },
        parameters=DOWNLOAD_HEADERS,
    )
    @action(detail=True, methods=["get"])
    def download(self, request, pk=None):
        """The attachment's file."""
        return download_response(self.get_object())
