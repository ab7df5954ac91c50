"""Background work of bulk updates (django.tasks: at once by default, or in a worker)."""

from django.tasks import task

from patron.updates import services


@task()
def run_bulk_update(bulk_update_id: int) -> str:
    """Apply a file queued because it has many rows; answers its state."""
    return services.bulk_update_run(bulk_update_id=bulk_update_id).state


@task()
def preview_bulk_update(bulk_update_id: int) -> str:
    """Preview a file kept Previewing because it has many rows; answers its state."""
    bulk_update = services.bulk_update_preview_run(bulk_update_id)
    return bulk_update.state if bulk_update else "discarded"
