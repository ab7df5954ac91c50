"""The page django-axes answers with once a staff login is locked out (settings: AXES_*)."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render

from patron.api.errors import error_body


def username_of(request, credentials) -> str:
    """The email a login attempt is counted against, in any case: "Ann@X.com" and
    "ann@x.com" are one account, so they share one count."""
    credentials = credentials or {}
    # axes passes the form's "username" or, from its backend, the user model's "email".
    username = credentials.get("username") or credentials.get("email")
    return (username or request.POST.get("username", "")).strip().lower()


def locked_out(request, original_response=None, credentials=None):
    username = username_of(request, credentials)
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    context = {"limit": settings.AXES_FAILURE_LIMIT, "minutes": seconds // 60, "username": username}
    if request.path.startswith("/api/"):  # the token endpoint: the API's own error shape
        detail = (
            f"{context['limit']} wrong passwords in a row for this email from your address: "
            f"try again in {context['minutes']} minutes."
        )
        body = error_body(429, "throttled", detail)
        return JsonResponse(body, status=429, headers={"Retry-After": str(seconds)})
    return render(request, "registration/locked_out.html", context, status=429)
