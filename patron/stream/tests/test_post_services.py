import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from patron.customers.services import customer_delete
from patron.history.models import Change
from patron.history.services import changes_for
from patron.stream import services
from patron.stream.models import BODY_MAX_LENGTH, Comment, Post
from patron.testing.factories import make_customer
from patron.workspaces.roles import Role

HOSTILE = "<script>alert('x')</script>\n<b>bold</b>\n\n  indented"


def test_a_post_keeps_its_body_exactly_and_its_author(customer, admin):
    post = services.post_create(
        workspace=customer.workspace, actor=admin, data={"customer": customer, "body": HOSTILE}
    )
    post.refresh_from_db()
    assert (post.body, post.author, post.customer, post.edited_at) == (
        HOSTILE,
        admin,
        customer,
        None,
    )
    change = changes_for(post).get()
    assert (change.action, change.actor, change.via) == (Change.Action.CREATE, admin, "page")
    assert {f["field"]: f["new"] for f in change.fields} == {
        "customer": str(customer),
        "body": HOSTILE,
    }


@pytest.mark.parametrize("body", ["", "   \n\t ", None])
def test_an_empty_post_is_refused_and_nothing_is_saved(customer, admin, body):
    with pytest.raises(ValidationError) as refused:
        services.post_create(
            workspace=customer.workspace, actor=admin, data={"customer": customer, "body": body}
        )
    assert "body" in refused.value.message_dict
    assert not Post.objects.exists()
    assert not Change.objects.filter(content_type__model="post").exists()


def test_a_body_may_be_as_long_as_the_limit_and_no_longer(customer, admin):
    data = {"customer": customer, "body": "x" * BODY_MAX_LENGTH}
    services.post_create(workspace=customer.workspace, actor=admin, data=data)
    with pytest.raises(ValidationError, match=f"at most {BODY_MAX_LENGTH} characters"):
        services.post_create(
            workspace=customer.workspace,
            actor=admin,
            data={"customer": customer, "body": "x" * (BODY_MAX_LENGTH + 1)},
        )
    assert Post.objects.count() == 1


def test_a_nul_character_is_refused(customer, admin):
    with pytest.raises(ValidationError):
        services.post_create(
            workspace=customer.workspace, actor=admin, data={"customer": customer, "body": "a\x00"}
        )
    assert not Post.objects.exists()


def test_a_customer_of_another_workspace_is_refused(workspace, other_workspace, admin):
    stranger = make_customer(other_workspace, None, last_name="Elsewhere")
    with pytest.raises(ValidationError) as refused:
        services.post_create(
            workspace=workspace, actor=admin, data={"customer": stranger, "body": "Hello"}
        )
    assert "customer" in refused.value.message_dict
    assert not Post.objects.exists()


def test_a_customer_in_the_recycle_bin_takes_no_posts(customer, admin):
    customer_delete(customer=customer, actor=admin)
    with pytest.raises(ValidationError, match="recycle bin"):
        services.post_create(
            workspace=customer.workspace, actor=admin, data={"customer": customer, "body": "Hi"}
        )
    assert not Post.objects.exists()


def test_a_failure_after_saving_leaves_nothing_half_saved(customer, admin, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("history is down")

    monkeypatch.setattr(services, "record_change", broken)
    with pytest.raises(RuntimeError):
        services.post_create(
            workspace=customer.workspace, actor=admin, data={"customer": customer, "body": "Hi"}
        )
    assert not Post.objects.exists()


def test_the_author_edits_a_post_and_it_is_marked_edited(customer, admin, make_post):
    post = make_post(customer, admin, "Before")
    services.post_update(post=post, actor=admin, data={"body": "After"})
    post.refresh_from_db()
    assert post.body == "After" and post.edited_at is not None
    change = changes_for(post).first()
    assert change.action == Change.Action.UPDATE
    assert change.fields == [{"field": "body", "label": "Body", "old": "Before", "new": "After"}]


def test_saving_the_same_text_is_no_edit(customer, admin, make_post):
    post = make_post(customer, admin, "Same")
    services.post_update(post=post, actor=admin, data={"body": "Same"})
    services.post_update(post=post, actor=admin, data={})
    post.refresh_from_db()
    assert post.edited_at is None and changes_for(post).count() == 1


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MANAGER, Role.SALES])
def test_nobody_else_edits_a_post_not_even_an_admin(customer, admin, member, make_post, role):
    post = make_post(customer, admin, "Mine")
    other = member(role).user
    with pytest.raises(PermissionDenied, match="Only the author of this post may edit it"):
        services.post_update(post=post, actor=other, data={"body": "Theirs"})
    post.refresh_from_db()
    assert post.body == "Mine" and post.edited_at is None and changes_for(post).count() == 1


def test_an_empty_edit_is_refused_and_nothing_changes(customer, admin, make_post):
    post = make_post(customer, admin, "Kept")
    with pytest.raises(ValidationError):
        services.post_update(post=post, actor=admin, data={"body": "  "})
    post.refresh_from_db()
    assert post.body == "Kept" and post.edited_at is None and changes_for(post).count() == 1


def test_the_author_deletes_a_post_with_its_comments(
    customer, admin, member, make_post, make_comment
):
    post = make_post(customer, admin)
    comment = make_comment(post, member(Role.SALES).user)
    services.post_delete(post=post, actor=admin)
    assert not Post.objects.exists() and not Comment.objects.exists()
    assert changes_for(post).first().action == Change.Action.DELETE
    deleted = changes_for(comment).first()
    assert (deleted.action, deleted.reason) == (Change.Action.DELETE, "Its post was deleted")


@pytest.mark.parametrize("role", [Role.MANAGER, Role.SALES, Role.ACCOUNTS, Role.AGENT])
def test_only_its_author_or_an_admin_deletes_a_post(customer, member, make_post, role):
    author = member(Role.SALES).user
    post = make_post(customer, author)
    with pytest.raises(PermissionDenied, match="author of this post or an admin"):
        services.post_delete(post=post, actor=member(role).user)
    assert Post.objects.filter(pk=post.pk).exists()


def test_an_admin_deletes_anyones_post_moderation(customer, admin, member, make_post):
    post = make_post(customer, member(Role.SALES).user)
    services.post_delete(post=post, actor=admin)
    assert not Post.objects.exists()
    assert changes_for(post).first().reason == "Removed by an admin"


def test_an_admin_of_another_workspace_is_no_moderator_here(
    customer, member, make_post, other_workspace
):
    post = make_post(customer, member(Role.SALES).user)
    stranger = member(Role.ADMIN, other_workspace).user
    with pytest.raises(PermissionDenied):
        services.post_delete(post=post, actor=stranger)
    assert Post.objects.filter(pk=post.pk).exists()
