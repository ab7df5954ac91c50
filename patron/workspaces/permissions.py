"""Role checks for pages. The API asks the same questions (patron.api.permissions)."""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.shortcuts import render


def requires(capability: str, *, owner=None):
    """Let the view run only for a member of the current workspace whose role may do it.

    `owner(request, **kwargs)` fetches the object the URL names; when the role is refused it
    runs first, so an id of another workspace answers 404, never 403.
    """

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            membership = request.membership
            if membership is None:
                return render(request, "workspaces/no_workspace.html", status=403)
            if not membership.can(capability):
                if owner is not None:
                    owner(request, *args, **kwargs)
                raise PermissionDenied(
                    f"Your role ({membership.get_role_display()}) may not do this."
                )
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
