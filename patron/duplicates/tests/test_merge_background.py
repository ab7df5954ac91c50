"""A merge that moves many records runs as a background task: queued, then done (or
failed, changing nothing); a small merge stays immediate."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from patron.customers.models import Customer
from patron.customers.services import customer_delete
from patron.duplicates.merge import merge_request
from patron.duplicates.models import CustomerMerge
from patron.notes.models import Note
from patron.testing.factories import make_customer, make_note


@pytest.fixture
def big(settings):
    """Any merge moving two records or more counts as large."""
    settings.PATRON_MERGE_BACKGROUND_ROWS = 2


@pytest.fixture
def three(workspace, admin):
    jane = make_customer(workspace, admin, first_name="Jane", last_name="Whitfield")
    janet = make_customer(workspace, admin, first_name="Janet", last_name="Whitfeild")
    jan = make_customer(workspace, admin, first_name="Jan", last_name="Whitfield")
    make_note(janet, admin, subject="One")
    make_note(jan, admin, subject="Two")
    return jane, janet, jan


def test_a_small_merge_is_done_at_once(workspace, admin, three, django_capture_on_commit_callbacks):
    jane, janet, _ = three
    with django_capture_on_commit_callbacks() as queued:
        merge = merge_request(
            workspace=workspace, actor=admin, survivor=jane, others=[janet], choices={}
        )
    assert merge.state == CustomerMerge.State.DONE and not queued
    assert Note.objects.get(subject="One").customer == jane


def test_a_large_merge_runs_in_the_background_from_the_api(
    api, workspace, admin, three, big, django_capture_on_commit_callbacks
):
    jane, janet, jan = three
    with django_capture_on_commit_callbacks() as queued:
        response = api.post(
            "/api/v1/merges/",
            {"survivor": jane.pk, "others": [janet.pk, jan.pk], "choices": {"city": jan.pk}},
            format="json",
        )
    assert response.status_code == 202, response.json()
    body = response.json()
    assert (body["state"], body["can_undo"]) == ("queued", "This merge has not run yet.")
    assert response["Location"] == f"http://testserver/api/v1/merges/{body['id']}/"
    assert Note.objects.filter(customer=jane).count() == 0  # nothing moved yet
    again = api.post("/api/v1/merges/", {"survivor": jan.pk, "others": [jane.pk]}, format="json")
    assert again.status_code == 400 and "still running" in again.json()["errors"][0]["message"]
    for run in queued:
        run()
    done = api.get(response["Location"]).json()
    assert (done["state"], done["moved_count"], done["can_undo"]) == ("done", 2, None)
    assert Note.objects.filter(customer=jane).count() == 2
    assert Customer.objects.get(pk=janet.pk).merged_into == jane
    with django_capture_on_commit_callbacks(execute=True):
        undone = api.post(f"/api/v1/merges/{body['id']}/undo/")
    assert undone.status_code == 202  # as large to undo: in the background too
    assert Note.objects.get(subject="Two").customer == jan


def test_the_merge_page_says_merging_then_shows_the_result(
    admin_client, workspace, admin, three, big, django_capture_on_commit_callbacks
):
    jane, janet, jan = three
    with django_capture_on_commit_callbacks() as queued:
        response = admin_client.post(
            "/duplicates/merge/",
            {"customer": f"{jane.pk},{janet.pk},{jan.pk}", "survivor": jane.pk, "merge": "1"},
        )
    merge = CustomerMerge.objects.get()
    assert response["Location"] == merge.get_absolute_url()
    page = admin_client.get(merge.get_absolute_url()).content.decode()
    assert "Merging…" in page and 'hx-trigger="every 2s"' in page
    assert "Undo this merge" not in page
    for run in queued:
        run()
    page = admin_client.get(merge.get_absolute_url()).content.decode()
    assert "Merging…" not in page and "every 2s" not in page
    assert "Notes: 1 moved from Janet Whitfeild" in page and "Undo this merge" in page


def test_a_background_merge_that_can_no_longer_run_fails_and_changes_nothing(
    admin_client, workspace, admin, three, big, django_capture_on_commit_callbacks
):
    jane, janet, jan = three
    with django_capture_on_commit_callbacks() as queued:
        merge = merge_request(
            workspace=workspace, actor=admin, survivor=jane, others=[janet, jan], choices={}
        )
    customer_delete(customer=jan, actor=admin)  # before the worker gets to it
    for run in queued:
        run()
    merge.refresh_from_db()
    assert merge.state == CustomerMerge.State.FAILED
    assert "In the recycle bin: Jan Whitfield" in merge.error
    assert Note.objects.get(subject="One").customer == janet
    assert not Customer.objects.get(pk=janet.pk).is_deleted
    page = admin_client.get(merge.get_absolute_url()).content.decode()
    assert "The merge failed, and nothing was merged: In the recycle bin" in page
    assert "Undo this merge" not in page


def _merged_large(workspace, admin, three, committed):
    jane, janet, jan = three
    with committed(execute=True):
        merge = merge_request(
            workspace=workspace, actor=admin, survivor=jane, others=[janet, jan], choices={}
        )
    merge.refresh_from_db()
    assert merge.state == CustomerMerge.State.DONE
    return merge


def test_undoing_a_large_merge_runs_in_the_background(
    api, admin_client, workspace, admin, three, big, committed
):
    _, janet, jan = three
    merge = _merged_large(workspace, admin, three, committed)
    with committed() as queued:
        response = api.post(f"/api/v1/merges/{merge.pk}/undo/")
    assert response.status_code == 202
    assert (response.json()["state"], response.json()["undone_at"]) == ("undoing", None)
    assert api.post(f"/api/v1/merges/{merge.pk}/undo/").json()["code"] == "cannot_undo"
    page = admin_client.get(merge.get_absolute_url()).content.decode()
    assert "Undoing…" in page and 'hx-trigger="every 2s"' in page
    for run in queued:
        run()
    done = api.get(f"/api/v1/merges/{merge.pk}/").json()
    assert (done["state"], done["can_undo"]) == ("done", "This merge was already undone.")
    assert done["undone_at"]
    assert Note.objects.get(subject="One").customer == janet
    assert not Customer.objects.get(pk=jan.pk).is_deleted


def test_a_background_undo_that_can_no_longer_run_says_why(
    admin_client, workspace, admin, three, big, committed
):
    jane, _, jan = three
    merge = _merged_large(workspace, admin, three, committed)
    with committed() as queued:
        response = admin_client.post(f"{merge.get_absolute_url()}undo/")
    assert response["Location"] == merge.get_absolute_url()
    Customer.objects.filter(pk=jan.pk).delete()  # purged before the worker got to it
    for run in queued:
        run()
    merge.refresh_from_db()
    assert merge.state == CustomerMerge.State.DONE and not merge.is_undone
    assert Note.objects.get(subject="One").customer == jane  # nothing undone
    page = admin_client.get(merge.get_absolute_url()).content.decode()
    assert "The undo failed: Jan Whitfield (no. " in page
    assert "was purged from the recycle bin: the merge can no longer be undone." in page


def test_a_merge_whose_worker_died_stops_blocking_and_says_so(
    admin_client, workspace, admin, three, big, committed
):
    jane, janet, jan = three
    with committed():  # the worker takes it, then dies: its transaction changed nothing
        merge = merge_request(
            workspace=workspace, actor=admin, survivor=jane, others=[janet, jan], choices={}
        )
    CustomerMerge.objects.filter(pk=merge.pk).update(state=CustomerMerge.State.RUNNING)
    with pytest.raises(ValidationError, match="still running"):
        merge_request(workspace=workspace, actor=admin, survivor=jan, others=[jane], choices={})
    an_hour_ago = timezone.now() - timedelta(hours=1)
    CustomerMerge.objects.filter(pk=merge.pk).update(updated_at=an_hour_ago)
    page = admin_client.get(merge.get_absolute_url()).content.decode()
    assert "The merge stopped before it finished (its worker ended)" in page
    assert "every 2s" not in page
    again = merge_request(workspace=workspace, actor=admin, survivor=jan, others=[jane], choices={})
    assert again.state == CustomerMerge.State.DONE


def test_an_undo_whose_worker_died_can_be_asked_again(
    admin_client, workspace, admin, three, big, committed
):
    _, janet, _ = three
    merge = _merged_large(workspace, admin, three, committed)
    an_hour_ago = timezone.now() - timedelta(hours=1)
    CustomerMerge.objects.filter(pk=merge.pk).update(
        state=CustomerMerge.State.UNDOING, updated_at=an_hour_ago
    )
    page = admin_client.get(merge.get_absolute_url()).content.decode()
    assert "The undo stopped before it finished" in page and "Undo this merge" in page
    with committed(execute=True):
        admin_client.post(f"{merge.get_absolute_url()}undo/")
    merge.refresh_from_db()
    assert merge.is_undone and Note.objects.get(subject="One").customer == janet
