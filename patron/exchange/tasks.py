"""Background work of the exchange app (django.tasks: at once by default, or in a worker)."""

from django.tasks import task

from patron.exchange import jobs


@task()
def run_import(job_id: int) -> str:
    """Import (or resume) a queued job's file; answers the job's final status."""
    return jobs.run_job(job_id).status
