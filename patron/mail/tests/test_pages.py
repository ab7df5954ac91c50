import pytest

from patron.mail.models import SentEmail
from patron.testing.factories import make_customer
from patron.workspaces.roles import Role

MENU_LINK = 'href="/customers/{pk}/email/">Send email</a>'


def test_send_email_is_in_the_left_menu_only_for_a_usable_address(
    admin_client, workspace, admin, customer
):
    page = admin_client.get(f"/customers/{customer.pk}/").content.decode()
    assert MENU_LINK.format(pk=customer.pk) in page
    silent = make_customer(workspace, admin, last_name="Silent")
    page = admin_client.get(f"/customers/{silent.pk}/").content.decode()
    assert MENU_LINK.format(pk=silent.pk) not in page


@pytest.mark.django_db(transaction=True)
def test_compose_and_send_from_the_page(smtp, admin_client, customer, admin):
    form = admin_client.get(f"/customers/{customer.pk}/email/").content.decode()
    assert "Ada Lovelace &lt;ada@example.com&gt;" in form
    assert 'name="subject"' in form and 'name="body"' in form

    response = admin_client.post(
        f"/customers/{customer.pk}/email/",
        {"subject": "Your visit", "body": "Thank you for coming.\r\nSee you soon."},
        follow=True,
    )

    assert response.redirect_chain == [(f"/customers/{customer.pk}/", 302)]
    assert "Sent “Your visit” to ada@example.com." in response.content.decode()
    email = SentEmail.objects.get()
    assert (email.status, email.sender, email.via) == (SentEmail.Status.SENT, admin, "page")
    assert email.body == "Thank you for coming.\nSee you soon."
    (arrived,) = smtp.messages
    assert arrived.message["Subject"] == "Your visit"


def test_header_injection_is_refused_on_the_subject_field(smtp, admin_client, customer):
    response = admin_client.post(
        f"/customers/{customer.pk}/email/",
        {"subject": "Hi\r\nBcc: victim@example.com", "body": "Hello"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="field-subject"' in page and "no line breaks (CR or LF)" in page
    assert not SentEmail.objects.exists() and not smtp.messages


def test_compose_explains_why_a_customer_cannot_be_mailed(admin_client, workspace, admin):
    silent = make_customer(workspace, admin, last_name="Silent")
    page = admin_client.get(f"/customers/{silent.pk}/email/").content.decode()
    assert "Silent has no email address." in page and 'name="subject"' not in page
    response = admin_client.post(
        f"/customers/{silent.pk}/email/", {"subject": "Hello", "body": "Hi"}
    )
    assert "Silent has no email address." in response.content.decode()
    assert not SentEmail.objects.exists()


def test_a_failed_send_shows_the_email_with_its_error(smtp, admin_client, customer, send, admin):
    smtp.refuse["ada@example.com"] = "550 5.1.1 No such user here"
    email = send(customer=customer, actor=admin, subject="Lost", body="Hi")
    page = admin_client.get(f"/emails/{email.pk}/").content.decode()
    assert "Failed" in page and "550 5.1.1 No such user here" in page
    assert "ada@example.com" in page and "Hi" in page


def test_emails_tab_lists_newest_first_with_status_and_error(
    smtp, admin_client, customer, send, admin
):
    send(customer=customer, actor=admin, subject="First email", body="One")
    send(customer=customer, actor=admin, subject="Second email", body="Two")
    tab = admin_client.get(f"/customers/{customer.pk}/tabs/emails/").content.decode()
    assert tab.index("Second email") < tab.index("First email")
    assert tab.count('class="badge mail-sent">Sent<') == 2
    newest = SentEmail.objects.first()
    assert f'href="/emails/{newest.pk}/"' in tab
    page = admin_client.get(f"/customers/{customer.pk}/").content.decode()
    assert "<strong>2</strong> Emails" in page  # the dashboard panel's count


def test_an_emails_page_keeps_the_text_as_text(admin_client, customer, send, smtp, admin):
    email = send(customer=customer, actor=admin, subject="<b>Bold</b>", body="<script>x</script>")
    page = admin_client.get(f"/emails/{email.pk}/").content.decode()
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "<script>x" not in page


def test_read_only_may_read_emails_but_not_send(client, member, customer, send, smtp, admin):
    email = send(customer=customer, actor=admin, subject="Hello", body="Hi")
    client.force_login(member(Role.READ_ONLY).user)
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert MENU_LINK.format(pk=customer.pk) not in page
    assert client.get(f"/customers/{customer.pk}/email/").status_code == 403
    response = client.post(f"/customers/{customer.pk}/email/", {"subject": "Hi", "body": "x"})
    assert response.status_code == 403
    assert SentEmail.objects.count() == 1
    assert client.get(f"/emails/{email.pk}/").status_code == 200
    tab = client.get(f"/customers/{customer.pk}/tabs/emails/").content.decode()
    assert "Hello" in tab and "Send email" not in tab


@pytest.mark.parametrize("role", [Role.SALES, Role.AGENT, Role.ACCOUNTS, Role.MANAGER])
def test_every_writer_may_send(client, member, customer, role):
    client.force_login(member(role).user)
    assert client.get(f"/customers/{customer.pk}/email/").status_code == 200
