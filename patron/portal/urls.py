"""The customer portal (/portal/) and the staff pages that manage portal access."""

from django.urls import include, path

from patron.portal import staff_views, views

portal_patterns = (
    [
        path("", views.home, name="home"),
        path("login/", views.login, name="login"),
        path("logout/", views.logout, name="logout"),
        path("requests/", views.request_list, name="request_list"),
        path("requests/new/", views.request_create, name="request_create"),
        path("requests/<int:pk>/", views.request_detail, name="request_detail"),
        path("requests/<int:pk>/cancel/", views.request_cancel, name="request_cancel"),
        path("quotes/", views.quote_list, name="quote_list"),
        path("quotes/<int:pk>/", views.quote_detail, name="quote_detail"),
        path("quotes/<int:pk>/answer/", views.quote_answer, name="quote_answer"),
        path("password/", views.password_change, name="password_change"),
        path("reset/", views.reset_request, name="reset_request"),
        path("reset/<str:token>/", views.reset, name="reset"),
    ],
    "portal",
)

staff_patterns = (
    [
        path("customers/<int:pk>/portal-access/grant/", staff_views.grant, name="customer_grant"),
        path(
            "customers/<int:pk>/portal-access/revoke/", staff_views.revoke, name="customer_revoke"
        ),
        path(
            "customers/<int:pk>/portal-access/password/",
            staff_views.set_password,
            name="customer_password",
        ),
        path(
            "customers/<int:pk>/portal-access/manager/",
            staff_views.set_manager,
            name="customer_manager",
        ),
        path("setup/portal/", staff_views.portal_settings, name="settings"),
    ],
    "portal_access",
)

urlpatterns = [
    path("portal/", include(portal_patterns)),
    path("", include(staff_patterns)),
]
