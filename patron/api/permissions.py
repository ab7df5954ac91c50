from rest_framework import permissions
from rest_framework.exceptions import NotAuthenticated, PermissionDenied

from patron.api.models import ApiToken
from patron.workspaces.middleware import membership_for


def resolve_membership(request):
    """A token's own membership; for a browser session, the session's workspace."""
    if isinstance(request.auth, ApiToken):
        return request.auth.membership
    return getattr(request._request, "membership", None) or membership_for(request.user)


class WorkspaceRolePermission(permissions.BasePermission):
    """Needs a member of a workspace; writes need the view's `capability_for[action]`."""

    def has_permission(self, request, view):
        if not (request.user and request.user.is_authenticated):
            raise NotAuthenticated()
        membership = resolve_membership(request)
        if membership is None:
            raise PermissionDenied("You are not a member of any workspace.")
        request.membership = membership
        request.workspace = membership.workspace
        capability = getattr(view, "capabilities", {}).get(getattr(view, "action", None))
        capability = capability or (
            view.read_capability
            if request.method in permissions.SAFE_METHODS
            else view.write_capability
        )
        if not membership.can(capability):
            if "pk" in view.kwargs:
                view.get_object()  # an id of another workspace answers 404, never 403
            raise PermissionDenied(f"Your role ({membership.get_role_display()}) may not do this.")
        return True
