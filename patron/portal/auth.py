"""The portal's own login, apart from the staff's: its own key in the session (never
django.contrib.auth's login(), so a portal contact is never `request.user`), its own
expiry, and a rate limit on failed logins kept in the database.

Staff pages and the API look only at `request.user`, so a portal login opens none of
them; portal pages look only at PORTAL_SESSION_KEY, so a staff login alone opens none of
them. Changing or resetting the password, or revoking access, ends the other portal
sessions of the contact: the session keeps a digest of the password hash it logged in
with, as Django does for staff.
"""

import math
import time
from datetime import timedelta
from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from patron.portal.models import PortalAccess, PortalLoginFailure
from patron.portal.services import portal_login_recorded

PORTAL_SESSION_KEY = "patron_portal"
# A portal session ends after this long without a request, and after MAX_AGE at most.
IDLE_TIMEOUT = timedelta(minutes=30)
MAX_AGE = timedelta(hours=12)
# Failed logins allowed within WINDOW: for one email from one address, and from one
# address whatever the email (someone trying many accounts).
WINDOW = timedelta(minutes=15)
PER_ACCOUNT = 5
PER_ADDRESS = 20


def _hash_digest(access: PortalAccess) -> str:
    return salted_hmac("patron.portal.session", access.password, algorithm="sha256").hexdigest()


def _wait_minutes(failures, limit: int, now) -> int | None:
    """Minutes until fewer than `limit` of `failures` (newest first) are in the window."""
    times = list(failures.order_by("-created_at").values_list("created_at", flat=True)[:limit])
    if len(times) < limit:
        return None
    return max(1, math.ceil((times[-1] + WINDOW - now).total_seconds() / 60))


def login_blocked(email: str, ip: str) -> int | None:
    """How many minutes this email, from this address, must wait; None if it may try."""
    now = timezone.now()
    recent = PortalLoginFailure.objects.filter(created_at__gt=now - WINDOW, ip=ip)
    waits = [
        _wait_minutes(recent.filter(email=email), PER_ACCOUNT, now),
        _wait_minutes(recent, PER_ADDRESS, now),
    ]
    waits = [wait for wait in waits if wait]
    return max(waits) if waits else None


def _too_many(minutes: int) -> ValidationError:
    return ValidationError(
        f"Too many attempts, try again in {minutes} minute{'s' if minutes != 1 else ''}.",
        code="rate_limited",
    )


# Hashed when no account matches, so a wrong email takes as long as a wrong password.
_DUMMY = None


def authenticate(*, email: str, password: str, ip: str) -> PortalAccess:
    """The enabled access whose email and password these are; ValidationError otherwise
    (the same words whether the email or the password was wrong)."""
    global _DUMMY
    email = email.strip().lower()
    blocked = login_blocked(email, ip)
    if blocked:
        raise _too_many(blocked)
    candidates = PortalAccess.objects.filter(
        enabled=True, customer__email=email, customer__deleted_at__isnull=True
    ).select_related("customer")
    for access in candidates.order_by("pk"):
        if access.check_password(password):
            PortalLoginFailure.objects.filter(email=email, ip=ip).delete()
            return access
    if not candidates:
        _DUMMY = _DUMMY or make_password("not a real password")
        PortalAccess(password=_DUMMY).check_password(password)
    now = timezone.now()
    PortalLoginFailure.objects.filter(created_at__lt=now - WINDOW).delete()
    PortalLoginFailure.objects.create(email=email[:254], ip=ip, created_at=now)
    blocked = login_blocked(email, ip)
    if blocked:
        raise _too_many(blocked)
    raise ValidationError("That email and password do not match a portal login.")


def login(request, access: PortalAccess) -> None:
    """Start a portal session: a new session key (no fixation), and only the portal's own
    entry in it (a staff login in the same browser is left as it is)."""
    request.session.cycle_key()
    now = time.time()
    request.session[PORTAL_SESSION_KEY] = {
        "access": access.pk,
        "hash": _hash_digest(access),
        "since": now,
        "seen": now,
    }
    portal_login_recorded(access=access)


def logout(request) -> None:
    request.session.pop(PORTAL_SESSION_KEY, None)
    request.session.cycle_key()


def current_access(request) -> PortalAccess | None:
    """The contact logged in to the portal in this session, if the session is still good:
    access enabled, password unchanged since, not idle too long, not too old."""
    entry = request.session.get(PORTAL_SESSION_KEY)
    if not isinstance(entry, dict):
        return None
    now = time.time()
    try:
        fresh = (
            now - entry["seen"] < IDLE_TIMEOUT.total_seconds()
            and now - entry["since"] < MAX_AGE.total_seconds()
        )
    except (KeyError, TypeError):
        fresh = False
    access = (
        PortalAccess.objects.filter(
            pk=entry.get("access"), enabled=True, customer__deleted_at__isnull=True
        )
        .select_related("customer", "customer__organization", "workspace")
        .first()
        if fresh
        else None
    )
    if access is None or not constant_time_compare(entry.get("hash", ""), _hash_digest(access)):
        request.session.pop(PORTAL_SESSION_KEY, None)
        return None
    entry["seen"] = now
    request.session.modified = True
    return access


def portal_page(view):
    """A portal page: open to a contact logged in to the portal (request.portal_access),
    whatever the staff login; others go to the portal's login page."""

    @login_not_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        access = current_access(request)
        if access is None:
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('portal:login')}?{query}")
        request.portal_access = access
        return view(request, *args, **kwargs)

    return wrapper
