"""Delete customers by search through the API: POST /customers/bulk-delete/, then the job."""

import pytest

from patron.conftest import api_client_for
from patron.customers.models import BulkDeletion, Customer
from patron.history.services import changes_for
from patron.testing.factories import make_customer
from patron.workspaces.roles import Role

URL = "/api/v1/customers/bulk-delete/"
JOBS = "/api/v1/bulk-deletions/"


@pytest.fixture
def smiths(workspace, admin):
    return [
        make_customer(workspace, admin, first_name=f"S{i}", last_name="Smith") for i in range(3)
    ]


@pytest.fixture
def bystanders(workspace, other_workspace, admin):
    """A Jones in the same workspace and a Smith in another: neither may be touched."""
    return [
        make_customer(workspace, admin, first_name="Jo", last_name="Jones"),
        make_customer(other_workspace, None, first_name="Sam", last_name="Smith"),
    ]


def in_recycle_bin(customers):
    return [Customer.objects.get(pk=c.pk).deleted_at is not None for c in customers]


def test_deletes_exactly_the_filtered_customers(
    api, smiths, bystanders, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"{URL}?last_name=Smith", {"expected_count": 3}, format="json")
    assert response.status_code == 202, response.json()
    job = response.json()
    assert (job["state"], job["expected_count"], job["done"], job["deleted"]) == (
        "queued",
        3,
        0,
        0,
    )
    assert job["query"] == "last_name=Smith"
    assert response["Location"] == job["url"]
    assert in_recycle_bin(smiths) == [True, True, True]
    assert in_recycle_bin(bystanders) == [False, False]
    assert changes_for(Customer.objects.get(pk=smiths[0].pk)).first().via == "api"

    # The job's own URL shows it finished.
    done = api.get(job["url"]).json()
    assert (done["state"], done["done"], done["deleted"]) == ("done", 3, 3)
    assert done["finished_at"]


def test_a_count_that_no_longer_matches_answers_409_and_deletes_nothing(api, smiths):
    response = api.post(f"{URL}?last_name=Smith", {"expected_count": 2}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["status"] == 409
    assert body["code"] == "count_changed"
    assert body["detail"].startswith("The search now finds 3 customers, not 2")
    assert [e["field"] for e in body["errors"]] == ["expected_count"]
    assert in_recycle_bin(smiths) == [False, False, False]
    assert not BulkDeletion.objects.exists()


@pytest.mark.parametrize("body", [{}, {"expected_count": "3"}, {"expected_count": -1}])
def test_expected_count_must_be_given_as_a_non_negative_integer(api, smiths, body):
    response = api.post(f"{URL}?last_name=Smith", body, format="json")
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["expected_count"]
    assert in_recycle_bin(smiths) == [False, False, False]


def test_a_search_finding_nobody_deletes_nothing(api, smiths):
    response = api.post(f"{URL}?last_name=Nobody", {"expected_count": 0}, format="json")
    assert response.status_code == 400
    assert "no customers" in response.json()["errors"][0]["message"]
    assert not BulkDeletion.objects.exists()


def test_sales_may_neither_delete_nor_watch_deletions(member, smiths):
    sales = api_client_for(member(Role.SALES))
    response = sales.post(f"{URL}?last_name=Smith", {"expected_count": 3}, format="json")
    assert response.status_code == 403
    assert in_recycle_bin(smiths) == [False, False, False]
    assert sales.get(JOBS).status_code == 403


def test_another_workspaces_job_answers_404(api, other_workspace):
    foreign = BulkDeletion.objects.create(workspace=other_workspace, query="q=x", count=1)
    assert api.get(f"{JOBS}{foreign.pk}/").status_code == 404
    assert api.get(JOBS).json()["results"] == []


def test_list_shows_progress_newest_first(api, workspace, smiths):
    older = BulkDeletion.objects.create(workspace=workspace, query="q=a", count=4, done_count=4)
    newer = BulkDeletion.objects.create(
        workspace=workspace, query="q=b", count=10, done_count=5, deleted_count=4, state="running"
    )
    jobs = api.get(JOBS).json()["results"]
    assert [j["id"] for j in jobs] == [newer.pk, older.pk]
    assert (jobs[0]["state"], jobs[0]["expected_count"], jobs[0]["done"], jobs[0]["deleted"]) == (
        "running",
        10,
        5,
        4,
    )
    assert api.get(f"{JOBS}{newer.pk}/").json()["done"] == 5
