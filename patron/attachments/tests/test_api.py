import pytest

from patron.attachments.models import Attachment
from patron.attachments.tests.conftest import stored_files
from patron.conftest import api_client_for
from patron.history.services import changes_for
from patron.testing import files
from patron.testing.factories import MembershipFactory, make_customer
from patron.testing.files import make_attachment, upload
from patron.workspaces.roles import Role

URL = "/api/v1/attachments/"


def test_multipart_create_then_read(api, customer):
    response = api.post(
        URL,
        {
            "customer": customer.pk,
            "file": upload("../Price list.xlsx", files.office("xlsx"), "text/html"),
            "description": "2026 prices",
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["filename"] == "Price list.xlsx"
    assert body["content_type"].endswith("spreadsheetml.sheet")
    assert body["size"] == len(files.office("xlsx"))
    assert body["download"].endswith(f"{URL}{body['id']}/download/")
    assert "file" not in body
    attachment = Attachment.objects.get(pk=body["id"])
    assert changes_for(attachment).get().via == "api"
    assert api.get(f"{URL}{attachment.pk}/").json()["description"] == "2026 prices"


def test_create_takes_multipart_only(api, customer):
    response = api.post(URL, {"customer": customer.pk, "file": "JVBERi0="}, format="json")
    assert response.status_code == 415


def test_refused_files_name_the_problem_and_keep_nothing(api, customer):
    response = api.post(
        URL,
        {"customer": customer.pk, "file": upload("invoice.pdf", files.WINDOWS_PROGRAM)},
        format="multipart",
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["field"] == "file" and "Windows program" in error["message"]
    assert not Attachment.objects.exists() and stored_files() == []


def test_list_filters_by_customer(api, workspace, customer, admin):
    other = make_customer(workspace, admin, last_name="Other")
    mine = make_attachment(customer, admin)
    make_attachment(other, admin)
    rows = api.get(URL, {"customer": customer.pk}).json()["results"]
    assert [row["id"] for row in rows] == [mine.pk]
    assert len(api.get(URL).json()["results"]) == 2


def test_patch_changes_the_description(api, customer, admin):
    attachment = make_attachment(customer, admin)
    response = api.patch(f"{URL}{attachment.pk}/", {"description": "Renewed"}, format="json")
    assert response.status_code == 200
    assert response.json()["description"] == "Renewed"
    assert api.put(f"{URL}{attachment.pk}/", {"description": "x"}, format="json").status_code == 405


def test_delete_removes_row_and_file(api, customer, admin, django_capture_on_commit_callbacks):
    attachment = make_attachment(customer, admin)
    with django_capture_on_commit_callbacks(execute=True):
        assert api.delete(f"{URL}{attachment.pk}/").status_code == 204
    assert not Attachment.objects.exists() and stored_files() == []


@pytest.mark.parametrize("accept", ["*/*", "application/json", "application/pdf"])
def test_download_headers(api, customer, admin, accept):
    attachment = make_attachment(customer, admin, name='Q3 "final".pdf')
    response = api.get(f"{URL}{attachment.pk}/download/", HTTP_ACCEPT=accept)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == files.PDF
    assert response["Content-Disposition"] == 'attachment; filename="Q3 _final_.pdf"'
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"


def test_download_errors_are_json(api):
    response = api.get(f"{URL}999999/download/", HTTP_ACCEPT="application/pdf")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_read_only_may_read_and_download_but_not_write(workspace, customer, admin):
    attachment = make_attachment(customer, admin)
    api = api_client_for(MembershipFactory(workspace=workspace, role=Role.READ_ONLY))
    assert api.get(f"{URL}{attachment.pk}/download/").status_code == 200
    assert (
        api.patch(f"{URL}{attachment.pk}/", {"description": "x"}, format="json").status_code == 403
    )
    assert api.delete(f"{URL}{attachment.pk}/").status_code == 403
    response = api.post(
        URL, {"customer": customer.pk, "file": upload("a.pdf", files.PDF)}, format="multipart"
    )
    assert response.status_code == 403


def test_another_workspace_gets_404_and_cannot_attach(other_workspace, customer, admin):
    attachment = make_attachment(customer, admin)
    api = api_client_for(MembershipFactory(workspace=other_workspace, role=Role.ADMIN))
    for url in (f"{URL}{attachment.pk}/", f"{URL}{attachment.pk}/download/"):
        assert api.get(url).status_code == 404
    assert api.get(URL, {"customer": customer.pk}).status_code == 400
    assert api.get(URL).json()["results"] == []
    response = api.post(
        URL, {"customer": customer.pk, "file": upload("a.pdf", files.PDF)}, format="multipart"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "customer"
    assert Attachment.objects.count() == 1


def test_an_empty_patch_changes_nothing(api, customer, admin):
    attachment = make_attachment(customer, admin)
    response = api.patch(f"{URL}{attachment.pk}/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["description"] == "Signed contract"
    assert changes_for(attachment).count() == 1
