import re

import pytest

from patron.customers.models import Customer
from patron.lists import services
from patron.lists.models import CustomerList, ListEntry
from patron.lists.tests.helpers import give_trait, make_list, suppress, suppression_type, trait
from patron.testing.factories import make_customer
from patron.workspaces.roles import Role


def _html(response) -> str:
    assert response.status_code == 200, response.status_code
    return re.sub(r"\s+", " ", response.content.decode())


def test_wizard_end_to_end(admin_client, workspace, admin):
    """Steps 1-5 through the pages: the confirmation counts what the rules leave, and the
    list is created with exactly those customers."""
    golfers = [
        make_customer(workspace, last_name=f"Golfer{i}", email=f"g{i}@example.com", city="Leeds")
        for i in range(4)
    ]
    for person in golfers:
        give_trait(person, "Golfer")
    suppress(golfers[0], "Do not email")  # always applied to email lists
    suppress(golfers[1], "Competitor")  # only when the list names it
    make_customer(workspace, last_name="NoEmail", city="Leeds")
    make_customer(workspace, last_name="Elsewhere", email="e@example.com", city="York")
    suppression_type(workspace, "Competitor")

    page = _html(admin_client.get("/lists/new/"))
    assert "each customer needs an email address that is valid" in page  # USAGE_HELP
    response = admin_client.post("/lists/new/", {"name": "Golf day", "usage": "email"})
    assert response.url == "/lists/new/step-2/"

    counted = _html(admin_client.post("/lists/new/step-2/", {"city": "Leeds", "count": "1"}))
    assert "<strong>5</strong> customers match" in counted
    assert admin_client.post("/lists/new/step-2/", {"city": "Leeds"}).url == "/lists/new/step-3/"

    step3 = _html(admin_client.get("/lists/new/step-3/"))
    assert '<input type="checkbox" checked disabled> Do not email' in step3
    assert "Deceased" in step3
    competitor = suppression_type(workspace, "Competitor")
    admin_client.post("/lists/new/step-3/", {"suppressions": [competitor.pk]})
    admin_client.post("/lists/new/step-4/", {"traits": [trait(workspace, "Golfer").pk]})

    confirm = _html(admin_client.get("/lists/new/step-5/"))
    assert "The search matches <strong>5</strong> customers" in confirm
    assert '<strong id="eligible-count">2</strong> will be in the list' in confirm
    assert "1 without the data a email list needs" in confirm
    assert "2 suppressed" in confirm
    assert "1 lacking a required trait (Golfer)" in confirm

    response = admin_client.post("/lists/new/step-5/")
    customer_list = CustomerList.objects.get(name="Golf day")
    assert response.url == f"/lists/{customer_list.pk}/"
    assert set(customer_list.entries.values_list("customer__last_name", flat=True)) == {
        "Golfer2",
        "Golfer3",
    }
    assert customer_list.search == "city=Leeds"
    assert customer_list.origin == CustomerList.Origin.SEARCH
    assert list(customer_list.suppressions.all()) == [competitor]
    follow = _html(admin_client.get(response.url))
    assert "Created the list Golf day with 2 customers (3 left out)" in follow


def test_wizard_refuses_a_taken_name_and_a_bad_search(admin_client, workspace):
    make_list(workspace, name="Golf day")
    page = _html(admin_client.post("/lists/new/", {"name": "golf DAY", "usage": "email"}))
    assert "A customer list with this name already exists." in page
    admin_client.post("/lists/new/", {"name": "Other", "usage": "email"})
    page = _html(admin_client.post("/lists/new/step-2/", {"number": "x"}))
    assert "Enter a whole number" in page
    # Jumping ahead without step 1 starts again.
    admin_client.get("/lists/new/")
    assert admin_client.get("/lists/new/step-5/").url == "/lists/new/"


