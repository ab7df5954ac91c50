"""Merging customers into one, and undoing a merge (issue 6).

The records that hang off a customer are found from the model graph
(`Customer._meta` relations), not from a list kept by hand, so a model added later moves
with the rest. A record the survivor already has (the same list, trait, house account...:
anything a unique constraint allows once per customer) is dropped, and kept in the merge
so undo can put it back exactly.
"""

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, models, transaction
from django.db.models import Case, F, Q, Value, When
from django.db.models.deletion import Collector
from django.utils import timezone

from patron.customers.models import Customer
from patron.customers.services import AUDITED_FIELDS, EDITABLE_FIELDS
from patron.duplicates.models import (
    MERGE_STALE_AFTER,
    CustomerMerge,
    DuplicateCandidate,
    ExactJSONEncoder,
    MergedCustomer,
    NotDuplicate,
)
from patron.history.models import Change
from patron.history.services import change_of, differences, record_change, snapshot

# The fields whose surviving value a merge chooses. The kind is the same for all;
# tags and stores are joined (their rows move like any related record).
MERGEABLE_FIELDS = [
    name for name in EDITABLE_FIELDS if name not in {"kind", "title_other", "tags", "stores"}
]
# Values that travel with another's: the "other" title with the title, the bounce with
# the address that bounced.
COMPANIONS = {"title": ["title_other"], "email": ["email_invalid_since"]}
DERIVED_FIELDS = ["name_key", "given_name_key"]
# What the merge may change on the survivor, as stored, so undo can set it back.
STORED_FIELDS = [
    *MERGEABLE_FIELDS,
    *(name for names in COMPANIONS.values() for name in names),
    *DERIVED_FIELDS,
]

# Relations to Customer that a merge leaves where they are, and why. Every other one,
# from any app, moves to the survivor.
NOT_MOVED = {
    "customers.Customer.merged_into": "an earlier merge's record of who went where",
    "customers.BulkDeletionItem.customer": "a bulk deletion's list of what it deleted",
    "duplicates.DuplicateCandidate.customer_a": "the merge settles the pairs itself",
    "duplicates.DuplicateCandidate.customer_b": "the merge settles the pairs itself",
    "duplicates.NotDuplicate.customer_a": "a judgement about that very record: carried over",
    "duplicates.NotDuplicate.customer_b": "a judgement about that very record: carried over",
    "duplicates.CustomerMerge.survivor": "the merges' own records",
    "duplicates.MergedCustomer.customer": "the merges' own records",
}


# Ids per query when moving records back (SQLite takes at most 32,766 parameters).
CHUNK = 1000
# A merge that moves this many records or more runs in the background (settings
# PATRON_MERGE_BACKGROUND_ROWS): at 50,000 records a merge takes 1 to 2 s of CPU in the
# request and undo more (bench/merge_bench.py).
BACKGROUND_ROWS = 20_000
PENDING = [CustomerMerge.State.QUEUED, CustomerMerge.State.RUNNING, CustomerMerge.State.UNDOING]


class Unmergeable(Exception):
    """A relation to Customer that the merge cannot move safely: teach merge.py about it."""


@dataclass(frozen=True)
class Relation:
    """Records of `model` that point at a customer through `field`, and the sets of other
    fields that a unique constraint allows once per customer (with its condition)."""

    model: type[models.Model]
    field: models.ForeignKey
    unique_sets: tuple[tuple[tuple[str, ...], Q | None, bool], ...]

    @property
    def key(self) -> str:
        return f"{self.model._meta.label}.{self.field.name}"

    @property
    def rows(self) -> models.QuerySet:
        return self.model._base_manager.all()


def _foreign_keys_to_customer():
    """Every foreign key to Customer, from any model; a many-to-many is reached through
    its through model's foreign key."""
    for rel in Customer._meta.get_fields(include_hidden=True):
        if rel.is_relation and rel.auto_created and not rel.concrete and not rel.many_to_many:
            yield rel.related_model, rel.field


def relation_keys() -> list[str]:
    """Every relation to Customer, as "app.Model.field", moved or not."""
    return sorted(
        f"{model._meta.label}.{field.name}" for model, field in _foreign_keys_to_customer()
    )


