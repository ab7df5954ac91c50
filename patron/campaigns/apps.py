from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "patron.campaigns"
    label = "campaigns"

    def ready(self) -> None:
        from patron.campaigns.customer_parts import register_campaign_parts

        register_campaign_parts()
