from django.apps import AppConfig


class StreamConfig(AppConfig):
    name = "patron.stream"
    label = "stream"
    verbose_name = "activity stream"

    def ready(self) -> None:
        from patron.stream.customer_parts import register_stream_parts

        register_stream_parts()