def _unique_sets(model, field) -> tuple:
    sets = []
    if field.unique:
        sets.append(((), None, True))
    for fields in model._meta.unique_together:
        if field.name in fields:
            sets.append((tuple(f for f in fields if f != field.name), None, True))
    for constraint in model._meta.constraints:
        if not isinstance(constraint, models.UniqueConstraint):
            continue
        if constraint.expressions:
            raise Unmergeable(
                f"{model._meta.label} has the unique constraint {constraint.name} on "
                "expressions; say in merge.py how to merge its rows."
            )
        if field.name in constraint.fields:
            others = tuple(f for f in constraint.fields if f != field.name)
            sets.append((others, constraint.condition, constraint.nulls_distinct is not False))
    return tuple(sets)


def relations() -> list[Relation]:
    """The relations a merge moves, found from the model graph."""
    found = []
    for model, field in _foreign_keys_to_customer():
        if f"{model._meta.label}.{field.name}" in NOT_MOVED:
            continue
        if field.target_field != Customer._meta.pk:
            raise Unmergeable(
                f"{model._meta.label}.{field.name} points at a customer's "
                f"{field.target_field.name}, not its id."
            )
        found.append(Relation(model, field, _unique_sets(model, field)))
    return found


def _stored(customer: Customer, names) -> dict[str, Any]:
    """The fields as stored (ids for related rows, file names), as JSON would keep them."""
    values = {}
    for name in names:
        field = Customer._meta.get_field(name)
        value = field.value_from_object(customer)
        if isinstance(field, models.FileField):
            value = value.name or ""
        values[name] = value
    return json.loads(json.dumps(values, cls=ExactJSONEncoder))


def _set_stored(customer: Customer, values: dict[str, Any]) -> None:
    for name, value in values.items():
        field = Customer._meta.get_field(name)
        if isinstance(field, models.FileField):
            setattr(customer, name, value or None)
        else:
            setattr(customer, field.attname, field.to_python(value))


def field_label(name: str) -> str:
    """A customer field's name as the pages say it: "Last name"."""
    return str(Customer._meta.get_field(name).verbose_name).capitalize()


def _label(customer: Customer) -> str:
    return f"{customer} (customer no. {customer.number})"


def _check_choices(choices: dict, ids: set[int]) -> dict[str, int]:
    if not isinstance(choices, dict):
        raise ValidationError({"choices": "Give the choices as field: customer id."})
    errors, clean = [], {}
    for name, value in choices.items():
        if name not in MERGEABLE_FIELDS:
            errors.append(f"“{name}” is not a field a merge chooses.")
            continue
        pk = getattr(value, "pk", value)
        if isinstance(pk, bool) or not isinstance(pk, int) or pk not in ids:
            label = Customer._meta.get_field(name).verbose_name
            errors.append(f"The {label} must come from one of the customers being merged.")
            continue
        clean[name] = pk
    if errors:
        raise ValidationError({"choices": errors})
    return clean


def _lock_customers(workspace, survivor, others) -> tuple[Customer, list[Customer]]:
    ids = [survivor.pk, *(o.pk for o in others if o.pk != survivor.pk)]
    ids = list(dict.fromkeys(ids))
    if len(ids) < 2:
        raise ValidationError({"others": "Choose at least two customers to merge."})
    found = {
        c.pk: c
        for c in Customer.objects.select_for_update().filter(workspace=workspace, pk__in=ids)
    }
    if len(found) != len(ids):
        raise ValidationError({"others": "Choose customers of this workspace."})
    customers = [found[pk] for pk in ids]
    deleted = [c for c in customers if c.is_deleted]
    if deleted:
        names = ", ".join(_label(c) for c in deleted)
        raise ValidationError(
            {"others": f"In the recycle bin: {names}. Restore it before merging."}
        )
    if len({c.kind for c in customers}) > 1:
        raise ValidationError(
            {"others": "People and organizations cannot be merged: choose customers of one kind."}
        )
    return customers[0], customers[1:]


