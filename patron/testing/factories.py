"""factory_boy factories for tests. Customers are made through the service, as users make them."""

import factory
from django.utils import timezone

from patron.customers.models import Category, Customer, Tag
from patron.customers.services import customer_create
from patron.notes.models import Note
from patron.notes.services import note_create
from patron.workspaces.models import Membership, Store, User, Workspace
from patron.workspaces.roles import Role

PASSWORD = "correct horse battery staple"


class WorkspaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Workspace
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Workspace {n}")
    slug = factory.Sequence(lambda n: f"workspace-{n}")
    default_region = "GB"

    @factory.post_generation
    def stores(self, create, names, **kwargs):
        for name in names if names is not None else ["Main store"]:
            Store.objects.create(workspace=self, name=name)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.django.Password(PASSWORD)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    workspace = factory.SubFactory(WorkspaceFactory)
    role = Role.ADMIN


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"Category {n}")


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag

    workspace = factory.SubFactory(WorkspaceFactory)
    name = factory.Sequence(lambda n: f"tag{n}")


def make_customer(workspace: Workspace, actor: User | None = None, **data) -> Customer:
    """A person (or, with kind=organization, an organization) made by customer_create."""
    if data.get("kind") == Customer.Kind.ORGANIZATION:
        data.setdefault("company_name", "Acme Ltd")
    else:
        data.setdefault("first_name", "Ada")
        data.setdefault("last_name", "Lovelace")
    return customer_create(workspace=workspace, actor=actor, data=data, via="test")


def make_note(customer: Customer, actor: User | None = None, **data) -> Note:
    """A note on `customer` made by note_create; `callback_in=timedelta` schedules a call-back."""
    if "callback_in" in data:
        data["callback_at"] = timezone.now() + data.pop("callback_in")
    data.setdefault("subject", "Asked for a brochure")
    return note_create(
        workspace=customer.workspace, actor=actor, data={"customer": customer, **data}, via="test"
    )
