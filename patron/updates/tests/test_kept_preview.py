"""A file's preview is evaluated once and kept: viewing it (page, pages of changes, bad rows'
CSV, API) reads what was kept and never the file again. A file of many rows
(PATRON_BULK_UPDATE_BACKGROUND_ROWS) is previewed by a background task the page follows."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.utils import timezone

from patron.customers.models import Customer
from patron.marketing.models import CustomerTrait, Trait
from patron.updates import services
from patron.updates.models import BulkUpdate, PreviewChunk


def csv_file(text: str):
    return SimpleUploadedFile("golfers.csv", text.encode(), content_type="text/csv")


def upload(admin_client, text: str) -> BulkUpdate:
    with TestCase.captureOnCommitCallbacks(execute=True):  # a background preview is queued
        response = admin_client.post(
            "/marketing/updates/", {"kind": "traits", "file": csv_file(text)}
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    return BulkUpdate.objects.get()


@pytest.fixture
def no_evaluation(monkeypatch):
    """From now on, reading or checking a file's rows fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("the file was evaluated again")

    def start():
        monkeypatch.setattr(services, "_evaluate", refuse)
        monkeypatch.setattr(services.parsing, "parse", refuse)

    return start


def test_viewing_a_preview_reads_what_was_kept(
    admin_client, api, jane, john, golfer, no_evaluation, django_assert_max_num_queries
):
    bulk_update = upload(admin_client, f"{jane.number},Golfer\n{john.number},Sailor\n")
    url = bulk_update.get_absolute_url()
    no_evaluation()

    for _ in range(2):
        with django_assert_max_num_queries(12):
            page = admin_client.get(url).content.decode()
        assert f"Add the trait Golfer to {jane.number} Jane Smith" in page
        assert "No trait is named “Sailor” (known: Golfer)." in page
        assert 'id="count-changes">1<' in page and 'id="count-errors">1<' in page
        assert "Read as comma-separated, without a header row" in page
        assert (
            f"as it was on {timezone.localtime(bulk_update.previewed_at):%d/%m/%Y at %H:%M}" in page
        )
    errors = admin_client.get(f"{url}errors.csv").content.decode()
    assert errors.splitlines()[1] == "2,Trait,Sailor,No trait is named “Sailor” (known: Golfer)."
    body = api.get(f"/api/v1/bulk-updates/{bulk_update.pk}/").json()
    assert body["preview"]["counts"] == {"rows": 2, "changes": 1, "unchanged": 0, "errors": 1}
    assert body["preview"]["changes"] == [
        {"row": 1, "text": f"Add the trait Golfer to {jane.number} Jane Smith"}
    ]


def test_the_kept_changes_page_through_in_the_files_order(
    admin_client, workspace, golfer, no_evaluation, monkeypatch
):
    # Chunks of 7 lines, so pages of 100 start and end inside them.
    monkeypatch.setattr(PreviewChunk, "LINES", 7)
    Customer.objects.bulk_create(
        Customer(workspace=workspace, number=1000 + i, last_name=f"N{i}", name_key=f"n{i}")
        for i in range(250)
    )
    rows = [f"{1000 + i},{'Golfer' if i % 50 else 'Sailor'}" for i in range(250)]
    bulk_update = upload(admin_client, "Customer no.,Trait\n" + "\n".join(rows) + "\n")
    assert bulk_update.chunks.filter(status="change").count() == 35  # 245 changes
    no_evaluation()

    page = admin_client.get(f"{bulk_update.get_absolute_url()}?page=2").content.decode()
    shown = [int(cell) for cell in _first_cells(page)]
    # The file's rows 2-251 (a header is row 1); every 50th is a bad one.
    changes = [2 + i for i in range(250) if i % 50]
    assert shown[-100:] == changes[100:200]
    assert "Page 2 of 3" in page and 'id="count-errors">5<' in page


def _first_cells(page: str) -> list[str]:
    changes = page.split("<h2>Changes</h2>", 1)[1].split("</table>", 1)[0]
    return [cell.split("</td>", 1)[0] for cell in changes.split("<tr><td>")[1:]]


