"""One digest in full (:class:`DigestDetail`): the one assembler for the console, `flowtui digest show` and printing.

:func:`read` is the whole of it — the listing row (status, attention reasons),
payments, items, taxes, orders and, for a day that was posted, its versions, what
changed since and stock warnings. Printing has the rows already (a listing) and
prints none of the history: it calls :func:`from_row` without ``history``.
"""

from __future__ import annotations

from datetime import datetime

from flowtui.engine.core.errors import NotFound
from flowtui.engine.core.records import (
    SUMMARY_FIELDS,
    DigestDetail,
    DigestItem,
    DigestOrder,
    digest_row,
    summary_sum,
)
from flowtui.engine.digests import sql
from flowtui.engine.digests.store import DigestFilter, query_digests
from flowtui.engine.ledger import adjustments, books, products
from flowtui.engine.setup.streams import require_stream
from flowtui.engine.storage.database import Connection
from flowtui.engine.storage.rows import one, rows, the


def read(con: Connection, digest_id: int, *, now: datetime) -> DigestDetail:
    """Digest ``digest_id`` as of ``now``, with its history; :class:`NotFound` if there is none."""
    frame = query_digests(con, DigestFilter(ids=(digest_id,)), now=now, default_tz=books.default_timezone(con))
    if frame.is_empty():
        raise NotFound(f"No digest with id {digest_id}; see `flowtui digests`.")
    return from_row(con, frame.row(0, named=True), history=True)


def from_row(con: Connection, row: dict, *, history: bool = False) -> DigestDetail:
    """The detail of a listing row (:func:`query_digests`): its children and, with ``history``, versions,
    the change since it was posted and stock warnings."""
    digest_id = row["id"]
    extra: dict = {}
    if history:
        status = row["status"]
        grouping = require_stream(con, row["stream"]).grouping if status == "changed" else None
        extra = {
            "versions": adjustments.trail(con, digest_id),
            "changes": adjustments.changes_since_posted(con, digest_id, grouping) if grouping else None,
            "warnings": products.stock_warnings(con, digest_id, posted=status == "posted"),
        }
    key = one(con, sql.DIGEST_KEY, [digest_id])
    summary = {k: row[k] for k in SUMMARY_FIELDS}
    returned = the(con, sql.DIGEST_RETURN_PARTS, key) if row["return_count"] else {}
    return DigestDetail(
        row=digest_row(row),
        version=row["version"],
        updated_at=row["updated_at"],
        summary=summary,
        payments=[(r["method"], r["amount"]) for r in rows(con, sql.DIGEST_PAYMENTS, [digest_id])],
        items=[DigestItem(**r) for r in rows(con, sql.DIGEST_ITEMS, [digest_id])],
        taxes=[(r["tax_code"], r["taxable"], r["tax"]) for r in rows(con, sql.DIGEST_TAXES, [digest_id])],
        orders=[DigestOrder(**r) for r in rows(con, sql.DIGEST_ORDERS, key)],
        attention=list(row["attention"]),
        summary_lines=summary_sum(summary, returned),
        timezone=row.get("tz") or books.default_timezone(con),
        **extra,
    )
