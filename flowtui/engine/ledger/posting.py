"""Posting digests: refusals with reasons, exactly-once, atomic, in bulk.

Which digests may post is decided by the same query that lists them (status
``ready``; everything else is refused with the digest's attention reasons).
Ready digests post in chunks, each chunk one transaction: the digests are
re-checked inside it, their documents planned (:mod:`posting_plan`),
numbered gap-free and written together. ``postings`` has a unique key on
(digest, version), so a digest version can never post twice, whatever the
code does; a crash leaves a chunk entirely posted or not at all.
"""

from __future__ import annotations

import getpass
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from flowtui.engine.core import clock
from flowtui.engine.core.errors import FlowError
from flowtui.engine.digests.store import DigestFilter, query_digests, rebuild_dirty
from flowtui.engine.ledger import books
from flowtui.engine.ledger.adjustments import difference, ledger_sides, negated, net_side, order_changes
from flowtui.engine.ledger.numbering import DEFAULT_INVOICE_FORMAT
from flowtui.engine.ledger.posting_plan import (
    RETURN,
    SALE,
    Accounts,
    DayToPost,
    ItemTotal,
    ProductInfo,
    SideTotals,
    balanced,
    plan_day,
    plan_document,
)
from flowtui.engine.ledger.posting_writer import Writer
from flowtui.engine.ledger.taxes import ORDER_DISCOUNTS_SQL, SERVICE_CODES_SQL
from flowtui.engine.storage.database import Connection, Database

CHUNK = 200  # digests per unit of work


def actor() -> str:
    """Who is posting: the operating-system user."""
    try:
        return getpass.getuser()
    except Exception:  # no user database (some containers)
        return os.environ.get("USER") or f"uid {os.getuid()}"


def credit_note_format(invoice_format: str) -> str:
    """The default credit-note format derived from an invoice format.

    ``INV-{seq}`` -> ``CN-{seq}``; anything else gets a ``CN-`` prefix
    (``INVOICE-{seq}`` -> ``CN-INVOICE-{seq}``, ``KL-{seq}`` -> ``CN-KL-{seq}``).
    """
    if re.match(r"INV(?![A-Za-z])", invoice_format, re.IGNORECASE):
        return "CN" + invoice_format[3:]
    return "CN-" + invoice_format


@dataclass
class PostOutcome:
    digest_id: int
    label: str
    status: str  # posted | adjusted (a change posted) | unchanged (a change that nets to zero) | already_posted | refused
    documents: list[tuple[str, str]] = field(default_factory=list)  # (kind, number)
    reasons: list[str] = field(default_factory=list)


def _label(row: dict) -> str:
    return f"{row['stream']} / {row['location'] or row['pos_store_id']} / {row['business_date']}"


def select_outcomes(frame_rows: list[dict], explicit: bool) -> tuple[list[dict], list[PostOutcome]]:
    """Split digests into those to post now and those already settled (posted or refused)."""
    to_post, settled = [], []
    for row in frame_rows:
        status = row["status"]
        if status in ("ready", "changed"):
            to_post.append(row)
        elif status == "posted":
            settled.append(PostOutcome(row["id"], _label(row), "already_posted"))
        elif status == "open":
            if explicit:
                settled.append(PostOutcome(row["id"], _label(row), "refused",
                                           reasons=["the business day is not over yet in the location's time zone"]))
        else:
            settled.append(PostOutcome(row["id"], _label(row), "refused", reasons=list(row["attention"])))
    return to_post, settled


def post(db: Database, flt: DigestFilter, *, explicit: bool, progress=None) -> list[PostOutcome]:
    """Post every digest ``flt`` selects; see the module docstring."""
    now = clock.now()
    with db.write() as con:
        rebuild_dirty(con, now)
    with db.read() as con:
        rows = list(query_digests(con, flt, now=now, default_tz=books.default_timezone(con)).iter_rows(named=True))
    to_post, outcomes = select_outcomes(rows, explicit)
    _name_documents(db, outcomes)
    done = 0
    for start in range(0, len(to_post), CHUNK):
        ids = tuple(r["id"] for r in to_post[start:start + CHUNK])
        with db.write() as con:
            outcomes.extend(post_chunk(con, ids, clock.now()))
        done += len(ids)
        if progress:
            progress(done, len(to_post))
    order = {r["id"]: i for i, r in enumerate(rows)}
    return sorted(outcomes, key=lambda o: order.get(o.digest_id, 0))


