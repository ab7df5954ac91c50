from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from patron.customers.services import customer_delete
from patron.history.models import Change
from patron.history.services import changes_for
from patron.notes import services
from patron.notes.models import Note
from patron.testing.factories import MembershipFactory, make_customer, make_note
from patron.workspaces.roles import Role

TOMORROW = timedelta(days=1)


def test_create_records_the_author_and_history(customer, admin):
    note = make_note(customer, admin, subject="Wants a quote", body="For 20 chairs.")
    assert (note.workspace, note.customer, note.author) == (customer.workspace, customer, admin)
    change = changes_for(note).get()
    assert (change.action, change.actor, change.via) == (Change.Action.CREATE, admin, "test")
    assert {(f["label"], f["new"]) for f in change.fields} == {
        ("Customer", "Ada Lovelace"),
        ("Short description", "Wants a quote"),
        ("Note", "For 20 chairs."),
    }


def test_a_callback_is_for_the_author_unless_someone_else_is_named(customer, admin, member):
    colleague = member(Role.SALES).user
    mine = make_note(customer, admin, callback_in=TOMORROW)
    theirs = make_note(customer, admin, callback_in=TOMORROW, callback_for=colleague)
    plain = make_note(customer, admin, callback_for=colleague)
    assert (mine.callback_for, theirs.callback_for, plain.callback_for) == (admin, colleague, None)


def test_a_callback_in_the_past_is_refused_and_nothing_is_saved(customer, admin):
    with pytest.raises(ValidationError) as error:
        make_note(customer, admin, callback_in=-timedelta(minutes=1))
    assert error.value.message_dict == {"callback_at": [services.PAST_CALLBACK]}
    assert not Note.objects.exists()
    assert not Change.objects.filter(content_type__model="note").exists()


def test_a_done_callback_may_be_in_the_past(customer, admin):
    note = make_note(customer, admin, callback_in=-TOMORROW, callback_done=True)
    assert note.callback_done and note.done_at is not None


def test_editing_refuses_moving_a_callback_into_the_past(customer, admin):
    note = make_note(customer, admin, callback_in=TOMORROW)
    with pytest.raises(ValidationError) as error:
        services.note_update(
            note=note, actor=admin, data={"callback_at": timezone.now() - TOMORROW}
        )
    assert "callback_at" in error.value.message_dict
    note.refresh_from_db()
    assert note.callback_at > timezone.now()
    assert changes_for(note).count() == 1


def test_an_overdue_callback_does_not_block_editing_the_text(customer, admin):
    note = make_note(customer, admin, callback_in=TOMORROW)
    Note.objects.filter(pk=note.pk).update(callback_at=timezone.now() - TOMORROW)  # time passes
    note.refresh_from_db()
    note = services.note_update(note=note, actor=admin, data={"body": "Left a message."})
    assert note.body == "Left a message." and note.is_overdue


def test_edit_records_each_changed_field(customer, admin, member):
    colleague = member(Role.SALES).user
    note = make_note(customer, admin, subject="Call")
    when = timezone.now() + TOMORROW
    services.note_update(
        note=note,
        actor=colleague,
        data={"subject": "Call back", "callback_at": when, "callback_for": colleague},
    )
    change = changes_for(note).first()
    assert (change.action, change.actor) == (Change.Action.UPDATE, colleague)
    assert {(f["field"], f["old"], f["new"]) for f in change.fields} == {
        ("subject", "Call", "Call back"),
        ("callback_at", "", timezone.localtime(when).strftime("%d %b %Y %H:%M")),
        ("callback_for", "", str(colleague)),
        ("callback_done", "", "No"),
    }


def test_saving_nothing_new_records_nothing(customer, admin):
    note = make_note(customer, admin, subject="Same")
    services.note_update(note=note, actor=admin, data={"subject": "Same"})
    assert changes_for(note).count() == 1


def test_removing_the_callback_clears_who_and_done(customer, admin):
    note = make_note(customer, admin, callback_in=TOMORROW)
    note = services.note_update(note=note, actor=admin, data={"callback_at": None})
    assert (note.callback_for, note.callback_done, note.done_at) == (None, False, None)


