"""Background work of the exchange app (django.tasks: at once by default, or in a worker)."""

from django.tasks import task

from patron.exchange import checking, jobs


@task()
def run_import(job_id: int) -> str:
    """Import (or resume) a queued job's file; answers the job's final status."""
    return jobs.run_job(job_id).status


@task()
def run_import_check(check_id: int) -> str:
    """Check every row of a draft's file (a dry run); answers the check's final status."""
    check = checking.run_check(check_id)
    return check.status if check is not None else "gone"