def post_chunk(con: Connection, ids: tuple[int, ...], now: datetime) -> list[PostOutcome]:
    """Post the given digests that are (still) ready, in the caller's transaction."""
    rebuild_dirty(con, now)
    rows = list(query_digests(con, DigestFilter(ids=ids), now=now,
                              default_tz=books.default_timezone(con)).iter_rows(named=True))
    ready, outcomes = select_outcomes(rows, explicit=True)
    if not ready:
        return outcomes
    days = _load_days(con, [r["id"] for r in ready])
    accounts = _accounts(con, {days[r["id"]]["stream_id"] for r in ready})
    changed = [r["id"] for r in ready if r["status"] == "changed"]
    ledger = ledger_sides(con, changed, {r["id"]: days[r["id"]]["plan_input"].grouping for r in ready})
    originals = _originals(con, changed)
    writer = Writer(con, now, actor(), books.company(con).currency)
    for row in ready:
        day = days[row["id"]]
        if row["status"] == "changed":
            outcomes.append(_post_change(con, writer, row, day, accounts[day["stream_id"]], ledger, originals))
            continue
        plans = plan_day(day["plan_input"], accounts[day["stream_id"]])
        if not plans or not all(balanced(p.journal) and balanced(p.cogs) for p in plans):
            outcomes.append(PostOutcome(row["id"], _label(row), "refused",
                                        reasons=["nothing to post" if not plans else "the journal would not balance"]))
            continue
        numbers = writer.add(row, day, plans)
        outcomes.append(PostOutcome(row["id"], _label(row), "posted", documents=numbers))
    writer.flush()
    return outcomes


def _post_change(con, writer: Writer, row: dict, day: dict, accounts: Accounts, ledger: dict,
                 originals: dict) -> PostOutcome:
    """A posted day that changed: post exactly the difference as one new, linked document."""
    plan_input = day["plan_input"]
    now_side = net_side(plan_input.sales, plan_input.returns, plan_input.grouping)
    posted = ledger.get(row["id"]) or net_side(None, None, plan_input.grouping)
    changes = order_changes(con, row["id"])
    diff = difference(now_side, posted, changes.count)
    why = changes.describe()
    if diff is None:
        writer.unchanged(row, day, originals[row["id"]], why)
        return PostOutcome(row["id"], _label(row), "unchanged", reasons=[why])
    kind = "invoice" if diff.total >= 0 else "credit_note"
    plan = plan_document(diff if kind == "invoice" else negated(diff), plan_input, kind, accounts)
    if not (balanced(plan.journal) and balanced(plan.cogs)):
        return PostOutcome(row["id"], _label(row), "refused", reasons=["the adjustment's journal would not balance"])
    numbers = writer.add(row, day, [plan], adjusts=originals[row["id"]], why=why)
    return PostOutcome(row["id"], _label(row), "adjusted", documents=numbers, reasons=[why])


def _originals(con: Connection, digest_ids: list[int]) -> dict[int, tuple[int, str]]:
    """The first document each digest posted: what its adjustments link to."""
    rows = con.execute(
        "SELECT digest_id, arg_min(id, id), arg_min(number, id) FROM documents "
        "WHERE digest_id IN (SELECT unnest($ids)) AND status = 'posted' AND coalesce(role, 'original') <> 'reversal' "
        "GROUP BY digest_id", {"ids": digest_ids}).fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


def _name_documents(db: Database, outcomes: list[PostOutcome]) -> None:
    """Fill in the documents of digests that were posted before."""
    earlier = [o for o in outcomes if o.status == "already_posted"]
    if not earlier:
        return
    with db.read() as con:
        rows = con.execute(
            "SELECT digest_id, kind, number FROM documents WHERE digest_id IN (SELECT unnest($ids)) "
            "AND status = 'posted' AND coalesce(role, 'original') <> 'reversal' ORDER BY id",
            {"ids": [o.digest_id for o in earlier]},
        ).fetchall()
    by_digest = defaultdict(list)
    for digest_id, kind, number in rows:
        by_digest[digest_id].append((kind, number))
    for outcome in earlier:
        outcome.documents = by_digest[outcome.digest_id]


