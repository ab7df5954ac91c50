import re

import pytest
from django.utils import dateformat, timezone

from patron.customers.services import customer_delete
from patron.stream import services
from patron.stream.customer_parts import POSTS_PER_PAGE
from patron.stream.models import BODY_MAX_LENGTH, Comment, Post
from patron.workspaces.roles import Role

HTMX = {"HTTP_HX_REQUEST": "true"}


def _tab(client, customer) -> str:
    response = client.get(f"/customers/{customer.pk}/tabs/activity/")
    assert response.status_code == 200
    return response.content.decode()


def _article(html: str, post) -> str:
    """The HTML of one post (with its comments) in a page or fragment."""
    match = re.search(rf'<article id="post-{post.pk}".*?</article>', html, re.S)
    assert match, f"post {post.pk} is not on the page"
    return match.group(0)


def test_the_customer_page_has_an_activity_tab_with_a_count(
    admin_client, customer, admin, make_post
):
    make_post(customer, admin)
    make_post(customer, admin)
    page = admin_client.get(f"/customers/{customer.pk}/").content.decode()
    assert f'hx-get="/customers/{customer.pk}/tabs/activity/"' in page
    assert "<strong>2</strong> Activity" in page


def test_posts_read_newest_first_with_author_and_time(admin_client, customer, admin, make_post):
    posts = [make_post(customer, admin, body) for body in ("Oldest", "Middle", "Newest")]
    tab = _tab(admin_client, customer)
    positions = [tab.index(body) for body in ("Newest", "Middle", "Oldest")]
    assert positions == sorted(positions)
    article = _article(tab, posts[0])
    assert f"<strong>{admin}</strong>" in article
    when = timezone.localtime(posts[0].created_at)
    assert (
        f'<time datetime="{dateformat.format(when, "c")}">{dateformat.format(when, "j M Y H:i")}'
        in article
    )
    assert "(edited)" not in article


def test_comments_are_under_their_post_oldest_first(
    admin_client, customer, admin, member, make_post, make_comment
):
    sales = member(Role.SALES).user
    first, second = make_post(customer, admin, "First post"), make_post(customer, admin, "Other")
    for body in ("Reply one", "Reply two", "Reply three"):
        make_comment(first, sales, body)
    make_comment(second, admin, "Elsewhere")
    tab = _tab(admin_client, customer)
    article = _article(tab, first)
    positions = [article.index(body) for body in ("First post", "Reply one", "Reply two")]
    assert positions == sorted(positions) and article.index("Reply three") > positions[-1]
    assert "Elsewhere" not in article and "Elsewhere" in _article(tab, second)
    assert f"<strong>{sales}</strong>" in article


def test_html_in_a_body_is_shown_escaped_with_its_line_breaks(
    admin_client, customer, admin, make_post, make_comment
):
    post = make_post(customer, admin, "<script>alert('x')</script>\nline 2")
    make_comment(post, admin, "<img src=x onerror=alert(1)>")
    tab = _tab(admin_client, customer)
    assert "<script>alert" not in tab and "<img src=x" not in tab
    assert (
        '<div class="stream-body">&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;\nline 2</div>'
        in tab
    )
    assert "&lt;img src=x onerror=alert(1)&gt;" in tab


def test_an_edited_post_and_comment_say_so(admin_client, customer, admin, make_post, make_comment):
    post = make_post(customer, admin, "Draft")
    comment = make_comment(post, admin, "Typo")
    services.post_update(post=post, actor=admin, data={"body": "Final"})
    services.comment_update(comment=comment, actor=admin, data={"body": "Fixed"})
    article = _article(_tab(admin_client, customer), post)
    assert article.count("(edited)") == 2


def test_edit_and_delete_only_on_your_own(client, customer, member, make_post, make_comment):
    ann, bob = member(Role.SALES).user, member(Role.SALES).user
    mine, theirs = make_post(customer, ann, "Ann's"), make_post(customer, bob, "Bob's")
    my_comment, their_comment = make_comment(theirs, ann), make_comment(mine, bob)
    client.force_login(ann)
    tab = _tab(client, customer)
    assert f'href="/posts/{mine.pk}/edit/"' in tab
    assert f'action="/posts/{mine.pk}/delete/"' in tab
    assert f"/posts/{theirs.pk}/edit/" not in tab and f"/posts/{theirs.pk}/delete/" not in tab
    assert f"/comments/{my_comment.pk}/edit/" in tab and f"/comments/{my_comment.pk}/delete/" in tab
    assert f"/comments/{their_comment.pk}/" not in tab


