"""Background work of the mail app (django.tasks: at once by default, or in a worker)."""

from django.tasks import task

from patron.mail import services


@task()
def deliver_email(sent_email_id: int) -> str:
    """Send one queued email and record the mail server's answer."""
    return services.email_deliver(sent_email_id=sent_email_id)