# -- loading what a chunk needs --------------------------------------------------------


def _load_days(con: Connection, ids: list[int]) -> dict[int, dict]:
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE post_days AS
        SELECT d.id AS digest_id, d.version, d.stream_id, d.pos_store_id, d.business_date, s.grouping,
               s.name AS stream, m.location_id, m.contact_id, m.number_format, m.credit_note_format
        FROM digests d
        JOIN streams s ON s.id = d.stream_id
        JOIN location_mappings m ON m.stream_id = d.stream_id AND m.pos_store_id = d.pos_store_id
        WHERE d.id IN (SELECT unnest($ids))
        """,
        {"ids": ids},
    )
    first, last = con.execute("SELECT min(business_date), max(business_date) FROM post_days").fetchall()[0]
    window = {"first": first, "last": last}
    sides: defaultdict[int, dict[str, dict]] = defaultdict(dict)
    for r in con.execute(
        """
        SELECT p.digest_id, o.type, count(*), CAST(sum(o.discount) * 100 AS BIGINT),
               CAST(sum(o.service_charge) * 100 AS BIGINT), CAST(sum(o.tax) * 100 AS BIGINT),
               CAST(sum(o.rounding) * 100 AS BIGINT), CAST(sum(o.total) * 100 AS BIGINT)
        FROM orders o JOIN post_days p USING (stream_id, pos_store_id, business_date)
        WHERE o.status = 'completed' AND o.business_date BETWEEN $first AND $last
        GROUP BY ALL
        """, window).fetchall():
        sides[r[0]][r[1]] = {"orders": r[2], "discount": r[3], "service_charge": r[4], "tax": r[5],
                             "rounding": r[6], "total": r[7], "items": [], "payments": [], "discounts": []}
    for r in con.execute(
        """
        SELECT p.digest_id, l.type, coalesce(l.sku, l.product_id), l.tax_code, max(l.name),
               CAST(sum(l.quantity) * 1000 AS BIGINT), CAST(sum(l.discount) * 100 AS BIGINT),
               CAST(sum(l.tax) * 100 AS BIGINT), CAST(sum(l.amount) * 100 AS BIGINT)
        FROM order_lines l JOIN post_days p USING (stream_id, pos_store_id, business_date)
        WHERE l.status = 'completed' AND l.business_date BETWEEN $first AND $last
        GROUP BY p.digest_id, l.type, coalesce(l.sku, l.product_id), l.tax_code
        """, window).fetchall():
        sides[r[0]][r[1]]["items"].append(ItemTotal(r[2], r[4], r[3], r[5], r[6], r[7], r[8], side=r[1]))
    for r in con.execute(
        """
        SELECT p.digest_id, o.type, o.method, CAST(sum(o.amount) * 100 AS BIGINT)
        FROM order_payments o JOIN post_days p USING (stream_id, pos_store_id, business_date)
        WHERE o.status = 'completed' AND o.business_date BETWEEN $first AND $last
        GROUP BY ALL ORDER BY 3
        """, window).fetchall():
        sides[r[0]][r[1]]["payments"].append((r[2], r[3]))
    discounted = any(side["discount"] for by_type in sides.values() for side in by_type.values())
    for r in con.execute(
        f"""
        SELECT p.digest_id, x.type, x.tax_code, sum(x.discount)
        FROM ({ORDER_DISCOUNTS_SQL.format(keys="post_days")}) x JOIN post_days p USING (stream_id, pos_store_id, business_date)
        GROUP BY ALL ORDER BY 3
        """, window).fetchall() if discounted else ():
        sides[r[0]][r[1]]["discounts"].append((r[2], int(r[3])))
    products = {  # all of them: an adjustment may concern a SKU the day no longer sells
        r[0]: ProductInfo(r[1], r[2], r[3], int(r[4] * 10_000))
        for r in con.execute("SELECT sku, name, income_account, track_stock, cost FROM products").fetchall()
    }
    default_contact = books.require_contact(con, books.DEFAULT_CONTACT).id if con.execute(
        "SELECT 1 FROM contacts WHERE name = ?", [books.DEFAULT_CONTACT]).fetchall() else None
    links = {r[0]: (r[1], r[2], r[3]) for r in con.execute(
        """
        WITH returned AS (
            SELECT p.digest_id, r.stream_id, r.original_id, r.original_number
            FROM orders r JOIN post_days p USING (stream_id, pos_store_id, business_date)
            WHERE r.type = 'return' AND r.status = 'completed' AND r.business_date BETWEEN $first AND $last
              AND (r.original_id IS NOT NULL OR r.original_number IS NOT NULL)
        ),
        originals AS (
            SELECT x.digest_id, s.stream_id, s.pos_store_id, s.business_date
            FROM returned x JOIN orders s ON s.stream_id = x.stream_id AND s.order_id = x.original_id
            WHERE s.type = 'sale'
            UNION ALL
            SELECT x.digest_id, s.stream_id, s.pos_store_id, s.business_date
            FROM returned x JOIN orders s ON s.stream_id = x.stream_id AND s.number = x.original_number
            WHERE s.type = 'sale'
        )
        SELECT o.digest_id, min(d2.id), min(doc.id), arg_min(doc.number, doc.id)
        FROM originals o
        JOIN digests d2 USING (stream_id, pos_store_id, business_date)
        LEFT JOIN documents doc ON doc.digest_id = d2.id AND doc.kind = 'invoice' AND doc.status = 'posted'
             AND coalesce(doc.role, 'original') <> 'reversal'
        WHERE d2.id <> o.digest_id
        GROUP BY o.digest_id
        """, window).fetchall()}
    # asked whatever the days hold now: a change can take back a service charge that was posted
    service_codes = {(r[0], r[1]): r[2] for r in con.execute(SERVICE_CODES_SQL.format(keys="post_days")).fetchall()}
    days = {}
    for r in con.execute("SELECT * FROM post_days").fetchall():
        (digest_id, version, stream_id, store, business_date, grouping, stream, location_id, contact_id,
         number_format, cn_format) = r
        by_type = sides.get(digest_id, {})
        day = DayToPost(
            business_date=business_date, grouping=grouping,
            sales=_side(by_type.get(SALE)), returns=_side(by_type.get(RETURN)), products=products,
            service_charge_tax_code=service_codes.get((stream_id, store)),
        )
        invoice_format = number_format or DEFAULT_INVOICE_FORMAT
        days[digest_id] = {
            "plan_input": day, "version": version, "stream_id": stream_id, "location_id": location_id,
            "contact_id": contact_id or default_contact, "invoice_format": invoice_format,
            "credit_note_format": cn_format or credit_note_format(invoice_format),
            "original_digest": links.get(digest_id, (None,) * 3)[0],
            "earlier_invoice": links.get(digest_id, (None,) * 3)[1],
            "earlier_number": links.get(digest_id, (None,) * 3)[2], "stream": stream, "pos_store_id": store,
        }
    return days


def _side(data: dict | None) -> SideTotals | None:
    if not data:
        return None
    return SideTotals(
        orders=data["orders"], discount=data["discount"], service_charge=data["service_charge"], tax=data["tax"],
        rounding=data["rounding"], total=data["total"], items=tuple(data["items"]),
        payments=tuple(data["payments"]), discounts=tuple(data["discounts"]),
    )


def _accounts(con: Connection, stream_ids: set[int]) -> dict[int, Accounts]:
    defaults = dict(con.execute("SELECT category, account_code FROM account_defaults").fetchall())
    methods = {name.lower(): code for name, code in con.execute("SELECT name, account_code FROM payment_methods").fetchall()}
    result = {}
    for stream_id in stream_ids:
        categories = {**defaults, **dict(con.execute(
            "SELECT category, account_code FROM account_mappings WHERE stream_id = ?", [stream_id]).fetchall())}
        mapped = dict(con.execute(
            "SELECT pos_method, account_code FROM payment_mappings WHERE stream_id = ?", [stream_id]).fetchall())
        result[stream_id] = Accounts(categories, _PaymentAccounts(mapped, methods))
    return result


class _PaymentAccounts(dict):
    """POS method -> account: the stream's mapping, else a payment method of the same name."""

    def __init__(self, mapped: dict[str, str], by_name: dict[str, str]) -> None:
        super().__init__(mapped)
        self._by_name = by_name

    def __missing__(self, method: str) -> str:
        try:
            return self._by_name[method.lower()]
        except KeyError:
            raise FlowError(f'payment method "{method}" is not mapped to an account') from None


