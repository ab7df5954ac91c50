from django.contrib.auth import views as auth_views
from django.urls import include, path

from patron.workspaces import views as workspace_views

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
    path("", include("patron.customers.urls")),
    path("", include("patron.api.urls")),
]
