from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter

from patron.workspaces import setup_views
from patron.workspaces import views as workspace_views


class SetupKindConverter:
    """The kinds of workspace labels with a set-up page."""

    regex = "|".join(setup_views.LABELS)

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(SetupKindConverter, "setup_kind")

urlpatterns = [
    path("", workspace_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"
    ),
    path("workspace/switch/", workspace_views.switch_workspace, name="switch_workspace"),
    path("store/switch/", workspace_views.switch_store, name="switch_store"),
    path("account/preferences/", workspace_views.preferences, name="preferences"),
    path("setup/members/", setup_views.members, name="setup_members"),
    path("setup/members/<int:pk>/", setup_views.member_change, name="setup_member_change"),
    path("setup/<setup_kind:kind>/", setup_views.labels, name="setup_labels"),
    path(
        "setup/<setup_kind:kind>/<int:pk>/delete/",
        setup_views.label_delete,
        name="setup_label_delete",
    ),
    path("", include("patron.customers.urls")),
    path("", include("patron.members.urls")),
    path("", include("patron.mail.urls")),
    path("", include("patron.calls.urls")),
    path("", include("patron.thirdparties.urls")),
    path("", include("patron.stream.urls")),
    path("", include("patron.notes.urls")),
    path("", include("patron.attachments.urls")),
    path("", include("patron.marketing.urls")),
    path("", include("patron.campaigns.urls")),
    path("", include("patron.telemarketing.urls")),
    path("", include("patron.lists.urls")),
    path("", include("patron.updates.urls")),
    path("", include("patron.exchange.urls")),
    path("", include("patron.sales.urls")),
    path("", include("patron.cases.urls")),
    path("", include("patron.loyalty.urls")),
    path("", include("patron.duplicates.urls")),
    path("", include("patron.portal.urls")),
    path("", include("patron.api.urls")),
]
