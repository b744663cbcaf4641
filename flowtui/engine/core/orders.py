"""The canonical order model every stream lands in (see ``docs/orders.md``).

Connectors turn whatever their source speaks into *canonical order JSON*, one
object per order. Landing validates it in bulk inside DuckDB: the JSON is
parsed once into typed columns (:data:`ORDER_STRUCTURE`), then every check in
:data:`ORDER_CHECKS`, :data:`LINE_CHECKS` and :data:`PAYMENT_CHECKS` yields an
error (or nothing) per order. A rejected order is reported with every reason;
the rest of the batch lands.

:class:`Order` is the same model as Python values, for connectors and tests
that build orders one by one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Literal

_NUM = "DECIMAL(18,6)"  # parse width: wide enough to see a third decimal and reject it

#: DuckDB ``json_transform`` structure of a canonical order.
ORDER_STRUCTURE: dict = {
    "id": "VARCHAR",
    "number": "VARCHAR",
    "store_id": "VARCHAR",
    "store_name": "VARCHAR",
    "time": "VARCHAR",
    "type": "VARCHAR",
    "status": "VARCHAR",
    "original_id": "VARCHAR",
    "original_number": "VARCHAR",
    "channel": "VARCHAR",
    "subtotal": _NUM,
    "discount": _NUM,
    "service_charge": _NUM,
    "tax": _NUM,
    "rounding": _NUM,
    "total": _NUM,
    "lines": [
        {
            "sku": "VARCHAR",
            "product_id": "VARCHAR",
            "name": "VARCHAR",
            "quantity": _NUM,
            "unit_price": _NUM,
            "discount": _NUM,
            "tax": _NUM,
            "tax_code": "VARCHAR",
            "amount": _NUM,
        }
    ],
    "payments": [{"method": "VARCHAR", "amount": _NUM}],
}

ORDER_TYPES = ("sale", "return")
ORDER_STATUSES = ("completed", "voided")


@dataclass(frozen=True)
class Check:
    """One rule: ``failing`` is a SQL condition that is true when the rule is broken.

    ``path`` names the JSON field the rule is about (``$.total``); when the
    field is absent the message becomes "missing". Rules without a path are
    about the order as a whole and their message is final.
    """

    failing: str
    message: str
    path: str | None = None
    detail: str | None = None


def _amount(col: str, decimals: int = 2) -> str:
    return f"({col} IS NULL OR {col} <> round({col}, {decimals}))"


def _optional_amount(col: str, decimals: int = 2) -> str:
    return f"({col} IS NOT NULL AND {col} <> round({col}, {decimals}))"


_AMOUNT = "must be an amount with at most 2 decimals"

#: Every number an order holds (amounts, prices, quantities) is less than this: far beyond any sale, and small
#: enough that no sum or product of them overflows the books' DECIMAL(18, x) columns.
NUMBER_LIMIT = 1_000_000_000
_TOO_LARGE = f"is too large (must be less than {NUMBER_LIMIT:,})"


def _too_large(col: str) -> str:
    return f"abs({col}) >= {NUMBER_LIMIT}"


#: An order's time as text: ISO 8601 with a UTC offset (RFC 3339's: hours 00-23, minutes 00-59).
TIME_PATTERN = ("[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]+)?)?"
                "(Z|z|[+-]([01][0-9]|2[0-3])(:?[0-5][0-9])?)")
#: The first instant an order may have; the last is a year after now (``ts_ok`` in landing).
EARLIEST_TIME = "2000-01-01T00:00:00Z"
TIME_AHEAD_DAYS = 366

#: Checks on the order itself; columns are those of :data:`ORDER_STRUCTURE`
#: plus ``ts`` (the parsed instant), ``time_ok`` (``time`` is written as :data:`TIME_PATTERN` and reads as an
#: instant), ``ts_ok`` (that instant is inside the range the books accept) and ``status_v`` (the status, default
#: applied).
ORDER_CHECKS: tuple[Check, ...] = (
    Check("id IS NULL OR trim(id) = ''", "is required", "$.id"),
    Check("store_id IS NULL OR trim(store_id) = ''", "is required", "$.store_id"),
    Check("NOT time_ok", "must be an ISO 8601 instant with a UTC offset, e.g. 2026-10-01T03:15:00Z", "$.time"),
    Check("time_ok AND NOT ts_ok",
          "is out of range: an order's time must be from 2000-01-01 to a year from now", "$.time"),
    Check("type IS NOT NULL AND type NOT IN ('sale', 'return')", "must be sale or return", "$.type"),
    Check(
        "status IS NOT NULL AND status NOT IN ('completed', 'voided')",
        "must be completed or voided",
        "$.status",
    ),
    *(Check(_too_large(c), _TOO_LARGE, f"$.{c}")
      for c in ("total", "subtotal", "discount", "service_charge", "tax", "rounding")),
    Check(_amount("total"), _AMOUNT, "$.total"),
    Check(_optional_amount("subtotal"), _AMOUNT, "$.subtotal"),
    Check(_optional_amount("discount"), _AMOUNT, "$.discount"),
    Check(_optional_amount("service_charge"), _AMOUNT, "$.service_charge"),
    Check(_optional_amount("tax"), _AMOUNT, "$.tax"),
    Check(_optional_amount("rounding"), _AMOUNT, "$.rounding"),
    Check("total < 0", "must not be negative (a return is type return with positive amounts)", "$.total"),
    Check("subtotal < 0", "must not be negative", "$.subtotal"),
    Check("discount < 0", "must not be negative", "$.discount"),
    Check("service_charge < 0", "must not be negative", "$.service_charge"),
    Check("tax < 0", "must not be negative", "$.tax"),
    Check("lines IS NULL OR len(lines) = 0", "must list at least one line item", "$.lines"),
)

# A line's quantity x unit_price, wide enough never to overflow (DECIMAL(18, 6) x DECIMAL(18, 6) is computed in
# 18 digits and would overflow beyond a line of ~9 million).
_GROSS = "(l.quantity::DECIMAL(38, 6) * l.unit_price)"

#: Checks on each line; ``l`` is the line, ``i`` its 1-based position; the order's columns can be read too.
LINE_CHECKS: tuple[Check, ...] = (
    Check(
        "(l.sku IS NULL OR trim(l.sku) = '') AND (l.product_id IS NULL OR trim(l.product_id) = '')",
        "needs a sku or a product_id",
        "sku",
    ),
    *(Check(_too_large(f"l.{c}"), _TOO_LARGE, c) for c in ("quantity", "unit_price", "discount", "tax", "amount")),
    Check(f"l.amount IS NULL AND {_too_large(f'{_GROSS} - coalesce(l.discount, 0)')}",
          f"x unit_price is too large (a line's amount must be less than {NUMBER_LIMIT:,})", "quantity"),
    # a voided order may have its quantities zeroed (it counts for nothing)
    Check("l.quantity IS NULL OR l.quantity < 0 OR (l.quantity = 0 AND status_v <> 'voided') "
          "OR l.quantity <> round(l.quantity, 3)",
          "must be a positive quantity with at most 3 decimals", "quantity"),
    Check("l.unit_price IS NULL OR l.unit_price < 0 OR l.unit_price <> round(l.unit_price, 4)",
          "must be a price of zero or more with at most 4 decimals", "unit_price"),
    Check(_optional_amount("l.discount") + " OR l.discount < 0",
          "must be an amount of zero or more with at most 2 decimals", "discount"),
    Check(_optional_amount("l.tax") + " OR l.tax < 0",
          "must be an amount of zero or more with at most 2 decimals", "tax"),
    Check(_optional_amount("l.amount"), _AMOUNT, "amount"),
    Check(  # arithmetic: a voided order is checked for shape only
        "l.amount IS NOT NULL AND l.quantity > 0 AND l.unit_price >= 0 AND status_v <> 'voided' "
        f"AND abs(l.amount - ({_GROSS} - coalesce(l.discount, 0))) >= 0.01",
        "does not equal quantity x unit_price - discount",
        "amount",
    ),
)

#: Checks on each payment; ``p`` is the payment, ``i`` its 1-based position.
PAYMENT_CHECKS: tuple[Check, ...] = (
    Check("p.method IS NULL OR trim(p.method) = ''", "is required", "method"),
    Check(_too_large("p.amount"), _TOO_LARGE, "amount"),
    Check(_amount("p.amount") + " OR p.amount < 0",
          "must be an amount of zero or more with at most 2 decimals", "amount"),
)

#: Arithmetic of a completed order, run on the typed values with defaults
#: applied (columns ``subtotal_v``... ``line_sum``, ``pay_sum``). ``detail`` is
#: a SQL expression appended to the message. A voided order counts for nothing
#: and is checked for shape only: sent again with its amounts zeroed, it voids.
ARITHMETIC_CHECKS: tuple[Check, ...] = (
    Check(
        "status_v <> 'voided' AND total <> subtotal_v - discount_v + service_charge_v + tax_v + rounding_v",
        "total does not add up",
        detail="'subtotal - discount + service_charge + tax + rounding = ' "
        "|| (subtotal_v - discount_v + service_charge_v + tax_v + rounding_v)::DECIMAL(18,2) "
        "|| ', total is ' || total::DECIMAL(18,2)",
    ),
    Check(
        "status_v <> 'voided' AND subtotal IS NOT NULL AND line_sum <> subtotal",
        "line amounts do not add up to the subtotal",
        detail="'lines add up to ' || line_sum::DECIMAL(18,2) || ', subtotal is ' || subtotal::DECIMAL(18,2)",
    ),
    Check(
        "status_v = 'completed' AND pay_sum <> total",
        "payments do not add up to the total",
        detail="'payments add up to ' || pay_sum::DECIMAL(18,2) || ', total is ' || total::DECIMAL(18,2)",
    ),
)


#: How each number is written, for the orders some check flagged (or whose text looks unusual): a JSON value read
#: into a number would accept ``true`` (as 1), ``" 21.20 "`` or ``"1_000"``; these rules say why not. ``{v}`` is
#: the number's JSON text (``7.5``, ``"7.50"``, ``true``; NULL when absent or null). The first rule that fails
#: gives the field's reason, in place of what the checks on its value would say.
_QUOTED = "starts_with({v}, '\"')"
_INNER = f"CASE WHEN {_QUOTED} THEN {{v}}[2:-2] ELSE {{v}} END"
_MAGNITUDE = f"TRY_CAST(trim({_INNER}) AS DOUBLE)"
NUMBER_TEXT_CHECKS: tuple[Check, ...] = (
    Check("{v} IN ('true', 'false')", "is true or false, not a number"),
    # (too large to be read as a number at all; below that, the value's own check says it is too large)
    Check(f"abs({_MAGNITUDE}) >= 1e12 AND NOT isnan({_MAGNITUDE})", _TOO_LARGE),
    Check(f"{_QUOTED} AND NOT regexp_full_match({{v}}, '\"-?[0-9]+([.][0-9]+)?\"') "
          f"AND TRY_CAST({_INNER} AS DECIMAL(18, 6)) IS NOT NULL",
          'must be written as a plain number, e.g. "21.20"'),
    Check(f"NOT regexp_full_match({_INNER}, '-?[0-9]+([.][0-9]+)?([eE][-+]?[0-9]+)?')", "is not a number"),
)


def _text_shape(shape):
    """:data:`ORDER_STRUCTURE` with only its numbers, each read as its JSON text."""
    if isinstance(shape, dict):
        kept = {k: _text_shape(v) for k, v in shape.items()}
        return {k: v for k, v in kept.items() if v}
    if isinstance(shape, list):
        inner = _text_shape(shape[0])
        return [inner] if inner else None
    return "JSON" if shape == _NUM else None


#: DuckDB ``json_transform`` structure reading every number of an order as its JSON text.
NUMBER_TEXT_STRUCTURE: dict = _text_shape(ORDER_STRUCTURE)


def structure_json() -> str:
    return json.dumps(ORDER_STRUCTURE)


def structure_type(shape=ORDER_STRUCTURE) -> str:
    """The DuckDB type ``json_transform`` gives a canonical order (for sources that hand over typed columns)."""
    if isinstance(shape, dict):
        return "STRUCT(" + ", ".join(f'"{k}" {structure_type(v)}' for k, v in shape.items()) + ")"
    if isinstance(shape, list):
        return structure_type(shape[0]) + "[]"
    return shape


# -- the same model as Python values ------------------------------------------------


def _money(value: Decimal | int | str) -> str:
    return f"{Decimal(value):.2f}"


@dataclass(frozen=True)
class OrderLine:
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal
    sku: str | None = None
    product_id: str | None = None
    name: str | None = None
    discount: Decimal = Decimal("0")
    tax: Decimal = Decimal("0")
    tax_code: str | None = None

    def to_dict(self) -> dict:
        data = {
            "sku": self.sku,
            "product_id": self.product_id,
            "name": self.name,
            "quantity": str(self.quantity),
            "unit_price": str(self.unit_price),
            "discount": _money(self.discount),
            "tax": _money(self.tax),
            "tax_code": self.tax_code,
            "amount": _money(self.amount),
        }
        return {k: v for k, v in data.items() if v is not None}


@dataclass(frozen=True)
class Payment:
    method: str
    amount: Decimal

    def to_dict(self) -> dict:
        return {"method": self.method, "amount": _money(self.amount)}


@dataclass(frozen=True)
class Order:
    """A canonical order as Python values (money as :class:`~decimal.Decimal`)."""

    id: str
    store_id: str
    time: datetime
    total: Decimal
    lines: tuple[OrderLine, ...]
    payments: tuple[Payment, ...] = ()
    number: str | None = None
    type: Literal["sale", "return"] = "sale"
    status: Literal["completed", "voided"] = "completed"
    original_id: str | None = None
    original_number: str | None = None
    subtotal: Decimal | None = None
    discount: Decimal = Decimal("0")
    service_charge: Decimal = Decimal("0")
    tax: Decimal = Decimal("0")
    rounding: Decimal = Decimal("0")
    store_name: str | None = None
    channel: str | None = None
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        instant = self.time if self.time.tzinfo else self.time.replace(tzinfo=UTC)
        data = {
            "id": self.id,
            "number": self.number,
            "store_id": self.store_id,
            "store_name": self.store_name,
            "time": instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "type": self.type,
            "status": self.status,
            "original_id": self.original_id,
            "original_number": self.original_number,
            "channel": self.channel,
            "subtotal": None if self.subtotal is None else _money(self.subtotal),
            "discount": _money(self.discount),
            "service_charge": _money(self.service_charge),
            "tax": _money(self.tax),
            "rounding": _money(self.rounding),
            "total": _money(self.total),
            "lines": [line.to_dict() for line in self.lines],
            "payments": [payment.to_dict() for payment in self.payments],
            **self.extra,
        }
        return {k: v for k, v in data.items() if v is not None}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))
