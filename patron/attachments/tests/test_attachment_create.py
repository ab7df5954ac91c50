import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage

from patron.attachments.models import Attachment
from patron.attachments.services import attachment_create
from patron.attachments.tests.conftest import stored_files
from patron.customers.services import customer_delete
from patron.history.services import changes_for
from patron.testing import files
from patron.testing.factories import make_customer
from patron.testing.files import upload


def create(customer, actor, name="contract.pdf", content=files.PDF, **data):
    return attachment_create(
        workspace=customer.workspace,
        actor=actor,
        data={"customer": customer, "file": upload(name, content, "text/html"), **data},
    )


def test_stores_the_file_under_a_random_name_with_what_it_is(customer, admin, workspace):
    attachment = create(customer, admin, name="../Q3 contract.pdf", description=" Signed ")
    assert attachment.original_name == "Q3 contract.pdf"
    assert attachment.content_type == "application/pdf"  # the content's, not the client's
    assert (attachment.size, attachment.description) == (len(files.PDF), "Signed")
    assert attachment.uploaded_by == admin
    stored = attachment.file.name
    assert stored.startswith(f"attachments/{workspace.pk}/") and stored.endswith(".pdf")
    assert "contract" not in stored
    with default_storage.open(stored) as kept:
        assert kept.read() == files.PDF
    change = changes_for(attachment).get()
    assert change.action == "create"
    assert {f["label"]: f["new"] for f in change.fields}["Filename"] == "Q3 contract.pdf"


def test_two_uploads_of_the_same_name_never_collide(customer, admin):
    first, second = create(customer, admin), create(customer, admin)
    assert first.file.name != second.file.name
    assert len(stored_files()) == 2


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("invoice.pdf", files.WINDOWS_PROGRAM),
        ("photo.png", files.HTML),
        ("empty.pdf", b""),
    ],
)
def test_a_refused_upload_keeps_nothing(customer, admin, name, content):
    with pytest.raises(ValidationError) as refused:
        create(customer, admin, name=name, content=content)
    assert "file" in refused.value.message_dict
    assert not Attachment.objects.exists()
    assert stored_files() == []


def test_too_large_keeps_nothing(customer, admin, settings):
    settings.PATRON_ATTACHMENT_MAX_BYTES = 10
    with pytest.raises(ValidationError, match="the largest file accepted"):
        create(customer, admin)
    assert stored_files() == [] and not Attachment.objects.exists()


def test_invalid_description_keeps_nothing(customer, admin):
    with pytest.raises(ValidationError) as refused:
        create(customer, admin, description="x" * 501)
    assert "description" in refused.value.message_dict
    assert stored_files() == [] and not Attachment.objects.exists()


def test_a_failure_after_storing_removes_the_file(customer, admin, monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("history is down")

    monkeypatch.setattr("patron.attachments.services.record_change", fail)
    with pytest.raises(RuntimeError):
        create(customer, admin)
    assert stored_files() == [] and not Attachment.objects.exists()


def test_refuses_a_customer_of_another_workspace(customer, admin, other_workspace):
    with pytest.raises(ValidationError) as refused:
        attachment_create(
            workspace=other_workspace,
            actor=admin,
            data={"customer": customer, "file": upload("a.pdf", files.PDF)},
        )
    assert "customer" in refused.value.message_dict
    assert stored_files() == []


def test_refuses_a_customer_in_the_recycle_bin(workspace, admin):
    customer = make_customer(workspace, admin)
    customer = customer_delete(customer=customer, actor=admin)
    with pytest.raises(ValidationError, match="recycle bin"):
        create(customer, admin)
    assert stored_files() == []
