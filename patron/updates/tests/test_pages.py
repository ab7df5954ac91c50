import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from patron.marketing.models import CustomerTrait
from patron.updates.models import BulkUpdate
from patron.workspaces.roles import Role


def csv_file(text: str, name: str = "golfers.csv", encoding: str = "utf-8"):
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def test_upload_preview_and_apply(admin_client, jane, john, golfer):
    page = admin_client.get("/marketing/updates/").content.decode()
    assert "customer no." in page and "Download a sample traits file" in page

    response = admin_client.post(
        "/marketing/updates/",
        {"kind": "traits", "file": csv_file(f"{jane.number},Golfer\n{john.number},Sailor\n")},
    )
    bulk_update = BulkUpdate.objects.get()
    assert response.status_code == 302 and response.url == f"/marketing/updates/{bulk_update.pk}/"

    preview = admin_client.get(response.url).content.decode()
    assert f"Add the trait Golfer to {jane.number} Jane Smith" in preview
    assert "No trait is named “Sailor” (known: Golfer)." in preview
    assert 'id="count-changes">1<' in preview and 'id="count-errors">1<' in preview
    assert "Apply, skipping the 1 bad row" in preview
    assert not CustomerTrait.objects.exists()

    # Without choosing to skip, nothing is written.
    refused = admin_client.post(f"/marketing/updates/{bulk_update.pk}/apply/", follow=True)
    assert "1 row of the file has errors, so nothing was applied." in refused.content.decode()
    assert not CustomerTrait.objects.exists()

    applied = admin_client.post(
        f"/marketing/updates/{bulk_update.pk}/apply/", {"skip_bad_rows": "on"}, follow=True
    )
    page = applied.content.decode()
    assert "Applied golfers.csv: 1 added to 1 customer(s)." in page
    assert 'id="count-created">1<' in page and 'id="count-skipped">1<' in page
    assert "No trait is named “Sailor”" in page
    assert list(CustomerTrait.objects.values_list("customer", flat=True)) == [jane.pk]

    again = admin_client.post(
        f"/marketing/updates/{bulk_update.pk}/apply/", {"skip_bad_rows": "on"}, follow=True
    )
    assert "already applied" in again.content.decode()
    assert CustomerTrait.objects.count() == 1

    history = admin_client.get("/marketing/updates/").content.decode()
    assert "golfers.csv" in history and "1 added, 0 already so, 1 skipped" in history


def test_a_clean_file_applies_with_one_button(admin_client, jane, golfer):
    admin_client.post(
        "/marketing/updates/",
        {"kind": "traits", "file": csv_file(f"Customer no.,Trait\n{jane.number},golfer\n")},
    )
    bulk_update = BulkUpdate.objects.get()
    preview = admin_client.get(f"/marketing/updates/{bulk_update.pk}/").content.decode()
    assert "Apply 1 change" in preview and "skipping" not in preview
    admin_client.post(f"/marketing/updates/{bulk_update.pk}/apply/")
    assert jane.customer_traits.count() == 1


def test_an_unreadable_file_is_refused_on_the_form(admin_client):
    response = admin_client.post(
        "/marketing/updates/", {"kind": "traits", "file": csv_file("Customer no.,Colour\n1,Red\n")}
    )
    assert response.status_code == 200
    assert "The header row has no Trait column" in response.content.decode()
    missing = admin_client.post("/marketing/updates/", {"kind": "traits"})
    assert "This field is required." in missing.content.decode()
    assert not BulkUpdate.objects.exists()


def test_windows_1252_file_through_the_page(admin_client, workspace, admin, jane):
    from patron.marketing import services

    services.trait_create(workspace=workspace, actor=admin, data={"name": "Zoë's club"})
    admin_client.post(
        "/marketing/updates/",
        {"kind": "traits", "file": csv_file(f"{jane.number};Zoë's club\r\n", encoding="cp1252")},
    )
    bulk_update = BulkUpdate.objects.get()
    preview = admin_client.get(f"/marketing/updates/{bulk_update.pk}/").content.decode()
    assert "Add the trait Zoë&#x27;s club to" in preview
    assert "semicolon-separated" in preview


