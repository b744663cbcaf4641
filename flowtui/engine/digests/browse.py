"""Reads the console needs: one order in full."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from flowtui.engine.core.errors import NotFound
from flowtui.engine.digests import sql
from flowtui.engine.storage.database import Connection
from flowtui.engine.storage.rows import one, rows


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
    shipping: Decimal
    tax: Decimal
    tip: Decimal
    rounding: Decimal
    total: Decimal
    version: int
    lines: list[dict]
    payments: list[dict]


def digest_order(con: Connection, digest_id: int, order_id: str) -> OrderDetail:
    """An order of the stream a digest belongs to (the digest screen's order view)."""
    digest = one(con, sql.DIGEST_STREAM, [digest_id])
    if digest is None:
        raise NotFound(f"No digest with id {digest_id}.")
    return order(con, digest["stream_id"], order_id)


def order(con: Connection, stream_id: int, order_id: str) -> OrderDetail:
    found = one(con, sql.ORDER, [stream_id, order_id])
    if not found:
        raise NotFound(f"No order {order_id!r} in that stream.")
    return OrderDetail(**found, lines=rows(con, sql.ORDER_LINES, [stream_id, order_id]),
                       payments=rows(con, sql.ORDER_PAYMENTS, [stream_id, order_id]))