def test_an_admin_may_delete_others_posts_but_not_edit_them(
    admin_client, customer, member, make_post, make_comment
):
    sales = member(Role.SALES).user
    post = make_post(customer, sales)
    comment = make_comment(post, sales)
    tab = _tab(admin_client, customer)
    assert f'action="/posts/{post.pk}/delete/"' in tab
    assert f"/posts/{post.pk}/edit/" not in tab and f"/comments/{comment.pk}/" not in tab


def test_the_post_box_is_on_top_and_limits_the_length(admin_client, customer, admin, make_post):
    make_post(customer, admin, "Existing")
    tab = _tab(admin_client, customer)
    assert tab.index('id="post-box"') < tab.index("Existing")
    assert f'maxlength="{BODY_MAX_LENGTH}"' in tab
    assert f'hx-post="/customers/{customer.pk}/posts/new/"' in tab


def test_no_posts_yet(admin_client, customer):
    assert "No posts yet." in _tab(admin_client, customer)


# htmx: each write answers with just the part of the tab it changed.


def test_htmx_post_answers_a_fresh_box_and_the_new_post(admin_client, customer, admin):
    response = admin_client.post(
        f"/customers/{customer.pk}/posts/new/", {"body": "Signed <b>today</b>"}, **HTMX
    )
    html = response.content.decode()
    post = Post.objects.get()
    assert (post.body, post.author, post.customer) == ("Signed <b>today</b>", admin, customer)
    assert response.status_code == 200 and "<html" not in html
    assert html.startswith('<form id="post-box"') and 'hx-target="this"' in html
    assert '<div hx-swap-oob="afterbegin:#stream-posts">' in html
    assert "Signed &lt;b&gt;today&lt;/b&gt;" in _article(html, post)


