"""Delete Customers (manual 000): a search's customers into the recycle bin, in the background."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils import timezone

from patron.customers.filters import CustomerFilter
from patron.customers.models import BulkDeletion, BulkDeletionItem, Customer
from patron.customers.services import (
    bulk_delete_resume,
    bulk_delete_run,
    bulk_delete_start,
    customer_restore,
)
from patron.history.models import Change
from patron.history.services import changes_for
from patron.testing.factories import make_customer
from patron.workspaces.roles import Role


@pytest.fixture
def smiths(workspace, admin):
    return [
        make_customer(workspace, admin, first_name=f"S{i}", last_name="Smith") for i in range(5)
    ]


@pytest.fixture
def bystanders(workspace, other_workspace, admin):
    """A Jones in the same workspace and a Smith in another: neither may be touched."""
    return [
        make_customer(workspace, admin, first_name="Jo", last_name="Jones"),
        make_customer(other_workspace, None, first_name="Sam", last_name="Smith"),
    ]


def start(workspace, admin, query="last_name=Smith", expected=5):
    customers = Customer.objects.in_workspace(workspace).current()
    search = CustomerFilter(
        QueryDict(query), customers, request=SimpleNamespace(workspace=workspace)
    )
    return bulk_delete_start(
        workspace=workspace,
        actor=admin,
        customers=search.qs,
        query=query,
        expected_count=expected,
    )


def deleted(customers):
    return [Customer.objects.get(pk=c.pk).deleted_at is not None for c in customers]


def test_the_job_deletes_exactly_the_search(
    workspace, admin, smiths, bystanders, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        deletion = start(workspace, admin)
    deletion.refresh_from_db()
    assert (deletion.state, deletion.count, deletion.done_count, deletion.deleted_count) == (
        "done",
        5,
        5,
        5,
    )
    assert deleted(smiths) == [True] * 5
    assert deleted(bystanders) == [False, False]
    change = changes_for(smiths[0]).first()
    assert change.action == Change.Action.DELETE and change.actor == admin
    assert change.reason == "Deleted with 4 others by search last_name=Smith"
    assert change.version == Customer.objects.get(pk=smiths[0].pk).version == 2
    assert not changes_for(bystanders[0]).filter(action=Change.Action.DELETE).exists()


def test_a_count_that_changed_is_refused_and_deletes_nothing(workspace, admin, smiths):
    with pytest.raises(ValidationError) as refused:
        start(workspace, admin, expected=4)
    assert refused.value.message_dict["expected_count"] == [
        "The search now finds 5 customers, not 4: check them again."
    ]
    assert not BulkDeletion.objects.exists() and deleted(smiths) == [False] * 5


def test_each_customer_can_be_restored_from_the_recycle_bin(
    workspace, admin, smiths, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        start(workspace, admin)
    customer_restore(customer=smiths[2], actor=admin)
    assert deleted(smiths) == [True, True, False, True, True]
    assert changes_for(smiths[2]).first().action == Change.Action.RESTORE


def test_batches_show_progress_and_a_rerun_after_a_crash_ends_the_same(workspace, admin, smiths):
    deletion = start(workspace, admin)  # queued: the on-commit enqueue never runs here
    from patron.customers import services

    # A worker that dies after the first batch of two.
    calls = 0
    real = services._bulk_delete_batch

    def crash_after_one(job, size):
        nonlocal calls
        calls += 1
        if calls == 2:
            raise RuntimeError("worker killed")
        return real(job, size)

    services._bulk_delete_batch = crash_after_one
    try:
        with pytest.raises(RuntimeError):
            bulk_delete_run(deletion_id=deletion.pk, batch_size=2)
    finally:
        services._bulk_delete_batch = real
    deletion.refresh_from_db()
    assert (deletion.state, deletion.done_count, deletion.percent) == ("failed", 2, 40)
    assert deleted(smiths) == [True, True, False, False, False]

    # Meanwhile someone restores one of the first two: it must stay restored.
    customer_restore(customer=smiths[0], actor=admin)
    bulk_delete_run(deletion_id=deletion.pk, batch_size=2)
    bulk_delete_run(deletion_id=deletion.pk, batch_size=2)  # a second run changes nothing

    deletion.refresh_from_db()
    assert (deletion.state, deletion.done_count, deletion.deleted_count) == ("done", 5, 5)
    assert deleted(smiths) == [False, True, True, True, True]
    deletes = Change.objects.filter(action=Change.Action.DELETE)
    assert sorted(deletes.values_list("object_id", flat=True)) == sorted(c.pk for c in smiths)
    assert BulkDeletionItem.objects.filter(deletion=deletion, done=False).count() == 0


def test_a_customer_already_in_the_recycle_bin_is_skipped(workspace, admin, smiths):
    deletion = start(workspace, admin)
    from patron.customers.services import customer_delete

    customer_delete(customer=smiths[4], actor=admin)
    bulk_delete_run(deletion_id=deletion.pk)
    deletion.refresh_from_db()
    assert (deletion.done_count, deletion.deleted_count) == (5, 4)
    assert changes_for(smiths[4]).filter(action=Change.Action.DELETE).count() == 1


def test_with_the_database_backend_the_worker_runs_the_job(
    workspace, admin, smiths, run_worker, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        deletion = start(workspace, admin)
    assert DBTaskResult.objects.get().status == "READY"
    assert deleted(smiths) == [False] * 5 and deletion.state == "queued"

    run_worker()

    deletion.refresh_from_db()
    assert deletion.state == "done" and deleted(smiths) == [True] * 5
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


# Pages


def test_search_count_confirm_and_progress_page(
    admin_client, smiths, bystanders, django_capture_on_commit_callbacks
):
    results = admin_client.get("/customers/?last_name=Smith").content.decode()
    assert "/customers/bulk-delete/?last_name=Smith" in results

    page = admin_client.get("/customers/bulk-delete/?last_name=Smith").content.decode()
    assert "Delete 5 customers?" in page and "recycle bin" in page
    assert 'name="expected_count" value="5"' in page

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/customers/bulk-delete/", {"query": "last_name=Smith", "expected_count": "5"}
        )
    deletion = BulkDeletion.objects.get()
    assert response.status_code == 302 and response["Location"] == deletion.get_absolute_url()
    job = admin_client.get(deletion.get_absolute_url()).content.decode()
    assert "5 of 5 handled" in job and "Moved 5 customers to the recycle bin" in job
    assert "every 1s" not in job  # finished: no more polling
    assert deleted(smiths) == [True] * 5 and deleted(bystanders) == [False, False]


def test_the_page_refuses_a_count_that_changed(admin_client, workspace, admin, smiths):
    page = admin_client.get("/customers/bulk-delete/?last_name=Smith")
    make_customer(workspace, admin, first_name="New", last_name="Smith")
    response = admin_client.post(
        "/customers/bulk-delete/", {"query": "last_name=Smith", "expected_count": "5"}
    )
    assert page.status_code == 200 and response.status_code == 400
    text = response.content.decode()
    assert "The search now finds 6 customers, not 5: check them again." in text
    assert "Delete 6 customers?" in text  # confirm again with the count as it is now
    assert not BulkDeletion.objects.exists() and deleted(smiths) == [False] * 5


def test_a_running_job_polls_its_progress(admin_client, workspace, admin, smiths):
    deletion = start(workspace, admin)  # queued, not run
    page = admin_client.get(deletion.get_absolute_url()).content.decode()
    assert 'hx-trigger="every 1s"' in page and "0 of 5 handled" in page and "Refresh" in page
    part = admin_client.get(deletion.get_absolute_url(), headers={"HX-Request": "true"})
    assert (
        "<html" not in part.content.decode() and "bulk-deletion-progress" in part.content.decode()
    )


def test_a_stopped_job_can_be_run_again_from_its_page(
    admin_client, workspace, admin, smiths, django_capture_on_commit_callbacks
):
    deletion = start(workspace, admin)
    BulkDeletion.objects.filter(pk=deletion.pk).update(state="failed", error="worker killed")
    assert "Run it again" in admin_client.get(deletion.get_absolute_url()).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(deletion.get_absolute_url())
    deletion.refresh_from_db()
    assert deletion.state == "done" and deleted(smiths) == [True] * 5


def test_a_job_whose_worker_died_shows_it_and_can_be_run_again(
    admin_client, workspace, admin, smiths, django_capture_on_commit_callbacks
):
    deletion = start(workspace, admin)
    BulkDeletion.objects.filter(pk=deletion.pk).update(state="running")
    assert "Run it again" not in admin_client.get(deletion.get_absolute_url()).content.decode()
    with pytest.raises(ValidationError, match="Only a deletion that stopped"):
        bulk_delete_resume(deletion=deletion)  # a live job is not run twice
    # Its worker died an hour ago.
    an_hour_ago = timezone.now() - timedelta(hours=1)
    BulkDeletion.objects.filter(pk=deletion.pk).update(updated_at=an_hour_ago)
    page = admin_client.get(deletion.get_absolute_url()).content.decode()
    assert "the worker running it has stopped" in page and 'hx-trigger="every 1s"' not in page
    listing = admin_client.get("/customers/bulk-deletions/").content.decode()
    assert deletion.get_absolute_url() in listing and "Stopped" in listing
    bin_page = admin_client.get("/customers/recycle-bin/").content.decode()
    assert "/customers/bulk-deletions/" in bin_page
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(deletion.get_absolute_url())
    deletion.refresh_from_db()
    assert deletion.state == "done" and deleted(smiths) == [True] * 5
    assert "Done" in admin_client.get("/customers/bulk-deletions/").content.decode()


@pytest.mark.parametrize("role", [Role.SALES, Role.READ_ONLY])
def test_only_those_who_may_delete_see_and_use_it(client, member, workspace, admin, smiths, role):
    client.force_login(member(role).user)
    deletion = start(workspace, admin)
    assert "Delete these customers" not in client.get("/customers/").content.decode()
    assert client.get("/customers/bulk-delete/?last_name=Smith").status_code == 403
    response = client.post(
        "/customers/bulk-delete/", {"query": "last_name=Smith", "expected_count": "5"}
    )
    assert response.status_code == 403
    assert client.get(deletion.get_absolute_url()).status_code == 403
    assert client.get("/customers/bulk-deletions/").status_code == 403
    assert BulkDeletion.objects.count() == 1 and deleted(smiths) == [False] * 5
