"""The Activity tab on the customer page (manual 001's activity stream)."""

from django.db.models import Q
from django.urls import reverse

from patron.customers.customer_page import Tab, TimelineEntry, register, register_timeline
from patron.stream.models import Post

# Posts a tab (or a "Show older posts" click) shows at a time.
POSTS_PER_PAGE = 20


def posts_page(customer, *, before: Post | None = None) -> dict:
    """Up to POSTS_PER_PAGE posts, newest first, from `before` on; and whether more exist."""
    posts = customer.posts.with_comments().newest_first()
    if before is not None:
        posts = posts.filter(
            Q(created_at__lt=before.created_at) | Q(created_at=before.created_at, pk__lt=before.pk)
        )
    page = list(posts[: POSTS_PER_PAGE + 1])
    return {"posts": page[:POSTS_PER_PAGE], "more": len(page) > POSTS_PER_PAGE}


def _timeline(customer, limit):
    for post in customer.posts.select_related("author").order_by("-created_at")[:limit]:
        yield TimelineEntry(
            when=post.created_at,
            kind="Post",
            title=post.body,
            url=reverse("stream:post", args=[post.pk]),
            who=str(post.author or ""),
        )


def register_stream_parts() -> None:
    register_timeline(_timeline)
    register(
        Tab(
            slug="activity",
            label="Activity",
            template="stream/tab.html",
            context=lambda request, customer: posts_page(customer),
            order=25,
            count=lambda customer: customer.posts.count(),
        )
    )
