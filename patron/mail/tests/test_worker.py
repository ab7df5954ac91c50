"""With PATRON_TASKS=db the email waits in the queue until `patron worker` sends it."""

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from patron.mail.models import SentEmail


def test_the_queued_email_is_sent_by_the_worker(smtp, send, customer, admin, run_worker):
    email = send(customer=customer, actor=admin, subject="Queued", body="Hi")
    assert email.status == SentEmail.Status.QUEUED and not smtp.messages
    assert DBTaskResult.objects.filter(status="READY").count() == 1

    run_worker()

    email.refresh_from_db()
    assert email.status == SentEmail.Status.SENT
    assert [m.message["Subject"] for m in smtp.messages] == ["Queued"]
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"


def test_the_worker_refuses_to_start_without_the_database_backend():
    with pytest.raises(Exception, match="set PATRON_TASKS=db"):
        call_command("worker", "--batch")
