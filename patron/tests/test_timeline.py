"""The Timeline tab merges everything that happened with a customer, newest first."""

from datetime import timedelta

from django.utils import timezone

from patron.calls.models import ColdCall
from patron.calls.services import cold_call_log
from patron.campaigns.models import Step
from patron.campaigns.services import activity_change_step, activity_create, fulfilment_create
from patron.notes.models import Note
from patron.stream.services import post_create
from patron.telemarketing.services import (
    response_start,
    step_add,
    telemarket_change_step,
    telemarket_create,
)
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


def test_fulfilments_and_telemarketing_responses_are_on_the_timeline(
    admin_client, workspace, admin, customer
):
    activity = activity_create(workspace=workspace, actor=admin, data={"name": "Open day"})
    activity_change_step(activity=activity, step=Step.STARTED, actor=admin)
    fulfilment_create(
        customer=customer, activity=activity, fulfilment_type="Send brochure", actor=admin
    )
    survey = telemarket_create(workspace=workspace, actor=admin, data={"name": "Survey"})
    step_add(telemarket=survey, actor=admin, data={"question": "Happy?", "answer_type": "yes_no"})
    telemarket_change_step(telemarket=survey, step=Step.STARTED, actor=admin)
    response_start(telemarket=survey, customer=customer, actor=admin)
    page = admin_client.get(f"/customers/{customer.pk}/tabs/timeline/").content.decode()
    assert "Send brochure (Open day)" in page
    assert "Survey: In progress" in page
