import datetime

import pytest
from django.core.exceptions import ValidationError

from patron.history.services import changes_for
from patron.lists.models import CustomerList
from patron.marketing import services
from patron.marketing.models import (
    DEFAULT_SUPPRESSION_TYPES,
    CustomerTrait,
    Suppression,
    SuppressionType,
    Trait,
)
from patron.marketing.queries import suppressions_blocking
from patron.testing.factories import WorkspaceFactory, make_customer

DAY = datetime.date(2026, 3, 1)


def _type(workspace, name: str) -> SuppressionType:
    return SuppressionType.objects.get(workspace=workspace, name=name)


def _traits(workspace, admin, *names: str) -> list[Trait]:
    return [
        services.trait_create(workspace=workspace, actor=admin, data={"name": name})
        for name in names
    ]


def test_a_new_workspace_has_the_default_suppression_types(db):
    workspace = WorkspaceFactory()
    types = SuppressionType.objects.filter(workspace=workspace)
    assert {(t.name, t.blocks) for t in types} == {
        (name, blocks) for name, blocks, _ in DEFAULT_SUPPRESSION_TYPES
    }


def test_trait_define_rename_with_history(workspace, admin):
    trait = services.trait_create(
        workspace=workspace, actor=admin, data={"name": "  Golfer ", "description": "Plays"}
    )
    assert trait.name == "Golfer"
    services.trait_update(trait=trait, actor=admin, data={"name": "Keen golfer"})
    assert changes_for(trait).first().fields == [
        {"field": "name", "label": "Name", "old": "Golfer", "new": "Keen golfer"}
    ]


def test_trait_names_are_unique_whatever_the_case(workspace, admin, other_workspace):
    _traits(workspace, admin, "Golfer")
    with pytest.raises(ValidationError) as error:
        _traits(workspace, admin, "GOLFER")
    assert error.value.message_dict == {"name": ["A trait named Golfer already exists."]}
    _traits(other_workspace, admin, "Golfer")  # another workspace may have its own
    assert Trait.objects.filter(workspace=workspace).count() == 1


def test_customer_traits_set_adds_removes_and_records_history(workspace, admin, customer):
    golfer, sailor, skier = _traits(workspace, admin, "Golfer", "Sailor", "Skier")
    services.customer_traits_set(customer=customer, traits=[golfer, sailor], actor=admin)
    services.customer_traits_set(customer=customer, traits=[sailor, skier], actor=admin)
    assert set(customer.customer_traits.values_list("trait__name", flat=True)) == {
        "Sailor",
        "Skier",
    }
    latest, first = [
        change
        for change in changes_for(customer)
        if change.fields and change.fields[0]["field"] == "traits"
    ]
    assert latest.fields == [
        {"field": "traits", "label": "Traits", "old": "Golfer, Sailor", "new": "Sailor, Skier"}
    ]
    assert first.fields[0]["old"] == "" and first.fields[0]["new"] == "Golfer, Sailor"
    before = changes_for(customer).count()
    services.customer_traits_set(customer=customer, traits=[skier, sailor], actor=admin)
    assert changes_for(customer).count() == before, "no change, no History row"


def test_traits_of_another_workspace_are_refused(workspace, admin, customer, other_workspace):
    (foreign,) = _traits(other_workspace, admin, "Spy")
    with pytest.raises(ValidationError) as error:
        services.customer_traits_set(customer=customer, traits=[foreign], actor=admin)
    assert "traits" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.customer_trait_add(customer=customer, trait=foreign, actor=admin)
    assert not CustomerTrait.objects.exists()


def test_customer_trait_add_twice_is_an_error(workspace, admin, customer):
    (golfer,) = _traits(workspace, admin, "Golfer")
    services.customer_trait_add(customer=customer, trait=golfer, actor=admin, via="import")
    with pytest.raises(ValidationError, match="already has the trait Golfer"):
        services.customer_trait_add(customer=customer, trait=golfer, actor=admin)
    assert customer.customer_traits.count() == 1
    link = customer.customer_traits.get()
    services.customer_trait_remove(customer_trait=link, actor=admin)
    assert changes_for(customer).first().fields[0] == {
        "field": "traits",
        "label": "Traits",
        "old": "Golfer",
        "new": "",
    }


