"""The quote money rule: Decimal only, half up to 0.01 per line, totals are sums of lines."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from patron.sales.financials import line_amounts, quote_totals

quantities = st.decimals(min_value="0.001", max_value="999999999.999", places=3)
prices = st.decimals(min_value="0", max_value="9999999999.99", places=2)
percents = st.decimals(min_value="0", max_value="100", places=2)
lines = st.lists(
    st.builds(
        SimpleNamespace,
        quantity=quantities,
        unit_price=prices,
        discount=percents,
        tax_rate=percents,
    ),
    max_size=20,
)


@given(lines)
def test_the_lines_add_up_to_the_total(rows):
    totals = quote_totals(rows)
    assert totals.total == sum((amounts.total for _, amounts in totals.lines), Decimal("0"))
    assert totals.total == totals.subtotal - totals.discount + totals.tax
    assert totals.net == totals.subtotal - totals.discount
    for value in (totals.subtotal, totals.discount, totals.net, totals.tax, totals.total):
        assert isinstance(value, Decimal)
        assert value == value.quantize(Decimal("0.01")), "every figure is in whole cents"
        assert value >= 0
    for _, amounts in totals.lines:
        assert all(isinstance(v, Decimal) for v in vars(amounts).values())


@given(quantities, prices, percents)
def test_a_discount_of_100_percent_gives_0(quantity, unit_price, tax_rate):
    amounts = line_amounts(
        quantity=quantity, unit_price=unit_price, discount=Decimal("100"), tax_rate=tax_rate
    )
    assert (amounts.net, amounts.tax, amounts.total) == (0, 0, 0)


@given(quantities, prices)
def test_no_discount_and_no_tax_is_quantity_times_price_in_cents(quantity, unit_price):
    amounts = line_amounts(
        quantity=quantity, unit_price=unit_price, discount=Decimal("0"), tax_rate=Decimal("0")
    )
    exact = quantity * unit_price
    assert abs(amounts.total - exact) <= Decimal("0.005")


def test_rounding_is_half_up_per_line():
    # 3 x 0.335 = 1.005 -> 1.01 (half up; banker's rounding would give 1.00);
    # 10% of 1.01 = 0.101 -> 0.10; 17.5% tax of 0.91 = 0.15925 -> 0.16.
    amounts = line_amounts(
        quantity=Decimal("3"),
        unit_price=Decimal("0.335"),
        discount=Decimal("10"),
        tax_rate=Decimal("17.5"),
    )
    assert amounts.gross == Decimal("1.01")
    assert amounts.discount == Decimal("0.10")
    assert amounts.net == Decimal("0.91")
    assert amounts.tax == Decimal("0.16")
    assert amounts.total == Decimal("1.07")


def test_three_lines_with_a_price_level_discount():
    rows = [
        SimpleNamespace(
            quantity=Decimal(q), unit_price=Decimal(p), discount=Decimal("10"), tax_rate=Decimal(t)
        )
        for q, p, t in [("2", "49.99", "20"), ("1", "120.00", "20"), ("3.5", "8.40", "0")]
    ]
    totals = quote_totals(rows)
    # 99.98 - 10.00 = 89.98 + 18.00 tax; 120.00 - 12.00 = 108.00 + 21.60; 29.40 - 2.94 = 26.46
    assert totals.as_strings() == {
        "subtotal": "249.38",
        "discount": "24.94",
        "net": "224.44",
        "tax": "39.60",
        "total": "264.04",
    }


def test_float_is_refused():
    with pytest.raises(TypeError, match="Decimal"):
        line_amounts(
            quantity=1.5, unit_price=Decimal("1"), discount=Decimal("0"), tax_rate=Decimal("0")
        )
