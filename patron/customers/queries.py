"""Reads that matter: finding customers."""

import phonenumbers
from django.db.models import Q, QuerySet

from patron.customers.models import Customer
from patron.customers.normalize import is_plain_number, name_key, parse_phone


def global_search(queryset: QuerySet[Customer], text: str, region: str) -> QuerySet[Customer]:
    """Customers whose name, customer no., email or phone matches what was typed.

    Every branch is an indexed equality or prefix test: no full-table scan.
    "john", "john smith", "smith" and "smith jo" all find John Smith; "+44 20 7946 0018" and
    "020 7946 0018" find the same phone.
    """
    text = text.strip()
    if not text:
        return queryset
    key = name_key(text)
    conditions = Q(name_key__startswith=key) | Q(given_name_key__startswith=key)
    if is_plain_number(text) and len(text) <= 9:
        conditions |= Q(number=int(text))
    if "@" in text:
        conditions |= Q(email__startswith=text.lower())
    if sum(char.isdigit() for char in text) >= 6:
        number = parse_phone(text, region)
        if number is not None:
            e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
            conditions |= Q(mobile_phone=e164) | Q(work_phone=e164) | Q(home_phone=e164)
    return queryset.filter(conditions)