def test_samples_download(admin_client):
    response = admin_client.get("/marketing/updates/sample.csv?kind=fulfilments")
    assert response["Content-Disposition"] == 'attachment; filename="update-fulfilments-sample.csv"'
    assert response.content.decode().startswith("Customer no.,Date,Type,Activity,Ref. code\r\n")
    assert admin_client.get("/marketing/updates/sample.csv?kind=colours").status_code == 404


def test_bad_rows_download_as_csv(admin_client, jane, golfer):
    admin_client.post(
        "/marketing/updates/", {"kind": "traits", "file": csv_file(f"{jane.number},=cmd()\n")}
    )
    bulk_update = BulkUpdate.objects.get()
    body = admin_client.get(f"/marketing/updates/{bulk_update.pk}/errors.csv").content.decode()
    assert body.splitlines() == [
        "Row,Column,Value,Reason",
        "1,Trait,'=cmd(),No trait is named “=cmd()” (known: Golfer).",
    ]


def test_discard_a_previewed_file(admin_client, jane, golfer):
    admin_client.post(
        "/marketing/updates/", {"kind": "traits", "file": csv_file(f"{jane.number},Golfer\n")}
    )
    bulk_update = BulkUpdate.objects.get()
    admin_client.post(f"/marketing/updates/{bulk_update.pk}/discard/")
    assert not BulkUpdate.objects.exists()
    assert not CustomerTrait.objects.exists()


def test_large_previews_are_paginated(admin_client, workspace, golfer):
    from patron.customers.models import Customer

    Customer.objects.bulk_create(
        Customer(workspace=workspace, number=5000 + i, last_name=f"N{i}", name_key=f"n{i}")
        for i in range(250)
    )
    text = "".join(f"{5000 + i},Golfer\n" for i in range(250))
    admin_client.post("/marketing/updates/", {"kind": "traits", "file": csv_file(text)})
    bulk_update = BulkUpdate.objects.get()
    page = admin_client.get(f"/marketing/updates/{bulk_update.pk}/?page=3").content.decode()
    assert "Page 3 of 3" in page and 'id="count-changes">250<' in page
    assert page.count("Add the trait Golfer") == 50


@pytest.mark.parametrize("role", [Role.READ_ONLY, Role.SALES, Role.AGENT])
def test_other_roles_are_refused(client, member, role, workspace, admin, jane, golfer):
    from patron.updates.services import bulk_update_preview

    bulk_update = bulk_update_preview(
        workspace=workspace,
        kind="traits",
        file_name="a.csv",
        content=f"{jane.number},Golfer",
        actor=admin,
    ).bulk_update
    client.force_login(member(role).user)
    assert client.get("/marketing/updates/").status_code == 403
    upload = client.post("/marketing/updates/", {"kind": "traits", "file": csv_file("1,Golfer\n")})
    assert upload.status_code == 403
    assert client.get(f"/marketing/updates/{bulk_update.pk}/").status_code == 403
    assert (
        client.post(
            f"/marketing/updates/{bulk_update.pk}/apply/", {"skip_bad_rows": "on"}
        ).status_code
        == 403
    )
    assert client.get("/marketing/updates/sample.csv?kind=traits").status_code == 403
    assert BulkUpdate.objects.count() == 1 and not CustomerTrait.objects.exists()


def test_a_manager_may(client, member, jane, golfer):
    client.force_login(member(Role.MANAGER).user)
    assert client.get("/marketing/updates/").status_code == 200


def test_a_file_too_large_is_refused_before_it_is_read(admin_client, monkeypatch):
    from patron.updates import parsing

    monkeypatch.setattr(parsing, "MAX_BYTES", 1024)
    response = admin_client.post(
        "/marketing/updates/", {"kind": "traits", "file": csv_file("1,Golfer\n" * 200)}
    )
    assert "The file is 2 KB; the largest accepted is 1 KB." in response.content.decode()
    assert not BulkUpdate.objects.exists()