def _to_drop(relation: Relation, survivor_id: int, other_ids: list[int]) -> list:
    """The others' rows of one relation that the survivor already has by one of the
    relation's unique constraints, as (pk, customer id); of equal rows of the others, the
    first moves and the rest are dropped."""
    if not relation.unique_sets:
        return []
    name = relation.field.attname
    rows = relation.rows.filter(**{f"{name}__in": [survivor_id, *other_ids]})
    needed = sorted({f for fields, _, _ in relation.unique_sets for f in fields})
    attnames = [relation.model._meta.get_field(f).attname for f in needed]
    values = {row[0]: row for row in rows.values_list("pk", name, *attnames)}
    under = [
        None if condition is None else set(rows.filter(condition).values_list("pk", flat=True))
        for _, condition, _ in relation.unique_sets
    ]
    seen = [set() for _ in relation.unique_sets]
    drop = []
    # The survivor's own rows first: they stay, and the others' equal rows give way.
    order = sorted(values, key=lambda pk: (values[pk][1] != survivor_id, pk))
    for pk in order:
        row = dict(zip(needed, values[pk][2:], strict=True))
        keys = []
        for index, (fields, _, nulls_distinct) in enumerate(relation.unique_sets):
            if under[index] is not None and pk not in under[index]:
                keys.append(None)
                continue
            key = tuple(row[f] for f in fields)
            keys.append(None if nulls_distinct and None in key else key)
        clash = any(key is not None and key in seen[i] for i, key in enumerate(keys))
        if clash:
            drop.append((pk, values[pk][1]))
        else:
            for i, key in enumerate(keys):
                if key is not None:
                    seen[i].add(key)
    return drop


def _serialized(objects) -> list[dict]:
    return json.loads(json.dumps(serializers.serialize("python", objects), cls=ExactJSONEncoder))


def _drop(relation: Relation, pks: list[int]) -> dict:
    """Delete rows the survivor already has, keeping them (and all their delete takes
    along, or sets to null) so undo can put them back."""
    collector = Collector(using=relation.model._base_manager.db)
    collector.collect(list(relation.rows.filter(pk__in=pks)))
    collector.sort()
    found = [(model, list(instances)) for model, instances in collector.data.items()]
    for queryset in collector.fast_deletes:
        found.append((queryset.model, list(queryset)))
    # Parents before their dependants, for the restore.
    rows = [row for _, instances in reversed(found) for row in _serialized(instances)]
    nulled = []
    for (field, _value), groups in collector.field_updates.items():
        for group in groups:
            for obj in group:
                nulled.append([obj._meta.label, obj.pk, field.attname, getattr(obj, field.attname)])
    relation.rows.filter(pk__in=pks).delete()
    return {"relation": relation.key, "pks": pks, "rows": rows, "nulled": nulled}


def _describe(rows: list[tuple[str, str]]) -> str:
    return "; ".join(f"{count} from {who}" for who, count in rows)


def background_rows() -> int:
    """A merge that would move at least this many records runs as a background task."""
    return getattr(settings, "PATRON_MERGE_BACKGROUND_ROWS", BACKGROUND_ROWS)


def _records_to_move(other_ids: list[int]) -> int:
    return sum(
        relation.rows.filter(**{f"{relation.field.attname}__in": other_ids}).count()
        for relation in relations()
    )


def _refuse_if_pending(workspace, ids: list[int]) -> None:
    pending = (
        CustomerMerge.objects.filter(workspace=workspace, state__in=PENDING)
        .filter(Q(survivor__in=ids) | Q(members__customer__in=ids))
        .exclude(
            state__in=[CustomerMerge.State.RUNNING, CustomerMerge.State.UNDOING],
            updated_at__lt=timezone.now() - MERGE_STALE_AFTER,
        )
        .first()
    )
    if pending:
        raise ValidationError(
            {
                "others": f"Merge {pending.pk} of some of these customers is still running: "
                "wait for it to finish."
            }
        )


@transaction.atomic
def merge_request(
    *, workspace, actor, survivor: Customer, others, choices: dict, via: str = "page"
) -> CustomerMerge:
    """Merge at once (`merge_customers`), or, when the others have BACKGROUND_ROWS records
    or more to move, queue the merge as a background task and answer it Queued (its page
    and the API follow it to Done, or Failed with the reason)."""
    survivor, others = _lock_customers(workspace, survivor, list(others))
    ids = [survivor.pk, *(o.pk for o in others)]
    choices = _check_choices(choices, set(ids))
    _refuse_if_pending(workspace, ids)
    if _records_to_move(ids[1:]) < background_rows():
        return merge_customers(
            workspace=workspace,
            actor=actor,
            survivor=survivor,
            others=others,
            choices=choices,
            via=via,
        )
    merge = CustomerMerge.objects.create(
        workspace=workspace,
        survivor=survivor,
        merged_by=actor if getattr(actor, "pk", None) else None,
        via=via,
        choices=choices,
        state=CustomerMerge.State.QUEUED,
    )
    _add_members(merge, others)
    from patron.duplicates.merge_tasks import run_merge

    transaction.on_commit(lambda: run_merge.enqueue(merge.pk))
    return merge


