"""Reads of duplicate detection: the review queue, and the likely duplicates of a customer
about to be created (found through indexed lookups, then scored by the engine)."""

from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db.models import Q

from patron.customers.models import Customer
from patron.customers.normalize import name_key, normalize_email, normalize_phone
from patron.duplicates import engine
from patron.duplicates.models import DuplicateCandidate
from patron.duplicates.services import FIELDS

LOOKUP_LIMIT = 200


def open_candidates(workspace):
    """The review queue: open pairs of customers outside the recycle bin, likeliest first."""
    return (
        DuplicateCandidate.objects.in_workspace(workspace)
        .filter(status=DuplicateCandidate.Status.OPEN)
        .filter(customer_a__deleted_at__isnull=True, customer_b__deleted_at__isnull=True)
        .select_related("customer_a", "customer_b")
        .order_by("-score", "pk")
    )


def _normalized(workspace, values: Mapping) -> dict:
    """The values as the customer's clean() would store them (email and phones)."""
    data = {name: values.get(name) for name in FIELDS if name != "id"}
    try:
        data["email"] = normalize_email(str(values.get("email") or ""))
    except ValidationError:
        data["email"] = ""
    for name in ("work_phone", "home_phone", "mobile_phone"):
        try:
            data[name] = normalize_phone(str(values.get(name) or ""), workspace.default_region)
        except ValidationError:
            data[name] = ""
    return data


def likely_duplicates(
    workspace, values: Mapping, *, exclude_pk: int | None = None, limit: int = 5
) -> list[tuple[Customer, float, list[str]]]:
    """Existing customers that `values` (a customer's fields, as typed) likely duplicates.

    Only indexed lookups find the candidates (same email; same phone; same surname with the
    same postcode, first name or date of birth; same first name or date of birth at the same
    postcode), so the cost does not grow with the workspace; the engine then scores them.
    Likeliest first.
    """
    data = _normalized(workspace, values)
    organization = data.get("kind") == Customer.Kind.ORGANIZATION
    query = Q()
    if data["email"]:
        query |= Q(email=data["email"])
    for phone in {data[name] for name in ("work_phone", "home_phone", "mobile_phone")} - {""}:
        query |= Q(mobile_phone=phone) | Q(work_phone=phone) | Q(home_phone=phone)
    if organization:
        company = name_key(str(data.get("company_name") or ""))
        if company:
            query |= Q(name_key=company)
    else:
        surname = name_key(str(data.get("last_name") or ""))
        first = name_key(str(data.get("first_name") or ""))
        postcode = str(data.get("postcode") or "").strip()
        postcodes = {postcode, postcode.upper()}
        if surname and postcode:
            query |= Q(name_key__startswith=surname, postcode__in=postcodes)
        # A mistyped surname: the same first name, or date of birth, at the same postcode.
        if first and postcode:
            query |= Q(given_name_key__startswith=first, postcode__in=postcodes)
        if postcode and data.get("date_of_birth"):
            query |= Q(postcode__in=postcodes, date_of_birth=data["date_of_birth"])
        if surname and first:
            query |= Q(name_key__startswith=f"{surname} {first}")
            # first and last names typed the other way round
            query |= Q(name_key__startswith=f"{first} {surname}")
        if surname and data.get("date_of_birth"):
            query |= Q(name_key__startswith=surname, date_of_birth=data["date_of_birth"])
    if not query:
        return []
    rows = Customer.objects.in_workspace(workspace).current().filter(query)
    if exclude_pk is not None:
        rows = rows.exclude(pk=exclude_pk)
    new = engine.prepare(data, id=0)
    scored = []
    for row in rows.values(*FIELDS)[:LOOKUP_LIMIT]:
        match = engine.compare(new, engine.prepare(row))
        if match.score >= engine.THRESHOLD:
            scored.append((row["id"], match.score, match.reasons))
    scored.sort(key=lambda item: -item[1])
    scored = scored[:limit]
    customers = Customer.objects.in_bulk([pk for pk, _, _ in scored])
    return [(customers[pk], score, reasons) for pk, score, reasons in scored]
