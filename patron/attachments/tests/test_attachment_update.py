import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage

from patron.attachments.services import attachment_update
from patron.attachments.tests.conftest import stored_files
from patron.history.services import changes_for
from patron.testing import files
from patron.testing.files import upload


def test_description_only_keeps_the_file(attachment, admin, django_capture_on_commit_callbacks):
    stored = attachment.file.name
    with django_capture_on_commit_callbacks(execute=True):
        attachment_update(attachment=attachment, actor=admin, data={"description": "Countersigned"})
    attachment.refresh_from_db()
    assert (attachment.description, attachment.file.name) == ("Countersigned", stored)
    assert stored_files() == [stored]
    change = changes_for(attachment).first()
    assert change.fields == [
        {
            "field": "description",
            "label": "Description",
            "old": "Signed contract",
            "new": "Countersigned",
        }
    ]


def test_no_change_records_nothing(attachment, admin):
    attachment_update(attachment=attachment, actor=admin, data={"description": "Signed contract"})
    assert changes_for(attachment).count() == 1


def test_replacing_removes_the_old_file_only_after_commit(
    attachment, admin, django_capture_on_commit_callbacks
):
    old = attachment.file.name
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        attachment_update(
            attachment=attachment,
            actor=admin,
            data={"file": upload("prices.xlsx", files.office("xlsx"))},
        )
        assert default_storage.exists(old), "kept until the commit: a rollback still needs it"
    for callback in callbacks:
        callback()
    attachment.refresh_from_db()
    assert not default_storage.exists(old)
    assert stored_files() == [attachment.file.name]
    assert attachment.original_name == "prices.xlsx"
    assert attachment.content_type.endswith("spreadsheetml.sheet")
    change = changes_for(attachment).first()
    assert change.reason == "File replaced."
    assert {f["field"] for f in change.fields} >= {"original_name", "content_type", "size"}


def test_a_refused_replacement_keeps_the_old_file(
    attachment, admin, django_capture_on_commit_callbacks
):
    old = attachment.file.name
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        attachment_update(
            attachment=attachment,
            actor=admin,
            data={"file": upload("evil.pdf", files.WINDOWS_PROGRAM), "description": "new"},
        )
    attachment.refresh_from_db()
    assert (attachment.file.name, attachment.description) == (old, "Signed contract")
    assert stored_files() == [old]


def test_a_failed_save_removes_the_new_file_and_keeps_the_old(attachment, admin, monkeypatch):
    old = attachment.file.name

    def fail(**kwargs):
        raise RuntimeError("history is down")

    monkeypatch.setattr("patron.attachments.services.record_change", fail)
    with pytest.raises(RuntimeError):
        attachment_update(
            attachment=attachment, actor=admin, data={"file": upload("b.pdf", files.PDF)}
        )
    assert stored_files() == [old]


def test_only_description_and_file_are_editable(attachment, admin):
    with pytest.raises(ValueError, match="content_type"):
        attachment_update(attachment=attachment, actor=admin, data={"content_type": "text/html"})
