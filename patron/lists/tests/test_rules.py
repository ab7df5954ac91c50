import datetime

import pytest
from django.utils import timezone

from patron.customers.models import Customer
from patron.lists import rules
from patron.lists.models import CustomerList
from patron.lists.tests.helpers import give_trait, make_list, suppress, suppression_type, trait
from patron.testing.factories import make_customer

Usage = CustomerList.Usage


def _eligible_names(workspace, rule) -> set[str]:
    customers = Customer.objects.in_workspace(workspace)
    return {c.last_name for c in rules.eligible(customers, rule)}


def _rule(workspace, usage="", suppressions=(), traits=()) -> rules.Rule:
    return rules.Rule(
        workspace_id=workspace.pk,
        usage=usage,
        suppression_type_ids=frozenset(suppression_type(workspace, n).pk for n in suppressions),
        trait_ids=frozenset(trait(workspace, n).pk for n in traits),
    )


@pytest.mark.parametrize(
    ("usage", "data", "reason"),
    [
        (Usage.MAIL, {"address_1": "1 High St", "postcode": "AB1 2CD"}, None),
        (Usage.MAIL, {"address_1": "1 High St", "city": "Leeds"}, None),
        (Usage.MAIL, {"address_1": "1 High St"}, "has no postal address"),
        (Usage.MAIL, {"postcode": "AB1 2CD", "city": "Leeds"}, "has no postal address"),
        (Usage.EMAIL, {"email": "a@example.com"}, None),
        (Usage.EMAIL, {}, "has no email address"),
        (Usage.EMAIL, {"email": "a@example.com", "marketing_opt_out": True}, "opted out"),
        (Usage.PHONE, {"mobile_phone": "+447911123456"}, None),
        (Usage.PHONE, {"home_phone": "+442079460018"}, None),
        (Usage.PHONE, {"email": "a@example.com", "fax": "+442079460019"}, "has no phone"),
        (Usage.NONE, {}, None),
    ],
)
def test_each_usage_needs_its_data(workspace, usage, data, reason):
    customer = make_customer(workspace, last_name="Tested", **data)
    rule = _rule(workspace, usage)
    assert _eligible_names(workspace, rule) == (set() if reason else {"Tested"})
    found = rules.reasons_cannot_join(customer, rule)
    assert (reason is None and found == []) or (reason and reason in found[0])


def test_a_bounced_email_is_refused_with_its_date(workspace):
    customer = make_customer(workspace, email="a@example.com")
    Customer.objects.filter(pk=customer.pk).update(
        email_invalid_since=timezone.make_aware(datetime.datetime(2026, 11, 3, 12))
    )
    customer.refresh_from_db()
    assert rules.reasons_cannot_join(customer, _rule(workspace, Usage.EMAIL)) == [
        "email bounced on 03/11/2026"
    ]
    assert _eligible_names(workspace, _rule(workspace, Usage.EMAIL)) == set()


def test_suppressions_block_by_channel_all_or_by_name(workspace):
    for name in ("Emailless", "Dead", "Named", "Private", "Free"):
        make_customer(workspace, last_name=name, email=f"{name}@example.com")
    people = {c.last_name: c for c in Customer.objects.in_workspace(workspace)}
    suppress(people["Emailless"], "Do not email")  # blocks email lists
    suppress(people["Dead"], "Deceased")  # blocks every list
    suppress(people["Named"], "Do not mail")  # blocks mail lists, not email ones
    suppress(people["Private"], "Competitor")  # blocks only lists that name it

    assert _eligible_names(workspace, _rule(workspace, Usage.EMAIL)) == {
        "Named",
        "Private",
        "Free",
    }
    assert _eligible_names(workspace, _rule(workspace, Usage.EMAIL, ["Competitor"])) == {
        "Named",
        "Free",
    }
    assert _eligible_names(workspace, _rule(workspace, Usage.NONE)) == {
        "Emailless",
        "Named",
        "Private",
        "Free",
    }
    assert rules.reasons_cannot_join(people["Emailless"], _rule(workspace, Usage.EMAIL)) == [
        "suppressed: Do not email (since 01/02/2026)"
    ]


