"""The Timeline tab merges everything that happened with a customer, newest first."""

from datetime import timedelta

from django.utils import timezone

from patron.calls.models import ColdCall
from patron.calls.services import cold_call_log
from patron.notes.models import Note
from patron.stream.services import post_create
from patron.testing.factories import make_note
from patron.testing.files import make_attachment


def test_timeline_merges_by_date(admin_client, workspace, admin, customer):
    now = timezone.now()
    note = make_note(customer, admin, subject="Asked about prices")
    call = cold_call_log(
        workspace=workspace, actor=admin, customer=customer, data={"outcome": "interested"}
    )
    post_create(workspace=workspace, actor=admin, data={"customer": customer, "body": "<b>Hi</b>"})
    make_attachment(customer, admin, name="brochure.txt", content=b"Brochure\n")
    # Dates apart: the call first, then the note; the post and attachment are newest.
    ColdCall.objects.filter(pk=call.pk).update(called_at=now - timedelta(days=2))
    Note.objects.filter(pk=note.pk).update(created_at=now - timedelta(days=1))
    page = admin_client.get(f"/customers/{customer.pk}/tabs/timeline/").content.decode()
    positions = [page.index(text) for text in ("brochure.txt", "Asked about prices", "Interested")]
    assert positions == sorted(positions)
    assert "&lt;b&gt;Hi&lt;/b&gt;" in page and "<b>Hi</b>" not in page


def test_timeline_is_the_first_tab(admin_client, customer):
    page = admin_client.get(f"/customers/{customer.pk}/").content.decode()
    assert page.index('id="tab-timeline"') < page.index('id="tab-history"')
