"""Every write to a customer goes through here: pages, API and commands alike.

Each service is one transaction: it validates with the model's full_clean(), saves, and
records the change in History. A failed call changes nothing.
"""

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.db.models.deletion import Collector
from django.utils import timezone

from patron.core.models import next_number
from patron.customers.models import BulkDeletion, BulkDeletionItem, Category, Customer, Tag
from patron.history.models import Change
from patron.history.services import differences, record_change, snapshot

# The fields a person edits, in form order; also what History compares.
EDITABLE_FIELDS = [
    "kind",
    "title",
    "title_other",
    "first_name",
    "middle_name",
    "last_name",
    "date_of_birth",
    "company_name",
    "job_title",
    "organization",
    "job",
    "address_1",
    "address_2",
    "address_3",
    "city",
    "state",
    "postcode",
    "country",
    "email",
    "work_phone",
    "home_phone",
    "mobile_phone",
    "fax",
    "contact_method",
    "gender",
    "marital_status",
    "status",
    "customer_type",
    "is_external",
    "external_ref",
    "category",
    "tags",
    "flag",
    "stores",
    "marketing_opt_out",
    "logo",
]
MANY_TO_MANY_FIELDS = {"tags", "stores"}
# Set by the workflow services, not by editing, but recorded all the same.
AUDITED_FIELDS = [*EDITABLE_FIELDS, "workflow_state", "decline_reason", "email_invalid_since"]


class EditConflict(Exception):
    """The record changed since the editor loaded it; `changes` says what changed."""

    def __init__(self, changes: list[dict[str, str]], current_version: int):
        self.changes = changes
        self.current_version = current_version
        fields = ", ".join(sorted({change["label"] for change in changes})) or "the record"
        super().__init__(
            f"Someone else saved this customer while you were editing it (changed: {fields}). "
            "Reload it to see their changes, then make yours again."
        )


def _check_related_in_workspace(workspace, data: dict[str, Any]) -> None:
    errors = {}
    for field in MANY_TO_MANY_FIELDS:
        for item in data.get(field) or []:
            if item.workspace_id != workspace.pk:
                errors[field] = f"Choose {field} of this workspace."
    if errors:
        raise ValidationError(errors)


def _apply(customer: Customer, data: dict[str, Any]) -> dict[str, Iterable]:
    """Set plain fields on the instance; return the many-to-many values to set after save."""
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not editable customer fields: {sorted(unknown)}")
    related = {}
    for name, value in data.items():
        if name in MANY_TO_MANY_FIELDS:
            related[name] = list(value or [])
        elif name == "logo" and value is False:  # a form's "clear" box
            customer.logo = None
        elif name == "logo" and value is None:
            continue
        else:
            setattr(customer, name, "" if value is None and _is_text(name) else value)
    return related


def _is_text(name: str) -> bool:
    field = Customer._meta.get_field(name)
    return not field.null and field.get_internal_type() in {"CharField", "TextField"}


@transaction.atomic
def customer_create(*, workspace, actor, data: dict[str, Any], via: str = "page") -> Customer:
    """Add a customer (person or organization) with the next customer no."""
    _check_related_in_workspace(workspace, data)
    customer = Customer(workspace=workspace, created_by=actor if actor else None)
    related = _apply(customer, data)
    customer.number = 0  # a placeholder until validation passes, so no number is wasted
    customer.full_clean(exclude=["number"])
    customer.number = next_number(workspace, "customer")
    customer.save()
    if "stores" not in related or not related["stores"]:
        related["stores"] = list(workspace.stores.all())
    for name, values in related.items():
        getattr(customer, name).set(values)
    record_change(
        instance=customer,
        action=Change.Action.CREATE,
        actor=actor,
        fields=differences({}, snapshot(customer, AUDITED_FIELDS)),
        via=via,
    )
    # A workspace may give every new person with an email portal access (manual 003).
    from patron.portal.services import portal_access_for_new_customer

    portal_access_for_new_customer(customer=customer, actor=actor, via=via)
    return customer