@pytest.mark.parametrize(
    ("body", "error"),
    [("   ", "Write something first."), ("x" * (BODY_MAX_LENGTH + 1), "at most 10000 characters")],
)
def test_htmx_refused_post_shows_the_error_in_the_box(admin_client, customer, body, error):
    response = admin_client.post(f"/customers/{customer.pk}/posts/new/", {"body": body}, **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and error in html
    assert 'id="post-box"' in html and "hx-swap-oob" not in html
    assert not Post.objects.exists()


def test_plain_post_redirects_to_the_customer(admin_client, customer):
    response = admin_client.post(f"/customers/{customer.pk}/posts/new/", {"body": "No JS"})
    assert response.status_code == 302 and response.url == f"/customers/{customer.pk}/"
    assert Post.objects.get().body == "No JS"


def test_plain_refused_post_shows_a_page_to_fix_it(admin_client, customer):
    response = admin_client.post(f"/customers/{customer.pk}/posts/new/", {"body": ""})
    html = response.content.decode()
    assert response.status_code == 200 and "<html" in html and "Write something first." in html
    assert not Post.objects.exists()


def test_htmx_comment_answers_just_its_post(admin_client, customer, admin, make_post):
    post = make_post(customer, admin, "Commented")
    make_post(customer, admin, "Other")
    response = admin_client.post(f"/posts/{post.pk}/comments/", {"body": "Nice one"}, **HTMX)
    html = response.content.decode()
    assert html.strip().startswith(f'<article id="post-{post.pk}"')
    assert "Nice one" in html and "Other" not in html and 'id="post-box"' not in html
    assert Comment.objects.get().post == post
    assert f'hx-target="#post-{post.pk}"' in html


def test_htmx_empty_comment_is_refused_under_its_post(admin_client, customer, admin, make_post):
    post = make_post(customer, admin)
    response = admin_client.post(f"/posts/{post.pk}/comments/", {"body": " "}, **HTMX)
    assert "Write something first." in _article(response.content.decode(), post)
    assert not Comment.objects.exists()


def test_plain_comment_redirects(admin_client, customer, admin, make_post):
    post = make_post(customer, admin)
    response = admin_client.post(f"/posts/{post.pk}/comments/", {"body": "Plain"})
    assert response.status_code == 302 and response.url == f"/customers/{customer.pk}/"
    refused = admin_client.post(f"/posts/{post.pk}/comments/", {"body": ""})
    assert refused.status_code == 200 and "<html" in refused.content.decode()
    assert post.comments.count() == 1


def test_htmx_edit_a_post_in_place(admin_client, customer, admin, make_post):
    post = make_post(customer, admin, "Before <i>")
    form = admin_client.get(f"/posts/{post.pk}/edit/", **HTMX).content.decode()
    assert form.strip().startswith(f'<article id="post-{post.pk}"')
    assert "<textarea" in form and "Before &lt;i&gt;</textarea>" in form
    assert f'hx-get="/posts/{post.pk}/"' in form  # Cancel
    saved = admin_client.post(f"/posts/{post.pk}/edit/", {"body": "After"}, **HTMX)
    html = saved.content.decode()
    assert "After" in html and "(edited)" in html and '<textarea name="body" rows="4"' not in html
    post.refresh_from_db()
    assert post.body == "After"
    cancel = admin_client.get(f"/posts/{post.pk}/", **HTMX).content.decode()
    assert cancel.strip().startswith(f'<article id="post-{post.pk}"') and "After" in cancel


def test_htmx_empty_edit_keeps_the_form_and_the_post(admin_client, customer, admin, make_post):
    post = make_post(customer, admin, "Kept")
    html = admin_client.post(f"/posts/{post.pk}/edit/", {"body": ""}, **HTMX).content.decode()
    assert "Write something first." in html and "<textarea" in html
    post.refresh_from_db()
    assert post.body == "Kept" and post.edited_at is None


def test_plain_edit_page_and_redirect(admin_client, customer, admin, make_post):
    post = make_post(customer, admin, "Before")
    page = admin_client.get(f"/posts/{post.pk}/edit/").content.decode()
    assert "<html" in page and "Before</textarea>" in page
    response = admin_client.post(f"/posts/{post.pk}/edit/", {"body": "After"})
    assert response.status_code == 302 and response.url == f"/customers/{customer.pk}/"


def test_someone_elses_post_cannot_be_edited(client, customer, member, make_post):
    post = make_post(customer, member(Role.SALES).user, "Theirs")
    client.force_login(member(Role.ADMIN).user)
    assert client.get(f"/posts/{post.pk}/edit/", **HTMX).status_code == 403
    response = client.post(f"/posts/{post.pk}/edit/", {"body": "Mine now"}, **HTMX)
    assert response.status_code == 403
    assert "Only the author of this post may edit it." in response.content.decode()
    post.refresh_from_db()
    assert post.body == "Theirs"


def test_htmx_delete_empties_the_posts_place(admin_client, customer, admin, make_post):
    post = make_post(customer, admin)
    response = admin_client.post(f"/posts/{post.pk}/delete/", **HTMX)
    assert response.status_code == 200 and response.content == b""
    assert not Post.objects.exists()


def test_plain_delete_asks_first_then_redirects(admin_client, customer, admin, make_post):
    post = make_post(customer, admin, "Going")
    page = admin_client.get(f"/posts/{post.pk}/delete/").content.decode()
    assert "Delete this post?" in page and "Going" in page
    response = admin_client.post(f"/posts/{post.pk}/delete/")
    assert response.status_code == 302 and not Post.objects.exists()


def test_others_cannot_delete_a_post_an_admin_can(client, customer, member, make_post):
    post = make_post(customer, member(Role.SALES).user)
    client.force_login(member(Role.MANAGER).user)
    assert client.post(f"/posts/{post.pk}/delete/", **HTMX).status_code == 403
    assert Post.objects.exists()
    client.force_login(member(Role.ADMIN).user)
    assert client.post(f"/posts/{post.pk}/delete/", **HTMX).status_code == 200
    assert not Post.objects.exists()


def test_htmx_edit_and_delete_a_comment_in_place(
    admin_client, customer, admin, make_post, make_comment
):
    comment = make_comment(make_post(customer, admin), admin, "Befor")
    form = admin_client.get(f"/comments/{comment.pk}/edit/", **HTMX).content.decode()
    assert form.strip().startswith(f'<div id="comment-{comment.pk}"') and "Befor</textarea>" in form
    html = admin_client.post(
        f"/comments/{comment.pk}/edit/", {"body": "Before"}, **HTMX
    ).content.decode()
    assert html.strip().startswith(f'<div id="comment-{comment.pk}"')
    assert "Before" in html and "(edited)" in html and "<textarea" not in html
    cancel = admin_client.get(f"/comments/{comment.pk}/", **HTMX).content.decode()
    assert cancel.strip().startswith(f'<div id="comment-{comment.pk}"')
    deleted = admin_client.post(f"/comments/{comment.pk}/delete/", **HTMX)
    assert deleted.status_code == 200 and deleted.content == b""
    assert not Comment.objects.exists()


def test_someone_elses_comment_cannot_be_edited_or_deleted(
    client, customer, member, make_post, make_comment
):
    author = member(Role.SALES).user
    comment = make_comment(make_post(customer, author), author, "Theirs")
    client.force_login(member(Role.ADMIN).user)
    assert client.get(f"/comments/{comment.pk}/edit/").status_code == 403
    assert client.post(f"/comments/{comment.pk}/edit/", {"body": "x"}).status_code == 403
    assert client.post(f"/comments/{comment.pk}/delete/").status_code == 403
    comment.refresh_from_db()
    assert comment.body == "Theirs"


def test_a_post_has_a_page_of_its_own(admin_client, customer, admin, make_post, make_comment):
    post = make_post(customer, admin, "Linked")
    comment = make_comment(post, admin, "Below")
    page = admin_client.get(f"/posts/{post.pk}/").content.decode()
    assert "<html" in page and "Linked" in page and "Below" in page
    response = admin_client.get(f"/comments/{comment.pk}/")
    assert response.status_code == 302 and response.url == f"/posts/{post.pk}/"


def test_older_posts_load_on_demand(admin_client, customer, admin, make_post):
    posts = [make_post(customer, admin, f"Post number {n:02d}.") for n in range(POSTS_PER_PAGE + 3)]
    tab = _tab(admin_client, customer)
    assert tab.count('<article id="post-') == POSTS_PER_PAGE
    assert "Post number 00." not in tab and f"Post number {POSTS_PER_PAGE + 2:02d}." in tab
    last_shown = posts[3]
    link = f"/customers/{customer.pk}/posts/?before={last_shown.pk}"
    assert f'hx-get="{link}"' in tab
    older = admin_client.get(link, **HTMX).content.decode()
    assert [f"Post number {n:02d}." in older for n in (2, 1, 0)] == [True] * 3
    assert older.index("Post number 02.") < older.index("Post number 00.")
    assert "Post number 03." not in older and "Show older posts" not in older
    assert "<html" in admin_client.get(link).content.decode()  # without htmx, a page


def test_read_only_reads_the_stream_but_cannot_write(client, customer, admin, member, make_post):
    post = make_post(customer, admin, "Readable")
    client.force_login(member(Role.READ_ONLY).user)
    tab = _tab(client, customer)
    assert "Readable" in tab and 'id="post-box"' not in tab and "comment-box" not in tab
    assert client.post(f"/customers/{customer.pk}/posts/new/", {"body": "x"}).status_code == 403
    assert client.post(f"/posts/{post.pk}/comments/", {"body": "x"}).status_code == 403
    assert Post.objects.count() == 1 and not Comment.objects.exists()


def test_a_customer_in_the_recycle_bin_shows_its_stream_without_boxes(
    admin_client, customer, admin, make_post
):
    make_post(customer, admin, "Before the bin")
    customer_delete(customer=customer, actor=admin)
    tab = _tab(admin_client, customer)
    assert "Before the bin" in tab and 'id="post-box"' not in tab and "/edit/" not in tab
    response = admin_client.post(f"/customers/{customer.pk}/posts/new/", {"body": "x"}, **HTMX)
    assert "recycle bin" in response.content.decode() and Post.objects.count() == 1
