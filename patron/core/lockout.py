"""The page django-axes answers with once a staff login is locked out (settings: AXES_*)."""

from django.conf import settings
from django.shortcuts import render


def username_of(request, credentials) -> str:
    """The email a login attempt is counted against, in any case: "Ann@X.com" and
    "ann@x.com" are one account, so they share one count."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    return username.strip().lower()


def locked_out(request, original_response=None, credentials=None):
    username = username_of(request, credentials)
    context = {
        "limit": settings.AXES_FAILURE_LIMIT,
        "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "username": username,
    }
    return render(request, "registration/locked_out.html", context, status=429)
