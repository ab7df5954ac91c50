"""Background work of merging (django.tasks: at once by default, or in a worker)."""

from django.tasks import task

from patron.duplicates import merge


@task()
def run_merge(merge_id: int) -> str:
    """Run a merge queued because it moves many records; answers its state."""
    return merge.merge_run(merge_id=merge_id).state


@task()
def run_merge_undo(merge_id: int, via: str) -> str:
    """Undo a merge that moved many records; answers its state."""
    return merge.merge_undo_run(merge_id=merge_id, via=via).state
