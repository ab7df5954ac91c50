"""The activity stream (manual 001): posts about a customer, and comments on them.

Colleagues collaborate on a person or an organization by posting and commenting. A body
is free text kept exactly as written, HTML and all; pages always show it escaped.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.db import models

from patron.core.models import WorkspaceQuerySet, WorkspaceScoped

BODY_MAX_LENGTH = 10_000


def validate_not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("Write something first.", code="blank")


def _body_field():
    return models.TextField(
        max_length=BODY_MAX_LENGTH,
        validators=[
            MaxLengthValidator(BODY_MAX_LENGTH),  # a TextField's max_length alone is not checked
            ProhibitNullCharactersValidator(),
            validate_not_blank,
        ],
    )


def _author_field():
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )


class PostQuerySet(WorkspaceQuerySet):
    def newest_first(self) -> "PostQuerySet":
        return self.order_by("-created_at", "-pk")

    def with_comments(self) -> "PostQuerySet":
        """Authors and comments (oldest first, with their authors) in three queries."""
        return self.select_related("author").prefetch_related(
            models.Prefetch(
                "comments",
                queryset=Comment.objects.select_related("author").oldest_first(),
            )
        )


class Post(WorkspaceScoped):
    """A message about a customer for everyone in the workspace to read and comment on.

    Only its author edits it (which marks it edited); its author or an admin deletes it,
    with its comments.
    """

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="posts"
    )
    author = _author_field()
    body = _body_field()
    edited_at = models.DateTimeField("edited at", null=True, blank=True, editable=False)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["workspace", "customer", "created_at"], name="post_customer_idx")
        ]

    def __str__(self) -> str:
        return f"Post by {self.author or 'a former user'} on {self.customer}"

    def clean(self) -> None:
        if self.customer_id and self.customer.workspace_id != self.workspace_id:
            raise ValidationError({"customer": "Choose a customer of this workspace."})


class CommentQuerySet(WorkspaceQuerySet):
    def oldest_first(self) -> "CommentQuerySet":
        """A conversation reads top to bottom: the latest comment is last."""
        return self.order_by("created_at", "pk")


class Comment(WorkspaceScoped):
    """A reply under a post. Only its author edits or deletes it."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="comments")
    author = _author_field()
    body = _body_field()
    edited_at = models.DateTimeField("edited at", null=True, blank=True, editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["post", "created_at"], name="comment_post_idx")]

    def __str__(self) -> str:
        return f"Comment by {self.author or 'a former user'}"

    def clean(self) -> None:
        if self.post_id and self.post.workspace_id != self.workspace_id:
            raise ValidationError({"post": "Choose a post of this workspace."})
