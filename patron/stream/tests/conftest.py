import pytest

from patron.stream.services import comment_create, post_create


@pytest.fixture
def make_post(workspace):
    """make_post(customer, author, body="..."): a post made by post_create."""

    def make(customer, author, body: str = "Met them at the fair."):
        return post_create(
            workspace=customer.workspace,
            actor=author,
            data={"customer": customer, "body": body},
            via="test",
        )

    return make


@pytest.fixture
def make_comment(workspace):
    """make_comment(post, author, body="..."): a comment made by comment_create."""

    def make(post, author, body: str = "Good news."):
        return comment_create(
            workspace=post.workspace, actor=author, data={"post": post, "body": body}, via="test"
        )

    return make
