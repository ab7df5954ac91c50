"""Background work of the customers app (django.tasks: at once by default, or in a worker)."""

from django.tasks import task

from patron.customers import services


@task()
def run_bulk_deletion(deletion_id: int) -> int:
    """Move a confirmed search's customers to the recycle bin; answers how many moved."""
    return services.bulk_delete_run(deletion_id=deletion_id).deleted_count
