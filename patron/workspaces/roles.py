"""Roles of a workspace member and what each may do.

A capability names an action; a role may do it if it is listed here. Pages and the API
ask the same question (`membership.can("customers.delete")`), so they refuse alike.
"""

from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    MANAGER = "manager", "Manager"
    SALES = "sales", "Sales"
    ACCOUNTS = "accounts", "Accounts"
    AGENT = "agent", "Agent"
    READ_ONLY = "read_only", "Read-only"


_EVERY_ROLE = frozenset(Role)
_WRITERS = _EVERY_ROLE - {Role.READ_ONLY}

CAPABILITIES: dict[str, frozenset[Role]] = {
    "customers.view": _EVERY_ROLE,
    "customers.change": _WRITERS,
    # Deleting, restoring and voiding are for account managers (manual 002).
    "customers.delete": frozenset({Role.ADMIN, Role.MANAGER}),
    "customers.void": frozenset({Role.ADMIN, Role.MANAGER}),
    # Scanning for duplicates, reviewing the pairs and merging them: a merge moves records
    # and sends customers to the recycle bin, so it is for those who may delete (manual 002);
    # a capability of its own so the two can part later without touching the pages.
    "customers.merge": frozenset({Role.ADMIN, Role.MANAGER}),
    # Releasing is for anyone who edits; approving is for the accounts department (manual 004).
    "customers.release": _WRITERS,
    "customers.approve": frozenset({Role.ACCOUNTS}),
    # Anyone who edits may email a customer and report bounced addresses.
    "mail.send": _WRITERS,
    "calls.log": _WRITERS,
    # Anyone who edits may add, edit and delete any note of the workspace.
    "notes.change": _WRITERS,
    # Anyone who edits may add, edit and delete attachments; every role may download them.
    "attachments.change": _WRITERS,
    # Anyone who edits may post and comment; each edits and deletes only their own.
    "stream.post": _WRITERS,
    # Admins may also delete anyone's post (moderation).
    "stream.moderate": frozenset({Role.ADMIN}),
    # Anyone who edits may give a customer traits, suppressions, fulfilments and telemarketing
    # responses, and add it to or remove it from customer lists (the lists' rules apply).
    "marketing.change": _WRITERS,
    # Defining traits, suppression types, campaigns, activities and telemarket scripts,
    # building and deleting customer lists and bulk updates from CSV: managers (manual 000).
    "marketing.manage": frozenset({Role.ADMIN, Role.MANAGER}),
    # Anyone who edits may make and change quotes and service contracts.
    "sales.change": _WRITERS,
    # The item catalogue, price levels (discounts) and who gets one: managers.
    "sales.manage": frozenset({Role.ADMIN, Role.MANAGER}),
    # Anyone who edits may log, change, resolve and delete cases (manual 000 restricts none).
    "cases.change": _WRITERS,
    # Reason codes and house accounts are set up by admins and managers.
    "service.manage": frozenset({Role.ADMIN, Role.MANAGER}),
    # Anyone who edits may add, redeem and adjust loyalty points and give a customer house
    # accounts (manual 002 restricts none); ledger entries are never edited.
    "loyalty.change": _WRITERS,
    # Granting and revoking customer portal access, portal passwords and the
    # organization-manager right (manual 001's Service Manager): admins and managers.
    "portal.manage": frozenset({Role.ADMIN, Role.MANAGER}),
    "workspace.manage": frozenset({Role.ADMIN}),
}


def role_can(role: str, capability: str) -> bool:
    if capability not in CAPABILITIES:
        raise KeyError(f"Unknown capability {capability!r}")
    return role in CAPABILITIES[capability]