def merge_run(*, merge_id: int) -> CustomerMerge:
    """Run a queued merge (the background task): Done, or Failed with the reason and
    nothing changed."""
    updated = CustomerMerge.objects.filter(pk=merge_id, state=CustomerMerge.State.QUEUED).update(
        state=CustomerMerge.State.RUNNING, updated_at=timezone.now()
    )
    queued = CustomerMerge.objects.select_related("workspace", "merged_by").get(pk=merge_id)
    if not updated:
        return queued  # already run, or running in another worker
    members = list(queued.members.all())
    try:
        if queued.survivor_id is None or any(m.customer_id is None for m in members):
            raise ValidationError("A customer of this merge was purged before it could run.")
        return merge_customers(
            workspace=queued.workspace,
            actor=queued.merged_by,
            survivor=Customer(pk=queued.survivor_id),
            others=[Customer(pk=m.customer_id) for m in members],
            choices=queued.choices,
            via=queued.via,
            queued=queued,
        )
    except ValidationError as error:
        reason = " ".join(error.messages)
        CustomerMerge.objects.filter(pk=merge_id).update(
            state=CustomerMerge.State.FAILED, error=reason, updated_at=timezone.now()
        )
    except Exception as error:
        CustomerMerge.objects.filter(pk=merge_id).update(
            state=CustomerMerge.State.FAILED, error=str(error)[:2000], updated_at=timezone.now()
        )
        raise
    return CustomerMerge.objects.get(pk=merge_id)


def _add_members(merge: CustomerMerge, others: list[Customer]) -> None:
    MergedCustomer.objects.bulk_create(
        (
            MergedCustomer(merge=merge, customer=o, number=o.number, name=str(o)[:300])
            for o in others
        ),
        batch_size=CHUNK,
    )


