from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "patron.cases"
    label = "cases"

    def ready(self) -> None:
        from patron.cases.customer_parts import register_case_parts

        register_case_parts()
