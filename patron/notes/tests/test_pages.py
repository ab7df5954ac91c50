from datetime import timedelta

import pytest
from django.utils import timezone

from patron.customers.services import customer_delete
from patron.history.services import changes_for
from patron.notes import services
from patron.notes.models import Note
from patron.testing.factories import MembershipFactory, make_customer, make_note
from patron.workspaces.roles import Role

TOMORROW = timedelta(days=1)


def _local(when) -> str:
    """A datetime as the call-back input sends it."""
    return timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")


def test_add_note_from_the_left_menu(admin_client, customer, admin):
    page = admin_client.get(f"/customers/{customer.pk}/").content.decode()
    assert f'href="/customers/{customer.pk}/notes/new/">Add Note</a>' in page
    when = timezone.now() + TOMORROW
    response = admin_client.post(
        f"/customers/{customer.pk}/notes/new/",
        {"subject": "Wants a brochure", "body": "Posted it.", "callback_at": _local(when)},
    )
    assert response.status_code == 302 and response.url == f"/customers/{customer.pk}/"
    note = Note.objects.get()
    assert (note.subject, note.author, note.callback_for) == ("Wants a brochure", admin, admin)
    assert changes_for(note).get().via == "page"


def test_a_past_callback_is_refused_on_the_field(admin_client, customer):
    response = admin_client.post(
        f"/customers/{customer.pk}/notes/new/",
        {"subject": "Too late", "callback_at": _local(timezone.now() - TOMORROW)},
    )
    assert response.status_code == 200
    assert services.PAST_CALLBACK in response.content.decode()
    assert not Note.objects.exists()


def test_notes_tab_lists_oldest_first_with_operations(admin_client, customer, admin):
    for subject in ("First call", "Second call", "Third call"):
        make_note(customer, admin, subject=subject)
    tab = admin_client.get(f"/customers/{customer.pk}/tabs/notes/").content.decode()
    positions = [tab.index(s) for s in ("First call", "Second call", "Third call")]
    assert positions == sorted(positions)
    note = Note.objects.first()
    for operation in ("", "edit/", "delete/"):
        assert f'href="/notes/{note.pk}/{operation}"' in tab
    assert "Created" in tab and "Updated" in tab and "Short description" in tab


def test_notes_tab_shows_the_callback(admin_client, customer, admin):
    make_note(customer, admin, subject="Ring back", callback_in=TOMORROW)
    tab = admin_client.get(f"/customers/{customer.pk}/tabs/notes/").content.decode()
    assert f"by {admin}" in tab


def test_the_body_is_shown_escaped(admin_client, customer, admin):
    note = make_note(
        customer, admin, subject="<i>subject</i>", body="<script>alert('x')</script>\nline 2"
    )
    page = admin_client.get(f"/notes/{note.pk}/").content.decode()
    assert "<script>alert" not in page and "<i>subject</i>" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;<br>line 2" in page
    tab = admin_client.get(f"/customers/{customer.pk}/tabs/notes/").content.decode()
    assert "<i>subject</i>" not in tab and "&lt;i&gt;subject&lt;/i&gt;" in tab


def test_note_page_shows_its_history(admin_client, customer, admin):
    note = make_note(customer, admin, subject="Before")
    services.note_update(note=note, actor=admin, data={"subject": "After"})
    page = admin_client.get(f"/notes/{note.pk}/").content.decode()
    assert "Short description" in page and "Before" in page and "After" in page


def test_edit_and_mark_done(admin_client, customer, admin):
    note = make_note(customer, admin, subject="Call", callback_in=TOMORROW)
    form = admin_client.get(f"/notes/{note.pk}/edit/").content.decode()
    assert f'value="{_local(note.callback_at)}"' in form
    response = admin_client.post(
        f"/notes/{note.pk}/edit/",
        {
            "subject": "Call again",
            "callback_at": _local(note.callback_at),
            "callback_for": admin.pk,
        },
    )
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.subject == "Call again"
    admin_client.post(f"/notes/{note.pk}/done/")
    note.refresh_from_db()
    assert note.callback_done


def test_delete_asks_first(admin_client, customer, admin):
    note = make_note(customer, admin, subject="Doomed")
    confirm = admin_client.get(f"/notes/{note.pk}/delete/")
    assert confirm.status_code == 200 and "Delete the note" in confirm.content.decode()
    assert Note.objects.exists()
    response = admin_client.post(f"/notes/{note.pk}/delete/")
    assert response.url == f"/customers/{customer.pk}/"
    assert not Note.objects.exists()


