import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from patron.conftest import api_client_for
from patron.marketing.models import CustomerTrait
from patron.updates.models import BulkUpdate
from patron.workspaces.roles import Role


def upload(api, text, kind="traits"):
    return api.post(
        "/api/v1/bulk-updates/",
        {"kind": kind, "file": SimpleUploadedFile("golfers.csv", text.encode())},
        format="multipart",
    )


def test_upload_preview_then_apply(api, jane, john, golfer):
    response = upload(api, f"Customer no.,Trait\n{jane.number},Golfer\n{john.number},Sailor\n")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["file_name"], body["state"], body["result"]) == (
        "traits",
        "golfers.csv",
        "previewed",
        None,
    )
    preview = body["preview"]
    assert preview["counts"] == {"rows": 2, "changes": 1, "unchanged": 0, "errors": 1}
    assert (preview["delimiter"], preview["has_header"]) == (",", True)
    assert preview["errors"] == [
        {
            "row": 3,
            "column": "Trait",
            "value": "Sailor",
            "reason": "No trait is named “Sailor” (known: Golfer).",
        }
    ]
    assert preview["changes"] == [
        {"row": 2, "text": f"Add the trait Golfer to {jane.number} Jane Smith"}
    ]
    url = f"/api/v1/bulk-updates/{body['id']}/"
    assert api.get(url).json()["preview"] == preview

    refused = api.post(url + "apply/", {}, format="json")
    assert refused.status_code == 409
    assert refused.json()["code"] == "has_errors"
    assert refused.json()["errors"] == [
        {
            "field": None,
            "code": "bad_row",
            "message": "Row 3, Trait: No trait is named “Sailor” (known: Golfer).",
        }
    ]
    assert not CustomerTrait.objects.exists()

    applied = api.post(url + "apply/", {"skip_bad_rows": True}, format="json")
    assert applied.status_code == 200
    assert applied.json()["state"] == "applied" and applied.json()["preview"] is None
    assert applied.json()["result"]["created"] == 1
    assert applied.json()["result"]["skipped"] == 1
    assert CustomerTrait.objects.get().customer == jane

    again = api.post(url + "apply/", {"skip_bad_rows": True}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "already_applied")
    listed = api.get("/api/v1/bulk-updates/").json()["results"]
    assert [(item["id"], item["result"]["created"]) for item in listed] == [(body["id"], 1)]


def test_an_unreadable_file_is_a_400_on_the_file(api):
    response = upload(api, "Customer no.,Colour\n1,Red\n")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "file"
    assert "no Trait column" in response.json()["errors"][0]["message"]
    wrong_kind = upload(api, "1,Red\n", kind="colours")
    assert wrong_kind.json()["errors"][0]["field"] == "kind"
    assert not BulkUpdate.objects.exists()


@pytest.mark.parametrize("role", [Role.READ_ONLY, Role.SALES])
def test_other_roles_are_refused(member, role, workspace, admin, jane, golfer):
    from patron.updates.services import bulk_update_preview

    bulk_update = bulk_update_preview(
        workspace=workspace,
        kind="traits",
        file_name="a.csv",
        content=f"{jane.number},Golfer",
        actor=admin,
    ).bulk_update
    api = api_client_for(member(role))
    assert upload(api, f"{jane.number},Golfer\n").status_code == 403
    assert api.get(f"/api/v1/bulk-updates/{bulk_update.pk}/").status_code == 403
    apply = api.post(f"/api/v1/bulk-updates/{bulk_update.pk}/apply/", {}, format="json")
    assert apply.status_code == 403
    assert not CustomerTrait.objects.exists()
