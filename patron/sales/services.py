"""Writes to the catalogue, price levels, quotes and service contracts, each recorded in
History. Views, the API and (later) the customer portal call these and nothing else.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from patron.core.models import next_number
from patron.customers.models import Customer
from patron.history.models import Change
from patron.history.services import (
    create_with_history,
    differences,
    record_change,
    snapshot,
    update_with_history,
)
from patron.sales.models import (
    CustomerPriceLevel,
    Item,
    PriceLevel,
    Quote,
    QuoteLine,
    QuoteStatus,
    SalesSettings,
    ServiceContract,
)

ITEM_FIELDS = ["code", "name", "unit_price", "tax_rate", "active"]
PRICE_LEVEL_FIELDS = ["name", "discount"]
QUOTE_FIELDS = [
    "case",
    "customer_name",
    "customer_address",
    "customer_email",
    "valid_until",
    "currency",
    "notes",
]
LINE_FIELDS = ["item", "description", "quantity", "unit_price", "discount", "tax_rate"]
CONTRACT_FIELDS = ["name", "start_date", "end_date", "status", "notes"]
# How long a new quote is valid when no date is given.
DEFAULT_VALIDITY = datetime.timedelta(days=30)

# Which status a quote may move to from each status. Accepted is final; a declined or
# expired quote may go back to draft to be revised and sent again.
TRANSITIONS: dict[str, set[str]] = {
    QuoteStatus.DRAFT: {QuoteStatus.SENT},
    QuoteStatus.SENT: {
        QuoteStatus.ACCEPTED,
        QuoteStatus.DECLINED,
        QuoteStatus.EXPIRED,
        QuoteStatus.DRAFT,
    },
    QuoteStatus.DECLINED: {QuoteStatus.DRAFT},
    QuoteStatus.EXPIRED: {QuoteStatus.DRAFT},
    QuoteStatus.ACCEPTED: set(),
}
# What a customer's own contact may do to a sent quote (the portal).
CONTACT_TRANSITIONS = {QuoteStatus.ACCEPTED, QuoteStatus.DECLINED}


def _stripped(data: dict[str, Any]) -> dict[str, Any]:
    data = {key: value.strip() if isinstance(value, str) else value for key, value in data.items()}
    if isinstance(data.get("currency"), str):
        data["currency"] = data["currency"].upper()  # "gbp" is GBP
    return data


# Settings ---------------------------------------------------------------------------------


def workspace_currency(workspace) -> str:
    """The currency new quotes take in `workspace` (GBP until set)."""
    settings = SalesSettings.objects.filter(workspace=workspace).first()
    return settings.currency if settings else SalesSettings._meta.get_field("currency").default


@transaction.atomic
def workspace_currency_set(*, workspace, currency: str, actor=None, via: str = "page"):
    """Set the currency new quotes take; quotes already made keep theirs."""
    settings, _ = SalesSettings.objects.select_for_update().get_or_create(workspace=workspace)
    return update_with_history(
        instance=settings,
        actor=actor,
        data={"currency": (currency or "").strip().upper()},
        fields=["currency"],
        via=via,
    )


# Items ------------------------------------------------------------------------------------


@transaction.atomic
def item_create(*, workspace, actor, data: dict[str, Any], via: str = "page") -> Item:
    """Add an item to the catalogue; its code is unique in the workspace, any letter case."""
    item = Item(workspace=workspace, **_stripped(data))
    return create_with_history(instance=item, actor=actor, fields=ITEM_FIELDS, via=via)


@transaction.atomic
def item_update(*, item: Item, actor, data: dict[str, Any], via: str = "page") -> Item:
    """Change an item. Quote lines keep the price and text they were made with."""
    item = Item.objects.select_for_update().get(pk=item.pk)
    return update_with_history(
        instance=item, actor=actor, data=_stripped(data), fields=ITEM_FIELDS, via=via
    )


# Price levels -----------------------------------------------------------------------------


@transaction.atomic
def price_level_create(*, workspace, actor, data: dict[str, Any], via: str = "page") -> PriceLevel:
    level = PriceLevel(workspace=workspace, **_stripped(data))
    return create_with_history(instance=level, actor=actor, fields=PRICE_LEVEL_FIELDS, via=via)


@transaction.atomic
def price_level_update(
    *, price_level: PriceLevel, actor, data: dict[str, Any], via: str = "page"
) -> PriceLevel:
    """Rename a level or change its discount; quotes already made keep their discounts."""
    level = PriceLevel.objects.select_for_update().get(pk=price_level.pk)
    return update_with_history(
        instance=level, actor=actor, data=_stripped(data), fields=PRICE_LEVEL_FIELDS, via=via
    )


@transaction.atomic
def price_level_delete(*, price_level: PriceLevel, actor, via: str = "page") -> None:
    """Delete a level no customer has; one in use is refused, saying how many have it."""
    level = PriceLevel.objects.select_for_update().get(pk=price_level.pk)
    in_use = level.customer_links.count()
    if in_use:
        raise ValidationError(
            f"{in_use} customer(s) have the price level {level.name}: give them another "
            "level (or none) first.",
            code="in_use",
        )
    record_change(instance=level, action=Change.Action.DELETE, actor=actor, via=via)
    level.delete()


@dataclass(frozen=True)
class EffectivePriceLevel:
    """The level that applies to a customer, and the organization it comes from when the
    customer inherits it (None when it is the customer's own, or there is none)."""

    price_level: PriceLevel | None
    inherited_from: Customer | None = None

    @property
    def discount(self) -> Decimal:
        return self.price_level.discount if self.price_level else Decimal("0.00")


def _own_level(customer: Customer) -> PriceLevel | None:
    link = (
        CustomerPriceLevel.objects.filter(customer_id=customer.pk)
        .select_related("price_level")
        .first()
    )
    return link.price_level if link else None


def effective_price_level(customer: Customer) -> EffectivePriceLevel:
    """A customer's own price level, else its organization's (manual 003: people inherit
    the treatment of their organization), else none."""
    own = _own_level(customer)
    if own is not None:
        return EffectivePriceLevel(own)
    organization = customer.organization
    if organization is not None and organization.deleted_at is None:
        inherited = _own_level(organization)
        if inherited is not None:
            return EffectivePriceLevel(inherited, inherited_from=organization)
    return EffectivePriceLevel(None)


@transaction.atomic
def customer_price_level_set(
    *, customer: Customer, price_level: PriceLevel | None, actor, via: str = "page"
) -> CustomerPriceLevel | None:
    """Give the customer its own price level, or none (a person then inherits its
    organization's again). Recorded in the customer's History as "Price level"."""
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    if customer.is_deleted:
        raise ValidationError({"customer": f"Customer {customer} is in the recycle bin."})
    if price_level is not None and price_level.workspace_id != customer.workspace_id:
        raise ValidationError({"price_level": "Choose a price level of this workspace."})
    link = CustomerPriceLevel.objects.filter(customer=customer).first()
    before = str(link.price_level) if link else ""
    if price_level is None:
        if link:
            link.delete()
        link = None
    else:
        link = link or CustomerPriceLevel(workspace=customer.workspace, customer=customer)
        link.price_level = price_level
        link.full_clean(validate_unique=False)
        link.save()
    after = str(price_level) if price_level else ""
    if before != after:
        record_change(
            instance=customer,
            action=Change.Action.UPDATE,
            actor=actor,
            fields=[{"field": "price_level", "label": "Price level", "old": before, "new": after}],
            via=via,
        )
    return link


# Quotes -----------------------------------------------------------------------------------


def _address_of(customer: Customer) -> str:
    place = " ".join(p for p in (customer.city, customer.state, customer.postcode) if p)
    parts = (customer.address_1, customer.address_2, customer.address_3, place, customer.country)
    return "\n".join(part for part in parts if part)


def _require_draft(quote: Quote) -> None:
    if quote.status != QuoteStatus.DRAFT:
        raise ValidationError(
            f"{quote} is {quote.get_status_display()}: only a draft can be changed. "
            "Move it back to Draft first.",
            code="not_draft",
        )


def _locked_quote(quote: Quote) -> Quote:
    return Quote.objects.select_for_update().get(pk=quote.pk)


def quote_preview(*, customer: Customer) -> Quote:
    """An unsaved quote for `customer` as quote_create fills it in: the customer's name,
    address and email, the workspace's currency, valid for 30 days."""
    return Quote(
        workspace=customer.workspace,
        customer=customer,
        customer_name=customer.display_name,
        customer_address=_address_of(customer),
        customer_email=customer.email,
        valid_until=timezone.localdate() + DEFAULT_VALIDITY,
        currency=workspace_currency(customer.workspace),
    )


@transaction.atomic
def quote_create(
    *, customer: Customer, actor, data: dict[str, Any] | None = None, via: str = "page"
) -> Quote:
    """A draft quote for `customer`, numbered from the workspace's sequence, with the
    customer's name, address and email filled in (anything in `data` overrides them), the
    workspace's currency, and valid for 30 days unless `data` says until when."""
    if customer.is_deleted:
        raise ValidationError({"customer": f"Customer {customer} is in the recycle bin."})
    data = _stripped(dict(data or {}))
    unknown = set(data) - set(QUOTE_FIELDS)
    if unknown:
        raise ValueError(f"Not quote fields: {sorted(unknown)}")
    quote = quote_preview(customer=customer)
    quote.number = next_number(customer.workspace, "quote")
    quote.created_by = actor if getattr(actor, "pk", None) else None
    for name, value in data.items():
        if value is not None:
            setattr(quote, name, value)
    return create_with_history(
        instance=quote,
        actor=actor,
        fields=["number", "customer", "status", *QUOTE_FIELDS],
        via=via,
    )


@transaction.atomic
def quote_update(*, quote: Quote, actor, data: dict[str, Any], via: str = "page") -> Quote:
    """Change a draft quote's details (customer details, valid until, currency, notes)."""
    quote = _locked_quote(quote)
    _require_draft(quote)
    return update_with_history(
        instance=quote, actor=actor, data=_stripped(data), fields=QUOTE_FIELDS, via=via
    )


@transaction.atomic
def quote_set_status(
    *,
    quote: Quote,
    status: str,
    actor,
    via: str = "page",
    contact: Customer | None = None,
) -> Quote:
    """Move a quote along draft → sent → accepted / declined / expired (TRANSITIONS).

    A quote is sent only with at least one line and a valid-until date not past, and a
    quote past that date can no longer be accepted. `contact` is the customer's own person
    acting in the portal (actor is then None): the quote must be for it or its
    organization, and it may only accept or decline a sent quote.
    """
    if status not in QuoteStatus.values:
        raise ValidationError({"status": f"Choose one of: {', '.join(QuoteStatus.labels)}."})
    quote = _locked_quote(quote)
    reason = ""
    if contact is not None:
        if quote.customer_id not in (contact.pk, contact.organization_id):
            raise ValidationError({"status": "This quote is not for you."})
        if status not in CONTACT_TRANSITIONS:
            raise ValidationError({"status": "You may accept or decline a quote."})
        reason = f"By {contact} in the portal."
    if status == quote.status:
        return quote
    if status not in TRANSITIONS[quote.status]:
        allowed = ", ".join(QuoteStatus(s).label for s in TRANSITIONS[quote.status]) or "none"
        raise ValidationError(
            {
                "status": f"{quote} is {quote.get_status_display()}; it can move to: "
                f"{allowed}, not to {QuoteStatus(status).label}."
            }
        )
    today = timezone.localdate()
    if status == QuoteStatus.SENT:
        if not quote.lines.exists():
            raise ValidationError({"status": "Add at least one line before sending the quote."})
        if quote.valid_until < today:
            raise ValidationError(
                {"valid_until": "The quote was valid until a date now past: change it first."}
            )
    if status == QuoteStatus.ACCEPTED and quote.valid_until < today:
        raise ValidationError(
            {"status": f"{quote} expired on {quote.valid_until:%d/%m/%Y}: it cannot be accepted."}
        )
    before = snapshot(quote, ["status"])
    quote.status = status
    quote.save(update_fields=["status", "updated_at"])
    record_change(
        instance=quote,
        action=Change.Action.UPDATE,
        actor=actor,
        fields=differences(before, snapshot(quote, ["status"])),
        via=via,
        reason=reason,
    )
    return quote


def _record_line(quote: Quote, label: str, old: str, new: str, actor, via: str) -> None:
    record_change(
        instance=quote,
        action=Change.Action.UPDATE,
        actor=actor,
        fields=[{"field": "lines", "label": label, "old": old, "new": new}],
        via=via,
    )


def _check_item(quote: Quote, item: Item | None, current: Item | None = None) -> None:
    if item is None:
        return
    if item.workspace_id != quote.workspace_id:
        raise ValidationError({"item": "Choose an item of this workspace."})
    if not item.active and (current is None or current.pk != item.pk):
        raise ValidationError({"item": f"The item {item} is inactive: choose an active one."})


@transaction.atomic
def quote_line_add(*, quote: Quote, actor, data: dict[str, Any], via: str = "page") -> QuoteLine:
    """Add a line to a draft quote. With an item, the description, unit price and tax rate
    default to the item's; the discount defaults to the customer's effective price level's.
    """
    quote = _locked_quote(quote)
    _require_draft(quote)
    data = _stripped(dict(data))
    unknown = set(data) - set(LINE_FIELDS)
    if unknown:
        raise ValueError(f"Not quote line fields: {sorted(unknown)}")
    item = data.get("item")
    _check_item(quote, item)
    defaults: dict[str, Any] = {
        "discount": effective_price_level(quote.customer).discount,
        "tax_rate": Decimal("0.00"),
    }
    if item is not None:
        defaults.update(description=item.name, unit_price=item.unit_price, tax_rate=item.tax_rate)
    values = {**defaults, **{k: v for k, v in data.items() if v not in (None, "")}}
    position = (quote.lines.aggregate(last=Max("position"))["last"] or 0) + 1
    line = QuoteLine(workspace=quote.workspace, quote=quote, position=position, **values)
    try:
        line.full_clean()
    except ValidationError as error:
        errors = error.message_dict
        if line.unit_price is None:  # rather than Django's "This field cannot be null."
            errors["unit_price"] = ["Give a unit price, or choose an item."]
        raise ValidationError(errors) from error
    line.save()
    _record_line(quote, f"Line {position}", "", line.history_text(), actor, via)
    return line


@transaction.atomic
def quote_line_update(
    *, line: QuoteLine, actor, data: dict[str, Any], via: str = "page"
) -> QuoteLine:
    """Change a line of a draft quote."""
    quote = _locked_quote(line.quote)
    _require_draft(quote)
    line = QuoteLine.objects.get(pk=line.pk)
    data = _stripped(dict(data))
    if "item" in data:
        _check_item(quote, data["item"], current=line.item)
    before = line.history_text()
    for name, value in data.items():
        if name not in LINE_FIELDS:
            raise ValueError(f"Not a quote line field: {name}")
        setattr(line, name, value)
    line.full_clean()
    line.save()
    _record_line(quote, f"Line {line.position}", before, line.history_text(), actor, via)
    return line


@transaction.atomic
def quote_line_remove(*, line: QuoteLine, actor, via: str = "page") -> None:
    quote = _locked_quote(line.quote)
    _require_draft(quote)
    _record_line(quote, f"Line {line.position}", line.history_text(), "", actor, via)
    line.delete()


# Service contracts ------------------------------------------------------------------------


def _check_items(customer_or_contract, items, keep=()) -> list[Item]:
    items = list(items)
    kept = {item.pk for item in keep}
    for item in items:
        if item.workspace_id != customer_or_contract.workspace_id:
            raise ValidationError({"supported_items": "Choose items of this workspace."})
        if not item.active and item.pk not in kept:
            raise ValidationError(
                {"supported_items": f"The item {item} is inactive: choose active items."}
            )
    return items


@transaction.atomic
def contract_create(
    *, customer: Customer, actor, data: dict[str, Any], via: str = "page"
) -> ServiceContract:
    """A service contract with an organization, and the items it supports."""
    if customer.is_deleted:
        raise ValidationError({"customer": f"Customer {customer} is in the recycle bin."})
    data = _stripped(dict(data))
    items = _check_items(customer, data.pop("supported_items", []))
    contract = ServiceContract(workspace=customer.workspace, customer=customer, **data)
    contract.full_clean()
    contract.save()
    contract.supported_items.set(items)
    fields = ["customer", *CONTRACT_FIELDS, "supported_items"]
    record_change(
        instance=contract,
        action=Change.Action.CREATE,
        actor=actor,
        fields=differences({}, snapshot(contract, fields)),
        via=via,
    )
    return contract


@transaction.atomic
def contract_update(
    *, contract: ServiceContract, actor, data: dict[str, Any], via: str = "page"
) -> ServiceContract:
    contract = ServiceContract.objects.select_for_update().get(pk=contract.pk)
    data = _stripped(dict(data))
    fields = [*CONTRACT_FIELDS, "supported_items"]
    before = snapshot(contract, fields)
    items = None
    if "supported_items" in data:
        items = _check_items(
            contract, data.pop("supported_items"), keep=contract.supported_items.all()
        )
    for name, value in data.items():
        if name not in CONTRACT_FIELDS:
            raise ValueError(f"Not an editable service contract field: {name}")
        setattr(contract, name, value)
    contract.full_clean()
    contract.save()
    if items is not None:
        contract.supported_items.set(items)
    record_change(
        instance=contract,
        action=Change.Action.UPDATE,
        actor=actor,
        fields=differences(before, snapshot(contract, fields)),
        via=via,
    )
    return contract


@transaction.atomic
def contract_delete(*, contract: ServiceContract, actor, via: str = "page") -> None:
    record_change(instance=contract, action=Change.Action.DELETE, actor=actor, via=via)
    contract.delete()
