"""Access helpers: fetch a workspace's object or answer 404, whatever the reason."""

from django.db.models import Model, QuerySet
from django.http import Http404


def get_in_workspace[M: Model](source: type[M] | QuerySet[M], workspace, **lookup) -> M:
    """The object matching `lookup` inside `workspace`; Http404 if missing or foreign.

    A row of another workspace gets the same answer as one that does not exist, so an
    id never tells whether it exists elsewhere.
    """
    queryset = source if isinstance(source, QuerySet) else source._default_manager.all()
    try:
        return queryset.get(workspace=workspace, **lookup)
    except (queryset.model.DoesNotExist, ValueError, TypeError) as missing:
        raise Http404(f"No {queryset.model._meta.verbose_name} matches.") from missing
