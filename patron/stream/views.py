"""Activity stream pages: thin adapters over the services.

Every write works two ways. With htmx (the Activity tab) the answer is just the part of
the tab that changed: the post box, one post with its comments, or one comment. Without
it, a plain POST redirects to the customer, and a refused one shows a page to fix it on.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from patron.core.access import get_in_workspace
from patron.core.forms import add_validation_errors
from patron.customers.models import Customer
from patron.customers.normalize import is_plain_number
from patron.stream import services
from patron.stream.customer_parts import posts_page
from patron.stream.forms import BodyForm
from patron.stream.models import Comment, Post
from patron.workspaces.permissions import requires


def _customer(request, pk: int, **kwargs) -> Customer:
    return get_in_workspace(Customer, request.workspace, pk=pk)


def _post(request, pk: int, **kwargs) -> Post:
    return get_in_workspace(Post.objects.with_comments(), request.workspace, pk=pk)


def _comment(request, pk: int, **kwargs) -> Comment:
    return get_in_workspace(
        Comment.objects.select_related("author", "post__customer"), request.workspace, pk=pk
    )


def _fresh(post: Post) -> Post:
    """The post again, with its comments as they are now."""
    return Post.objects.with_comments().get(pk=post.pk)


def _save(form: BodyForm, write):
    """`write(body)` if the form is valid, its refusal put on the form; None if not saved."""
    if not form.is_valid():
        return None
    try:
        return write(form.cleaned_data["body"])
    except ValidationError as error:
        add_validation_errors(form, error)
        return None


def _post_fragment(request, post: Post, **context) -> HttpResponse:
    return render(request, "stream/_post.html", {"post": post, **context})


def _post_page(request, post: Post, **context) -> HttpResponse:
    """The post on a page of its own: its address, and where a page without htmx edits it."""
    return render(
        request, "stream/post_page.html", {"post": post, "customer": post.customer, **context}
    )


@require_GET
@requires("customers.view", owner=_customer)
def customer_posts(request, pk: int):
    """The next posts of the Activity tab ("Show older posts"), older than `before`."""
    customer = _customer(request, pk)
    before_id = request.GET.get("before", "")
    before = None
    if is_plain_number(before_id):
        before = get_in_workspace(Post, request.workspace, pk=before_id, customer=customer)
    context = {"customer": customer, **posts_page(customer, before=before)}
    return render(
        request, "stream/_posts.html" if request.htmx else "stream/posts_page.html", context
    )


@require_POST
@requires("stream.post", owner=_customer)
def post_create(request, pk: int):
    customer = _customer(request, pk)
    form = BodyForm(request.POST)
    post = _save(
        form,
        lambda body: services.post_create(
            workspace=request.workspace,
            actor=request.user,
            data={"customer": customer, "body": body},
        ),
    )
    if request.htmx:
        context = {"customer": customer, "post_form": None if post else form}
        if post:
            context["new_post"] = _fresh(post)
        return render(request, "stream/_post_box.html", context)
    if post is None:
        return render(request, "stream/post_form.html", {"customer": customer, "form": form})
    messages.success(request, f"Posted to the activity stream of {customer}.")
    return redirect(customer)


@require_GET
@requires("customers.view", owner=_post)
def post_detail(request, pk: int):
    post = _post(request, pk)
    if request.htmx:
        return _post_fragment(request, post)
    return _post_page(request, post)


@requires("stream.post", owner=_post)
def post_edit(request, pk: int):
    post = _post(request, pk)
    services.ensure_author(post, request.user)
    form = BodyForm(request.POST or None, initial={"body": post.body})
    if request.method == "POST" and _save(
        form,
        lambda body: services.post_update(post=post, actor=request.user, data={"body": body}),
    ):
        if request.htmx:
            return _post_fragment(request, _fresh(post))
        messages.success(request, "Saved the post.")
        return redirect(post.customer)
    if request.htmx:
        return _post_fragment(request, post, editing=post, edit_form=form)
    return _post_page(request, post, editing=post, edit_form=form)


@requires("stream.post", owner=_post)
def post_delete(request, pk: int):
    post = _post(request, pk)
    services.ensure_may_delete_post(post, request.user)
    if request.method != "POST":
        count = post.comments.count()
        explanation = f"Its comments ({count}) are deleted with it." if count else ""
        return render(
            request,
            "stream/confirm_delete.html",
            {"record": post, "noun": "post", "explanation": explanation, "post": post},
        )
    services.post_delete(post=post, actor=request.user)
    if request.htmx:
        return HttpResponse("")  # the post's place in the tab is emptied
    messages.success(request, "Deleted the post and its comments.")
    return redirect(post.customer)


@require_POST
@requires("stream.post", owner=_post)
def comment_create(request, pk: int):
    """Comment on the post `pk`."""
    post = _post(request, pk)
    form = BodyForm(request.POST)
    saved = _save(
        form,
        lambda body: services.comment_create(
            workspace=request.workspace, actor=request.user, data={"post": post, "body": body}
        ),
    )
    if saved and request.htmx:
        return _post_fragment(request, _fresh(post))
    if saved:
        messages.success(request, "Added your comment.")
        return redirect(post.customer)
    if request.htmx:
        return _post_fragment(request, post, commenting=post, comment_form=form)
    return _post_page(request, post, commenting=post, comment_form=form)


@require_GET
@requires("customers.view", owner=_comment)
def comment_detail(request, pk: int):
    comment = _comment(request, pk)
    if request.htmx:
        return render(request, "stream/_comment.html", {"comment": comment, "post": comment.post})
    return redirect("stream:post", pk=comment.post_id)


@requires("stream.post", owner=_comment)
def comment_edit(request, pk: int):
    comment = _comment(request, pk)
    services.ensure_author(comment, request.user)
    form = BodyForm(request.POST or None, initial={"body": comment.body})
    saved = request.method == "POST" and _save(
        form,
        lambda body: services.comment_update(
            comment=comment, actor=request.user, data={"body": body}
        ),
    )
    if saved:
        if request.htmx:
            return render(request, "stream/_comment.html", {"comment": saved, "post": saved.post})
        messages.success(request, "Saved the comment.")
        return redirect(comment.post.customer)
    context = {"comment": comment, "post": comment.post, "editing": comment, "edit_form": form}
    if request.htmx:
        return render(request, "stream/_comment.html", context)
    return _post_page(request, _fresh(comment.post), **context)


@requires("stream.post", owner=_comment)
def comment_delete(request, pk: int):
    comment = _comment(request, pk)
    services.ensure_author(comment, request.user, "delete")
    if request.method != "POST":
        return render(
            request,
            "stream/confirm_delete.html",
            {"record": comment, "noun": "comment", "post": comment.post},
        )
    services.comment_delete(comment=comment, actor=request.user)
    if request.htmx:
        return HttpResponse("")
    messages.success(request, "Deleted the comment.")
    return redirect(comment.post.customer)