@transaction.atomic
def merge_customers(
    *,
    workspace,
    actor,
    survivor: Customer,
    others,
    choices: dict,
    via: str = "page",
    queued: CustomerMerge | None = None,
) -> CustomerMerge:
    """Make two or more customers one: `survivor` takes, field by field, the value of the
    customer `choices` names (field: customer id; unnamed fields keep the survivor's), and
    every record of the others moves to it. The others go to the recycle bin, pointing at
    the survivor. Recorded in History on all of them; `merge_undo` takes it back.
    `queued` is the background merge this runs (its customers already recorded)."""
    survivor, others = _lock_customers(workspace, survivor, list(others))
    by_id = {c.pk: c for c in [survivor, *others]}
    choices = _check_choices(choices, set(by_id))
    other_ids = [o.pk for o in others]

    readable_before = snapshot(survivor, AUDITED_FIELDS)
    before = _stored(survivor, STORED_FIELDS)
    for name, pk in choices.items():
        for field in [name, *COMPANIONS.get(name, [])]:
            attname = Customer._meta.get_field(field).attname
            value = getattr(by_id[pk], attname)
            setattr(survivor, attname, value.name if field == "logo" else value)
    survivor.full_clean()
    survivor.version += 1
    survivor.save()
    after = _stored(survivor, STORED_FIELDS)

    now = timezone.now()
    merge = queued or CustomerMerge(
        workspace=workspace,
        merged_by=actor if getattr(actor, "pk", None) else None,
        via=via,
    )
    merge.survivor = survivor
    merge.choices = {name: pk for name, pk in choices.items()}
    merge.survivor_before = {k: v for k, v in before.items() if v != after[k]}
    merge.survivor_after = {k: v for k, v in after.items() if v != before[k]}
    merge.state, merge.error = CustomerMerge.State.DONE, ""
    merge.save()
    if queued is None:
        _add_members(merge, others)

    plans = [(relation, _to_drop(relation, survivor.pk, other_ids)) for relation in relations()]
    dropped = [_drop(relation, [pk for pk, _ in drop]) for relation, drop in plans if drop]
    moved, summary = [], []
    for relation, drop in plans:
        # What is left of the others' rows once the dropped ones are gone all moves.
        on_others = relation.rows.filter(**{f"{relation.field.attname}__in": other_ids})
        move = list(on_others.values_list("pk", relation.field.attname))
        if move:
            on_others.update(**{relation.field.attname: survivor.pk})
            moved.extend([relation.key, pk, relation.field.attname, owner] for pk, owner in move)
        if move or drop:
            summary.append(_summary(relation, move, drop, by_id))
    merge.moved, merge.dropped, merge.summary = moved, dropped, summary
    merge.candidates = _settle_candidates(workspace, actor, survivor, other_ids, now)
    carried = _carry_judgements(workspace, survivor, by_id)
    merge.candidates["carried"] = [row.pk for row, _, _ in carried]
    merge.save()

    Customer.objects.filter(pk__in=other_ids).update(
        deleted_at=now, merged_into=survivor, version=F("version") + 1, updated_at=now
    )
    # Both History entries link the merge's page (the History tab shows the link).
    merge_link = {
        "field": "merge",
        "label": "Merge",
        "old": "",
        "new": f"Merge {merge.pk}: its details, and Undo",
        "link": merge.get_absolute_url(),
    }
    chosen = "; ".join(
        f"{field_label(name)} from {_label(by_id[pk])}"
        for name, pk in choices.items()
        if pk != survivor.pk
    )
    record_change(
        instance=survivor,
        action=Change.Action.MERGE,
        actor=actor,
        fields=[
            merge_link,
            *differences(readable_before, snapshot(survivor, AUDITED_FIELDS)),
            *(
                {"field": "merged", "label": "Merged in", "old": "", "new": _label(o)}
                for o in others
            ),
            {
                "field": "choices",
                "label": "Values chosen",
                "old": "",
                "new": chosen or "all of this customer's own",
            },
            *(
                {"field": "moved", "label": s["label"], "old": "", "new": s["text"]}
                for s in summary
            ),
            *(
                {
                    "field": "not_duplicate_of",
                    "label": "Not a duplicate of",
                    "old": "",
                    "new": f"{_label(outsider)}, as judged of {_label(judged)}",
                }
                for _, outsider, judged in carried
            ),
        ],
        via=via,
        reason=f"Merge {merge.pk}: {_count(len(others), 'customer')} merged into this one",
    )
    for other in others:
        other.version += 1  # as the update above set it
    _record_each(
        others,
        action=Change.Action.MERGE,
        actor=actor,
        fields=[
            {
                "field": "merged_into",
                "label": "Merged into",
                "old": "",
                "new": _label(survivor),
                "link": survivor.get_absolute_url(),
            },
            merge_link,
        ],
        via=via,
        reason=(
            f"Merge {merge.pk}: its records moved to {_label(survivor)}; "
            "in the recycle bin until the merge is undone"
        )[:255],
    )
    return merge


def _record_each(customers, *, action: str, actor, fields: list[dict], via: str, reason: str):
    """The same History entry on each customer, in a few queries (a merge may fold a
    thousand customers into one)."""
    Change.objects.bulk_create(
        (
            change_of(
                instance=customer, action=action, actor=actor, fields=fields, via=via, reason=reason
            )
            for customer in customers
        ),
        batch_size=CHUNK,
    )


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _summary(relation: Relation, move, drop, by_id) -> dict:
    meta = relation.model._meta
    label = str(meta.verbose_name_plural).capitalize()
    if relation.key == "customers.Customer.organization":
        label = "Contacts"
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for _, owner in move:
        counts[_label(by_id[owner])][0] += 1
    for _, owner in drop:
        counts[_label(by_id[owner])][1] += 1
    parts = []
    for who, (moved_count, dropped_count) in counts.items():
        text = f"{moved_count} moved from {who}" if moved_count else f"from {who}"
        if dropped_count:
            text += f" ({dropped_count} already on this customer, dropped)"
        parts.append(text)
    return {
        "relation": relation.key,
        "label": label,
        "moved": len(move),
        "dropped": len(drop),
        "text": "; ".join(parts),
    }