def test_index_detail_and_tabs(admin_client, workspace, admin, django_assert_max_num_queries):
    for n in range(3):
        customer_list = make_list(workspace, name=f"List {n}", description=f"About {n}")
    people = [make_customer(workspace, last_name=f"P{i}", email=f"p{i}@x.com") for i in range(105)]
    services.list_add_customers(
        customer_list=customer_list, customers=Customer.objects.all(), actor=admin
    )
    with django_assert_max_num_queries(8):  # counts in one query, whatever the number of lists
        index = _html(admin_client.get("/lists/"))
    assert "List 2</a></td><td>About 2</td>" in index
    assert "<td>105</td>" in index
    detail = _html(admin_client.get(f"/lists/{customer_list.pk}/"))
    assert "Edit customer list" in detail and "Delete customer list" in detail

    first = _html(admin_client.get(f"/lists/{customer_list.pk}/tabs/customers/"))
    assert first.count('<button class="link">Remove</button>') == 100
    after = people[99].pk
    assert f"?after={after}" in first
    second = _html(admin_client.get(f"/lists/{customer_list.pk}/tabs/customers/?after={after}"))
    assert second.count('<button class="link">Remove</button>') == 5
    assert "P104" in second and "P0<" not in second
    assert f"?before={people[100].pk}" in second
    back = _html(
        admin_client.get(f"/lists/{customer_list.pk}/tabs/customers/?before={people[100].pk}")
    )
    assert back.count('<button class="link">Remove</button>') == 100
    sups = _html(admin_client.get(f"/lists/{customer_list.pk}/tabs/suppressions/"))
    assert "Do not email" in sups and "Always applied" in sups and "Do not mail" not in sups
    for tab in ("traits", "activities", "history"):
        admin_client.get(f"/lists/{customer_list.pk}/tabs/{tab}/")
    assert admin_client.get(f"/lists/{customer_list.pk}/tabs/nope/").status_code == 404


def test_edit_keeps_members_and_offers_removal(admin_client, workspace, admin):
    customer_list = make_list(workspace)
    people = [make_customer(workspace, last_name=f"P{i}", email=f"p{i}@x.com") for i in range(3)]
    services.list_add_customers(
        customer_list=customer_list, customers=Customer.objects.all(), actor=admin
    )
    give_trait(people[0], "Golfer")
    form = _html(admin_client.get(f"/lists/{customer_list.pk}/edit/"))
    assert "customers already in the list stay" in form
    response = admin_client.post(
        f"/lists/{customer_list.pk}/edit/",
        {
            "name": "Spring mailing",
            "usage": "email",
            "source": "own",
            "usage_frequency": "2",
            "traits": [trait(workspace, "Golfer").pk],
        },
        follow=True,
    )
    assert "2 customers in the list no longer meet its rules" in _html(response)
    assert customer_list.entries.count() == 3
    confirm = _html(admin_client.get(f"/lists/{customer_list.pk}/remove-unqualified/"))
    assert "Remove 2 customers" in confirm
    admin_client.post(f"/lists/{customer_list.pk}/remove-unqualified/")
    assert list(customer_list.entries.values_list("customer", flat=True)) == [people[0].pk]


def test_edit_validates(admin_client, workspace):
    make_list(workspace, name="Taken")
    customer_list = make_list(workspace)
    page = _html(
        admin_client.post(
            f"/lists/{customer_list.pk}/edit/",
            {
                "name": "taken",
                "usage": "email",
                "source": "own",
                "cost": "-1",
                "usage_frequency": "0",
            },
        )
    )
    assert "A customer list with this name already exists." in page
    assert "greater than or equal to 0" in page
    customer_list.refresh_from_db()
    assert customer_list.name == "Spring mailing"


def test_delete_names_the_count(admin_client, workspace, admin, customer):
    customer_list = make_list(workspace)
    services.list_add_customer(customer_list=customer_list, customer=customer, actor=admin)
    assert "1 customer is in it" in _html(admin_client.get(f"/lists/{customer_list.pk}/delete/"))
    admin_client.post(f"/lists/{customer_list.pk}/delete/")
    assert not CustomerList.objects.exists() and not ListEntry.objects.exists()