def _changes_since(customer: Customer, version: int) -> list[dict[str, str]]:
    later = Change.objects.filter(
        content_type__app_label="customers",
        content_type__model="customer",
        object_id=customer.pk,
        version__gt=version,
    ).order_by("created_at", "pk")
    return [field for change in later for field in change.fields] or [
        {"field": "", "label": "the record", "old": "", "new": ""}
    ]


def _locked(customer: Customer) -> Customer:
    return Customer.objects.select_for_update().get(pk=customer.pk, workspace=customer.workspace)


def _save_with_history(
    customer: Customer, before, *, actor, action: str, via: str, reason: str = ""
) -> Customer:
    customer.version += 1
    customer.save()
    record_change(
        instance=customer,
        action=action,
        actor=actor,
        fields=differences(before, snapshot(customer, AUDITED_FIELDS)),
        via=via,
        reason=reason,
    )
    return customer


@transaction.atomic
def customer_update(
    *,
    customer: Customer,
    actor,
    data: dict[str, Any],
    expected_version: int | None = None,
    via: str = "page",
) -> Customer:
    """Change a customer's fields.

    With `expected_version` (the version the editor loaded), a save over someone else's
    newer save is refused with EditConflict instead of silently overwriting it.
    """
    customer = _locked(customer)
    if expected_version is not None and expected_version != customer.version:
        raise EditConflict(_changes_since(customer, expected_version), customer.version)
    _check_related_in_workspace(customer.workspace, data)
    before = snapshot(customer, AUDITED_FIELDS)
    old_email = customer.email
    related = _apply(customer, data)
    customer.full_clean()
    if customer.email != old_email:
        customer.email_invalid_since = None  # a corrected address may be mailed again
    for name, values in related.items():
        getattr(customer, name).set(values)
    if not differences(before, snapshot(customer, AUDITED_FIELDS)):
        return customer
    return _save_with_history(customer, before, actor=actor, action=Change.Action.UPDATE, via=via)


def customer_void(*, customer: Customer, actor, via: str = "page") -> Customer:
    """Mark a customer Void: kept, but out of use (manual 000's status)."""
    return customer_update(
        customer=customer, actor=actor, data={"status": Customer.Status.VOID}, via=via
    )


@transaction.atomic
def _stamp(customer: Customer, *, field: str, value, action: str, actor, via: str) -> Customer:
    customer = _locked(customer)
    before = snapshot(customer, AUDITED_FIELDS)
    setattr(customer, field, value)
    return _save_with_history(customer, before, actor=actor, action=action, via=via)


def customer_archive(*, customer: Customer, actor, via: str = "page") -> Customer:
    """Hide from lists and searches; the record stays reachable from its own page."""
    return _stamp(
        customer,
        field="archived_at",
        value=timezone.now(),
        action=Change.Action.ARCHIVE,
        actor=actor,
        via=via,
    )


def customer_unarchive(*, customer: Customer, actor, via: str = "page") -> Customer:
    return _stamp(
        customer,
        field="archived_at",
        value=None,
        action=Change.Action.UNARCHIVE,
        actor=actor,
        via=via,
    )


def customer_delete(*, customer: Customer, actor, via: str = "page") -> Customer:
    """Soft delete: into the recycle bin, restorable until purged."""
    return _stamp(
        customer,
        field="deleted_at",
        value=timezone.now(),
        action=Change.Action.DELETE,
        actor=actor,
        via=via,
    )


def customer_restore(*, customer: Customer, actor, via: str = "page") -> Customer:
    return _stamp(
        customer,
        field="deleted_at",
        value=None,
        action=Change.Action.RESTORE,
        actor=actor,
        via=via,
    )


State = Customer.WorkflowState
# name: (the state it starts from, the state it leads to, the History action)
_TRANSITIONS = {
    "released": (State.NEW, State.RELEASED, Change.Action.RELEASE),
    "approved": (State.RELEASED, State.ACTIVE, Change.Action.APPROVE),
    "declined": (State.RELEASED, State.NEW, Change.Action.DECLINE),
}


