from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "patron.mail"
    label = "mail"
    verbose_name = "Email"

    def ready(self) -> None:
        from patron.mail.customer_parts import register_mail_parts

        register_mail_parts()
