"""The Traits and Suppressions tabs and their left-menu links on the customer page."""

from patron.customers.customer_page import MenuLink, Tab, register, register_link


def register_marketing_parts() -> None:
    register(
        Tab(
            slug="traits",
            label="Traits",
            template="marketing/traits_tab.html",
            context=lambda request, customer: {
                "customer_traits": customer.customer_traits.select_related("trait")
            },
            order=50,
            count=lambda customer: customer.customer_traits.count(),
        )
    )
    register(
        Tab(
            slug="suppressions",
            label="Suppressions",
            template="marketing/suppressions_tab.html",
            context=lambda request, customer: {
                "suppressions": customer.suppressions.select_related("suppression_type")
            },
            order=52,
            count=lambda customer: customer.suppressions.count(),
        )
    )
    register_link(
        MenuLink(
            label="Add suppression",
            url_name="marketing:customer_suppression_add",
            capability="marketing.change",
            order=50,
        )
    )
    register_link(
        MenuLink(
            label="Add/remove traits",
            url_name="marketing:customer_traits",
            capability="marketing.change",
            order=52,
        )
    )
