"""REST API for the activity stream: /api/v1/posts/ and /api/v1/comments/.

Thin serializers and viewsets over the same services as the pages: the author rule (403
for someone else's post or comment) is the services'; another workspace's id is a 404.
"""

import django_filters as filters
from django.db import models
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from patron.api.serializers import NOT_BLANK, StrictCharField
from patron.customers.models import Customer
from patron.stream import services
from patron.stream.models import BODY_MAX_LENGTH, Comment, Post

READ_ONLY = ["id", "author", "author_name", "edited_at", "created_at", "updated_at"]


class _StreamSerializer(serializers.ModelSerializer):
    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.TextField: StrictCharField,
    }
    author_name = serializers.StringRelatedField(
        source="author", allow_null=True, help_text="The author's name; null for a former user."
    )


_BODY = {"body": {"validators": [NOT_BLANK]}}


class CommentSerializer(_StreamSerializer):
    """A comment under a post. `post` must be a post of the token's workspace."""

    class Meta:
        model = Comment
        fields = ["id", "post", "author", "author_name", "body", "edited_at", "created_at"]
        fields += ["updated_at"]
        read_only_fields = READ_ONLY
        extra_kwargs = _BODY

    def get_fields(self):
        fields = super().get_fields()
        workspace = getattr(self.context.get("request"), "workspace", None)
        fields["post"].queryset = Post.objects.in_workspace(workspace).filter(
            customer__deleted_at__isnull=True
        )
        return fields


class PostSerializer(_StreamSerializer):
    """A post about a customer, with its comments (oldest first; add them at /comments/).

    `customer` must be a customer of the token's workspace, outside the recycle bin.
    """

    comments = CommentSerializer(many=True, read_only=True)

    class Meta:
        model = Post
        fields = ["id", "customer", "author", "author_name", "body", "edited_at", "created_at"]
        fields += ["updated_at", "comments"]
        read_only_fields = READ_ONLY
        extra_kwargs = _BODY

    def get_fields(self):
        fields = super().get_fields()
        workspace = getattr(self.context.get("request"), "workspace", None)
        fields["customer"].queryset = Customer.objects.in_workspace(workspace).current()
        return fields


class BodySerializer(serializers.Serializer):
    """What changes in a post or a comment once written: its text (its author only)."""

    body = StrictCharField(max_length=BODY_MAX_LENGTH, validators=[NOT_BLANK])


class PostFilter(filters.FilterSet):
    customer = filters.ModelChoiceFilter(queryset=Customer.objects.none())

    class Meta:
        model = Post
        fields = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        workspace = getattr(request, "workspace", None)
        self.filters["customer"].queryset = Customer.objects.in_workspace(workspace).current()


class CommentFilter(filters.FilterSet):
    post = filters.ModelChoiceFilter(queryset=Post.objects.none())

    class Meta:
        model = Comment
        fields = []

    def __init__(self, data=None, queryset=None, *, request=None, prefix=None):
        super().__init__(data, queryset, request=request, prefix=prefix)
        workspace = getattr(request, "workspace", None)
        self.filters["post"].queryset = Post.objects.in_workspace(workspace)


_EDIT = extend_schema(request=BodySerializer)


class _StreamViewSet(viewsets.ModelViewSet):
    read_capability = "customers.view"
    write_capability = "stream.post"

    def filter_queryset(self, queryset):
        # Filters apply to lists; a single record is reachable by its id.
        return super().filter_queryset(queryset) if self.action == "list" else queryset

    def _edit(self, request, update, partial: bool, **kwargs) -> Response:
        record = self.get_object()
        services.ensure_author(record, request.user)  # 403 before the body is judged
        body = BodySerializer(data=request.data, partial=partial)
        body.is_valid(raise_exception=True)
        record = update(record, actor=request.user, data=body.validated_data, via="api")
        return Response(self.get_serializer(self.get_queryset().get(pk=record.pk)).data)


@extend_schema_view(update=_EDIT, partial_update=_EDIT)
class PostViewSet(_StreamViewSet):
    """Posts about the workspace's customers, newest first, each with its comments.

    Posts of customers in the recycle bin are left out, as their customers are. Only a
    post's author edits it; its author or an admin deletes it, with its comments.
    """

    serializer_class = PostSerializer
    filterset_class = PostFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no workspace
            return Post.objects.none()
        return (
            Post.objects.in_workspace(self.request.workspace)
            .filter(customer__deleted_at__isnull=True)
            .with_comments()
            .newest_first()
        )

    def perform_create(self, serializer):
        post = services.post_create(
            workspace=self.request.workspace,
            actor=self.request.user,
            data=serializer.validated_data,
            via="api",
        )
        serializer.instance = self.get_queryset().get(pk=post.pk)

    def update(self, request, *args, partial=False, **kwargs):
        return self._edit(
            request,
            lambda post, **rest: services.post_update(post=post, **rest),
            partial,
        )

    def perform_destroy(self, instance):
        services.post_delete(post=instance, actor=self.request.user, via="api")


@extend_schema_view(update=_EDIT, partial_update=_EDIT)
class CommentViewSet(_StreamViewSet):
    """Comments on the workspace's posts, oldest first. Only its author edits or deletes one."""

    serializer_class = CommentSerializer
    filterset_class = CommentFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Comment.objects.none()
        return (
            Comment.objects.in_workspace(self.request.workspace)
            .filter(post__customer__deleted_at__isnull=True)
            .select_related("author")
            .oldest_first()
        )

    def perform_create(self, serializer):
        serializer.instance = services.comment_create(
            workspace=self.request.workspace,
            actor=self.request.user,
            data=serializer.validated_data,
            via="api",
        )

    def update(self, request, *args, partial=False, **kwargs):
        return self._edit(
            request,
            lambda comment, **rest: services.comment_update(comment=comment, **rest),
            partial,
        )

    def perform_destroy(self, instance):
        services.comment_delete(comment=instance, actor=self.request.user, via="api")
