"""Every write to a note goes through here: pages, API and commands alike.

Each service is one transaction: it validates with the model's full_clean() plus the
call-back rules, saves, and records the change in the note's History. A failed call
changes nothing.
"""

import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from patron.api.models import hash_key
from patron.customers.models import Customer
from patron.history.models import Change
from patron.history.services import differences, record_change, snapshot
from patron.notes.models import CalendarFeed, Note

# The fields a person edits, in form order; also what History compares.
EDITABLE_FIELDS = ["customer", "subject", "body", "callback_at", "callback_for", "callback_done"]
AUDITED_FIELDS = EDITABLE_FIELDS
PAST_CALLBACK = "The call-back time is in the past: choose a time from now on."


def _apply(note: Note, data: dict[str, Any]) -> None:
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable note fields: {sorted(unknown)}")
    for name, value in data.items():
        if name in ("subject", "body") and value is None:
            value = ""
        setattr(note, name, value)


def _settle_callback(note: Note, *, was_done: bool, default_for) -> None:
    """No call-back, no one to make it; a new one is the author's; done is stamped."""
    if note.callback_at is None:
        note.callback_for = None
    elif note.callback_for_id is None:
        note.callback_for = default_for
    if note.callback_done and not was_done:
        note.done_at = timezone.now()
    elif not note.callback_done:
        note.done_at = None


def _validate(note: Note, *, callback_was) -> None:
    """full_clean(), plus: a call-back set or moved to a time already past is refused.

    A done call-back may lie in the past, and so may one that was set earlier and is now
    overdue: editing the note's text must not force its call-back to move.
    """
    errors: dict[str, list[ValidationError]] = {}
    try:
        note.full_clean()
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if (
        note.callback_at is not None
        and not note.callback_done
        and note.callback_at != callback_was
        and note.callback_at < timezone.now()
    ):
        errors.setdefault("callback_at", []).append(ValidationError(PAST_CALLBACK, code="past"))
    if errors:
        raise ValidationError(errors)


def _record(note: Note, before, *, action: str, actor, via: str, reason: str = "") -> None:
    record_change(
        instance=note,
        action=action,
        actor=actor,
        fields=differences(before, snapshot(note, AUDITED_FIELDS)),
        via=via,
        reason=reason,
    )


@transaction.atomic
def note_create(*, workspace, actor, data: dict[str, Any], via: str = "page") -> Note:
    """Add a note to a customer (`data["customer"]`), optionally scheduling a call-back."""
    note = Note(workspace=workspace, author=actor if getattr(actor, "pk", None) else None)
    _apply(note, data)
    if Customer.objects.in_workspace(workspace).deleted().filter(pk=note.customer_id).exists():
        raise ValidationError({"customer": "This customer is in the recycle bin."})
    _settle_callback(note, was_done=False, default_for=note.author)
    _validate(note, callback_was=None)
    note.save()
    _record(note, {}, action=Change.Action.CREATE, actor=actor, via=via)
    return note


def _locked(note: Note) -> Note:
    return Note.objects.select_for_update().get(pk=note.pk, workspace_id=note.workspace_id)


@transaction.atomic
def note_update(*, note: Note, actor, data: dict[str, Any], via: str = "page") -> Note:
    """Change a note; a call-back set or moved into the past is refused."""
    note = _locked(note)
    before = snapshot(note, AUDITED_FIELDS)
    callback_was, was_done = note.callback_at, note.callback_done
    _apply(note, data)
    _settle_callback(note, was_done=was_done, default_for=note.author or actor)
    _validate(note, callback_was=callback_was)
    if not differences(before, snapshot(note, AUDITED_FIELDS)):
        return note
    note.save()
    _record(note, before, action=Change.Action.UPDATE, actor=actor, via=via)
    return note


@transaction.atomic
def note_delete(*, note: Note, actor, via: str = "page") -> None:
    """Delete a note for good; its History stays, ending with the deletion."""
    note = _locked(note)
    before = snapshot(note, AUDITED_FIELDS)
    record_change(
        instance=note,
        action=Change.Action.DELETE,
        actor=actor,
        fields=differences(before, {name: (label, "") for name, (label, _) in before.items()}),
        via=via,
    )
    note.delete()


@transaction.atomic
def _set_done(note: Note, *, done: bool, actor, via: str, reason: str) -> Note:
    note = _locked(note)
    if not note.has_callback:
        raise ValidationError("This note has no call-back.", code="no_callback")
    if note.callback_done == done:
        return note
    before = snapshot(note, AUDITED_FIELDS)
    note.callback_done = done
    note.done_at = timezone.now() if done else None
    note.save()
    _record(note, before, action=Change.Action.UPDATE, actor=actor, via=via, reason=reason)
    return note


def callback_mark_done(*, note: Note, actor, via: str = "page") -> Note:
    """The call-back has been made: it leaves My call-backs and the calendar."""
    return _set_done(note, done=True, actor=actor, via=via, reason="Call-back done")


def callback_mark_undone(*, note: Note, actor, via: str = "page") -> Note:
    """Reopen a call-back marked done by mistake (it may then be overdue)."""
    return _set_done(note, done=False, actor=actor, via=via, reason="Call-back reopened")


@transaction.atomic
def calendar_feed_issue(*, membership) -> str:
    """A new secret calendar token for the member; any earlier one stops working.

    Returns the token, which is not readable again (only its hash is kept).
    """
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(
        membership=membership,
        defaults={"token_hash": hash_key(token), "issued_at": timezone.now(), "last_used_at": None},
    )
    return token


def calendar_feed_for_token(token: str) -> CalendarFeed | None:
    """The feed a token opens, if it is current and its member still active."""
    feed = (
        CalendarFeed.objects.select_related("membership__user", "membership__workspace")
        .filter(token_hash=hash_key(token))
        .first()
    )
    if feed is None or not feed.membership.user.is_active:
        return None
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=timezone.now())
    return feed
