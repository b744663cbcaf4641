"""The canonical order model every stream lands in (see ``docs/orders.md``).

Connectors turn whatever their source speaks into *canonical order JSON*, one
object per order. Landing validates it in bulk inside DuckDB: the JSON is
parsed once into typed columns (:data:`ORDER_STRUCTURE`), then every check in
:data:`ORDER_CHECKS`, :data:`LINE_CHECKS` and :data:`PAYMENT_CHECKS` yields an
error (or nothing) per order. A rejected order is reported with every reason;
the rest of the batch lands.

:class:`Order` is the model itself, as Python values: every source, the till,
the demo and the tests build one and write it with :meth:`Order.as_dict` /
:meth:`Order.to_json`. The structure landing parses (:data:`ORDER_STRUCTURE`)
is derived from its fields, so the field list is written once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from decimal import Decimal

from flowtui.engine.core.clock import iso_utc
from flowtui.engine.core.money import exact_text
from flowtui.engine.core.statuses import OrderStatus, OrderType, values

_NUM = "DECIMAL(18,6)"  # parse width: wide enough to see a third decimal and reject it

#: A number as an order holds it: a :class:`~decimal.Decimal` (written as its exact text, ``7.00``), or the text
#: or JSON number a source wrote, passed on as it is for landing's checks to judge (never rounded, never guessed).
Number = Decimal | int | float | str


def _text():
    return field(default=None, metadata={"sql": "VARCHAR"})


def _number():
    return field(default=None, metadata={"sql": _NUM})


def _value(value):
    """A field's JSON value: a Decimal as its exact text, an instant as ISO 8601 UTC, anything else as it is."""
    if isinstance(value, Decimal):
        return exact_text(value)
    if isinstance(value, datetime):
        return iso_utc(value if value.tzinfo else value.replace(tzinfo=UTC))
    return value


def _as_dict(record, names: tuple[str, ...]) -> dict:
    """The fields given (not None), in the model's order: the canonical JSON object."""
    out = {}
    for name in names:
        value = getattr(record, name)
        if value is not None:
            out[name] = _value(value)
    return out


@dataclass(frozen=True, kw_only=True, slots=True)
class OrderLine:
    """One line item; see docs/orders.md. Fields left ``None`` are not given (landing applies the defaults)."""

    sku: str | None = _text()
    product_id: str | None = _text()
    name: str | None = _text()
    quantity: Number | None = _number()
    unit_price: Number | None = _number()
    discount: Number | None = _number()
    tax: Number | None = _number()
    tax_code: str | None = _text()
    amount: Number | None = _number()

    def as_dict(self) -> dict:
        return _as_dict(self, LINE_FIELDS)


@dataclass(frozen=True, kw_only=True, slots=True)
class Payment:
    """One payment: the method as the source spells it, and the amount."""

    method: str | None = _text()
    amount: Number | None = _number()

    def as_dict(self) -> dict:
        return _as_dict(self, PAYMENT_FIELDS)


@dataclass(frozen=True, kw_only=True, slots=True)
class Order:
    """A canonical order (docs/orders.md): the one way every source builds one.

    The fields are the canonical JSON's, in its order; :meth:`as_dict` / :meth:`to_json` write them, leaving out
    the ones not given (``None``). ``extra`` holds keys the model does not know (kept after the known ones).
    Landing never builds these: it reads the JSON text in bulk (:data:`ORDER_STRUCTURE`, derived from here).
    """

    id: str | None = _text()
    number: str | None = _text()
    store_id: str | None = _text()
    store_name: str | None = _text()
    time: datetime | str | None = _text()
    type: OrderType | str | None = _text()
    status: OrderStatus | str | None = _text()
    original_id: str | None = _text()
    original_number: str | None = _text()
    channel: str | None = _text()
    subtotal: Number | None = _number()
    discount: Number | None = _number()
    service_charge: Number | None = _number()
    shipping: Number | None = _number()  # order-level shipping, ex-tax (its tax is part of ``tax``)
    tax: Number | None = _number()
    tip: Number | None = _number()  # a tip (gratuity) the customer paid on top, held for the staff
    rounding: Number | None = _number()
    total: Number | None = _number()
    lines: tuple[OrderLine, ...] | None = field(default=None, metadata={"items": OrderLine})
    payments: tuple[Payment, ...] | None = field(default=None, metadata={"items": Payment})
    extra: dict | None = None

    def as_dict(self) -> dict:
        out = _as_dict(self, ORDER_FIELDS)
        if self.lines is not None:
            out["lines"] = [line.as_dict() for line in self.lines]
        if self.payments is not None:
            out["payments"] = [payment.as_dict() for payment in self.payments]
        if self.extra:
            out.update(self.extra)
        return out

    def to_json(self) -> str:
        """One NDJSON line (UTF-8 text, ``json``'s default separators)."""
        return json.dumps(self.as_dict(), ensure_ascii=False)


