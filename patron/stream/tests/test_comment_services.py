import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from patron.customers.services import customer_delete
from patron.history.models import Change
from patron.history.services import changes_for
from patron.stream import services
from patron.stream.models import Comment
from patron.testing.factories import make_customer
from patron.workspaces.roles import Role


def test_comments_read_oldest_first_under_their_post(customer, admin, member, make_post):
    post = make_post(customer, admin)
    sales = member(Role.SALES).user
    for author, body in [(sales, "First"), (admin, "Second"), (sales, "Third")]:
        services.comment_create(
            workspace=customer.workspace, actor=author, data={"post": post, "body": body}
        )
    assert [c.body for c in post.comments.oldest_first()] == ["First", "Second", "Third"]
    assert [c.author for c in post.comments.oldest_first()] == [sales, admin, sales]
    first = post.comments.oldest_first().first()
    assert changes_for(first).get().action == Change.Action.CREATE


@pytest.mark.parametrize("body", ["", " \n ", "x" * 10_001])
def test_an_empty_or_too_long_comment_is_refused(customer, admin, make_post, body):
    post = make_post(customer, admin)
    with pytest.raises(ValidationError) as refused:
        services.comment_create(
            workspace=customer.workspace, actor=admin, data={"post": post, "body": body}
        )
    assert "body" in refused.value.message_dict
    assert not Comment.objects.exists()


def test_a_post_of_another_workspace_takes_no_comment_from_here(
    workspace, other_workspace, admin, make_post
):
    stranger = make_customer(other_workspace, None, last_name="Elsewhere")
    foreign = make_post(stranger, None)
    with pytest.raises(ValidationError) as refused:
        services.comment_create(
            workspace=workspace, actor=admin, data={"post": foreign, "body": "Hi"}
        )
    assert "post" in refused.value.message_dict
    assert not Comment.objects.exists()


def test_no_comments_on_a_customer_in_the_recycle_bin(customer, admin, make_post):
    post = make_post(customer, admin)
    customer_delete(customer=customer, actor=admin)
    with pytest.raises(ValidationError, match="recycle bin"):
        services.comment_create(
            workspace=customer.workspace, actor=admin, data={"post": post, "body": "Hi"}
        )


def test_the_author_edits_a_comment(customer, admin, make_post, make_comment):
    comment = make_comment(make_post(customer, admin), admin, "Before")
    services.comment_update(comment=comment, actor=admin, data={"body": "After"})
    comment.refresh_from_db()
    assert comment.body == "After" and comment.edited_at is not None
    assert changes_for(comment).first().fields[0]["old"] == "Before"


@pytest.mark.parametrize("role", [Role.ADMIN, Role.SALES])
def test_only_its_author_edits_or_deletes_a_comment(
    customer, member, make_post, make_comment, role
):
    author = member(Role.SALES).user
    comment = make_comment(make_post(customer, author), author, "Mine")
    other = member(role).user
    with pytest.raises(PermissionDenied, match="Only the author of this comment may edit it"):
        services.comment_update(comment=comment, actor=other, data={"body": "Theirs"})
    with pytest.raises(PermissionDenied, match="Only the author of this comment may delete it"):
        services.comment_delete(comment=comment, actor=other)
    comment.refresh_from_db()
    assert comment.body == "Mine" and comment.edited_at is None


def test_an_empty_comment_edit_changes_nothing(customer, admin, make_post, make_comment):
    comment = make_comment(make_post(customer, admin), admin, "Kept")
    with pytest.raises(ValidationError):
        services.comment_update(comment=comment, actor=admin, data={"body": ""})
    comment.refresh_from_db()
    assert comment.body == "Kept" and comment.edited_at is None


def test_the_author_deletes_a_comment(customer, admin, make_post, make_comment):
    post = make_post(customer, admin)
    comment = make_comment(post, admin)
    services.comment_delete(comment=comment, actor=admin)
    assert not post.comments.exists()
    deleted = changes_for(comment).first()
    assert deleted.action == Change.Action.DELETE and deleted.fields[-1]["new"] == ""
