from django.core.files.storage import default_storage

from patron.attachments.models import Attachment
from patron.attachments.services import attachment_delete
from patron.attachments.tests.conftest import stored_files
from patron.customers.services import customer_delete, customers_purge
from patron.history.models import Change
from patron.testing.files import make_attachment


def test_deletes_the_row_then_the_file_after_commit(
    attachment, admin, django_capture_on_commit_callbacks
):
    stored, pk = attachment.file.name, attachment.pk
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        attachment_delete(attachment=attachment, actor=admin)
        assert default_storage.exists(stored)
    assert not Attachment.objects.filter(pk=pk).exists()
    assert len(callbacks) == 1  # the service's own; the cascade receiver stays out of it
    callbacks[0]()
    assert stored_files() == []
    change = Change.objects.get(object_id=pk, action="delete", content_type__model="attachment")
    assert {f["label"]: f["old"] for f in change.fields}["Filename"] == "contract.pdf"


def test_purging_the_customer_removes_its_files(
    customer, admin, django_capture_on_commit_callbacks
):
    make_attachment(customer, admin)
    make_attachment(customer, admin, name="second.pdf")
    customer_delete(customer=customer, actor=admin)
    assert len(stored_files()) == 2, "the recycle bin keeps them"
    with django_capture_on_commit_callbacks(execute=True):
        customers_purge(older_than_days=0)
    assert not Attachment.objects.exists()
    assert stored_files() == []