def test_mark_done_and_undone(customer, admin):
    note = make_note(customer, admin, callback_in=TOMORROW)
    note = services.callback_mark_done(note=note, actor=admin)
    assert note.callback_done and note.done_at is not None
    assert changes_for(note).first().reason == "Call-back done"
    note = services.callback_mark_undone(note=note, actor=admin)
    assert not note.callback_done and note.done_at is None
    assert changes_for(note).first().reason == "Call-back reopened"
    assert changes_for(note).count() == 3


def test_mark_done_needs_a_callback(customer, admin):
    note = make_note(customer, admin)
    with pytest.raises(ValidationError):
        services.callback_mark_done(note=note, actor=admin)
    with pytest.raises(ValidationError) as error:
        make_note(customer, admin, callback_done=True)
    assert "callback_done" in error.value.message_dict


def test_delete_keeps_the_history(customer, admin):
    note = make_note(customer, admin, subject="Gone soon")
    pk = note.pk
    services.note_delete(note=note, actor=admin)
    assert not Note.objects.filter(pk=pk).exists()
    deletion = Change.objects.filter(content_type__model="note", object_id=pk).first()
    assert deletion.action == Change.Action.DELETE
    assert {"field": "subject", "label": "Short description", "old": "Gone soon", "new": ""} in (
        deletion.fields
    )


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"subject": ""}, "subject"),
        ({"subject": "x" * 201}, "subject"),
    ],
)
def test_bad_data_is_refused(customer, admin, data, field):
    with pytest.raises(ValidationError) as error:
        make_note(customer, admin, **data)
    assert field in error.value.message_dict
    assert not Note.objects.exists()


def test_related_rows_must_come_from_the_same_workspace(
    workspace, other_workspace, customer, admin
):
    foreign_customer = make_customer(other_workspace, None, last_name="Elsewhere")
    with pytest.raises(ValidationError) as error:
        services.note_create(
            workspace=workspace, actor=admin, data={"customer": foreign_customer, "subject": "x"}
        )
    assert "customer" in error.value.message_dict
    stranger = MembershipFactory(workspace=other_workspace).user
    with pytest.raises(ValidationError) as error:
        make_note(customer, admin, callback_in=TOMORROW, callback_for=stranger)
    assert "callback_for" in error.value.message_dict
    assert not Note.objects.exists()


def test_no_notes_for_a_customer_in_the_recycle_bin(customer, admin):
    customer_delete(customer=customer, actor=admin)
    with pytest.raises(ValidationError) as error:
        make_note(customer, admin)
    assert "recycle bin" in error.value.message_dict["customer"][0]


def test_the_body_is_stored_as_written(customer, admin):
    body = "<script>alert('x')</script> & <b>bold</b>"
    assert make_note(customer, admin, body=body).body == body


def test_open_callbacks_are_due_first_and_skip_done_and_binned(workspace, customer, admin):
    later = make_note(customer, admin, subject="later", callback_in=2 * TOMORROW)
    sooner = make_note(customer, admin, subject="sooner", callback_in=TOMORROW)
    services.callback_mark_done(note=make_note(customer, admin, callback_in=TOMORROW), actor=admin)
    binned = make_customer(workspace, admin, last_name="Binned")
    make_note(binned, admin, callback_in=TOMORROW)
    customer_delete(customer=binned, actor=admin)
    assert list(Note.objects.in_workspace(workspace).open_callbacks()) == [sooner, later]


def test_calendar_token_reset_replaces_the_old_one(member):
    membership = member(Role.SALES)
    first = services.calendar_feed_issue(membership=membership)
    assert len(first) >= 43  # 32 random bytes, URL-safe base64
    assert services.calendar_feed_for_token(first).membership == membership
    second = services.calendar_feed_issue(membership=membership)
    assert services.calendar_feed_for_token(first) is None
    assert services.calendar_feed_for_token(second).membership == membership
    assert first not in membership.calendar_feed.token_hash