def test_deleting_a_trait_removes_it_from_customers_and_lists(workspace, admin, customer):
    golfer, sailor = _traits(workspace, admin, "Golfer", "Sailor")
    other = make_customer(workspace, admin, last_name="Other")
    services.customer_traits_set(customer=customer, traits=[golfer, sailor], actor=admin)
    services.customer_traits_set(customer=other, traits=[sailor], actor=admin)
    golf_list = CustomerList.objects.create(workspace=workspace, name="Golf day")
    golf_list.traits.add(golfer, sailor)
    assert services.trait_usage(golfer) == {"customers": 1, "lists": 1}

    assert services.trait_delete(trait=golfer, actor=admin) == 1

    assert list(golf_list.traits.all()) == [sailor]
    assert [ct.trait for ct in customer.customer_traits.all()] == [sailor]
    change = changes_for(customer).first()
    assert change.fields[0]["old"] == "Golfer, Sailor" and change.fields[0]["new"] == "Sailor"
    assert "Golfer" in change.reason
    assert changes_for(other).first().fields[0]["new"] == "Sailor", "others untouched"


def test_suppression_add_and_delete_with_history(workspace, admin, customer):
    deceased = _type(workspace, "Deceased")
    suppression = services.suppression_add(
        customer=customer, suppression_type=deceased, date=DAY, note=" told by son ", actor=admin
    )
    assert suppression.note == "told by son"
    assert changes_for(customer).first().fields == [
        {
            "field": "suppressions",
            "label": "Suppressions",
            "old": "",
            "new": "Deceased since 01/03/2026 (told by son)",
        }
    ]
    services.suppression_delete(suppression=suppression, actor=admin, via="api")
    change = changes_for(customer).first()
    assert (change.fields[0]["new"], change.via) == ("", "api")
    assert not Suppression.objects.exists()


def test_suppression_date_defaults_to_today_and_can_be_corrected(workspace, admin, customer):
    suppression = services.suppression_add(
        customer=customer, suppression_type=_type(workspace, "Gone away"), actor=admin
    )
    assert suppression.date == datetime.date.today()
    services.suppression_update(suppression=suppression, actor=admin, data={"date": DAY})
    assert changes_for(customer).first().fields[0]["new"] == "Gone away since 01/03/2026"


def test_the_same_suppression_twice_is_an_error(workspace, admin, customer):
    do_not_mail = _type(workspace, "Do not mail")
    services.suppression_add(customer=customer, suppression_type=do_not_mail, actor=admin)
    with pytest.raises(ValidationError) as error:
        services.suppression_add(customer=customer, suppression_type=do_not_mail, actor=admin)
    assert error.value.message_dict == {
        "suppression_type": ["Ada Lovelace already has the suppression Do not mail."]
    }
    assert customer.suppressions.count() == 1


def test_a_suppression_type_of_another_workspace_is_refused(customer, admin, other_workspace):
    with pytest.raises(ValidationError) as error:
        services.suppression_add(
            customer=customer, suppression_type=_type(other_workspace, "Deceased"), actor=admin
        )
    assert "suppression_type" in error.value.message_dict
    assert not Suppression.objects.exists()


def test_a_suppression_type_in_use_cannot_be_deleted(workspace, admin, customer):
    phone = _type(workspace, "Do not phone")
    services.suppression_add(customer=customer, suppression_type=phone, actor=admin)
    with pytest.raises(ValidationError, match="1 customer\\(s\\) have the suppression"):
        services.suppression_type_delete(suppression_type=phone, actor=admin)
    assert SuppressionType.objects.filter(pk=phone.pk).exists()


def test_suppression_type_define_edit_delete(workspace, admin):
    created = services.suppression_type_create(
        workspace=workspace,
        actor=admin,
        data={"name": "No cold calls", "description": "Asked", "blocks": "phone"},
    )
    services.suppression_type_update(
        suppression_type=created, actor=admin, data={"blocks": SuppressionType.Blocks.NAMED}
    )
    assert changes_for(created).first().fields == [
        {"field": "blocks", "label": "Blocks", "old": "Phone lists", "new": ""}
    ]
    with pytest.raises(ValidationError, match="A suppression type named No cold calls already"):
        services.suppression_type_create(
            workspace=workspace, actor=admin, data={"name": "no COLD calls"}
        )
    with pytest.raises(ValidationError, match="named Deceased already exists"):
        services.suppression_type_update(
            suppression_type=created, actor=admin, data={"name": "deceased"}
        )
    services.suppression_type_delete(suppression_type=created, actor=admin)
    assert not SuppressionType.objects.filter(name="No cold calls").exists()


def test_suppressions_blocking(workspace, other_workspace):
    names = {t.name for t in suppressions_blocking("mail", workspace)}
    assert names == {"Do not mail", "Gone away", "Deceased"}
    assert {t.name for t in suppressions_blocking("", workspace)} == {"Deceased"}
    assert suppressions_blocking("phone").filter(workspace=other_workspace).count() == 2
