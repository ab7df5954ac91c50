from django.apps import AppConfig


class DuplicatesConfig(AppConfig):
    name = "patron.duplicates"
    label = "duplicates"

    def ready(self) -> None:
        from patron.customers.customer_page import MenuLink, Tab, register, register_link

        register_link(
            MenuLink(
                label="Merge with…", url_name="duplicates:merge_start", capability="customers.merge"
            )
        )
        # Beside History: the merges into this customer, each with its Undo.
        register(
            Tab(
                slug="merges",
                label="Merges",
                template="duplicates/tabs/merges.html",
                context=lambda request, customer: {
                    "merges": customer.merges.select_related("merged_by").prefetch_related(
                        "members"
                    )
                },
                shows_for=lambda customer: customer.merges.exists(),
                order=999,
            )
        )
