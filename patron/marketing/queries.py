"""Reads of traits and suppressions that other apps build on (customer lists)."""

from patron.marketing.models import SuppressionType


def suppressions_blocking(channel: str, workspace=None):
    """The suppression types that keep a customer off every list of usage `channel`
    ("mail", "email", "phone"; "" for a list with no usage): those that block that channel
    and those that block all lists. Types that block "only lists that name it" are not
    among them; a list adds its own named types to these.

    Without `workspace`, use it inside a filter already scoped to one, e.g.
    `customers.filter(suppressions__suppression_type__in=suppressions_blocking("mail"))`.
    """
    blocks = [SuppressionType.Blocks.ALL]
    if channel:
        blocks.append(channel)
    types = SuppressionType.objects.filter(blocks__in=blocks)
    return types if workspace is None else types.filter(workspace=workspace)
