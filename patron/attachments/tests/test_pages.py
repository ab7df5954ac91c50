import pytest
from django.core.files.storage import default_storage

from patron.attachments.models import Attachment
from patron.attachments.tests.conftest import stored_files
from patron.testing import files
from patron.testing.factories import MembershipFactory
from patron.testing.files import make_attachment, upload
from patron.workspaces.roles import Role


def login(client, workspace, role):
    client.force_login(MembershipFactory(workspace=workspace, role=role).user)
    return client


def test_add_from_the_customer_page(admin_client, customer):
    page = admin_client.get(customer.get_absolute_url()).content.decode()
    url = f"/customers/{customer.pk}/attachments/new/"
    assert f'href="{url}"' in page and "Add Attachment" in page
    response = admin_client.post(
        url, {"file": upload("Quote 7.pdf", files.PDF, "text/html"), "description": "Quote"}
    )
    attachment = Attachment.objects.get()
    assert response.url == f"/attachments/{attachment.pk}/"
    assert (attachment.customer, attachment.original_name) == (customer, "Quote 7.pdf")
    detail = admin_client.get(response.url).content.decode()
    assert "Quote 7.pdf" in detail and "PDF document" in detail
    assert f'href="/attachments/{attachment.pk}/download/"' in detail


def test_a_refused_upload_shows_why_on_the_form_and_keeps_nothing(admin_client, customer):
    response = admin_client.post(
        f"/customers/{customer.pk}/attachments/new/",
        {"file": upload("invoice.pdf", files.WINDOWS_PROGRAM), "description": "x"},
    )
    assert response.status_code == 200
    assert "“invoice.pdf”: The file is a Windows program" in response.content.decode()
    assert not Attachment.objects.exists() and stored_files() == []


def test_the_tab_lists_attachments_with_their_operations(admin_client, customer, admin):
    attachment = make_attachment(customer, admin, description="Signed contract")
    tab = admin_client.get(f"/customers/{customer.pk}/tabs/attachments/").content.decode()
    for text in ("Created", "Updated", "Filename", "Description", "contract.pdf", "Signed"):
        assert text in tab
    for operation in ("", "edit/", "delete/"):
        assert f'href="/attachments/{attachment.pk}/{operation}"' in tab


def test_read_only_can_view_and_download_but_not_change(client, workspace, customer, admin):
    attachment = make_attachment(customer, admin)
    login(client, workspace, Role.READ_ONLY)
    pk, base = attachment.pk, f"/attachments/{attachment.pk}/"
    assert "Add Attachment" not in client.get(customer.get_absolute_url()).content.decode()
    tab = client.get(f"/customers/{customer.pk}/tabs/attachments/").content.decode()
    assert f'href="{base}"' in tab and f'href="{base}edit/"' not in tab
    assert client.get(base).status_code == 200
    assert client.get(f"{base}download/").status_code == 200
    assert client.get(f"/customers/{customer.pk}/attachments/new/").status_code == 403
    assert client.post(f"{base}edit/", {"description": "changed"}).status_code == 403
    assert client.post(f"{base}delete/").status_code == 403
    assert Attachment.objects.get(pk=pk).description == "Signed contract"


@pytest.mark.parametrize("role", [Role.SALES, Role.AGENT, Role.ACCOUNTS, Role.MANAGER])
def test_every_writer_may_add(client, workspace, customer, role):
    login(client, workspace, role)
    response = client.post(
        f"/customers/{customer.pk}/attachments/new/", {"file": upload("a.txt", files.TEXT)}
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("name", "content", "content_type", "disposition"),
    [
        ("contract.pdf", files.PDF, "application/pdf", 'attachment; filename="contract.pdf"'),
        ("notes.txt", files.TEXT, "text/plain; charset=utf-8", 'attachment; filename="notes.txt"'),
        (
            "Café menu.pdf",
            files.PDF,
            "application/pdf",
            "attachment; filename*=utf-8''Caf%C3%A9%20menu.pdf",
        ),
    ],
)
def test_download_is_always_a_download(
    admin_client, customer, admin, name, content, content_type, disposition
):
    attachment = make_attachment(customer, admin, name=name, content=content)
    response = admin_client.get(f"/attachments/{attachment.pk}/download/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Disposition"] == disposition
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "sandbox"
    assert response["Content-Length"] == str(len(content))


def test_download_of_an_unexpected_stored_type_is_plain_bytes(admin_client, customer, admin):
    attachment = make_attachment(customer, admin)
    Attachment.objects.filter(pk=attachment.pk).update(content_type="text/html")
    response = admin_client.get(f"/attachments/{attachment.pk}/download/")
    assert response["Content-Type"] == "application/octet-stream"


def test_edit_description_and_replace_the_file(
    admin_client, customer, admin, django_capture_on_commit_callbacks
):
    attachment = make_attachment(customer, admin)
    old = attachment.file.name
    form = admin_client.get(f"/attachments/{attachment.pk}/edit/").content.decode()
    assert "Signed contract" in form and "Replace the file" in form
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            f"/attachments/{attachment.pk}/edit/",
            {"description": "Scanned", "file": upload("scan.png", files.image("PNG"))},
        )
    assert response.url == f"/attachments/{attachment.pk}/"
    attachment.refresh_from_db()
    assert (attachment.original_name, attachment.description) == ("scan.png", "Scanned")
    assert not default_storage.exists(old)
    history = admin_client.get(response.url).content.decode()
    assert "File replaced." in history and "contract.pdf" in history


def test_edit_without_a_file_keeps_it(admin_client, customer, admin):
    attachment = make_attachment(customer, admin)
    response = admin_client.post(f"/attachments/{attachment.pk}/edit/", {"description": "New"})
    assert response.status_code == 302
    attachment.refresh_from_db()
    assert (attachment.original_name, attachment.description) == ("contract.pdf", "New")


def test_delete_asks_first(admin_client, customer, admin, django_capture_on_commit_callbacks):
    attachment = make_attachment(customer, admin)
    confirm = admin_client.get(f"/attachments/{attachment.pk}/delete/").content.decode()
    assert "Delete contract.pdf?" in confirm
    assert Attachment.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/attachments/{attachment.pk}/delete/")
    assert response.url == customer.get_absolute_url()
    assert not Attachment.objects.exists() and stored_files() == []


def test_another_workspace_gets_404(client, other_workspace, customer, admin):
    attachment = make_attachment(customer, admin)
    login(client, other_workspace, Role.ADMIN)
    for url in ("", "download/", "edit/", "delete/"):
        assert client.get(f"/attachments/{attachment.pk}/{url}").status_code == 404
    assert client.get(f"/customers/{customer.pk}/attachments/new/").status_code == 404
