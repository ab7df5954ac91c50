"""Reads about campaigns and activities."""

from django.db.models import Q

from patron.campaigns.models import Activity, Fulfilment


def activities_of_customer(customer):
    """The activities a customer took part in (manual 000's Activities tab): fulfilled under,
    answered a telemarket of, or in a customer list for. One query; each reverse relation is
    a subquery rather than a join, so a busy activity's thousands of fulfilments, responses
    and list entries are never multiplied together before DISTINCT."""
    from patron.lists.models import ListEntry
    from patron.telemarketing.models import Response

    fulfilled = Fulfilment.objects.filter(customer=customer).values("activity")
    telemarketed = Response.objects.filter(customer=customer).values("telemarket__activity")
    listed = ListEntry.objects.filter(customer=customer).values("customer_list__activities")
    return (
        Activity.objects.in_workspace(customer.workspace)
        .filter(Q(pk__in=fulfilled) | Q(pk__in=telemarketed) | Q(pk__in=listed))
        .select_related("campaign")
    )
