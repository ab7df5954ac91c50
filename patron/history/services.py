"""Recording changes. Services call these inside their own transaction."""

from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from patron.history.models import Change

type Snapshot = dict[str, tuple[str, str]]


def _readable(instance: models.Model, field: models.Field) -> str:
    """The value as a person reads it; a model may format its own with `history_value()`."""
    if hasattr(instance, "history_value"):
        custom = instance.history_value(field.name)
        if custom is not None:
            return custom
    if field.many_to_many:
        if instance.pk is None:
            return ""
        return ", ".join(sorted(str(item) for item in getattr(instance, field.name).all()))
    value: Any = getattr(instance, field.name)
    if value is None or value == "":
        return ""
    if field.choices:
        return str(getattr(instance, f"get_{field.name}_display")())
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(field, models.FileField):
        return value.name or ""
    return str(value)


def snapshot(instance: models.Model, field_names: Iterable[str]) -> Snapshot:
    """The record's audited fields as {name: (label, readable value)}."""
    result = {}
    for name in field_names:
        field = instance._meta.get_field(name)
        result[name] = (str(field.verbose_name).capitalize(), _readable(instance, field))
    return result


def differences(before: Snapshot, after: Snapshot) -> list[dict[str, str]]:
    return [
        {"field": name, "label": label, "old": before.get(name, ("", ""))[1], "new": value}
        for name, (label, value) in after.items()
        if before.get(name, ("", ""))[1] != value
    ]


def change_of(
    *,
    instance: models.Model,
    action: str,
    actor,
    fields: list[dict[str, str]] | None = None,
    via: str = "",
    reason: str = "",
) -> Change:
    """The History row `record_change` writes, unsaved: for services that write many
    records' changes at once with `Change.objects.bulk_create`."""
    return Change(
        workspace_id=instance.workspace_id,
        content_type=ContentType.objects.get_for_model(instance),
        object_id=instance.pk,
        about_customer=getattr(instance, "customer_id", None),
        action=action,
        fields=fields or [],
        version=getattr(instance, "version", None),
        actor=actor if getattr(actor, "pk", None) else None,
        via=via,
        reason=reason,
    )


def record_change(
    *,
    instance: models.Model,
    action: str,
    actor,
    fields: list[dict[str, str]] | None = None,
    via: str = "",
    reason: str = "",
) -> Change:
    row = change_of(
        instance=instance, action=action, actor=actor, fields=fields, via=via, reason=reason
    )
    row.save()
    return row


def changes_for(instance: models.Model):
    return Change.objects.filter(
        workspace_id=instance.workspace_id,
        content_type=ContentType.objects.get_for_model(instance),
        object_id=instance.pk,
    ).select_related("actor")


def create_with_history(*, instance: models.Model, actor, fields: list[str], via: str):
    """Validate and save a new record, recording its `fields` as created. Call it inside
    the service's transaction."""
    instance.full_clean()
    instance.save()
    record_change(
        instance=instance,
        action=Change.Action.CREATE,
        actor=actor,
        fields=differences({}, snapshot(instance, fields)),
        via=via,
    )
    return instance


def update_with_history(
    *, instance: models.Model, actor, data: dict[str, Any], fields: list[str], via: str
):
    """Set `data` (only names in `fields`), validate, save, and record what changed. The
    service locks the row and checks its own rules first, inside its transaction."""
    before = snapshot(instance, fields)
    for name, value in data.items():
        if name not in fields:
            raise ValueError(f"Not an editable {instance._meta.verbose_name} field: {name}")
        setattr(instance, name, value)
    instance.full_clean()
    instance.save()
    record_change(
        instance=instance,
        action=Change.Action.UPDATE,
        actor=actor,
        fields=differences(before, snapshot(instance, fields)),
        via=via,
    )
    return instance


def changes_about(customer: models.Model):
    """The customer's own changes and those of every record it owns (notes, attachments,
    cases, quotes, loyalty entries...), newest first: its History tab.

    The owned records are found from the customer's reverse foreign keys, so a new kind of
    record shows up here without code; a customer's contacts (people of an organization)
    and the customers merged into it have their own History. Their ids are read first, in
    one UNION, so that the changes are read by index on both databases (an OR of
    subqueries would make PostgreSQL scan every change). A record deleted for good is
    found by the customer its changes were recorded `about_customer`.
    """
    owned = []
    for relation in customer._meta.related_objects:
        one_customer_each = relation.one_to_many or relation.one_to_one
        if not one_customer_each or relation.related_model is type(customer):
            continue
        model = relation.related_model
        content_type = ContentType.objects.get_for_model(model)
        owned.append(
            model._base_manager.filter(**{relation.field.name: customer})
            .order_by()
            .annotate(owned_type=models.Value(content_type.pk))
            .values_list("owned_type", "pk")
        )
    ids_by_type: dict[int, list[int]] = {}
    if owned:
        for kind, pk in owned[0].union(*owned[1:], all=True).order_by():
            ids_by_type.setdefault(kind, []).append(pk)
    about = Q(content_type=ContentType.objects.get_for_model(customer), object_id=customer.pk)
    about |= Q(about_customer=customer.pk)
    for kind, ids in ids_by_type.items():
        about |= Q(content_type_id=kind, object_id__in=ids)
    return (
        Change.objects.filter(workspace_id=customer.workspace_id)
        .filter(about)
        .select_related("actor", "content_type")
        .prefetch_related("target")
    )