@pytest.mark.parametrize(
    ("role", "url", "method", "expected"),
    [
        (Role.READ_ONLY, "/customers/{customer}/notes/new/", "get", 403),
        (Role.READ_ONLY, "/notes/{note}/edit/", "post", 403),
        (Role.READ_ONLY, "/notes/{note}/delete/", "post", 403),
        (Role.READ_ONLY, "/notes/{note}/done/", "post", 403),
        (Role.READ_ONLY, "/notes/{note}/", "get", 200),
        (Role.READ_ONLY, "/customers/{customer}/tabs/notes/", "get", 200),
        (Role.READ_ONLY, "/callbacks/", "get", 200),
        (Role.SALES, "/notes/{note}/delete/", "post", 302),
        (Role.AGENT, "/customers/{customer}/notes/new/", "get", 200),
    ],
)
def test_roles(client, member, customer, admin, role, url, method, expected):
    note = make_note(customer, admin)
    client.force_login(member(role).user)
    response = getattr(client, method)(url.format(customer=customer.pk, note=note.pk))
    assert response.status_code == expected
    assert Note.objects.filter(pk=note.pk).exists() == (expected != 302)


def test_read_only_sees_no_note_actions(client, member, customer, admin):
    note = make_note(customer, admin, callback_in=TOMORROW)
    client.force_login(member(Role.READ_ONLY).user)
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    tab = client.get(f"/customers/{customer.pk}/tabs/notes/").content.decode()
    detail = client.get(f"/notes/{note.pk}/").content.decode()
    assert "Add Note" not in page + tab
    assert f"/notes/{note.pk}/edit/" not in tab + detail
    assert f"/notes/{note.pk}/delete/" not in tab + detail
    assert f"/notes/{note.pk}/done/" not in detail


def test_my_callbacks_lists_mine_due_first_with_overdue_highlighted(
    client, workspace, member, customer, admin
):
    me = member(Role.SALES).user
    later = make_note(
        customer, admin, subject="Later one", callback_in=2 * TOMORROW, callback_for=me
    )
    overdue = make_note(
        customer, admin, subject="Overdue one", callback_in=TOMORROW, callback_for=me
    )
    Note.objects.filter(pk=overdue.pk).update(callback_at=timezone.now() - TOMORROW)
    make_note(customer, admin, subject="Not mine", callback_in=TOMORROW)
    done = make_note(customer, admin, subject="Done one", callback_in=TOMORROW, callback_for=me)
    services.callback_mark_done(note=done, actor=me)
    make_note(customer, me, subject="No call-back")
    client.force_login(me)
    page = client.get("/callbacks/").content.decode()
    assert page.index("Overdue one") < page.index("Later one")
    assert "Not mine" not in page and "Done one" not in page and "No call-back" not in page
    assert page.count('class="overdue"') == 1 and "Overdue</span>" in page
    response = client.post(f"/notes/{later.pk}/done/", {"next": "/callbacks/"})
    assert response.url == "/callbacks/"
    later.refresh_from_db()
    assert later.callback_done
    assert "Later one" not in client.get("/callbacks/").content.decode()


def test_my_callbacks_is_in_the_menu_bar(admin_client):
    page = admin_client.get("/").content.decode()
    assert 'href="/callbacks/">My call-backs</a>' in page
    assert 'href="/callbacks/calendar/">Call-back calendar</a>' in page


def test_call_back_by_offers_only_members(admin_client, customer, other_workspace, member):
    stranger = MembershipFactory(workspace=other_workspace).user
    colleague = member(Role.SALES).user
    form = admin_client.get(f"/customers/{customer.pk}/notes/new/").content.decode()
    assert str(colleague) in form and str(stranger) not in form
    response = admin_client.post(
        f"/customers/{customer.pk}/notes/new/",
        {
            "subject": "x",
            "callback_at": _local(timezone.now() + TOMORROW),
            "callback_for": stranger.pk,
        },
    )
    assert "Select a valid choice" in response.content.decode()
    assert not Note.objects.exists()


def test_no_add_note_for_a_customer_in_the_recycle_bin(admin_client, workspace, admin):
    binned = make_customer(workspace, admin, last_name="Binned")
    customer_delete(customer=binned, actor=admin)
    assert admin_client.get(f"/customers/{binned.pk}/notes/new/").status_code == 404


def test_a_body_typed_in_the_browser_is_stored_with_plain_line_ends(admin_client, customer):
    # Browsers send CRLF from a textarea; the API's clients send LF. Both must store LF.
    admin_client.post(
        f"/customers/{customer.pk}/notes/new/",
        {"subject": "Visit", "body": "First line\r\nSecond line"},
    )
    assert Note.objects.get().body == "First line\nSecond line"
