import pytest
from django.core.exceptions import ValidationError

from patron.customers.models import Customer
from patron.customers.services import customer_delete, customer_update
from patron.history.services import changes_for
from patron.mail.models import SentEmail
from patron.mail.services import email_deliver
from patron.mail.tests.conftest import FROM, free_port, point_mailers_at
from patron.testing.factories import make_customer

BODY = "Dear Ada,\n\nYour quote is attached in spirit.\n\nKind regards\n"


def test_the_email_arrives_with_its_headers_and_body(smtp, send, customer, admin):
    email = send(customer=customer, actor=admin, subject="Your quote", body=BODY)

    assert email.status == SentEmail.Status.SENT
    assert email.sent_at and email.last_attempt_at and not email.error
    (arrived,) = smtp.messages
    assert arrived.mail_from == FROM
    assert arrived.rcpt_tos == ["ada@example.com"]
    message = arrived.message
    assert message["From"] == FROM
    assert message["To"] == "Ada Lovelace <ada@example.com>"
    (reply_to,) = message["Reply-To"].addresses
    assert (reply_to.addr_spec, reply_to.display_name) == (admin.email, admin.full_name)
    assert message["Subject"] == "Your quote"
    assert message["Message-ID"] == email.message_id
    assert message.get_content_type() == "text/plain"
    assert message.get_content().replace("\r\n", "\n") == BODY  # CRLF on the wire
    assert (email.to_address, email.sender, email.via) == ("ada@example.com", admin, "test")


def test_a_refused_recipient_marks_the_address_invalid(
    smtp, send, workspace, other_workspace, customer, admin
):
    namesake = make_customer(workspace, admin, last_name="Byron", email="ada@example.com")
    elsewhere = make_customer(other_workspace, None, last_name="Other", email="ada@example.com")
    smtp.refuse["ada@example.com"] = "550 5.1.1 No such user here"

    email = send(customer=customer, actor=admin, subject="Hello", body="Hi")

    assert email.status == SentEmail.Status.FAILED
    assert "550 5.1.1 No such user here" in email.error
    assert not smtp.messages
    customer.refresh_from_db()
    assert customer.email_invalid_since == email.last_attempt_at
    namesake.refresh_from_db()
    assert namesake.email_invalid_since == email.last_attempt_at
    elsewhere.refresh_from_db()
    assert elsewhere.email_invalid_since is None  # another workspace's customer
    change = changes_for(customer).first()
    assert change.fields[0]["field"] == "email_invalid_since"
    assert change.fields[0]["label"] == "Email invalid since"
    assert change.fields[0]["old"] == "" and change.fields[0]["new"]
    assert "550" in change.reason and change.actor == admin


def test_a_temporary_refusal_fails_without_marking(smtp, send, customer, admin):
    smtp.refuse["ada@example.com"] = "450 4.2.1 Mailbox busy, try later"
    email = send(customer=customer, actor=admin, subject="Hello", body="Hi")
    assert email.status == SentEmail.Status.FAILED and "450" in email.error
    customer.refresh_from_db()
    assert customer.email_invalid_since is None


@pytest.mark.parametrize(
    ("reply", "marks_invalid"),
    [("550 5.1.1 Mailbox unavailable", True), ("554 5.7.1 Rejected as spam", False)],
)
def test_a_refusal_after_data_marks_only_when_it_blames_the_address(
    smtp, send, customer, admin, reply, marks_invalid
):
    smtp.data_reply = reply
    email = send(customer=customer, actor=admin, subject="Hello", body="Hi")
    assert email.status == SentEmail.Status.FAILED and reply in email.error
    customer.refresh_from_db()
    assert (customer.email_invalid_since is not None) is marks_invalid


def test_an_unreachable_server_fails_with_the_reason(settings, send, customer, admin):
    point_mailers_at(settings, free_port())  # nothing listens there
    email = send(customer=customer, actor=admin, subject="Hello", body="Hi")
    assert email.status == SentEmail.Status.FAILED
    assert email.error.startswith("Could not send:")
    customer.refresh_from_db()
    assert customer.email_invalid_since is None


