"""Reads the console needs: one order in full, the next document number a format would give."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from flowtui.engine.core.errors import NotFound
from flowtui.engine.ledger.numbering import render_number, sequence_scope, validate_format
from flowtui.engine.storage.database import Connection


@dataclass(frozen=True)
class OrderDetail:
    stream: str
    id: str
    number: str
    pos_store_id: str
    time: datetime
    business_date: date
    type: str
    status: str
    channel: str | None
    original: str | None
    subtotal: Decimal
    discount: Decimal
    service_charge: Decimal
    tax: Decimal
    rounding: Decimal
    total: Decimal
    version: int
    lines: list[dict]
    payments: list[dict]


def order(con: Connection, stream_id: int, order_id: str) -> OrderDetail:
    rows = con.execute(
        """
        SELECT s.name, o.order_id, o.number, o.pos_store_id, o.ordered_at, o.business_date, o.type, o.status,
               o.channel, coalesce(o.original_number, o.original_id), o.subtotal, o.discount, o.service_charge,
               o.tax, o.rounding, o.total, o.version
        FROM orders o JOIN streams s ON s.id = o.stream_id WHERE o.stream_id = ? AND o.order_id = ?
        """, [stream_id, order_id]).fetchall()
    if not rows:
        raise NotFound(f"No order {order_id!r} in that stream.")
    lines = [dict(zip(("sku", "product_id", "name", "quantity", "unit_price", "discount", "tax", "tax_code",
                       "amount"), r)) for r in con.execute(
        "SELECT sku, product_id, name, quantity, unit_price, discount, tax, tax_code, amount FROM order_lines "
        "WHERE stream_id = ? AND order_id = ? ORDER BY line_no", [stream_id, order_id]).fetchall()]
    payments = [dict(zip(("method", "amount"), r)) for r in con.execute(
        "SELECT method, amount FROM order_payments WHERE stream_id = ? AND order_id = ? ORDER BY seq",
        [stream_id, order_id]).fetchall()]
    return OrderDetail(*rows[0], lines=lines, payments=payments)  # type: ignore[misc]  # mypy cannot count a row


def next_number(con: Connection, fmt: str, day: date) -> str:
    """The number the next document in ``fmt`` would get on ``day`` (a preview: nothing is taken)."""
    fmt = validate_format(fmt)
    rows = con.execute("SELECT last_value FROM number_sequences WHERE scope = ?",
                       [sequence_scope(fmt, day)]).fetchall()
    return render_number(fmt, day, (rows[0][0] if rows else 0) + 1)
