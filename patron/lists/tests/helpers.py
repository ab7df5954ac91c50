"""Test data for lists: traits, suppressions and lists made the short way."""

import datetime

from patron.lists import services
from patron.lists.models import CustomerList
from patron.marketing.models import CustomerTrait, Suppression, SuppressionType, Trait


def suppression_type(workspace, name: str) -> SuppressionType:
    """One of the workspace's default types ("Do not email", "Deceased"...) or a new one
    that blocks only the lists naming it."""
    return SuppressionType.objects.get_or_create(workspace=workspace, name=name)[0]


def suppress(customer, name: str, date=datetime.date(2026, 2, 1)) -> Suppression:
    return Suppression.objects.create(
        workspace=customer.workspace,
        customer=customer,
        suppression_type=suppression_type(customer.workspace, name),
        date=date,
    )


def trait(workspace, name: str) -> Trait:
    return Trait.objects.get_or_create(workspace=workspace, name=name)[0]


def give_trait(customer, name: str) -> CustomerTrait:
    return CustomerTrait.objects.create(
        workspace=customer.workspace, customer=customer, trait=trait(customer.workspace, name)
    )


def make_list(workspace, actor=None, **data) -> CustomerList:
    data.setdefault("name", "Spring mailing")
    data.setdefault("usage", CustomerList.Usage.EMAIL)
    return services.list_create(workspace=workspace, actor=actor, data=data)
