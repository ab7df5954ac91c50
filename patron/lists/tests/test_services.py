import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from patron.campaigns.models import Activity, Fulfilment
from patron.customers.models import Customer
from patron.history.services import changes_for
from patron.lists import services
from patron.lists.models import CustomerList, ListEntry
from patron.lists.tests.helpers import give_trait, make_list, suppress, suppression_type, trait
from patron.testing.factories import make_customer


def _people(workspace, count: int, **data) -> list[Customer]:
    return [
        make_customer(workspace, last_name=f"P{i}", email=f"p{i}@example.com", **data)
        for i in range(count)
    ]


def test_create_update_delete_with_history(workspace, admin):
    golfer = trait(workspace, "Golfer")
    customer_list = make_list(workspace, admin, name="  Golf day ", traits=[golfer])
    assert customer_list.name == "Golf day"
    assert {f["field"]: f["new"] for f in changes_for(customer_list).get().fields}["traits"] == (
        "Golfer"
    )
    services.list_update(
        customer_list=customer_list, actor=admin, data={"description": "Invitations", "traits": []}
    )
    fields = {f["field"]: (f["old"], f["new"]) for f in changes_for(customer_list).first().fields}
    assert fields == {"description": ("", "Invitations"), "traits": ("Golfer", "")}
    make_customer(workspace, email="a@example.com")
    services.list_add_customers(
        customer_list=customer_list, customers=Customer.objects.all(), actor=admin
    )
    assert services.list_delete(customer_list=customer_list, actor=admin) == 1
    assert not CustomerList.objects.exists() and not ListEntry.objects.exists()
    assert Customer.objects.count() == 1


def test_names_are_unique_and_related_rows_must_be_the_workspaces(
    workspace, other_workspace, admin
):
    make_list(workspace, name="Spring")
    with pytest.raises(ValidationError, match="already exists"):
        make_list(workspace, name="SPRING")
    with pytest.raises(ValidationError) as error:
        make_list(workspace, name="Other", traits=[trait(other_workspace, "Golfer")])
    assert "traits" in error.value.message_dict
    assert CustomerList.objects.count() == 1


def test_add_customers_is_one_insert_and_counts_added_and_refused(workspace, admin):
    people = _people(workspace, 5)
    suppress(people[0], "Do not email")
    make_customer(workspace, last_name="No email")
    customer_list = make_list(workspace, admin)
    with CaptureQueriesContext(connection) as queries:
        added, refused = services.list_add_customers(
            customer_list=customer_list,
            customers=Customer.objects.in_workspace(workspace),
            actor=admin,
        )
    assert (added, refused) == (4, 2)
    inserts = [q["sql"] for q in queries if q["sql"].startswith("INSERT INTO")]
    assert len(inserts) == 2  # the entries in one statement, and one History row
    assert "lists_listentry" in inserts[0]
    entry = ListEntry.objects.get(customer=people[1])
    assert (entry.via, entry.added_by, entry.added_at is not None) == ("search", admin, True)
    change = changes_for(customer_list).first()
    assert change.fields[0]["new"] == "added 4 customers from a search"

    # Again: no duplicates; those already in count as neither added nor refused.
    again = services.list_add_customers(
        customer_list=customer_list,
        customers=Customer.objects.in_workspace(workspace),
        actor=admin,
    )
    assert again == (0, 2)
    assert customer_list.entries.count() == 4


def test_add_customers_through_a_joining_search_adds_each_once(workspace, admin):
    people = _people(workspace, 3)
    for person in people:
        person.tags.create(workspace=workspace, name=f"t{person.pk}")
        person.tags.add(*workspace_tags(workspace))
    customer_list = make_list(workspace)
    search = Customer.objects.filter(tags__in=workspace_tags(workspace))  # repeats customers
    assert search.count() > 3
    assert services.list_add_customers(
        customer_list=customer_list, customers=search, actor=admin
    ) == (
        3,
        0,
    )


def workspace_tags(workspace):
    from patron.customers.models import Tag

    return Tag.objects.in_workspace(workspace)


