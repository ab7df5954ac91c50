"""Background work of duplicate detection (django.tasks: at once by default, or in a worker)."""

from django.tasks import task

from patron.duplicates import services


@task()
def run_duplicate_scan(scan_id: int) -> int:
    """Scan a workspace's customers for likely duplicates; answers how many pairs it found."""
    return services.scan_run(scan_id=scan_id).candidate_count