def test_an_apply_refused_for_new_bad_rows_keeps_what_it_found(admin_client, api, jane, golfer):
    bulk_update = upload(admin_client, f"{jane.number},Golfer\n")
    url = bulk_update.get_absolute_url()
    assert "Apply 1 change" in admin_client.get(url).content.decode()
    Trait.objects.filter(pk=golfer.pk).update(name="Golf")  # renamed since the preview

    refused = api.post(f"/api/v1/bulk-updates/{bulk_update.pk}/apply/", {}, format="json")
    assert (refused.status_code, refused.json()["code"]) == (409, "has_errors")
    assert refused.json()["errors"][0]["message"] == (
        "Row 1, Trait: No trait is named “Golfer” (known: Golf)."
    )
    page = admin_client.get(url).content.decode()
    assert 'id="count-changes">0<' in page and 'id="count-errors">1<' in page
    assert "No trait is named “Golfer” (known: Golf)." in page
    assert not CustomerTrait.objects.exists()


def test_a_file_kept_before_previews_were_kept_is_previewed_once(
    admin_client, jane, golfer, no_evaluation
):
    bulk_update = upload(admin_client, f"{jane.number},Golfer\n")
    bulk_update.chunks.all().delete()
    BulkUpdate.objects.filter(pk=bulk_update.pk).update(preview={}, previewed_at=None)
    url = bulk_update.get_absolute_url()
    errors = admin_client.get(f"{url}errors.csv").content.decode()
    assert errors.splitlines() == ["Row,Column,Value,Reason"]
    no_evaluation()
    assert "Apply 1 change" in admin_client.get(url).content.decode()


# In the background


@pytest.fixture
def two_rows_are_many(settings):
    settings.PATRON_BULK_UPDATE_BACKGROUND_ROWS = 2


def test_a_large_file_is_previewed_by_the_worker_and_the_page_follows_it(
    admin_client, api, jane, john, golfer, two_rows_are_many, run_worker
):
    bulk_update = upload(admin_client, f"{jane.number},Golfer\n{john.number},Sailor\n")
    assert bulk_update.state == BulkUpdate.State.PREVIEWING
    url = bulk_update.get_absolute_url()
    page = admin_client.get(url).content.decode()
    assert "Previewing… The file has 2 rows" in page
    assert 'hx-trigger="every 2s"' in page and "Discard this file" in page
    detail = api.get(f"/api/v1/bulk-updates/{bulk_update.pk}/").json()
    assert (detail["state"], detail["preview"], detail["rows"]) == ("previewing", None, 2)
    refused = admin_client.post(f"{url}apply/", {"skip_bad_rows": "on"}, follow=True)
    assert "still being previewed in the background" in refused.content.decode()
    errors = admin_client.get(f"{url}errors.csv", follow=True).content.decode()
    assert "The file&#x27;s preview is not ready" in errors

    assert "Checking the rows against the customers" in page
    BulkUpdate.objects.filter(pk=bulk_update.pk).update(rows_previewed=1)  # as the task saves
    followed = admin_client.get(url, headers={"HX-Request": "true"})
    assert "HX-Refresh" not in followed
    assert "1 of 2 rows checked and kept" in followed.content.decode()

    run_worker()

    # The page following it loads the preview whole (it has no progress part to swap).
    assert admin_client.get(url, headers={"HX-Request": "true"})["HX-Refresh"] == "true"
    page = admin_client.get(url).content.decode()
    assert 'hx-trigger="every 2s"' not in page
    assert f"Add the trait Golfer to {jane.number} Jane Smith" in page
    assert 'id="count-changes">1<' in page and 'id="count-errors">1<' in page
    bulk_update.refresh_from_db()
    assert (bulk_update.state, bulk_update.rows_previewed) == (BulkUpdate.State.PREVIEWED, 2)
    assert not CustomerTrait.objects.exists(), "a preview writes nothing to customers"


