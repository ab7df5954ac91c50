import pytest

from patron.conftest import api_client_for
from patron.mail.models import SentEmail
from patron.testing.factories import MembershipFactory, make_customer
from patron.workspaces.roles import Role


@pytest.mark.django_db(transaction=True)
def test_post_sends_and_answers_with_the_outcome(smtp, api, customer):
    response = api.post(
        "/api/v1/emails/",
        {"customer": customer.pk, "subject": "From the API", "body": "Hello\n"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["to_address"], body["via"]) == ("sent", "ada@example.com", "api")
    assert body["sent_at"] and body["error"] == ""
    (arrived,) = smtp.messages
    assert arrived.message["Subject"] == "From the API"


def test_list_filters_and_retrieve(api, workspace, admin, customer, send, smtp):
    other = make_customer(workspace, admin, last_name="Babbage", email="charles@example.com")
    smtp.refuse["charles@example.com"] = "550 5.1.1 No such user here"
    first = send(customer=customer, actor=admin, subject="First", body="1")
    second = send(customer=customer, actor=admin, subject="Second", body="2")
    failed = send(customer=other, actor=admin, subject="Lost", body="3")

    everything = api.get("/api/v1/emails/").json()["results"]
    assert [row["id"] for row in everything] == [failed.pk, second.pk, first.pk]
    mine = api.get("/api/v1/emails/", {"customer": customer.pk}).json()["results"]
    assert [row["id"] for row in mine] == [second.pk, first.pk]
    failures = api.get("/api/v1/emails/", {"status": "failed"}).json()["results"]
    assert [(row["id"], row["customer"]) for row in failures] == [(failed.pk, other.pk)]
    assert "550" in failures[0]["error"]
    one = api.get(f"/api/v1/emails/{first.pk}/").json()
    assert (one["subject"], one["body"], one["status"]) == ("First", "1", "sent")


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"subject": "Hi\r\nBcc: victim@example.com", "body": "x"}, "subject"),
        ({"subject": "Hi", "body": "   "}, "body"),
        ({"subject": "Hi"}, "body"),
    ],
)
def test_post_refuses_bad_input_on_the_field(api, customer, smtp, data, field):
    response = api.post("/api/v1/emails/", {"customer": customer.pk, **data}, format="json")
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert not SentEmail.objects.exists() and not smtp.messages


def test_post_refuses_a_customer_without_a_usable_address(api, workspace, admin, other_workspace):
    silent = make_customer(workspace, admin, last_name="Silent")
    foreign = make_customer(other_workspace, None, last_name="Foreign", email="f@example.com")
    for customer in (silent, foreign):
        response = api.post(
            "/api/v1/emails/",
            {"customer": customer.pk, "subject": "Hi", "body": "x"},
            format="json",
        )
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "customer"
    assert not SentEmail.objects.exists()


def test_read_only_may_list_but_not_send(member, customer, send, smtp, admin):
    send(customer=customer, actor=admin, subject="Hello", body="Hi")
    reader = api_client_for(member(Role.READ_ONLY))
    assert len(reader.get("/api/v1/emails/").json()["results"]) == 1
    response = reader.post(
        "/api/v1/emails/", {"customer": customer.pk, "subject": "Hi", "body": "x"}, format="json"
    )
    assert response.status_code == 403
    assert SentEmail.objects.count() == 1


def test_another_workspaces_emails_are_hidden(other_workspace, customer, send, smtp, admin):
    email = send(customer=customer, actor=admin, subject="Secret", body="Hi")
    foreign = api_client_for(MembershipFactory(workspace=other_workspace, role=Role.ADMIN))
    assert foreign.get("/api/v1/emails/").json()["results"] == []
    assert foreign.get(f"/api/v1/emails/{email.pk}/").status_code == 404
