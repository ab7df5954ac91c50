"""The Third parties tab and the "Add third party" link on the customer page."""

from patron.customers.customer_page import MenuLink, Tab, register, register_link


def register_third_party_parts() -> None:
    register(
        Tab(
            slug="third-parties",
            label="Third parties",
            template="thirdparties/tab.html",
            context=lambda request, customer: {"third_parties": customer.third_parties.all()},
            order=38,
            count=lambda customer: customer.third_parties.count(),
        )
    )
    register_link(MenuLink(label="Add third party", url_name="thirdparties:add", order=42))