def test_the_api_answers_202_for_a_large_file_and_where_to_follow(
    api, jane, john, golfer, two_rows_are_many, run_worker
):
    file = csv_file(f"{jane.number},Golfer\n{john.number},Golfer\n")
    with TestCase.captureOnCommitCallbacks(execute=True):  # the preview is queued
        response = api.post(
            "/api/v1/bulk-updates/", {"kind": "traits", "file": file}, format="multipart"
        )
    assert response.status_code == 202, response.json()
    assert response.json()["state"] == "previewing"
    location = response["Location"]
    assert location.endswith(f"/api/v1/bulk-updates/{response.json()['id']}/")
    apply = api.post(f"{location}apply/", {}, format="json")
    assert (apply.status_code, apply.json()["code"]) == (409, "previewing")

    run_worker()

    followed = api.get(location).json()
    assert followed["state"] == "previewed"
    assert followed["preview"]["counts"] == {"rows": 2, "changes": 2, "unchanged": 0, "errors": 0}


def test_a_failed_preview_changes_nothing_and_says_why(
    admin_client, api, jane, john, golfer, two_rows_are_many, run_worker, monkeypatch
):
    bulk_update = upload(admin_client, f"{jane.number},Golfer\n{john.number},Golfer\n")

    def half_then_fail(bulk_update, outcomes, *, progress=None):
        PreviewChunk.objects.create(bulk_update=bulk_update, status="change", number=0)
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "_save_lines", half_then_fail)
    run_worker()

    bulk_update.refresh_from_db()
    assert bulk_update.state == BulkUpdate.State.FAILED
    assert not PreviewChunk.objects.exists() and not CustomerTrait.objects.exists()
    url = bulk_update.get_absolute_url()
    page = admin_client.get(url).content.decode()
    assert "Preview failed: traits from golfers.csv" in page
    assert "Previewing stopped (the database went away). Nothing was changed." in page
    assert 'hx-trigger="every 2s"' not in page
    apply = api.post(f"/api/v1/bulk-updates/{bulk_update.pk}/apply/", {}, format="json")
    assert (apply.status_code, apply.json()["code"]) == (409, "preview_failed")
    admin_client.post(f"{url}discard/")
    assert not BulkUpdate.objects.exists()


def test_a_file_discarded_while_previewed_stops_its_task(
    admin_client, jane, john, golfer, two_rows_are_many, run_worker
):
    bulk_update = upload(admin_client, f"{jane.number},Golfer\n{john.number},Golfer\n")
    admin_client.post(f"{bulk_update.get_absolute_url()}discard/")
    assert not BulkUpdate.objects.exists()
    run_worker()
    assert not BulkUpdate.objects.exists() and not PreviewChunk.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_file_discarded_while_its_rows_are_checked_keeps_nothing(
    admin_client, jane, john, golfer, two_rows_are_many, run_worker, monkeypatch, caplog
):
    # Committed as in production: the chunks saved after the discard break their foreign
    # key when they commit (in a test's transaction the check would wait for its end).
    bulk_update = upload(admin_client, f"{jane.number},Golfer\n{john.number},Golfer\n")
    evaluate = services._evaluate

    def discarded_meanwhile(*args, **kwargs):
        outcomes = evaluate(*args, **kwargs)
        admin_client.post(f"{bulk_update.get_absolute_url()}discard/")
        return outcomes

    monkeypatch.setattr(services, "_evaluate", discarded_meanwhile)
    run_worker()
    assert not BulkUpdate.objects.exists() and not PreviewChunk.objects.exists()
    assert not [r for r in caplog.records if r.name == services.logger.name]  # stopped quietly


def test_a_preview_whose_worker_died_can_be_discarded(
    admin_client, jane, john, golfer, two_rows_are_many, run_worker
):
    bulk_update = upload(admin_client, f"{jane.number},Golfer\n{john.number},Golfer\n")
    BulkUpdate.objects.filter(pk=bulk_update.pk).update(
        updated_at=timezone.now() - datetime.timedelta(minutes=31)
    )
    url = bulk_update.get_absolute_url()
    page = admin_client.get(url).content.decode()
    assert "stopped without finishing" in page and "every 2s" not in page
    refused = admin_client.post(f"{url}apply/", follow=True).content.decode()
    assert "preview failed, so it cannot be applied" in refused
    admin_client.post(f"{url}discard/")
    assert not BulkUpdate.objects.exists()
