"""A file of many rows (PATRON_BULK_UPDATE_BACKGROUND_ROWS) is applied by a background task:
the request only queues it, the page says so until it is done, and a refusal there writes
nothing and is shown on the page."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.utils import timezone

from patron.marketing.models import CustomerTrait
from patron.updates.models import BulkUpdate


@pytest.fixture(autouse=True)
def two_rows_are_many(settings):
    settings.PATRON_BULK_UPDATE_BACKGROUND_ROWS = 2


def upload(admin_client, text):
    """Upload a file of many rows, and let its background preview run."""
    file = SimpleUploadedFile("golfers.csv", text.encode(), content_type="text/csv")
    with TestCase.captureOnCommitCallbacks(execute=True):
        admin_client.post("/marketing/updates/", {"kind": "traits", "file": file})
    return BulkUpdate.objects.get()


def test_the_page_follows_an_apply_run_in_the_background(
    admin_client, admin, jane, john, golfer, django_capture_on_commit_callbacks
):
    bulk_update = upload(admin_client, f"{jane.number},Golfer\n{john.number},Golfer\n")
    url = f"/marketing/updates/{bulk_update.pk}/"
    with django_capture_on_commit_callbacks() as queued:
        response = admin_client.post(f"{url}apply/")
    assert response.status_code == 302 and response.url == url
    assert len(queued) == 1, "the task is queued once the request commits"

    page = admin_client.get(url).content.decode()
    assert "Applying… The file has many rows" in page
    assert 'hx-trigger="every 2s"' in page
    assert not CustomerTrait.objects.exists(), "nothing is written until the task runs"
    # Meanwhile it can be neither applied again nor discarded.
    again = admin_client.post(f"{url}apply/", follow=True).content.decode()
    assert "being applied in the background" in again
    admin_client.post(f"{url}discard/")
    assert BulkUpdate.objects.filter(pk=bulk_update.pk).exists()

    polled = admin_client.get(url, headers={"HX-Request": "true"})
    assert "HX-Refresh" not in polled and "Applying…" in polled.content.decode()
    queued[0]()  # the worker runs the task
    # The page following it loads the result whole (it has no progress part to swap).
    assert admin_client.get(url, headers={"HX-Request": "true"})["HX-Refresh"] == "true"
    page = admin_client.get(url).content.decode()
    assert "Applied: traits from golfers.csv" in page
    assert 'id="count-created">2<' in page and 'id="count-customers">2<' in page
    assert set(CustomerTrait.objects.values_list("customer", flat=True)) == {jane.pk, john.pk}
    bulk_update.refresh_from_db()
    assert bulk_update.applied_by == admin, "the History and the result name who asked"
    assert f"by {admin}" in page


def test_a_refusal_in_the_background_writes_nothing_and_says_why(
    admin_client, jane, golfer, django_capture_on_commit_callbacks
):
    bulk_update = upload(admin_client, f"{jane.number},Golfer\n{jane.number},Sailor\n")
    url = f"/marketing/updates/{bulk_update.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(f"{url}apply/")  # without skipping the bad row
    assert not CustomerTrait.objects.exists()
    page = admin_client.get(url).content.decode()
    assert "The last attempt to apply it wrote nothing: 1 row of the file has errors" in page
    assert "Apply, skipping the 1 bad row" in page

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(f"{url}apply/", {"skip_bad_rows": "on"})
    page = admin_client.get(url).content.decode()
    assert 'id="count-created">1<' in page and 'id="count-skipped">1<' in page
    assert "The last attempt" not in page
    assert list(CustomerTrait.objects.values_list("customer", flat=True)) == [jane.pk]


def test_an_apply_whose_worker_died_can_be_applied_again(
    admin_client, jane, john, golfer, django_capture_on_commit_callbacks
):
    bulk_update = upload(admin_client, f"{jane.number},Golfer\n{john.number},Golfer\n")
    url = f"/marketing/updates/{bulk_update.pk}/"
    with django_capture_on_commit_callbacks():  # queued, and its worker never runs it
        admin_client.post(f"{url}apply/")
    BulkUpdate.objects.filter(pk=bulk_update.pk).update(
        updated_at=timezone.now() - datetime.timedelta(minutes=31)
    )
    page = admin_client.get(url).content.decode()
    assert "stopped without finishing" in page and "Apply 2 changes" in page
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(f"{url}apply/")
    assert (jane.customer_traits.count(), john.customer_traits.count()) == (1, 1)


def test_the_api_answers_202_and_where_to_follow(
    api, jane, john, golfer, django_capture_on_commit_callbacks
):
    text = f"{jane.number},Golfer\n{john.number},Golfer\n"
    file = SimpleUploadedFile("golfers.csv", text.encode())
    with django_capture_on_commit_callbacks(execute=True):  # its preview
        created = api.post(
            "/api/v1/bulk-updates/", {"kind": "traits", "file": file}, format="multipart"
        ).json()
    with django_capture_on_commit_callbacks() as tasks:
        queued = api.post(f"/api/v1/bulk-updates/{created['id']}/apply/", {}, format="json")
    assert queued.status_code == 202, queued.json()
    assert queued.json()["state"] == "applying"
    assert queued["Location"].endswith(f"/api/v1/bulk-updates/{created['id']}/")
    assert api.get(queued["Location"]).json()["state"] == "applying"
    tasks[0]()  # the worker runs it
    followed = api.get(queued["Location"]).json()
    assert followed["state"] == "applied" and followed["result"]["created"] == 2


def test_the_apis_location_is_the_files_detail_url(
    api, jane, john, golfer, django_capture_on_commit_callbacks
):
    text = f"{jane.number},Golfer\n{john.number},Golfer\n"
    file = SimpleUploadedFile("golfers.csv", text.encode())
    with django_capture_on_commit_callbacks(execute=True):  # its preview, once answered
        created = api.post("/api/v1/bulk-updates/", {"kind": "traits", "file": file})
    pk = created.json()["id"]
    detail = f"http://testserver/api/v1/bulk-updates/{pk}/"
    assert (created.status_code, created["Location"]) == (202, detail)
    with django_capture_on_commit_callbacks():
        # The id as a client may write it: the Location is the file's own URL all the same.
        queued = api.post(f"/api/v1/bulk-updates/00{pk}/apply/", {}, format="json")
    assert (queued.status_code, queued["Location"]) == (202, detail)


def test_a_file_previewed_in_the_request_is_applied_in_it_too(
    admin_client, jane, golfer, django_capture_on_commit_callbacks
):
    # One row under the threshold of two, though its blank lines make three lines.
    file = SimpleUploadedFile("golfers.csv", f"{jane.number},Golfer\n\n\n".encode())
    admin_client.post("/marketing/updates/", {"kind": "traits", "file": file})
    bulk_update = BulkUpdate.objects.get()
    assert bulk_update.state == "previewed"
    with django_capture_on_commit_callbacks() as queued:
        admin_client.post(f"/marketing/updates/{bulk_update.pk}/apply/")
    assert queued == []  # no task: applied in the request
    bulk_update.refresh_from_db()
    assert bulk_update.state == "applied" and jane.customer_traits.count() == 1