def test_a_suppression_blocks_from_its_date_not_before(workspace):
    today = timezone.localdate()
    for name in ("Today", "Tomorrow", "Yesterday"):
        make_customer(workspace, last_name=name, email=f"{name}@example.com")
    people = {c.last_name: c for c in Customer.objects.in_workspace(workspace)}
    suppress(people["Today"], "Do not email", today)
    suppress(people["Tomorrow"], "Do not email", today + datetime.timedelta(days=1))
    suppress(people["Yesterday"], "Deceased", today - datetime.timedelta(days=1))
    rule = _rule(workspace, Usage.EMAIL)

    assert _eligible_names(workspace, rule) == {"Tomorrow"}
    assert rules.reasons_cannot_join(people["Tomorrow"], rule) == []
    assert rules.reasons_cannot_join(people["Today"], rule) == [
        f"suppressed: Do not email (since {today:%d/%m/%Y})"
    ]
    counted = rules.counts(Customer.objects.in_workspace(workspace), rule)
    assert (counted["suppressed"], counted["eligible"]) == (2, 1)


def test_every_trait_is_required(workspace):
    both = make_customer(workspace, last_name="Both")
    golf = make_customer(workspace, last_name="Golf")
    make_customer(workspace, last_name="Neither")
    for customer in (both, golf):
        give_trait(customer, "Golfer")
    give_trait(both, "Owns a boat")
    rule = _rule(workspace, traits=["Golfer", "Owns a boat"])
    assert _eligible_names(workspace, rule) == {"Both"}
    assert rules.reasons_cannot_join(golf, rule) == ["lacks trait Owns a boat"]
    assert _eligible_names(workspace, _rule(workspace, traits=["Golfer"])) == {"Both", "Golf"}


def test_void_and_deleted_customers_never_join(workspace):
    void = make_customer(workspace, last_name="Void", status=Customer.Status.VOID)
    gone = make_customer(workspace, last_name="Gone")
    Customer.objects.filter(pk=gone.pk).update(deleted_at=timezone.now())
    gone.refresh_from_db()
    make_customer(workspace, last_name="Here")
    assert _eligible_names(workspace, _rule(workspace)) == {"Here"}
    assert rules.reasons_cannot_join(void, _rule(workspace)) == ["is void"]
    assert rules.reasons_cannot_join(gone, _rule(workspace)) == ["is deleted"]


def test_a_saved_list_and_its_rule_agree(workspace):
    customer_list = make_list(
        workspace,
        usage=Usage.MAIL,
        suppressions=[suppression_type(workspace, "Competitor")],
        traits=[trait(workspace, "Golfer")],
    )
    assert rules.Rule.of(customer_list) == _rule(workspace, Usage.MAIL, ["Competitor"], ["Golfer"])


def test_eligible_and_reasons_agree_on_varied_customers(workspace, other_workspace):
    """Every mix of data, suppression and trait: `eligible` takes exactly those for whom
    `reasons_cannot_join` finds nothing, and `counts` adds up, for every usage."""
    addresses = [{}, {"address_1": "1 High St", "postcode": "AB1"}, {"address_1": "2 Low Rd"}]
    emails = [{}, {"email": "x@example.com"}, {"email": "y@example.com", "marketing_opt_out": True}]
    phones = [{}, {"work_phone": "+442079460018"}]
    extras = [None, "Do not email", "Deceased", "Gone away", "Competitor"]
    traits = [(), ("Golfer",), ("Golfer", "Sailor")]
    n = 0
    for address in addresses:
        for email in emails:
            for phone in phones:
                n += 1
                customer = make_customer(
                    workspace,
                    last_name=f"C{n}",
                    status="void" if n % 7 == 0 else "active",
                    **address,
                    **email,
                    **phone,
                )
                if extra := extras[n % len(extras)]:
                    suppress(customer, extra)
                for name in traits[n % len(traits)]:
                    give_trait(customer, name)
    make_customer(other_workspace, last_name="Foreign", email="f@example.com")
    customers = list(Customer.objects.in_workspace(workspace))
    for usage in Usage.values:
        for named in ([], ["Competitor"]):
            for required in ([], ["Golfer"], ["Golfer", "Sailor"]):
                rule = _rule(workspace, usage, named, required)
                expected = {
                    c.last_name for c in customers if not rules.reasons_cannot_join(c, rule)
                }
                assert _eligible_names(workspace, rule) == expected, (usage, named, required)
                counted = rules.counts(Customer.objects.in_workspace(workspace), rule)
                assert counted["matched"] == len(customers)
                assert counted["eligible"] == len(expected)
