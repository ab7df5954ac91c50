"""The import API: /api/v1/imports/ and /api/v1/import-mappings/."""

import csv
import io
import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from patron.conftest import api_client_for
from patron.customers.models import Customer
from patron.exchange import checking
from patron.exchange.api import ImportJobViewSet
from patron.exchange.models import ImportCheck, ImportJob, ImportMapping
from patron.exchange.tests.conftest import body
from patron.exchange.tests.test_import_pages import LIST_OPTIONS, mapping_post, start, upload_file
from patron.history.models import Change
from patron.lists import services as list_services
from patron.lists.models import CustomerList
from patron.testing.factories import MembershipFactory, make_customer
from patron.workspaces.roles import Role

FILE = (
    "First name,Last name,Email,Notes\n"
    "Grace,Hopper,grace@example.com,Navy\n"
    "Ada,Lovelace,ADA@example.com,Poet's daughter\n"
    "Bad,Row,not-an-email,\n"
)


def upload(text: str = FILE, name: str = "people.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def post(api, **data):
    return api.post("/api/v1/imports/", {"file": upload(), **data}, format="multipart")


def test_a_dry_run_counts_and_lists_errors_and_writes_nothing(api, customer):
    response = post(api, dry_run="true", customer_type="customer")
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["counts"] == {
        "rows": 3,
        "created": 1,
        "updated": 0,
        "unchanged": 1,  # Ada: the same name and email (in lower case, as stored)
        "skipped": 0,
        "failed": 1,
        "joined_list": 0,
        "refused_by_list": 0,
    }
    assert data["complete"] is True
    assert data["file"]["headers"] == ["First name", "Last name", "Email", "Notes"]
    assert data["file"]["delimiter"] == ","
    assert data["mapping"] == {
        "First name": "first_name",
        "Last name": "last_name",
        "Email": "email",
    }
    assert data["errors"] == [
        {
            "row": 4,
            "column": "Email",
            "reason": "Enter a valid email address: An email address must have an @-sign.",
        }
    ]
    assert Customer.objects.count() == 1
    assert not ImportJob.objects.exists()


def test_an_import_is_queued_and_its_report_read(api, customer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(api, mapping=json.dumps({"Notes": "job_title"}), match="fill")
    assert response.status_code == 202, response.json()
    job_id = response.json()["id"]
    assert response.json()["status"] == "queued"  # as it was queued; the task ran after
    job = api.get(f"/api/v1/imports/{job_id}/").json()
    assert job["status"] == "done"
    assert job["counts"]["created"] == 1
    assert job["counts"]["updated"] == 1
    assert job["counts"]["failed"] == 1
    assert job["options"]["match"] == "fill"
    assert job["progress"] == {"rows_done": 3, "rows_total": 3, "percent": 100}
    assert job["errors"][0]["row"] == 4
    assert Customer.objects.get(email="grace@example.com").job_title == "Navy"
    customer.refresh_from_db()
    assert customer.job_title == "Poet's daughter"  # filled: it was empty
    listed = api.get("/api/v1/imports/").json()["results"]
    assert [item["id"] for item in listed] == [job_id]
    rows = api.get(job["failed_rows_url"])
    assert rows.status_code == 200
    table = list(csv.reader(io.StringIO(body(rows).decode("utf-8-sig"))))
    assert table[0] == ["First name", "Last name", "Email", "Notes", "Reason"]
    assert table[1][:3] == ["Bad", "Row", "not-an-email"]
    assert table[1][4].startswith("Email: Enter a valid email address")


def test_no_failed_rows_answers_404(api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job_id = post(api, file=upload("Last name\nSmith\n")).json()["id"]
    response = api.get(f"/api/v1/imports/{job_id}/failed-rows/")
    assert response.status_code == 404
    assert response.json()["detail"] == "This import refused no row."


def test_bad_files_and_mappings_are_refused_with_the_field(api):
    response = post(api, file=upload("", name="empty.csv"))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "file"
    assert "is empty" in response.json()["errors"][0]["message"]
    response = post(api, file=upload(FILE, name="people.pdf"))
    assert response.json()["errors"][0]["field"] == "file"
    response = post(api, mapping="{not json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "mapping"
    response = post(api, mapping=json.dumps({"Nope": "email"}))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "mapping"
    assert "The file has no column “Nope”" in response.json()["errors"][0]["message"]
    response = post(api, mapping=json.dumps({"Email": "shoe_size"}), dry_run="true")
    assert response.json()["errors"][0]["field"] == "mapping"
    assert not ImportJob.objects.exists()


def test_an_import_into_a_list_of_the_workspace(
    api, workspace, other_workspace, django_capture_on_commit_callbacks
):
    foreign = list_services.list_create(workspace=other_workspace, actor=None, data={"name": "X"})
    response = post(api, customer_list=foreign.pk)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "customer_list"
    mine = list_services.list_create(workspace=workspace, actor=None, data={"name": "Mine"})
    with django_capture_on_commit_callbacks(execute=True):
        response = post(api, customer_list=mine.pk)
    assert response.status_code == 202
    assert response.json()["customer_list"] == mine.pk


def test_read_only_tokens_cannot_import(member):
    reader = api_client_for(member(Role.READ_ONLY))
    assert post(reader).status_code == 403
    assert reader.get("/api/v1/imports/").status_code == 403


def test_another_workspaces_import_is_not_found(api, other_workspace):
    foreign = ImportJob.objects.create(
        workspace=other_workspace, file_name="x.csv", status="done", options={"usage": ""}
    )
    assert api.get(f"/api/v1/imports/{foreign.pk}/").status_code == 404
    assert api.get(f"/api/v1/imports/{foreign.pk}/failed-rows/").status_code == 404
    assert api.get("/api/v1/imports/").json()["results"] == []


def test_wizard_drafts_are_not_listed(api, workspace):
    ImportJob.objects.create(workspace=workspace, file_name="draft.csv", status="queued")
    assert api.get("/api/v1/imports/").json()["results"] == []


# --- Saved mappings -------------------------------------------------------------------------


def test_mappings_crud_with_history(api, workspace):
    response = api.post(
        "/api/v1/import-mappings/",
        {"name": "Outlook", "mapping": {"E-mail Address": "email", "Notes": ""}},
        format="json",
    )
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert ImportMapping.objects.get(pk=pk).mapping == {"E-mail Address": "email", "Notes": ""}
    response = api.post(
        "/api/v1/import-mappings/", {"name": "OUTLOOK", "mapping": {}}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "field": "name",
        "code": "invalid",
        "message": "A saved mapping with this name already exists.",
    }
    response = api.patch(
        f"/api/v1/import-mappings/{pk}/", {"mapping": {"Notes": "job_title"}}, format="json"
    )
    assert response.json()["mapping"] == {"Notes": "job_title"}
    response = api.post(
        "/api/v1/import-mappings/", {"name": "Bad", "mapping": {"A": "shoe_size"}}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"].startswith("mapping")
    assert api.delete(f"/api/v1/import-mappings/{pk}/").status_code == 204
    actions = list(
        Change.objects.filter(object_id=pk, content_type__model="importmapping")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update", "delete"]


def test_a_mapping_saved_in_another_workspace_is_not_found(api, other_workspace):
    foreign = ImportMapping.objects.create(workspace=other_workspace, name="X", mapping={})
    assert api.get(f"/api/v1/import-mappings/{foreign.pk}/").status_code == 404
    assert api.delete(f"/api/v1/import-mappings/{foreign.pk}/").status_code == 404
    assert ImportMapping.objects.filter(pk=foreign.pk).exists()


def test_sales_may_import_but_not_into_a_list(workspace, django_capture_on_commit_callbacks):
    sales = api_client_for(MembershipFactory(workspace=workspace, role=Role.SALES))
    customer_list = list_services.list_create(workspace=workspace, actor=None, data={"name": "L"})
    with django_capture_on_commit_callbacks(execute=True):
        assert post(sales).status_code == 202
    from patron.workspaces.roles import role_can

    expected = 202 if role_can(Role.SALES, "marketing.change") else 403
    with django_capture_on_commit_callbacks(execute=True):
        assert post(sales, customer_list=customer_list.pk).status_code == expected


# --- A file checked whole in the background, then imported ----------------------------------

# 12 data rows: the dry run checks the first 5 (API_PREVIEW_ROWS, patched); row 9 is bad and
# row 12 (Jon Smiht) looks like John Smith, both past them; row 3 is Ada, by her email.
CHECKED = [f"Person{n},Hopper,person{n}@example.com,,Pilot" for n in range(12)]
CHECKED[1] = "Ada,Lovelace,ada@example.com,,Countess"
CHECKED[7] = "Bad,Row,not-an-email,,"
CHECKED[10] = "Jon,Smiht,,SW1A 1AA,"
CHECKED_FILE = "First name,Last name,Email,Postcode,Notes\n" + "\n".join(CHECKED) + "\n"
# CHECKED_FILE's mapping as a check shows it when posted with {"Notes": "job_title"}: each
# column the automatic mapping names, and Notes to the job title.
CHECKED_MAPPING = {
    "First name": "first_name",
    "Last name": "last_name",
    "Email": "email",
    "Postcode": "postcode",
    "Notes": "job_title",
}


@pytest.fixture
def john(workspace, admin):
    return make_customer(
        workspace, admin, first_name="John", last_name="Smith", postcode="SW1A 1AA"
    )


def post_check(api, text=CHECKED_FILE, **data):
    return api.post("/api/v1/imports/check/", {"file": upload(text), **data}, format="multipart")


def test_a_file_is_checked_whole_in_the_background_then_imported_with_its_options(
    api, customer, john, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("patron.exchange.api.API_PREVIEW_ROWS", 5)
    dry_run = post(api, file=upload(CHECKED_FILE), dry_run="true").json()
    assert (dry_run["complete"], dry_run["errors"], dry_run["likely_duplicates"]) == (
        False,
        [],
        [],
    )
    changes = Change.objects.count()

    with django_capture_on_commit_callbacks(execute=True):
        response = post_check(api, mapping=json.dumps({"Notes": "job_title"}), match="fill")
    assert response.status_code == 202, response.json()
    queued = response.json()
    job_id = queued["import_id"]
    assert queued["url"] == f"http://testserver/api/v1/imports/{job_id}/check/"
    assert queued["start_url"] == f"http://testserver/api/v1/imports/{job_id}/start/"
    assert queued["status"] == "queued"  # as it was queued; the task ran after

    check = api.get(queued["url"]).json()
    assert check["status"] == "done"
    assert check["file_name"] == "people.csv"
    assert check["options"]["match"] == "fill"
    assert check["mapping"] == CHECKED_MAPPING
    assert check["counts"] == {
        "rows": 12,
        "created": 10,
        "updated": 1,  # Ada: her empty job title filled
        "unchanged": 0,
        "skipped": 0,
        "failed": 1,
        "likely_duplicates": 1,
    }
    assert check["progress"] == {"rows_done": 12, "rows_total": 12, "percent": 100}
    assert check["errors"] == [
        {
            "row": 9,
            "column": "Email",
            "reason": "Enter a valid email address: An email address must have an @-sign.",
        }
    ]
    [found] = check["likely_duplicates"]
    assert (found["row"], found["name"], found["customer"]) == (12, "Jon Smiht", john.pk)
    assert found["message"].startswith(f"Row 12 (Jon Smiht) looks like #{john.number} John Smith")
    assert "same postcode" in found["reasons"]
    # Nothing written, and the draft is not an import yet.
    assert Customer.objects.count() == 2 and Change.objects.count() == changes
    assert api.get("/api/v1/imports/").json()["results"] == []
    assert api.get(f"/api/v1/imports/{job_id}/").status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(check["start_url"], format="json")
    assert response.status_code == 202, response.json()
    assert response.json()["id"] == job_id
    job = api.get(f"/api/v1/imports/{job_id}/").json()
    assert job["status"] == "done"
    assert job["options"]["match"] == "fill"
    assert (job["counts"]["created"], job["counts"]["updated"], job["counts"]["failed"]) == (
        10,
        1,
        1,
    )
    customer.refresh_from_db()
    assert customer.job_title == "Countess"  # Notes mapped to the job title, filled
    assert Customer.objects.filter(last_name="Smiht").exists()  # a warning, not an error
    assert api.get(queued["url"]).status_code == 404  # started: the check is gone
    assert api.post(queued["start_url"], format="json").status_code == 404


def test_a_check_is_followed_while_a_worker_runs_it(
    api, run_worker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        queued = post_check(api).json()
    check = api.get(queued["url"]).json()
    assert check["status"] == "queued"
    assert check["progress"] == {"rows_done": 0, "rows_total": 12, "percent": 0}
    assert check["counts"]["rows"] == 0 and check["errors"] == []
    run_worker()
    check = api.get(queued["url"]).json()
    assert (check["status"], check["counts"]["rows"], check["counts"]["failed"]) == (
        "done",
        12,
        1,
    )


def test_a_check_whose_worker_stopped_says_so_and_runs_again(
    api, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # queued, then its worker dies
        queued = post_check(api).json()
    ImportCheck.objects.update(
        status="running", rows=8, progressed_at=timezone.now() - timedelta(minutes=11)
    )
    check = api.get(queued["url"]).json()
    assert check["status"] == "failed"
    assert check["message"].startswith("The check stopped after 8 rows: it has not moved on")
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(queued["url"], format="json")
    assert response.status_code == 202
    check = api.get(queued["url"]).json()
    assert (check["status"], check["counts"]["rows"]) == ("done", 12)
    response = api.post(queued["url"], format="json")  # done: answered as it is
    assert response.status_code == 200
    assert ImportCheck.objects.count() == 1


def test_a_checked_file_is_refused_with_the_field_and_nothing_kept(api):
    response = post_check(api, mapping=json.dumps({"Nope": "email"}))
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == "mapping"
    assert "The file has no column “Nope”" in error["message"]
    response = post_check(
        api, mapping=json.dumps({column: "" for column in CHECKED_FILE.split("\n")[0].split(",")})
    )
    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "field": "mapping",
        "code": "invalid",
        "message": "No column of the file is mapped to a customer field: map at least one.",
    }
    response = post_check(api, text="")
    assert response.json()["errors"][0]["field"] == "file"
    response = api.post(
        "/api/v1/imports/check/", {"file": upload(name="people.pdf")}, format="multipart"
    )
    assert response.json()["errors"][0]["field"] == "file"
    response = post_check(api, match="merge")
    assert response.json()["errors"][0]["field"] == "match"
    assert not ImportJob.objects.exists() and not ImportCheck.objects.exists()
    assert not list(Path(settings.MEDIA_ROOT, "imports").rglob("*.csv"))


def test_a_checked_import_fills_the_list_it_was_given(
    api, workspace, django_capture_on_commit_callbacks
):
    mine = list_services.list_create(workspace=workspace, actor=None, data={"name": "Mine"})
    with django_capture_on_commit_callbacks(execute=True):
        queued = post_check(api, customer_list=mine.pk).json()
    assert api.get(queued["url"]).json()["customer_list"] == mine.pk
    with django_capture_on_commit_callbacks(execute=True):
        job = api.post(queued["start_url"], format="json").json()
    assert job["customer_list"] == mine.pk
    assert api.get(f"/api/v1/imports/{job['id']}/").json()["counts"]["joined_list"] == 11


def test_read_only_tokens_cannot_check_nor_start(member, api, django_capture_on_commit_callbacks):
    reader = api_client_for(member(Role.READ_ONLY))
    assert post_check(reader).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        queued = post_check(api).json()
    assert reader.get(queued["url"]).status_code == 403
    assert reader.post(queued["start_url"], format="json").status_code == 403
    assert ImportJob.objects.get().options == {}  # still a draft


def test_another_workspaces_checked_draft_is_not_found(
    api, other_workspace, django_capture_on_commit_callbacks
):
    stranger = api_client_for(MembershipFactory(workspace=other_workspace, role=Role.ADMIN))
    with django_capture_on_commit_callbacks(execute=True):
        queued = post_check(stranger).json()
    job_id = queued["import_id"]
    assert api.get(f"/api/v1/imports/{job_id}/check/").status_code == 404
    assert api.post(f"/api/v1/imports/{job_id}/check/", format="json").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        assert api.post(f"/api/v1/imports/{job_id}/start/", format="json").status_code == 404
    job = ImportJob.objects.get(pk=job_id)
    assert job.options == {} and job.checks.count() == 1  # still a draft, its check kept
    assert not Customer.objects.exists()


def test_a_draft_without_a_check_cannot_be_started(api, workspace):
    draft = ImportJob.objects.create(
        workspace=workspace, file_name="draft.csv", status="queued", via=ImportJob.Via.API
    )
    response = api.post(f"/api/v1/imports/{draft.pk}/start/", format="json")
    assert response.status_code == 404
    assert "This import has no check" in response.json()["detail"]
    assert api.get(f"/api/v1/imports/{draft.pk}/check/").status_code == 404


def test_a_draft_started_by_another_request_meanwhile_answers_409(
    api, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        queued = post_check(api).json()
    job = ImportJob.objects.get(pk=queued["import_id"])
    check = job.checks.get()
    # Both requests found the checked draft; the other one started it first.
    monkeypatch.setattr(ImportJobViewSet, "_checked_draft", lambda view: (job, check))
    with django_capture_on_commit_callbacks(execute=True):
        first = api.post(queued["start_url"], format="json")
        second = api.post(queued["start_url"], format="json")
        again = api.post(queued["url"], format="json")
    assert first.status_code == 202
    assert (second.status_code, second.json()["code"]) == (409, "started")
    assert "already been started" in second.json()["detail"]
    assert again.status_code == 409
    assert ImportJob.objects.count() == 1
    assert not ImportCheck.objects.exists()  # no new check of a started import


def test_a_wizards_checked_draft_is_not_the_apis_to_follow_or_start(
    api, admin_client, workspace, django_capture_on_commit_callbacks
):
    # The Import Customer List wizard keeps the list's details in its session until its
    # last step creates the list: started by the API, its customers would join no list.
    start(admin_client, LIST_OPTIONS, url="/lists/import/")
    job = upload_file(admin_client, text="Last name,Email\nHopper,grace@example.com\n")
    admin_client.post(f"/customers/import/{job.pk}/mapping/", mapping_post(job))
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(f"/customers/import/{job.pk}/check/", {"step": "matching"})
    assert job.checks.get().status == "done"

    for response in (
        api.get(f"/api/v1/imports/{job.pk}/check/"),
        api.post(f"/api/v1/imports/{job.pk}/check/", format="json"),
        api.post(f"/api/v1/imports/{job.pk}/start/", format="json"),
    ):
        assert response.status_code == 404
        assert "made by the import wizard" in response.json()["detail"]
    assert not Customer.objects.exists()
    job.refresh_from_db()
    assert job.options == {} and job.checks.count() == 1  # still the wizard's draft
    with pytest.raises(DjangoValidationError, match="its last step starts it"):
        checking.import_start_checked(job=job)

    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(f"/customers/import/{job.pk}/matching/")
    customer_list = CustomerList.objects.get(workspace=workspace, name="Trade show 2026")
    assert list(customer_list.entries.values_list("customer__last_name", flat=True)) == ["Hopper"]


def test_a_checks_mapping_is_shown_without_its_file(api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        queued = post_check(api, mapping=json.dumps({"Notes": "job_title"})).json()
    Path(ImportJob.objects.get(pk=queued["import_id"]).file.path).unlink()

    check = api.get(queued["url"]).json()  # what its draft kept: the file is not read
    assert (check["status"], check["counts"]["rows"]) == ("done", 12)
    assert check["mapping"] == CHECKED_MAPPING


def test_a_checked_draft_keeps_its_files_headers_before_its_check_runs(api):
    queued = post_check(api, mapping=json.dumps({"Notes": "job_title"})).json()
    assert queued["status"] == "queued"  # its task is queued when the request commits
    job = ImportJob.objects.get(pk=queued["import_id"])
    assert job.headers == ["First name", "Last name", "Email", "Postcode", "Notes"]

    # A draft made before drafts kept them has them read from its file.
    ImportJob.objects.filter(pk=job.pk).update(headers=[])
    assert api.get(queued["url"]).json()["mapping"] == CHECKED_MAPPING
