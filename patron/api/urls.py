from importlib import import_module

from django.contrib.auth.decorators import login_not_required
from django.urls import include, path, re_path
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from patron.api import views
from patron.api.errors import not_found_json
from patron.attachments.api import AttachmentViewSet
from patron.calls.api import ColdCallViewSet
from patron.mail.api import BounceViewSet, SentEmailViewSet
from patron.members.api import CustomerMemberViewSet
from patron.notes.api import NoteViewSet
from patron.stream.api import CommentViewSet, PostViewSet
from patron.thirdparties.api import ThirdPartyViewSet

# Apps added since issue 4 list their routes in their own api.py as
# ROUTES = [(prefix, viewset, basename), ...], so each app's API is declared beside it.
APPS_WITH_ROUTES = [
    "marketing",
    "campaigns",
    "telemarketing",
    "lists",
    "updates",
    "exchange",
    "sales",
    "cases",
    "loyalty",
    "duplicates",
    "portal",
]

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
# No ".json" twins of every route: the API speaks JSON only, and actions that take no
# `format` argument answered them with a 500.
router.include_format_suffixes = False
router.register("customers", views.CustomerViewSet, basename="customer")
router.register("bulk-deletions", views.BulkDeletionViewSet, basename="bulkdeletion")
router.register("tags", views.TagViewSet, basename="tag")
router.register("categories", views.CategoryViewSet, basename="category")
router.register("stores", views.StoreViewSet, basename="store")
router.register("notes", NoteViewSet, basename="note")
router.register("customer-members", CustomerMemberViewSet, basename="customermember")
router.register("attachments", AttachmentViewSet, basename="attachment")
router.register("emails", SentEmailViewSet, basename="email")
router.register("bounces", BounceViewSet, basename="bounce")
router.register("cold-calls", ColdCallViewSet, basename="coldcall")
router.register("third-parties", ThirdPartyViewSet, basename="thirdparty")
router.register("posts", PostViewSet, basename="post")
router.register("comments", CommentViewSet, basename="comment")
for app in APPS_WITH_ROUTES:
    for prefix, viewset, basename in import_module(f"patron.{app}.api").ROUTES:
        router.register(prefix, viewset, basename=basename)

# The API authenticates by itself (token or session) and answers 401 in JSON, so the
# page-login redirect of LoginRequiredMiddleware must not apply to it.
api_patterns = [
    path("auth/token/", views.obtain_token, name="token_obtain"),
    *router.urls,
    # Any other path under api/v1/ answers the API's JSON 404, not the pages' HTML one.
    # Only paths ending in "/": the others still get CommonMiddleware's APPEND_SLASH
    # redirect first. csrf_exempt, or a POST there would get the HTML CSRF 403.
    # [\s\S], not ".": an id with a line break in it is still an API path, answered in JSON.
    re_path(r"^[\s\S]*/$", csrf_exempt(not_found_json), name="not_found"),
]
for pattern in api_patterns:
    pattern.callback = login_not_required(pattern.callback)

urlpatterns = [
    path("api/v1/", include((api_patterns, "api"))),
    path("api/schema/", login_not_required(SpectacularAPIView.as_view()), name="schema"),
    path(
        "api/docs/",
        login_not_required(SpectacularSwaggerView.as_view(url_name="schema")),
        name="api_docs",
    ),
    path("account/tokens/", views.token_list, name="token_list"),
    path("account/tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