@transaction.atomic
def _transition(customer: Customer, *, name: str, actor, via: str, reason: str = "") -> Customer:
    customer = _locked(customer)
    source, target, action = _TRANSITIONS[name]
    if customer.workflow_state != source:
        raise ValidationError(
            f"Only {State(source).label.split(' (')[0]} customers can be {name}; "
            f"{customer} is {customer.get_workflow_state_display()}.",
            code="invalid_state",
        )
    before = snapshot(customer, AUDITED_FIELDS)
    customer.workflow_state = target
    customer.decline_reason = reason
    return _save_with_history(customer, before, actor=actor, action=action, via=via, reason=reason)


def customer_release(*, customer: Customer, actor, via: str = "page") -> Customer:
    """Hand a New customer to the accounts department for approval (manual 004)."""
    return _transition(customer, name="released", actor=actor, via=via)


def customer_approve(*, customer: Customer, actor, via: str = "page") -> Customer:
    """Accounts approve a Released customer: it becomes Active."""
    return _transition(customer, name="approved", actor=actor, via=via)


def customer_decline(*, customer: Customer, actor, reason: str, via: str = "page") -> Customer:
    """Accounts decline a Released customer: back to New, with the reason shown on it."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": "Say why the customer is declined."})
    if len(reason) > 500:
        raise ValidationError({"reason": "Keep the reason under 500 characters."})
    return _transition(customer, name="declined", actor=actor, via=via, reason=reason)


@transaction.atomic
def customers_purge(*, workspace=None, older_than_days: int | None = None) -> int:
    """Delete for good the customers that have sat in the recycle bin past the window."""
    days = settings.PATRON_PURGE_AFTER_DAYS if older_than_days is None else older_than_days
    doomed = Customer.objects.deleted().filter(
        deleted_at__lte=timezone.now() - timedelta(days=days)
    )
    if workspace is not None:
        doomed = doomed.in_workspace(workspace)
    ids = list(doomed.values_list("pk", flat=True))
    # Everything the delete cascades to (notes, calls, posts and their comments...) goes,
    # and so does its History: what Django's own delete would remove, found the same way.
    collector = Collector(using=Customer.objects.db)
    collector.collect(Customer.objects.filter(pk__in=ids))
    doomed_rows = {model: {row.pk for row in rows} for model, rows in collector.data.items()}
    for queryset in collector.fast_deletes:
        doomed_rows.setdefault(queryset.model, set()).update(queryset.values_list("pk", flat=True))
    for model, pks in doomed_rows.items():
        if pks:
            Change.objects.filter(
                content_type=ContentType.objects.get_for_model(model), object_id__in=pks
            ).delete()
    Customer.objects.filter(pk__in=ids).delete()
    return len(ids)


def category_create(*, workspace, name: str, description: str = "") -> Category:
    """A customer category (manual 002); names are unique in a workspace."""
    category = Category(workspace=workspace, name=name.strip(), description=description.strip())
    category.full_clean()
    category.save()
    return category


def tag_create(*, workspace, name: str) -> Tag:
    tag = Tag(workspace=workspace, name=name.strip())
    tag.full_clean()
    tag.save()
    return tag


def label_delete(*, label: Category | Tag) -> int:
    """Remove a category or tag; customers keep everything else. Returns how many had it."""
    used_by = label.customer_set.count() if isinstance(label, Category) else label.customers.count()
    label.delete()
    return used_by


# Delete Customers (manual 000): a search's customers into the recycle bin, in the background.
BULK_DELETE_BATCH = 1000


@transaction.atomic
def bulk_delete_start(
    *, workspace, actor, customers, query: str, expected_count: int, via: str = "page"
) -> BulkDeletion:
    """Freeze the customers a search finds and queue their deletion.

    `customers` is the search exactly as the list shows it; `expected_count` is the number
    the user confirmed. If the search now finds another number, nothing is queued: the user
    checks again. The customers are frozen here, so the task deletes what was confirmed,
    even if edits later move some in or out of the search.
    """
    from patron.customers.tasks import run_bulk_deletion

    ids = list(
        customers.filter(workspace=workspace, deleted_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )
    if len(ids) != expected_count:
        message = (
            f"The search now finds {len(ids):,} customers, not {expected_count:,}: "
            "check them again."
        )
        # The code lets the API answer 409 (the search changed) rather than 400.
        raise ValidationError({"expected_count": ValidationError(message, code="count_changed")})
    if not ids:
        raise ValidationError({"expected_count": "The search finds no customers to delete."})
    deletion = BulkDeletion(
        workspace=workspace,
        requested_by=actor if getattr(actor, "pk", None) else None,
        query=query[:2000],
        count=len(ids),
        via=via,
    )
    deletion.full_clean()
    deletion.save()
    BulkDeletionItem.objects.bulk_create(
        (BulkDeletionItem(deletion=deletion, customer_id=pk) for pk in ids),
        batch_size=BULK_DELETE_BATCH,
    )
    pk = deletion.pk
    transaction.on_commit(lambda: run_bulk_deletion.enqueue(pk))
    return deletion


@transaction.atomic
def bulk_delete_resume(*, deletion: BulkDeletion) -> BulkDeletion:
    """Queue a failed or stalled deletion again; it carries on with the customers not yet
    handled."""
    from patron.customers.tasks import run_bulk_deletion

    deletion = BulkDeletion.objects.select_for_update().get(pk=deletion.pk)
    if deletion.state != BulkDeletion.State.FAILED and not deletion.is_stalled:
        raise ValidationError("Only a deletion that stopped can be run again.")
    deletion.state = BulkDeletion.State.QUEUED
    deletion.save(update_fields=["state", "updated_at"])
    pk = deletion.pk
    transaction.on_commit(lambda: run_bulk_deletion.enqueue(pk))
    return deletion


def bulk_delete_run(*, deletion_id: int, batch_size: int = BULK_DELETE_BATCH) -> BulkDeletion:
    """Move a bulk deletion's customers to the recycle bin, one committed batch at a time.

    Safe to run again (a worker killed half-way): only items not yet done are handled, and
    a customer already in the recycle bin, or restored after its batch, is left alone.
    """
    deletion = BulkDeletion.objects.get(pk=deletion_id)
    if deletion.state == BulkDeletion.State.DONE:
        return deletion
    jobs = BulkDeletion.objects.filter(pk=deletion.pk)
    jobs.update(state=BulkDeletion.State.RUNNING, error="", updated_at=timezone.now())
    try:
        while _bulk_delete_batch(deletion, batch_size):
            pass
    except Exception as error:
        jobs.update(
            state=BulkDeletion.State.FAILED, error=str(error)[:2000], finished_at=timezone.now()
        )
        raise
    jobs.update(state=BulkDeletion.State.DONE, finished_at=timezone.now())
    deletion.refresh_from_db()
    return deletion


@transaction.atomic
def _bulk_delete_batch(deletion: BulkDeletion, batch_size: int) -> bool:
    """Delete the next batch; False once none is left."""
    items = list(deletion.items.select_for_update().filter(done=False).order_by("pk")[:batch_size])
    if not items:
        return False
    now = timezone.now()
    customers = list(
        Customer.objects.select_for_update()
        .filter(
            workspace_id=deletion.workspace_id,
            pk__in=[item.customer_id for item in items],
            deleted_at__isnull=True,
        )
        .only("pk", "version")
    )
    Customer.objects.filter(pk__in=[c.pk for c in customers]).update(
        deleted_at=now, version=F("version") + 1, updated_at=now
    )
    others = deletion.count - 1
    reason = f"Deleted with {others:,} other{'s' if others != 1 else ''} by search"
    reason = f"{reason} {deletion.query}" if deletion.query else f"{reason} (all customers)"
    content_type = ContentType.objects.get_for_model(Customer)
    Change.objects.bulk_create(
        Change(
            workspace_id=deletion.workspace_id,
            content_type=content_type,
            object_id=customer.pk,
            action=Change.Action.DELETE,
            version=customer.version + 1,
            actor_id=deletion.requested_by_id,
            via=deletion.via,
            reason=reason[:255],
        )
        for customer in customers
    )
    BulkDeletionItem.objects.filter(pk__in=[item.pk for item in items]).update(done=True)
    BulkDeletion.objects.filter(pk=deletion.pk).update(
        done_count=F("done_count") + len(items),
        deleted_count=F("deleted_count") + len(customers),
        updated_at=now,  # a sign of life: a silent deletion is taken for a dead one
    )
    return True