def _settle_candidates(workspace, actor, survivor, other_ids, now) -> dict:
    """Pairs among the merged customers become Merged; open pairs of one of the others
    with anyone else leave the queue (the next scan compares that one with the survivor).
    Both kept as they were, for undo."""
    ids = {survivor.pk, *other_ids}
    pairs = DuplicateCandidate.objects.select_for_update().filter(
        Q(customer_a__in=ids) | Q(customer_b__in=ids), workspace=workspace
    )
    settled, removed = [], []
    for pair in pairs:
        inside = pair.customer_a_id in ids and pair.customer_b_id in ids
        if inside and pair.status == DuplicateCandidate.Status.OPEN:
            settled.append(
                [pair.pk, pair.status, pair.decided_by_id, pair.decided_at, pair.updated_at]
            )
            pair.status = DuplicateCandidate.Status.MERGED
            pair.decided_by = actor if getattr(actor, "pk", None) else None
            pair.decided_at = now
            pair.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
        elif pair.status == DuplicateCandidate.Status.OPEN and (
            {pair.customer_a_id, pair.customer_b_id} & set(other_ids)
        ):
            removed.append(pair)
    serialized = _serialized(removed)
    DuplicateCandidate.objects.filter(pk__in=[p.pk for p in removed]).delete()
    return {"settled": settled, "removed": serialized}


def _carry_judgements(workspace, survivor, by_id) -> list[tuple]:
    """Carry each "not a duplicate" judgement of a merged-away customer and someone outside
    the merge over to the survivor, as a new judgement, so the scan does not propose the
    pair again; not when the survivor already has it, nor when the survivor and that
    customer are an open pair in the queue (a person is to judge them directly). The
    originals stay on the merged-away records (they remain true of them). Answers
    (new judgement, the outsider, the merged-away customer it was judged of)."""
    inside = set(by_id)
    other_ids = inside - {survivor.pk}
    judgements = NotDuplicate.objects.filter(
        Q(customer_a__in=other_ids) | Q(customer_b__in=other_ids), workspace=workspace
    ).order_by("pk")
    wanted = {}
    for row in judgements:
        if row.customer_a_id in inside and row.customer_b_id in inside:
            continue  # about two of the customers now made one
        judged, outsider = (
            (row.customer_a_id, row.customer_b_id)
            if row.customer_a_id in other_ids
            else (row.customer_b_id, row.customer_a_id)
        )
        key = tuple(sorted((survivor.pk, outsider)))
        wanted.setdefault(key, (row, outsider, judged))
    if not wanted:
        return []
    outsiders = {outsider for _, outsider, _ in wanted.values()}
    near = Q(customer_a=survivor.pk, customer_b__in=outsiders) | Q(
        customer_b=survivor.pk, customer_a__in=outsiders
    )
    taken = set(
        NotDuplicate.objects.filter(near, workspace=workspace).values_list(
            "customer_a_id", "customer_b_id"
        )
    ) | set(
        DuplicateCandidate.objects.filter(
            near, workspace=workspace, status=DuplicateCandidate.Status.OPEN
        ).values_list("customer_a_id", "customer_b_id")
    )
    keys = [key for key in wanted if key not in taken]
    new = NotDuplicate.objects.bulk_create(
        NotDuplicate(
            workspace=workspace,
            customer_a_id=a,
            customer_b_id=b,
            marked_by_id=wanted[(a, b)][0].marked_by_id,
        )
        for a, b in keys
    )
    people = Customer.objects.in_bulk([wanted[key][1] for key in keys])
    return [
        (row, people[wanted[key][1]], by_id[wanted[key][2]])
        for row, key in zip(new, keys, strict=True)
    ]


def undo_refusal(merge: CustomerMerge, *, queued: bool = False) -> str | None:
    """Why the merge cannot be undone now, in words; None if it can. `queued`: asked by
    the background undo itself."""
    if merge.is_undone:
        return "This merge was already undone."
    if merge.state == CustomerMerge.State.UNDOING and not (queued or merge.is_stale):
        return "This merge is being undone."
    if merge.is_stale and merge.is_pending:
        return "This merge stopped before it finished (its worker ended): nothing was merged."
    if merge.is_pending:
        return "This merge has not run yet."
    if merge.state == CustomerMerge.State.FAILED:
        return "This merge failed: nothing was merged."
    survivor = merge.survivor
    if survivor is None:
        return "The surviving customer was purged: the merge can no longer be undone."
    if survivor.is_deleted:
        return f"{_label(survivor)} is in the recycle bin: restore it first, then undo the merge."
    for member in merge.members.select_related("customer"):
        customer = member.customer
        if customer is None:
            return f"{member} was purged from the recycle bin: the merge can no longer be undone."
        if not customer.is_deleted or customer.merged_into_id != survivor.pk:
            return (
                f"{_label(customer)} was restored on its own since the merge: "
                "the merge can no longer be undone."
            )
    return None


