"""Money: how amounts are rounded and how they are written, one definition of each rule.

Money is exact: :class:`~decimal.Decimal` or integer sen, never a float.

Rounding:

* :func:`to_sen` — to the sen, half up (how tax and shares are rounded); :func:`as_sen` — an exact amount as
  integer sen (never rounds: more than 2 decimals is refused);
* :func:`cash_round` / :func:`cash_round_sen` — to 5 sen the way Bank Negara Malaysia's rounding mechanism says
  (1, 2 sen down; 3, 4 up to 5; 6, 7 down to 5; 8, 9 up); a negative amount (a refund) rounds the same way.

Text:

* :func:`money` — for people (screens, tables, print, receipts): ``1234.5`` -> ``1,234.50``, never ``-0.00``;
* :func:`price` — a unit price for people: two decimals, or up to four when it has them (``3.3333``);
* :func:`amount_text` — for machines (JSON, CSV, exports): ``1234.50``, two decimals, no grouping;
* :func:`price_text` — a unit price or cost for machines: at least 2 decimals, all it has beyond (``0.8125``);
* :func:`sen_text` — integer sen as an amount's text (``-1205`` -> ``-12.05``);
* :func:`exact_text` — a Decimal as the exact text it is (``7.00``, ``3.5000``), never in exponent form.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from flowtui.engine.core.errors import InvalidInput

CENT = Decimal("0.01")
ZERO = Decimal("0.00")


# -- rounding ---------------------------------------------------------------------------------------


def to_sen(value) -> Decimal:
    """Round to the sen, half up: ``1.005`` -> ``1.01``."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def from_sen(sen: int) -> Decimal:
    """Integer sen as the exact amount: ``-1205`` -> ``Decimal("-12.05")``."""
    return Decimal(sen).scaleb(-2)


def as_sen(amount) -> int:
    """An exact amount of at most 2 decimals as integer sen: ``12.05`` -> ``1205``; more decimals are refused."""
    value = Decimal(amount) * 100
    if value != value.to_integral_value():
        raise InvalidInput(f"{amount} has more than 2 decimals.")
    return int(value)


def cash_round_sen(sen: int) -> int:
    """5-sen cash rounding in integer sen: ``101`` -> ``100``, ``103`` -> ``105``, ``-103`` -> ``-105``."""
    rest = abs(sen) % 5
    rounded = abs(sen) - rest if rest <= 2 else abs(sen) + 5 - rest
    return rounded if sen >= 0 else -rounded


def cash_round(amount) -> Decimal:
    """A cash amount rounded to 5 sen (first to the sen, half up): ``10.03`` -> ``10.05``."""
    sen = int(to_sen(amount) * 100)
    return (Decimal(cash_round_sen(sen)) / 100).quantize(CENT)


# -- text -------------------------------------------------------------------------------------------


def money(value, *, signed: bool = False) -> str:
    """``1234.5`` -> ``1,234.50`` (``signed``: ``+1,234.50``); never ``-0.00``; ``None`` -> ``""``."""
    if value is None:
        return ""
    amount = Decimal(value).quantize(CENT)
    return f"{(amount if amount else abs(amount)):{'+' if signed else ''},.2f}"


def price(value) -> str:
    """A unit price for people: two decimals, or up to four when it has them (``3.3333``); ``None`` -> ``""``."""
    if value is None:
        return ""
    amount = Decimal(value)
    return f"{amount:,.4f}".rstrip("0") if amount != amount.quantize(CENT) else money(amount)


def amount_text(value) -> str | None:
    """An amount for machines: ``1234.5`` -> ``1234.50``; ``None`` stays ``None``."""
    return None if value is None else f"{Decimal(value):.2f}"


def price_text(value) -> str | None:
    """A unit price or cost for machines, as it is kept: at least 2 decimals, and all 4 when it has them."""
    if value is None:
        return None
    amount = Decimal(value)
    return f"{amount:.2f}" if amount == amount.quantize(CENT) else f"{amount.normalize():f}"


def sen_text(sen: int) -> str:
    """Integer sen as an amount's text: ``-1205`` -> ``-12.05``."""
    sign, sen = ("-", -sen) if sen < 0 else ("", sen)
    return f"{sign}{sen // 100}.{sen % 100:02d}"


def exact_text(value: Decimal) -> str:
    """A Decimal as the exact text it is: ``Decimal("7.00")`` -> ``7.00``, ``Decimal("1E+1")`` -> ``10``."""
    return f"{value:f}"
