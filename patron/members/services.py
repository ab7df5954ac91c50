"""Linking staff to customers. Each change is recorded in the customer's History."""

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction

from patron.customers.models import Customer
from patron.history.models import Change
from patron.history.services import record_change
from patron.members.models import CustomerMember
from patron.workspaces.models import Membership, User
from patron.workspaces.roles import Role as StaffRole


def _members_text(customer: Customer) -> str:
    return ", ".join(sorted(str(link) for link in customer.members.select_related("user")))


def _check_staff(customer: Customer, users: Iterable[User]) -> None:
    staff = set(
        Membership.objects.filter(workspace=customer.workspace).values_list("user_id", flat=True)
    )
    strangers = [user for user in users if user.pk not in staff]
    if strangers:
        raise ValidationError({"user": f"{strangers[0]} is not a member of {customer.workspace}."})


def _record(customer: Customer, before: str, actor, via: str) -> None:
    after = _members_text(customer)
    if before != after:
        record_change(
            instance=customer,
            action=Change.Action.UPDATE,
            actor=actor,
            fields=[{"field": "members", "label": "Members", "old": before, "new": after}],
            via=via,
        )


@transaction.atomic
def member_link(
    *, customer: Customer, user: User, role: str, actor, via: str = "page"
) -> CustomerMember:
    """Link a staff user to the customer with a role (account manager, salesman, ...).

    Linking someone already linked in that role changes nothing and returns that link.
    """
    _check_staff(customer, [user])
    existing = customer.members.filter(user=user, role=role).first()
    if existing:
        return existing
    before = _members_text(customer)
    link = CustomerMember(workspace=customer.workspace, customer=customer, user=user, role=role)
    link.full_clean()
    link.save()
    _record(customer, before, actor, via)
    return link


@transaction.atomic
def member_unlink(*, link: CustomerMember, actor, via: str = "page") -> None:
    customer = link.customer
    before = _members_text(customer)
    link.delete()
    _record(customer, before, actor, via)


def sales_users(workspace):
    """The workspace's sales users: those "Maintain customer salesmen" offers (manual 004)."""
    return User.objects.filter(
        memberships__workspace=workspace, memberships__role=StaffRole.SALES, is_active=True
    ).order_by("full_name", "email")


@transaction.atomic
def salesmen_set(*, customer: Customer, users: Iterable[User], actor, via: str = "page") -> None:
    """Make exactly `users` the customer's salesmen; other roles are left alone."""
    wanted = {user.pk: user for user in users}
    allowed = set(sales_users(customer.workspace).values_list("pk", flat=True))
    if set(wanted) - allowed:
        raise ValidationError({"users": "Choose salesmen among the workspace's sales users."})
    before = _members_text(customer)
    current = customer.members.filter(role=CustomerMember.Role.SALESMAN)
    current.exclude(user_id__in=wanted).delete()
    present = set(current.values_list("user_id", flat=True))
    CustomerMember.objects.bulk_create(
        CustomerMember(
            workspace=customer.workspace,
            customer=customer,
            user=user,
            role=CustomerMember.Role.SALESMAN,
        )
        for pk, user in wanted.items()
        if pk not in present
    )
    _record(customer, before, actor, via)