def _structure(model) -> dict:
    """A model's DuckDB ``json_transform`` structure, from its fields' declarations."""
    out: dict = {}
    for f in fields(model):
        if "sql" in f.metadata:
            out[f.name] = f.metadata["sql"]
        elif "items" in f.metadata:
            out[f.name] = [_structure(f.metadata["items"])]
    return out


#: The canonical JSON's field names, in its order: a line's, a payment's and the order's own (not its lines and
#: payments).
LINE_FIELDS = tuple(f.name for f in fields(OrderLine))
PAYMENT_FIELDS = tuple(f.name for f in fields(Payment))
ORDER_FIELDS = tuple(f.name for f in fields(Order) if "sql" in f.metadata)

#: DuckDB ``json_transform`` structure of a canonical order (the model's fields, each with its parse type).
ORDER_STRUCTURE: dict = _structure(Order)

ORDER_TYPES = values(OrderType)
ORDER_STATUSES = values(OrderStatus)


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


def _sql_list(values) -> str:
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


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
    Check(f"type IS NOT NULL AND type NOT IN {_sql_list(OrderType)}", f"must be {' or '.join(OrderType)}", "$.type"),
    Check(f"status IS NOT NULL AND status NOT IN {_sql_list(OrderStatus)}", f"must be {' or '.join(OrderStatus)}",
          "$.status"),
    *(Check(_too_large(c), _TOO_LARGE, f"$.{c}")
      for c in ("total", "subtotal", "discount", "service_charge", "shipping", "tax", "tip", "rounding")),
    Check(_amount("total"), _AMOUNT, "$.total"),
    Check(_optional_amount("subtotal"), _AMOUNT, "$.subtotal"),
    Check(_optional_amount("discount"), _AMOUNT, "$.discount"),
    Check(_optional_amount("service_charge"), _AMOUNT, "$.service_charge"),
    Check(_optional_amount("shipping"), _AMOUNT, "$.shipping"),
    Check(_optional_amount("tax"), _AMOUNT, "$.tax"),
    Check(_optional_amount("tip"), _AMOUNT, "$.tip"),
    Check(_optional_amount("rounding"), _AMOUNT, "$.rounding"),
    Check("total < 0", "must not be negative (a return is type return with positive amounts)", "$.total"),
    Check("subtotal < 0", "must not be negative", "$.subtotal"),
    Check("discount < 0", "must not be negative", "$.discount"),
    Check("service_charge < 0", "must not be negative", "$.service_charge"),
    Check("shipping < 0", "must not be negative", "$.shipping"),
    Check("tax < 0", "must not be negative", "$.tax"),
    Check("tip < 0", "must not be negative", "$.tip"),
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

# What an order's parts add up to (its total, when it adds up).
_ADDS_UP = "subtotal_v - discount_v + service_charge_v + shipping_v + tax_v + tip_v + rounding_v"

#: Arithmetic of a completed order, run on the typed values with defaults
#: applied (columns ``subtotal_v``... ``line_sum``, ``pay_sum``). ``detail`` is
#: a SQL expression appended to the message. A voided order counts for nothing
#: and is checked for shape only: sent again with its amounts zeroed, it voids.
ARITHMETIC_CHECKS: tuple[Check, ...] = (
    Check(
        f"status_v <> 'voided' AND total <> {_ADDS_UP}",
        "total does not add up",
        detail="'subtotal - discount + service_charge + shipping + tax + tip + rounding = ' "
        f"|| ({_ADDS_UP})::DECIMAL(18,2) || ', total is ' || total::DECIMAL(18,2)",
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
