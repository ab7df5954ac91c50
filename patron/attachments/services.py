"""Every write to an attachment goes through here: pages, API and commands alike.

Each service is one transaction. The upload is checked (patron.attachments.uploads)
before anything is kept; a file is written to storage only once the row is known to be
valid, and removed again if saving the row fails, so a refused upload leaves nothing.
A stored file that a change or delete makes unused is removed only after the commit:
until then the row pointing at it may still come back.
"""

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from patron.attachments.models import Attachment
from patron.attachments.uploads import CheckedUpload, check_upload
from patron.history.models import Change
from patron.history.services import differences, record_change, snapshot

# What History shows of an attachment (the stored name is internal and random).
AUDITED_FIELDS = ["original_name", "description", "content_type", "size"]


def _describe(attachment: Attachment, checked: CheckedUpload) -> None:
    attachment.original_name = checked.name
    attachment.content_type = checked.kind.content_type
    attachment.size = checked.size


@contextmanager
def _stored(attachment: Attachment, checked: CheckedUpload) -> Iterator[None]:
    """Write the file to storage; remove it again if the block fails."""
    attachment.file.save(checked.name, checked.file, save=False)
    try:
        yield
    except BaseException:
        attachment.file.storage.delete(attachment.file.name)
        raise


def _remove_after_commit(storage, name: str) -> None:
    if name:
        transaction.on_commit(partial(storage.delete, name), robust=True)


@transaction.atomic
def attachment_create(*, workspace, actor, data: dict[str, Any], via: str = "page") -> Attachment:
    """Attach `data["file"]` to `data["customer"]`, with an optional description."""
    customer = data.get("customer")
    if customer is None or customer.workspace_id != workspace.pk:
        raise ValidationError({"customer": "Choose a customer of this workspace."})
    if customer.is_deleted:
        raise ValidationError(
            {"customer": f"{customer} is in the recycle bin; restore it to attach files."}
        )
    checked = check_upload(data.get("file"))
    attachment = Attachment(
        workspace=workspace,
        customer=customer,
        description=(data.get("description") or "").strip(),
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    _describe(attachment, checked)
    attachment.full_clean(exclude=["file"])
    with _stored(attachment, checked):
        attachment.save()
        record_change(
            instance=attachment,
            action=Change.Action.CREATE,
            actor=actor,
            fields=differences({}, snapshot(attachment, AUDITED_FIELDS)),
            via=via,
        )
    return attachment


@transaction.atomic
def attachment_update(
    *, attachment: Attachment, actor, data: dict[str, Any], via: str = "page"
) -> Attachment:
    """Change the description (`data["description"]`) and/or replace the file (`data["file"]`).

    A replaced file is removed from storage after the commit.
    """
    unknown = set(data) - {"description", "file"}
    if unknown:
        raise ValueError(f"Not editable attachment fields: {sorted(unknown)}")
    attachment = Attachment.objects.select_for_update().get(
        pk=attachment.pk, workspace_id=attachment.workspace_id
    )
    before = snapshot(attachment, AUDITED_FIELDS)
    if data.get("description") is not None:
        attachment.description = data["description"].strip()
    checked = check_upload(data["file"]) if data.get("file") else None
    if checked:
        _describe(attachment, checked)
    attachment.full_clean(exclude=["file"])
    fields = differences(before, snapshot(attachment, AUDITED_FIELDS))
    if checked is None and not fields:
        return attachment
    old_name = attachment.file.name
    with _stored(attachment, checked) if checked else nullcontext():
        attachment.save()
        record_change(
            instance=attachment,
            action=Change.Action.UPDATE,
            actor=actor,
            fields=fields,
            via=via,
            reason="File replaced." if checked else "",
        )
    if checked:
        _remove_after_commit(attachment.file.storage, old_name)
    return attachment


@transaction.atomic
def attachment_delete(*, attachment: Attachment, actor, via: str = "page") -> None:
    """Delete the attachment for good; its stored file is removed after the commit."""
    before = snapshot(attachment, AUDITED_FIELDS)
    record_change(
        instance=attachment,
        action=Change.Action.DELETE,
        actor=actor,
        fields=[
            {"field": name, "label": label, "old": value, "new": ""}
            for name, (label, value) in before.items()
            if value
        ],
        via=via,
    )
    storage, name = attachment.file.storage, attachment.file.name
    attachment.delete()
    _remove_after_commit(storage, name)


def remove_file_of_cascaded_row(sender, instance: Attachment, origin=None, **kwargs) -> None:
    """post_delete: a row deleted with its customer or workspace (a purge) takes its file.

    Those deletes cascade in the database layer and never pass through attachment_delete,
    which removes its own file (its `origin` is the attachment itself).
    """
    if isinstance(origin, Attachment):
        return
    _remove_after_commit(instance.file.storage, instance.file.name)
