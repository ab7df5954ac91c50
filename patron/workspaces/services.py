"""Creating workspaces and giving people a place in them."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from patron.workspaces.models import Membership, Store, User, Workspace
from patron.workspaces.roles import Role


@transaction.atomic
def workspace_create(
    *, name: str, slug: str = "", default_region: str = "GB", store_names: list[str] | None = None
) -> Workspace:
    """A new workspace with its stores (one "Main store" unless named)."""
    workspace = Workspace(
        name=name.strip(), slug=slug or slugify(name), default_region=default_region.upper()
    )
    workspace.full_clean()
    workspace.save()
    for store_name in store_names or ["Main store"]:
        Store.objects.create(workspace=workspace, name=store_name)
    return workspace


@transaction.atomic
def member_add(
    *,
    workspace: Workspace,
    email: str,
    role: str = Role.SALES,
    password: str | None = None,
    full_name: str = "",
) -> Membership:
    """Give a person (created if new, with `password`) a role in `workspace`."""
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role {role!r}; one of {', '.join(Role.values)}."})
    email = User.objects.normalize_email(email.strip()).lower()
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User(email=email, full_name=full_name)
        user.full_clean(exclude=["password"])
        if not password:
            raise ValidationError({"password": "A new user needs a password."})
        validate_password(password, user)
        user.set_password(password)
        user.save()
    membership, created = Membership.objects.get_or_create(
        user=user, workspace=workspace, defaults={"role": role}
    )
    if not created and membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def member_set_role(*, membership: Membership, role: str) -> Membership:
    if role not in Role.values:
        raise ValidationError({"role": f"Unknown role {role!r}."})
    if membership.role == Role.ADMIN and role != Role.ADMIN:
        _keep_an_admin(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def member_remove(*, membership: Membership) -> None:
    if membership.role == Role.ADMIN:
        _keep_an_admin(membership)
    membership.delete()


def _keep_an_admin(membership: Membership) -> None:
    others = Membership.objects.select_for_update().filter(
        workspace=membership.workspace, role=Role.ADMIN
    )
    if not others.exclude(pk=membership.pk).exists():
        raise ValidationError("A workspace needs at least one admin.")


def store_create(*, workspace: Workspace, name: str) -> Store:
    store = Store(workspace=workspace, name=name.strip())
    store.full_clean()
    store.save()
    return store


@transaction.atomic
def store_delete(*, store: Store) -> None:
    if store.workspace.stores.count() == 1:
        raise ValidationError("A workspace needs at least one store.")
    store.delete()
