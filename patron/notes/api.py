"""REST API for notes: a thin serializer and viewset over the same services as the pages."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from patron.api.errors import ErrorSerializer, error_body
from patron.api.serializers import NOT_BLANK, StrictBooleanField, StrictCharField
from patron.customers.models import Customer
from patron.notes import services
from patron.notes.filters import NoteFilter
from patron.notes.models import Note
from patron.workspaces.models import User


class NoteSerializer(serializers.ModelSerializer):
    """A note on a customer, with its optional call-back.

    `customer` and `callback_for` must belong to the token's workspace (`callback_for` is a
    member's user id; it defaults to the author when a call-back is set). A call-back set
    or moved to a time already past is refused, unless it is done.
    """

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: StrictCharField,
        models.TextField: StrictCharField,
        models.BooleanField: StrictBooleanField,
    }

    class Meta:
        model = Note
        fields = [
            "id",
            *services.EDITABLE_FIELDS,
            "author",
            "done_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "author", "done_at", "created_at", "updated_at"]
        extra_kwargs = {"subject": {"validators": [NOT_BLANK]}}

    def get_fields(self):
        fields = super().get_fields()
        workspace = getattr(self.context.get("request"), "workspace", None)
        fields["customer"].queryset = Customer.objects.in_workspace(workspace).current()
        fields["callback_for"].queryset = User.objects.filter(memberships__workspace=workspace)
        return fields


CALLBACK_RESPONSES = {
    200: NoteSerializer,
    409: OpenApiResponse(ErrorSerializer, description="The note has no call-back."),
}


class NoteViewSet(viewsets.ModelViewSet):
    """Notes on the workspace's customers, oldest first (manual 002).

    Notes of customers in the recycle bin are left out, as their customers are. `done` and
    `undone` mark a call-back made or reopen it.
    """

    serializer_class = NoteSerializer
    filterset_class = NoteFilter
    read_capability = "customers.view"
    write_capability = "notes.change"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no workspace
            return Note.objects.none()
        return (
            Note.objects.in_workspace(self.request.workspace)
            .filter(customer__deleted_at__isnull=True)
            .select_related("customer", "author", "callback_for")
            .in_entry_order()
        )

    def filter_queryset(self, queryset):
        # Filters apply to lists; a single note is reachable by its id.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def perform_create(self, serializer):
        serializer.instance = services.note_create(
            workspace=self.request.workspace,
            actor=self.request.user,
            data=serializer.validated_data,
            via="api",
        )

    def perform_update(self, serializer):
        serializer.instance = services.note_update(
            note=serializer.instance,
            actor=self.request.user,
            data=serializer.validated_data,
            via="api",
        )

    def perform_destroy(self, instance):
        services.note_delete(note=instance, actor=self.request.user, via="api")

    def _set_done(self, service) -> Response:
        try:
            note = service(note=self.get_object(), actor=self.request.user, via="api")
        except DjangoValidationError as error:
            if error.code != "no_callback":
                raise
            return Response(error_body(409, "no_callback", " ".join(error.messages)), status=409)
        return Response(self.get_serializer(note).data)

    @extend_schema(request=None, responses=CALLBACK_RESPONSES)
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        """Mark the note's call-back done: it leaves My call-backs and the calendar."""
        return self._set_done(services.callback_mark_done)

    @extend_schema(request=None, responses=CALLBACK_RESPONSES)
    @action(detail=True, methods=["post"])
    def undone(self, request, pk=None):
        """Reopen the note's call-back."""
        return self._set_done(services.callback_mark_undone)
