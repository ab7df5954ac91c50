"""DRF viewsets over a workspace's rows that write through an app's services.

    class ReasonCodeViewSet(WorkspaceModelViewSet):
        queryset = ReasonCode.objects.order_by("name", "pk")
        serializer_class = ReasonCodeSerializer
        read_capability = "customers.view"
        write_capability = "service.manage"
        writes = Writes(
            "reason_code",
            create=services.reason_code_create,
            update=services.reason_code_update,
            delete=services.reason_code_delete,
        )

`queryset` is narrowed to the request's workspace (`in_workspace`), so another workspace's
id answers 404. A viewset whose writes do not fit `Writes` overrides perform_create (and
the like) as DRF intends.
"""

from collections.abc import Callable
from dataclasses import dataclass

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import viewsets

from patron.api.errors import ErrorSerializer, deleted_unless_in_use


@dataclass(frozen=True)
class Writes:
    """The services a viewset writes through; each is called with `actor` (the token's
    user) and `via="api"`.

    - `create(workspace=..., data=...)`, or with `parent` (e.g. "customer"), the parent
      taken out of the data: `create(customer=..., data=...)`;
    - `update(<object_keyword>=the object, data=...)`;
    - `delete(<object_keyword>=the object)`.
    """

    object_keyword: str
    create: Callable | None = None
    update: Callable | None = None
    delete: Callable | None = None
    parent: str | None = None


class WorkspaceViewSetMixin:
    """The request's workspace's rows of `queryset`; writes through `writes`. For a viewset
    made of DRF's mixins; WorkspaceModelViewSet has them all."""

    writes: Writes

    def get_queryset(self):
        queryset = super().get_queryset()
        if getattr(self, "swagger_fake_view", False):  # drf-spectacular, writing the schema
            return queryset.none()
        return queryset.in_workspace(self.request.workspace)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        parent = self.writes.parent
        owner = {parent: data.pop(parent)} if parent else {"workspace": self.request.workspace}
        serializer.instance = self.writes.create(
            **owner, actor=self.request.user, data=data, via="api"
        )

    def perform_update(self, serializer):
        serializer.instance = self.writes.update(
            **{self.writes.object_keyword: serializer.instance},
            actor=self.request.user,
            data=serializer.validated_data,
            via="api",
        )

    def perform_destroy(self, instance):
        self.writes.delete(
            **{self.writes.object_keyword: instance}, actor=self.request.user, via="api"
        )


class WorkspaceModelViewSet(WorkspaceViewSetMixin, viewsets.ModelViewSet):
    """List, read, create, update and delete a workspace's rows through its services. A
    delete the service refuses because other records use the object answers 409 (document
    it with `in_use`)."""

    def destroy(self, request, *args, **kwargs):
        return deleted_unless_in_use(lambda: self.perform_destroy(self.get_object()))


def in_use(description: str):
    """Document the 409 of a delete that other records can refuse, e.g.
    `@in_use("Cases use it; it stays.")` on the viewset."""
    return extend_schema_view(
        destroy=extend_schema(
            responses={204: None, 409: OpenApiResponse(ErrorSerializer, description=description)}
        )
    )
