import pytest

from patron.conftest import api_client_for
from patron.customers.services import customer_delete
from patron.history.services import changes_for
from patron.stream.models import BODY_MAX_LENGTH, Comment, Post
from patron.testing.factories import MembershipFactory, make_customer
from patron.workspaces.roles import Role

POSTS = "/api/v1/posts/"
COMMENTS = "/api/v1/comments/"


def test_create_a_post_and_read_it_back(api, customer):
    response = api.post(
        POSTS, {"customer": customer.pk, "body": "<b>Signed</b>\nToday"}, format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    post = Post.objects.get()
    assert body["id"] == post.pk and body["body"] == "<b>Signed</b>\nToday"
    assert body["author"] == post.author.pk and body["author_name"] == str(post.author)
    assert body["comments"] == [] and body["edited_at"] is None
    assert changes_for(post).get().via == "api"
    assert api.get(f"{POSTS}{post.pk}/").json()["body"] == "<b>Signed</b>\nToday"


def test_list_newest_first_with_comments_oldest_first(
    api, customer, admin, member, make_post, make_comment
):
    other = make_customer(customer.workspace, admin, last_name="Other")
    old, new = make_post(customer, admin, "Old"), make_post(customer, admin, "New")
    make_post(other, admin, "Not this customer")
    sales = member(Role.SALES).user
    make_comment(old, sales, "First")
    make_comment(old, admin, "Second")
    rows = api.get(POSTS, {"customer": customer.pk}).json()["results"]
    assert [row["id"] for row in rows] == [new.pk, old.pk]
    assert [c["body"] for c in rows[1]["comments"]] == ["First", "Second"]
    assert rows[1]["comments"][0]["author"] == sales.pk
    assert len(api.get(POSTS).json()["results"]) == 3


def test_comment_on_a_post_and_list_by_post(api, customer, admin, make_post, make_comment):
    post, other = make_post(customer, admin), make_post(customer, admin)
    make_comment(other, admin, "Elsewhere")
    response = api.post(COMMENTS, {"post": post.pk, "body": "Well done"}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["post"] == post.pk
    rows = api.get(COMMENTS, {"post": post.pk}).json()["results"]
    assert [row["body"] for row in rows] == ["Well done"]
    assert api.get(f"{POSTS}{post.pk}/").json()["comments"][0]["body"] == "Well done"


@pytest.mark.parametrize(
    ("body", "code"), [("", "blank"), ("  ", "blank"), ("x" * (BODY_MAX_LENGTH + 1), "max_length")]
)
def test_empty_or_too_long_bodies_are_refused(api, customer, admin, make_post, body, code):
    post = make_post(customer, admin)
    for url, data in [(POSTS, {"customer": customer.pk}), (COMMENTS, {"post": post.pk})]:
        response = api.post(url, {**data, "body": body}, format="json")
        assert response.status_code == 400
        assert response.json()["errors"][0] == {
            "field": "body",
            "code": code,
            "message": response.json()["errors"][0]["message"],
        }
    assert Post.objects.count() == 1 and not Comment.objects.exists()


def test_the_author_edits_with_put_and_patch(api, customer):
    created = api.post(POSTS, {"customer": customer.pk, "body": "One"}, format="json").json()
    url = f"{POSTS}{created['id']}/"
    response = api.put(url, {"body": "Two"}, format="json")
    assert response.status_code == 200 and response.json()["body"] == "Two"
    assert response.json()["edited_at"] is not None
    assert api.patch(url, {}, format="json").json()["body"] == "Two"
    assert api.patch(url, {"body": ""}, format="json").status_code == 400
    assert Post.objects.get().body == "Two"


def test_another_authors_post_or_comment_is_refused_with_403(
    customer, member, make_post, make_comment
):
    author = member(Role.SALES).user
    post = make_post(customer, author, "Theirs")
    comment = make_comment(post, author, "Theirs too")
    admin_api = api_client_for(member(Role.ADMIN))
    for url in (f"{POSTS}{post.pk}/", f"{COMMENTS}{comment.pk}/"):
        refused = admin_api.patch(url, {"body": "Mine"}, format="json")
        assert refused.status_code == 403, refused.json()
        assert refused.json()["detail"].startswith("Only the author of this")
        # Judged before the body: an invalid one still gets the 403.
        assert admin_api.put(url, {"body": ""}, format="json").status_code == 403
    assert admin_api.delete(f"{COMMENTS}{comment.pk}/").status_code == 403
    manager_api = api_client_for(member(Role.MANAGER))
    assert manager_api.delete(f"{POSTS}{post.pk}/").status_code == 403
    post.refresh_from_db()
    comment.refresh_from_db()
    assert (post.body, comment.body) == ("Theirs", "Theirs too")


def test_an_admin_deletes_anyones_post(customer, member, make_post, make_comment):
    post = make_post(customer, member(Role.SALES).user)
    make_comment(post, member(Role.SALES).user)
    response = api_client_for(member(Role.ADMIN)).delete(f"{POSTS}{post.pk}/")
    assert response.status_code == 204
    assert not Post.objects.exists() and not Comment.objects.exists()


def test_the_author_deletes_a_comment(api, customer, admin, make_post):
    post = make_post(customer, admin)
    created = api.post(COMMENTS, {"post": post.pk, "body": "Oops"}, format="json").json()
    assert api.delete(f"{COMMENTS}{created['id']}/").status_code == 204
    assert not Comment.objects.exists()


@pytest.mark.parametrize("role", [Role.ADMIN, Role.READ_ONLY])
def test_another_workspaces_ids_answer_404(customer, admin, make_post, make_comment, role):
    post = make_post(customer, admin, "Secret")
    comment = make_comment(post, admin, "Secret")
    stranger = api_client_for(MembershipFactory(role=role))
    for url in (f"{POSTS}{post.pk}/", f"{COMMENTS}{comment.pk}/"):
        assert stranger.get(url).status_code == 404
        assert stranger.patch(url, {"body": "x"}, format="json").status_code == 404
        assert stranger.delete(url).status_code == 404
    assert stranger.get(POSTS).json()["results"] == []
    assert stranger.get(COMMENTS).json()["results"] == []
    refused = stranger.post(COMMENTS, {"post": post.pk, "body": "x"}, format="json")
    assert refused.status_code in (400, 403)
    assert stranger.get(POSTS, {"customer": customer.pk}).status_code == 400
    assert Comment.objects.count() == 1


def test_read_only_reads_but_cannot_write(customer, admin, member, make_post):
    post = make_post(customer, admin)
    reader = api_client_for(member(Role.READ_ONLY))
    assert reader.get(POSTS).status_code == 200
    assert (
        reader.post(POSTS, {"customer": customer.pk, "body": "x"}, format="json").status_code == 403
    )
    assert reader.post(COMMENTS, {"post": post.pk, "body": "x"}, format="json").status_code == 403
    assert reader.delete(f"{POSTS}{post.pk}/").status_code == 403


def test_posts_of_customers_in_the_recycle_bin_are_left_out(api, customer, admin, make_post):
    post = make_post(customer, admin)
    customer_delete(customer=customer, actor=admin)
    assert api.get(POSTS).json()["results"] == []
    assert api.get(f"{POSTS}{post.pk}/").status_code == 404
    refused = api.post(POSTS, {"customer": customer.pk, "body": "x"}, format="json")
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "customer"
