from patron.workspaces.models import Membership
from patron.workspaces.roles import CAPABILITIES


def workspace(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    membership = getattr(request, "membership", None)
    return {
        "membership": membership,
        # {% if can.customers_delete %}: what the user's role may do here.
        "can": {
            name.replace(".", "_"): bool(membership and membership.can(name))
            for name in CAPABILITIES
        },
        "workspace": getattr(request, "workspace", None),
        "current_store": getattr(request, "store", None),
        "my_memberships": Membership.objects.filter(user=user).select_related("workspace"),
    }
