"""Resolve the signed-in user's current workspace (and store) for every request."""

from patron.workspaces.models import Membership

SESSION_WORKSPACE = "patron_workspace_id"
SESSION_STORE = "patron_store_id"


def membership_for(user, workspace_id=None) -> Membership | None:
    """The user's membership in `workspace_id`, else their first one, else None."""
    memberships = Membership.objects.filter(user=user).select_related("workspace")
    if workspace_id is not None:
        chosen = memberships.filter(workspace_id=workspace_id).first()
        if chosen:
            return chosen
    return memberships.order_by("workspace__name", "pk").first()


class CurrentWorkspaceMiddleware:
    """Sets request.membership, request.workspace and request.store.

    The API resolves its own workspace from the token (see patron.api.authentication);
    this covers pages, which work in the workspace chosen in the session.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = request.workspace = request.store = None
        if request.user.is_authenticated:
            membership = membership_for(request.user, request.session.get(SESSION_WORKSPACE))
            if membership:
                request.membership = membership
                request.workspace = membership.workspace
                store_id = request.session.get(SESSION_STORE)
                if store_id:
                    request.store = membership.workspace.stores.filter(pk=store_id).first()
        return self.get_response(request)