def test_tick_page_shows_reasons_and_adds_and_removes(admin_client, workspace, admin):
    customer = make_customer(workspace, last_name="Ticked", email="t@example.com")
    suppress(customer, "Do not phone")
    emails = make_list(workspace, name="Emails")
    phones = make_list(workspace, name="Phones", usage="phone")
    golf = make_list(workspace, name="Golf", usage="", traits=[trait(workspace, "Golfer")])
    page = _html(admin_client.get(f"/customers/{customer.pk}/lists/"))
    phone_reasons = "has no phone number; suppressed: Do not phone (since 01/02/2026)"
    assert f"Not available: Ada Ticked {phone_reasons}." in page
    assert "Not available: Ada Ticked lacks trait Golfer." in page
    assert f'value="{phones.pk}" id="list-{phones.pk}" disabled' in page
    assert f'value="{emails.pk}" id="list-{emails.pk}" >' in page

    admin_client.post(f"/customers/{customer.pk}/lists/", {"lists": [emails.pk]})
    assert list(customer.list_entries.values_list("customer_list", flat=True)) == [emails.pk]
    # A forged tick on an unavailable list is refused with the reason; nothing changes.
    refused = _html(admin_client.post(f"/customers/{customer.pk}/lists/", {"lists": [golf.pk]}))
    assert "Golf: Ada Ticked lacks trait Golfer." in refused
    assert customer.list_entries.count() == 1

    tab = _html(admin_client.get(f"/customers/{customer.pk}/tabs/lists/"))
    assert "Emails</a></td>" in tab and "By hand" in tab
    admin_client.post(
        f"/lists/{emails.pk}/remove/",
        {"customer": customer.pk, "next": customer.get_absolute_url()},
    )
    assert not customer.list_entries.exists()
    detail = _html(admin_client.get(customer.get_absolute_url()))
    assert "Add/remove from a customer list" in detail


def test_list_from_fulfilments_page(admin_client, workspace):
    from patron.campaigns.models import Activity, Fulfilment

    activity = Activity.objects.create(workspace=workspace, number=7, name="Open day")
    person = make_customer(workspace, email="o@example.com")
    Fulfilment.objects.create(
        workspace=workspace, customer=person, activity=activity, fulfilment_type="Visit"
    )
    page = _html(admin_client.get(f"/lists/from-fulfilments/?activity={activity.pk}"))
    assert f'<option value="{activity.pk}" selected>' in page
    response = admin_client.post(
        "/lists/from-fulfilments/",
        {"activity": activity.pk, "name": "Open day visitors", "usage": "email"},
    )
    customer_list = CustomerList.objects.get()
    assert response.url == f"/lists/{customer_list.pk}/"
    assert list(customer_list.entries.values_list("customer", flat=True)) == [person.pk]


@pytest.mark.parametrize(
    ("role", "url", "status"),
    [
        (Role.READ_ONLY, "/lists/", 200),
        (Role.READ_ONLY, "/lists/new/", 403),
        (Role.READ_ONLY, "/lists/from-fulfilments/", 403),
        (Role.SALES, "/lists/new/", 403),
        (Role.READ_ONLY, "/lists/{list}/edit/", 403),
        (Role.SALES, "/lists/{list}/delete/", 403),
        (Role.READ_ONLY, "/customers/{customer}/lists/", 403),
        (Role.SALES, "/customers/{customer}/lists/", 200),
    ],
)
def test_roles(client, member, workspace, customer, role, url, status):
    customer_list = make_list(workspace)
    client.force_login(member(role).user)
    response = client.get(url.format(list=customer_list.pk, customer=customer.pk))
    assert response.status_code == status


def test_read_only_cannot_remove(client, member, workspace, admin, customer):
    customer_list = make_list(workspace)
    services.list_add_customer(customer_list=customer_list, customer=customer, actor=admin)
    client.force_login(member(Role.READ_ONLY).user)
    response = client.post(f"/lists/{customer_list.pk}/remove/", {"customer": customer.pk})
    assert response.status_code == 403
    assert customer_list.entries.count() == 1


def test_customer_search_filters_by_list(admin_client, workspace, other_workspace, admin):
    inside = make_customer(workspace, last_name="Inside", email="i@example.com")
    make_customer(workspace, last_name="Outside", email="o@example.com")
    customer_list = make_list(workspace, name="Members")
    services.list_add_customer(customer_list=customer_list, customer=inside, actor=admin)
    foreign = make_list(other_workspace, name="Theirs")
    page = _html(admin_client.get(f"/customers/?customer_list={customer_list.pk}"))
    assert "Inside" in page and "Outside" not in page
    assert "Theirs" not in _html(admin_client.get("/customers/?advanced=1"))
    refused = _html(admin_client.get(f"/customers/?customer_list={foreign.pk}"))
    assert "Select a valid choice" in refused


def test_activity_page_links_to_a_list_of_its_fulfilled_customers(admin_client, workspace):
    from patron.campaigns.models import Activity

    activity = Activity.objects.create(workspace=workspace, number=3, name="Fair")
    page = _html(admin_client.get(f"/marketing/activities/{activity.pk}/"))
    assert f'href="/lists/from-fulfilments/?activity={activity.pk}"' in page
