"""A real SMTP server on loopback (aiosmtpd) that the MAILERS setting points at."""

import socket
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

FROM = "crm@acme.example"


@dataclass
class Arrived:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class Mailbox:
    """What the server received. `refuse` maps an address to the server's RCPT reply;
    `data_reply`, if set, refuses the message after DATA (as some servers refuse a
    recipient only then)."""

    messages: list[Arrived] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)
    data_reply: str | None = None

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return self.refuse[address.lower()]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_reply:
            return self.data_reply
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(Arrived(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def point_mailers_at(settings, port: int) -> None:
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": port, "timeout": 5},
        }
    }


@pytest.fixture
def smtp(settings):
    """A running SMTP server; Patron's default mailer sends to it. Yields its Mailbox."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    point_mailers_at(settings, controller.port)
    settings.DEFAULT_FROM_EMAIL = FROM
    yield mailbox
    controller.stop()


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """email_send as a request runs it: delivery once the record is committed."""
    from patron.mail.services import email_send

    def run(**kwargs):
        kwargs.setdefault("via", "test")
        with django_capture_on_commit_callbacks(execute=True):
            email = email_send(**kwargs)
        email.refresh_from_db()
        return email

    return run
