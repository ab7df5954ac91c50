"""A quote's money, computed in one place for pages, API and the printable view.

Everything is Decimal, never float. The rounding rule: each line's amounts are rounded
half up to 0.01 (ROUND_HALF_UP) as they are computed, in this order:

    gross    = quantity * unit price                  (rounded)
    discount = gross * discount % / 100               (rounded)
    net      = gross - discount
    tax      = net * tax rate % / 100                 (rounded)
    total    = net + tax

and the quote's figures are the plain sums of its lines' (no rounding there): subtotal =
Σ gross, discount = Σ discount, net = Σ net, tax = Σ tax, total = Σ total, so the lines
always add up to the total printed. Products are taken with 60 significant digits, so no
intermediate result is rounded before the 0.01 step.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
HUNDRED = Decimal("100")


def to_cents(amount: Decimal) -> Decimal:
    """`amount` rounded half up to 0.01."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LineAmounts:
    gross: Decimal
    discount: Decimal
    net: Decimal
    tax: Decimal
    total: Decimal


def line_amounts(
    *, quantity: Decimal, unit_price: Decimal, discount: Decimal, tax_rate: Decimal
) -> LineAmounts:
    """One line's gross, discount, net, tax and total (the module's rounding rule)."""
    for value in (quantity, unit_price, discount, tax_rate):
        if not isinstance(value, Decimal):
            raise TypeError(f"Money is computed with Decimal, not {type(value).__name__}.")
    with localcontext(prec=60):
        gross = to_cents(quantity * unit_price)
        discount_amount = to_cents(gross * discount / HUNDRED)
        net = gross - discount_amount
        tax = to_cents(net * tax_rate / HUNDRED)
        return LineAmounts(gross, discount_amount, net, tax, net + tax)


@dataclass(frozen=True)
class QuoteTotals:
    """A quote's lines with their amounts, and the sums of those amounts."""

    lines: list[tuple[object, LineAmounts]] = field(default_factory=list)
    subtotal: Decimal = ZERO
    discount: Decimal = ZERO
    net: Decimal = ZERO
    tax: Decimal = ZERO
    total: Decimal = ZERO

    def as_strings(self) -> dict[str, str]:
        return {
            "subtotal": str(self.subtotal),
            "discount": str(self.discount),
            "net": str(self.net),
            "tax": str(self.tax),
            "total": str(self.total),
        }


def quote_totals(lines: Iterable) -> QuoteTotals:
    """The totals of `lines` (QuoteLine rows, or anything with quantity, unit_price,
    discount and tax_rate)."""
    rows = [
        (
            line,
            line_amounts(
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount=line.discount,
                tax_rate=line.tax_rate,
            ),
        )
        for line in lines
    ]
    amounts = [row[1] for row in rows]
    return QuoteTotals(
        lines=rows,
        subtotal=sum((a.gross for a in amounts), ZERO),
        discount=sum((a.discount for a in amounts), ZERO),
        net=sum((a.net for a in amounts), ZERO),
        tax=sum((a.tax for a in amounts), ZERO),
        total=sum((a.total for a in amounts), ZERO),
    )
