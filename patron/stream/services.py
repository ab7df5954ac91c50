"""Every write to the activity stream goes through here: pages and API alike.

Each service is one transaction: it validates with the model's full_clean(), saves, and
records the change in the post's or comment's History. A failed call changes nothing.

Authors edit and delete their own posts and comments only; an admin may also delete any
post, with its comments (moderation). Anyone else gets PermissionDenied. Which role may
write at all is the pages' and API's question ("stream.post"), asked before a service runs.
"""

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from patron.customers.models import Customer
from patron.history.models import Change
from patron.history.services import differences, record_change, snapshot
from patron.stream.models import Comment, Post
from patron.workspaces.models import Membership

POST_FIELDS = ["customer", "body"]
COMMENT_FIELDS = ["post", "body"]


def is_author(record: Post | Comment, user) -> bool:
    return record.author_id is not None and record.author_id == getattr(user, "pk", None)


def may_moderate(workspace_id: int, user) -> bool:
    """Admins may delete anyone's post (moderation)."""
    membership = Membership.objects.filter(
        workspace_id=workspace_id, user_id=getattr(user, "pk", None)
    ).first()
    return membership is not None and membership.can("stream.moderate")


def ensure_author(record: Post | Comment, actor, doing: str = "edit") -> None:
    """PermissionDenied unless `actor` wrote the post or comment."""
    if not is_author(record, actor):
        noun = record._meta.verbose_name
        raise PermissionDenied(f"Only the author of this {noun} may {doing} it.")


def ensure_may_delete_post(post: Post, actor) -> None:
    """PermissionDenied unless `actor` wrote the post or is an admin (moderation)."""
    if not is_author(post, actor) and not may_moderate(post.workspace_id, actor):
        raise PermissionDenied("Only the author of this post or an admin may delete it.")


def _author(actor):
    return actor if getattr(actor, "pk", None) else None


def _apply_body(record: Post | Comment, data: dict[str, Any]) -> None:
    """Set the body from `data` (the only field that changes once posted), if given."""
    unknown = set(data) - {"body"}
    if unknown:
        raise ValueError(f"Not editable fields: {sorted(unknown)}")
    if "body" in data:
        record.body = "" if data["body"] is None else data["body"]


def _record(record, before, *, action: str, actor, via: str, fields, reason: str = "") -> None:
    after = (
        {name: (label, "") for name, (label, _) in before.items()}
        if action == Change.Action.DELETE
        else snapshot(record, fields)
    )
    record_change(
        instance=record,
        action=action,
        actor=actor,
        fields=differences(before, after),
        via=via,
        reason=reason,
    )


def _refuse_binned(customer: Customer, field: str) -> None:
    if Customer.objects.deleted().filter(pk=customer.pk).exists():  # as stored, not as passed
        raise ValidationError({field: "This customer is in the recycle bin."})


@transaction.atomic
def post_create(*, workspace, actor, data: dict[str, Any], via: str = "page") -> Post:
    """Post about a customer (`data["customer"]`) to its activity stream."""
    customer = data.get("customer")
    post = Post(workspace=workspace, author=_author(actor), customer=customer)
    _apply_body(post, {k: v for k, v in data.items() if k != "customer"})
    post.full_clean()
    _refuse_binned(customer, "customer")
    post.save()
    _record(post, {}, action=Change.Action.CREATE, actor=actor, via=via, fields=POST_FIELDS)
    return post


def _locked_post(post: Post) -> Post:
    return Post.objects.select_for_update().get(pk=post.pk, workspace_id=post.workspace_id)


def _locked_comment(comment: Comment) -> Comment:
    return Comment.objects.select_for_update().get(pk=comment.pk, workspace_id=comment.workspace_id)


def _edit(record, *, actor, data: dict[str, Any], via: str, fields: list[str]):
    ensure_author(record, actor, "edit")
    before = snapshot(record, fields)
    _apply_body(record, data)
    record.full_clean()
    if not differences(before, snapshot(record, fields)):
        return record
    record.edited_at = timezone.now()
    record.save()
    _record(record, before, action=Change.Action.UPDATE, actor=actor, via=via, fields=fields)
    return record


@transaction.atomic
def post_update(*, post: Post, actor, data: dict[str, Any], via: str = "page") -> Post:
    """Change a post's text (its author only); the post is then marked edited."""
    return _edit(_locked_post(post), actor=actor, data=data, via=via, fields=POST_FIELDS)


@transaction.atomic
def post_delete(*, post: Post, actor, via: str = "page") -> None:
    """Delete a post and its comments for good (its author, or an admin moderating)."""
    post = _locked_post(post)
    ensure_may_delete_post(post, actor)
    reason = "" if is_author(post, actor) else "Removed by an admin"
    for comment in post.comments.all():
        before = snapshot(comment, COMMENT_FIELDS)
        _record(
            comment,
            before,
            action=Change.Action.DELETE,
            actor=actor,
            via=via,
            fields=COMMENT_FIELDS,
            reason="Its post was deleted",
        )
    before = snapshot(post, POST_FIELDS)
    _record(
        post,
        before,
        action=Change.Action.DELETE,
        actor=actor,
        via=via,
        fields=POST_FIELDS,
        reason=reason,
    )
    post.delete()


@transaction.atomic
def comment_create(*, workspace, actor, data: dict[str, Any], via: str = "page") -> Comment:
    """Comment on a post (`data["post"]`); it goes last under the post."""
    post = data.get("post")
    comment = Comment(workspace=workspace, author=_author(actor), post=post)
    _apply_body(comment, {k: v for k, v in data.items() if k != "post"})
    comment.full_clean()
    _refuse_binned(post.customer, "post")
    comment.save()
    _record(comment, {}, action=Change.Action.CREATE, actor=actor, via=via, fields=COMMENT_FIELDS)
    return comment


@transaction.atomic
def comment_update(*, comment: Comment, actor, data: dict[str, Any], via: str = "page") -> Comment:
    """Change a comment's text (its author only); the comment is then marked edited."""
    comment = _locked_comment(comment)
    return _edit(comment, actor=actor, data=data, via=via, fields=COMMENT_FIELDS)


@transaction.atomic
def comment_delete(*, comment: Comment, actor, via: str = "page") -> None:
    """Delete a comment for good (its author only)."""
    comment = _locked_comment(comment)
    ensure_author(comment, actor, "delete")
    _record(
        comment,
        snapshot(comment, COMMENT_FIELDS),
        action=Change.Action.DELETE,
        actor=actor,
        via=via,
        fields=COMMENT_FIELDS,
    )
    comment.delete()