@transaction.atomic
def merge_undo(
    *, merge: CustomerMerge, actor, via: str = "page", queued: bool = False
) -> CustomerMerge:
    """Take a merge back: the survivor's fields as they were (a field edited since keeps its
    new value), every moved record back on its customer, the dropped ones back, the
    others out of the recycle bin, and the duplicate pairs as they were. `queued`: run by
    the background undo `merge_undo_request` queued."""
    merge = CustomerMerge.objects.select_for_update().get(pk=merge.pk)
    refusal = undo_refusal(merge, queued=queued)
    if refusal:
        raise ValidationError(refusal, code="cannot_undo")
    members = list(merge.members.select_related("customer"))
    other_ids = [m.customer_id for m in members]
    survivor = Customer.objects.select_for_update().get(pk=merge.survivor_id)
    others = list(Customer.objects.select_for_update().filter(pk__in=other_ids).order_by("pk"))

    readable_before = snapshot(survivor, AUDITED_FIELDS)
    current = _stored(survivor, merge.survivor_after)
    # Name keys follow the names (full_clean below), so only fields a person sets count.
    kept = [
        name
        for name in STORED_FIELDS
        if name in merge.survivor_after
        and name not in DERIVED_FIELDS
        and current[name] != merge.survivor_after[name]
    ]
    _set_stored(survivor, {k: v for k, v in merge.survivor_before.items() if k not in kept})
    survivor.full_clean()
    survivor.version += 1
    survivor.save()

    _move_back(merge.moved, survivor.pk)
    try:
        with transaction.atomic():
            for drop in merge.dropped:
                _put_back(drop["rows"])
                for label, pk, attname, value in drop["nulled"]:
                    apps.get_model(label)._base_manager.filter(pk=pk).update(**{attname: value})
            _put_back(merge.candidates.get("removed", []))
    except IntegrityError as error:
        raise ValidationError(
            "A record the merge set aside cannot be put back (what it belonged to is gone): "
            "the merge can no longer be undone.",
            code="cannot_undo",
        ) from error
    NotDuplicate.objects.filter(pk__in=merge.candidates.get("carried", [])).delete()
    for pk, status, decided_by, decided_at, *updated_at in merge.candidates.get("settled", []):
        # Merges made before updated_at was kept leave it as it is.
        DuplicateCandidate.objects.filter(pk=pk).update(
            status=status,
            decided_by_id=decided_by,
            decided_at=decided_at,
            **({"updated_at": updated_at[0]} if updated_at else {}),
        )

    now = timezone.now()
    Customer.objects.filter(pk__in=other_ids).update(
        deleted_at=None, merged_into=None, version=F("version") + 1, updated_at=now
    )
    merge.undone_at = now
    merge.undone_by = actor if getattr(actor, "pk", None) else None
    merge.state, merge.error = CustomerMerge.State.DONE, ""
    merge.save(update_fields=["undone_at", "undone_by", "state", "error", "updated_at"])

    kept_note = ""
    if kept:
        labels = ", ".join(str(Customer._meta.get_field(n).verbose_name) for n in kept)
        kept_note = f"; kept as edited since the merge: {labels}"
    record_change(
        instance=survivor,
        action=Change.Action.UNMERGE,
        actor=actor,
        fields=[
            *differences(readable_before, snapshot(survivor, AUDITED_FIELDS)),
            *(
                {"field": "unmerged", "label": "Split off again", "old": str(m), "new": ""}
                for m in members
            ),
        ],
        via=via,
        reason=f"Merge {merge.pk} undone{kept_note}"[:255],
    )
    for other in others:
        other.version += 1  # as the update above set it
    _record_each(
        others,
        action=Change.Action.UNMERGE,
        actor=actor,
        fields=[
            {"field": "merged_into", "label": "Merged into", "old": _label(survivor), "new": ""}
        ],
        via=via,
        reason=(
            f"Merge {merge.pk} undone: out of the recycle bin, its records back from "
            f"{_label(survivor)}"
        )[:255],
    )
    return merge


