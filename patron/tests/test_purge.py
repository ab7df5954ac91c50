"""Purging a customer takes what hangs off it, and the History of all of it; abandoned
import drafts go too."""

from datetime import timedelta
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from patron.calls.services import cold_call_log
from patron.customers import services
from patron.exchange import jobs
from patron.exchange.models import ImportJob
from patron.history.models import Change
from patron.stream.services import comment_create, post_create
from patron.testing.factories import make_customer, make_note


def test_purge_takes_the_history_of_what_went_with_the_customer(workspace, admin, settings):
    settings.PATRON_PURGE_AFTER_DAYS = 0
    gone = make_customer(workspace, admin, last_name="Gone")
    kept = make_customer(workspace, admin, last_name="Kept")
    note = make_note(gone, admin)
    call = cold_call_log(
        workspace=workspace, actor=admin, customer=gone, data={"outcome": "interested"}
    )
    post = post_create(workspace=workspace, actor=admin, data={"customer": gone, "body": "Hi"})
    comment = comment_create(workspace=workspace, actor=admin, data={"post": post, "body": "Yo"})
    kept_note = make_note(kept, admin)
    services.customer_delete(customer=gone, actor=admin)
    assert services.customers_purge() == 1
    remaining = {(c.content_type.model, c.object_id) for c in Change.objects.all()}
    for record in (gone, note, call, post, comment):
        assert (record._meta.model_name, record.pk) not in remaining, record
    assert ("note", kept_note.pk) in remaining and ("customer", kept.pk) in remaining


def test_purge_deleted_deletes_abandoned_import_drafts_and_their_files(workspace, admin):
    def draft(name: str) -> ImportJob:
        upload = SimpleUploadedFile(name, b"First name,Last name\nAda,Lovelace\n")
        job, _ = jobs.import_job_create(
            workspace=workspace, actor=admin, upload=upload, encoding="", delimiter=""
        )
        return job

    old, recent, started = draft("old.csv"), draft("recent.csv"), draft("started.csv")
    started = jobs.import_job_start(job=started, options=jobs.importing.Options(), mapping=None)
    files = {job.pk: Path(job.file.path) for job in (old, recent, started)}
    ImportJob.objects.filter(pk__in=[old.pk, started.pk]).update(
        updated_at=timezone.now() - timedelta(days=8)
    )
    call_command("purge_deleted", "--draft-days", "7")
    assert set(ImportJob.objects.values_list("pk", flat=True)) == {recent.pk, started.pk}
    assert not files[old.pk].exists()
    assert files[recent.pk].exists() and files[started.pk].exists()
