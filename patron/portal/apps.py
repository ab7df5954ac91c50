from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "patron.portal"
    label = "portal"

    def ready(self) -> None:
        from patron.portal.customer_parts import register_portal_parts

        register_portal_parts()