@transaction.atomic
def merge_undo_request(*, merge: CustomerMerge, actor, via: str = "page") -> CustomerMerge:
    """Undo at once (`merge_undo`), or, for a merge that moved BACKGROUND_ROWS records or
    more, as a background task: the merge is Undoing until it is undone (or back to Done
    with the reason in `error`)."""
    merge = CustomerMerge.objects.select_for_update().get(pk=merge.pk)
    refusal = undo_refusal(merge)
    if refusal:
        raise ValidationError(refusal, code="cannot_undo")
    size = len(merge.moved) + sum(len(drop["pks"]) for drop in merge.dropped)
    if size < background_rows():
        return merge_undo(merge=merge, actor=actor, via=via)
    merge.state, merge.error = CustomerMerge.State.UNDOING, ""
    merge.undone_by = actor if getattr(actor, "pk", None) else None
    merge.save(update_fields=["state", "error", "undone_by", "updated_at"])
    from patron.duplicates.merge_tasks import run_merge_undo

    transaction.on_commit(lambda: run_merge_undo.enqueue(merge.pk, via))
    return merge


def merge_undo_run(*, merge_id: int, via: str) -> CustomerMerge:
    """Run a queued undo (the background task); if it can no longer be undone, the merge
    stays Done with the reason in `error`."""
    merge = CustomerMerge.objects.select_related("undone_by").get(pk=merge_id)
    if merge.state != CustomerMerge.State.UNDOING:
        return merge
    try:
        return merge_undo(merge=merge, actor=merge.undone_by, via=via, queued=True)
    except Exception as error:
        reason = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        CustomerMerge.objects.filter(pk=merge_id).update(
            state=CustomerMerge.State.DONE,
            undone_by=None,
            error=f"The undo failed: {reason}"[:2000],
            updated_at=timezone.now(),
        )
        if not isinstance(error, ValidationError):
            raise
    return CustomerMerge.objects.get(pk=merge_id)


def _move_back(moved: list, survivor_id: int) -> None:
    """Each moved record back on its former customer: one UPDATE per CHUNK records of a
    relation (a CASE on the owners), not one per customer and relation."""
    back: dict[tuple, list[tuple[int, int]]] = defaultdict(list)
    for label, pk, attname, owner in moved:
        back[(label, attname)].append((owner, pk))
    for (label, attname), rows in back.items():
        model = apps.get_model(label.rsplit(".", 1)[0])
        rows.sort()
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            owners: dict[int, list[int]] = defaultdict(list)
            for owner, pk in chunk:
                owners[owner].append(pk)
            field = model._meta.get_field(attname.removesuffix("_id"))
            model._base_manager.filter(
                pk__in=[pk for _, pk in chunk], **{attname: survivor_id}
            ).update(
                **{
                    attname: Case(
                        *(When(pk__in=pks, then=Value(owner)) for owner, pks in owners.items()),
                        output_field=field.target_field,
                    )
                }
            )


def _put_back(rows: list[dict]) -> None:
    """Insert serialized rows again as they were, with their ids: a model's rows in one
    query per CHUNK (parents come before their dependants in `rows`)."""
    batch: list[models.Model] = []
    for restored in serializers.deserialize("python", rows):
        if restored.m2m_data or restored.deferred_fields or restored.object._meta.parents:
            _insert(batch)
            batch = []
            restored.save()
        else:
            if batch and type(batch[0]) is not type(restored.object):
                _insert(batch)
                batch = []
            batch.append(restored.object)
    _insert(batch)


def _insert(batch: list[models.Model]) -> None:
    """Insert rows as a raw save does (bulk_create would stamp auto_now times afresh)."""
    if not batch:
        return
    model = type(batch[0])
    manager = model._base_manager
    fields = model._meta.local_concrete_fields
    size = connections[manager.db].ops.bulk_batch_size(fields, batch) or len(batch)
    for start in range(0, len(batch), size):
        manager._insert(batch[start : start + size], fields=fields, raw=True)