@pytest.mark.parametrize(
    "subject",
    [
        "Hello\r\nBcc: victim@example.com",
        "Hello\nBcc: victim@example.com",
        "Hello\rBcc: victim@example.com",
        "Hello\u2028Bcc: victim@example.com",
    ],
)
def test_header_injection_in_the_subject_is_refused(smtp, send, customer, admin, subject):
    with pytest.raises(ValidationError) as refused:
        send(customer=customer, actor=admin, subject=subject, body="Hi")
    assert "line break" in refused.value.message_dict["subject"][0]
    assert not SentEmail.objects.exists()
    assert not smtp.messages


def test_header_injection_in_the_address_is_refused(smtp, send, customer, admin):
    # Customer.clean() would refuse this address; a row written around it still is not mailed.
    Customer.objects.filter(pk=customer.pk).update(email="ada@example.com\r\nBcc: x@example.com")
    with pytest.raises(ValidationError) as refused:
        send(customer=customer, actor=admin, subject="Hello", body="Hi")
    assert "to_address" in refused.value.message_dict
    assert not SentEmail.objects.exists()
    assert not smtp.messages


@pytest.mark.parametrize(
    ("subject", "body", "field"),
    [
        ("", "Hi", "subject"),
        ("   ", "Hi", "subject"),
        ("Hello", "", "body"),
        ("Hi", " \n ", "body"),
    ],
)
def test_a_subject_and_a_text_are_needed(send, customer, admin, subject, body, field):
    with pytest.raises(ValidationError) as refused:
        send(customer=customer, actor=admin, subject=subject, body=body)
    assert list(refused.value.message_dict) == [field]
    assert not SentEmail.objects.exists()


def test_a_customer_without_email_is_refused(send, workspace, admin):
    nobody = make_customer(workspace, admin, last_name="Silent")
    with pytest.raises(ValidationError) as refused:
        send(customer=nobody, actor=admin, subject="Hello", body="Hi")
    assert "has no email address" in refused.value.message_dict["customer"][0]


def test_a_customer_in_the_recycle_bin_is_refused(send, customer, admin):
    customer_delete(customer=customer, actor=admin)
    with pytest.raises(ValidationError) as refused:
        send(customer=customer, actor=admin, subject="Hello", body="Hi")
    assert "recycle bin" in refused.value.message_dict["customer"][0]


def test_an_invalid_address_is_not_mailed_again_until_corrected(smtp, send, customer, admin):
    smtp.refuse["ada@example.com"] = "550 5.1.1 No such user here"
    send(customer=customer, actor=admin, subject="Hello", body="Hi")
    customer.refresh_from_db()

    with pytest.raises(ValidationError) as refused:
        send(customer=customer, actor=admin, subject="Again", body="Hi")
    message = refused.value.message_dict["customer"][0]
    assert "ada@example.com is invalid since" in message and "corrected" in message
    assert SentEmail.objects.count() == 1

    customer_update(customer=customer, actor=admin, data={"email": "ada@lovelace.example"})
    customer.refresh_from_db()
    assert customer.email_invalid_since is None
    email = send(customer=customer, actor=admin, subject="Again", body="Hi")
    assert email.status == SentEmail.Status.SENT
    assert smtp.messages[-1].rcpt_tos == ["ada@lovelace.example"]


def test_a_second_delivery_run_does_not_send_again(smtp, send, customer, admin):
    email = send(customer=customer, actor=admin, subject="Once", body="Only once")
    assert email_deliver(sent_email_id=email.pk) == SentEmail.Status.SENT
    assert len(smtp.messages) == 1


def test_inside_a_transaction_the_email_waits_for_the_commit(
    smtp, customer, admin, django_capture_on_commit_callbacks
):
    from patron.mail.services import email_send

    with django_capture_on_commit_callbacks(execute=True):
        email = email_send(customer=customer, actor=admin, subject="Later", body="Hi")
        assert email.status == SentEmail.Status.QUEUED and not smtp.messages
    email.refresh_from_db()
    assert email.status == SentEmail.Status.SENT and len(smtp.messages) == 1