def test_add_customers_never_takes_another_workspaces(workspace, other_workspace, admin):
    make_customer(other_workspace, email="x@example.com")
    customer_list = make_list(workspace)
    assert services.list_add_customers(
        customer_list=customer_list, customers=Customer.objects.all(), actor=admin
    ) == (0, 0)


def test_add_one_says_why_it_is_refused_and_changes_nothing(workspace, admin):
    customer = make_customer(workspace, last_name="Plain")
    give_trait(customer, "Golfer")
    customer_list = make_list(
        workspace, traits=[trait(workspace, "Golfer"), trait(workspace, "Sailor")]
    )
    with pytest.raises(ValidationError) as error:
        services.list_add_customer(customer_list=customer_list, customer=customer, actor=admin)
    assert error.value.messages == [
        "Ada Plain cannot join Spring mailing: has no email address.",
        "Ada Plain cannot join Spring mailing: lacks trait Sailor.",
    ]
    assert not ListEntry.objects.exists()


def test_add_and_remove_one_with_history_on_customer(workspace, admin, customer):
    customer_list = make_list(workspace)
    assert services.list_add_customer(customer_list=customer_list, customer=customer, actor=admin)
    assert not services.list_add_customer(
        customer_list=customer_list, customer=customer, actor=admin
    )
    assert changes_for(customer).first().fields[0] == {
        "field": "customer_lists",
        "label": "Customer lists",
        "old": "",
        "new": "Spring mailing",
    }
    assert services.list_remove_customer(
        customer_list=customer_list, customer=customer, actor=admin
    )
    assert changes_for(customer).first().fields[0]["new"] == ""
    assert not ListEntry.objects.exists()


def test_customer_lists_set_joins_and_leaves_or_refuses_all(workspace, admin, customer):
    email_list = make_list(workspace, name="Email")
    other = make_list(workspace, name="Mail", usage=CustomerList.Usage.MAIL)
    keep = make_list(workspace, name="Keep", usage="")
    services.customer_lists_set(customer=customer, lists=[email_list, keep], actor=admin)
    assert set(customer.list_entries.values_list("customer_list__name", flat=True)) == {
        "Email",
        "Keep",
    }
    with pytest.raises(ValidationError) as error:
        services.customer_lists_set(customer=customer, lists=[other], actor=admin)
    assert error.value.messages == [
        "Mail: Ada Lovelace has no postal address (address 1 and a postcode or city)."
    ]
    assert customer.list_entries.count() == 2  # nothing changed
    joined, left = services.customer_lists_set(customer=customer, lists=[keep], actor=admin)
    assert (joined, [x.name for x in left]) == ([], ["Email"])


def test_changed_rules_keep_members_until_removed_explicitly(workspace, admin):
    people = _people(workspace, 3)
    customer_list = make_list(workspace)
    services.list_add_customers(
        customer_list=customer_list, customers=Customer.objects.all(), actor=admin
    )
    give_trait(people[0], "Golfer")
    services.list_update(
        customer_list=customer_list, actor=admin, data={"traits": [trait(workspace, "Golfer")]}
    )
    assert customer_list.entries.count() == 3
    assert services.unqualified(customer_list).count() == 2
    assert services.unqualified_count(customer_list) == 2
    assert services.list_remove_unqualified(customer_list=customer_list, actor=admin) == 2
    assert list(customer_list.entries.values_list("customer", flat=True)) == [people[0].pk]


def test_list_from_fulfilments(workspace, admin):
    people = _people(workspace, 3)
    activity = Activity.objects.create(workspace=workspace, number=1, name="Brochure")
    for person in people[:2]:
        Fulfilment.objects.create(
            workspace=workspace,
            customer=person,
            activity=activity,
            fulfilment_type="Send brochure",
            date=datetime.date(2026, 3, 1),
        )
    suppress(people[1], suppression_type(workspace, "Do not email").name)
    customer_list, added, refused = services.list_from_fulfilments(
        activity=activity,
        actor=admin,
        data={"name": "Brochure follow-up", "usage": CustomerList.Usage.EMAIL},
    )
    assert (added, refused) == (1, 1)
    assert list(customer_list.activities.all()) == [activity]
    assert customer_list.origin == CustomerList.Origin.FULFILMENTS
    assert customer_list.entries.get().via == "fulfilments"
