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

import pyarrow as pa

from flowtui.engine import books, clock
from flowtui.engine.digests import DigestFilter, query_digests, rebuild_dirty
from flowtui.engine.errors import FlowError
from flowtui.engine.numbering import DEFAULT_INVOICE_FORMAT, render_number, sequence_scope
from flowtui.engine.posting_plan import (
    RETURN,
    SALE,
    Accounts,
    DayToPost,
    DocumentPlan,
    ItemTotal,
    ProductInfo,
    SideTotals,
    balanced,
    plan_day,
)
from flowtui.engine.storage import Connection, Database

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
    status: str  # posted | already_posted | refused
    documents: list[tuple[str, str]] = field(default_factory=list)  # (kind, number)
    reasons: list[str] = field(default_factory=list)


def _label(row: dict) -> str:
    return f"{row['stream']} / {row['location'] or row['pos_store_id']} / {row['business_date']}"


def select_outcomes(frame_rows: list[dict], explicit: bool) -> tuple[list[dict], list[PostOutcome]]:
    """Split digests into those to post now and those already settled (posted or refused)."""
    to_post, settled = [], []
    for row in frame_rows:
        status = row["status"]
        if status == "ready":
            to_post.append(row)
        elif status == "posted":
            settled.append(PostOutcome(row["id"], _label(row), "already_posted"))
        elif status == "open":
            if explicit:
                settled.append(PostOutcome(row["id"], _label(row), "refused",
                                           reasons=["the business day is not over yet in the location's time zone"]))
        elif status == "changed":
            settled.append(PostOutcome(row["id"], _label(row), "refused", reasons=[
                "the day changed at the source after it was posted; posting the difference is not supported yet"]))
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
    currency = books.company(con).currency
    who = actor()
    writer = _Writer(con, now, who, currency)
    for row in ready:
        day = days[row["id"]]
        plans = plan_day(day["plan_input"], accounts[day["stream_id"]])
        if not plans or not all(balanced(p.journal) and balanced(p.cogs) for p in plans):
            outcomes.append(PostOutcome(row["id"], _label(row), "refused",
                                        reasons=["nothing to post" if not plans else "the journal would not balance"]))
            continue
        numbers = writer.add(row, day, plans)
        outcomes.append(PostOutcome(row["id"], _label(row), "posted", documents=numbers))
    writer.flush()
    return outcomes


def _name_documents(db: Database, outcomes: list[PostOutcome]) -> None:
    """Fill in the documents of digests that were posted before."""
    earlier = [o for o in outcomes if o.status == "already_posted"]
    if not earlier:
        return
    with db.read() as con:
        rows = con.execute(
            "SELECT digest_id, kind, number FROM documents WHERE digest_id IN (SELECT unnest($ids)) ORDER BY id",
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
    sides = defaultdict(dict)
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
                             "rounding": r[6], "total": r[7], "items": [], "payments": []}
    for r in con.execute(
        """
        SELECT p.digest_id, l.type, coalesce(l.sku, l.product_id), l.tax_code, max(l.name),
               CAST(sum(l.quantity) * 1000 AS BIGINT), CAST(sum(l.discount) * 100 AS BIGINT),
               CAST(sum(l.tax) * 100 AS BIGINT), CAST(sum(l.amount) * 100 AS BIGINT)
        FROM order_lines l JOIN post_days p USING (stream_id, pos_store_id, business_date)
        WHERE l.status = 'completed' AND l.business_date BETWEEN $first AND $last
        GROUP BY p.digest_id, l.type, coalesce(l.sku, l.product_id), l.tax_code
        """, window).fetchall():
        sides[r[0]][r[1]]["items"].append(ItemTotal(r[2], r[4], r[3], r[5], r[6], r[7], r[8]))
    for r in con.execute(
        """
        SELECT p.digest_id, o.type, o.method, CAST(sum(o.amount) * 100 AS BIGINT)
        FROM order_payments o JOIN post_days p USING (stream_id, pos_store_id, business_date)
        WHERE o.status = 'completed' AND o.business_date BETWEEN $first AND $last
        GROUP BY ALL ORDER BY 3
        """, window).fetchall():
        sides[r[0]][r[1]]["payments"].append((r[2], r[3]))
    skus = {i.sku for by_type in sides.values() for side in by_type.values() for i in side["items"]}
    products = {
        r[0]: ProductInfo(r[1], r[2], r[3], int(r[4] * 10_000))
        for r in con.execute(
            "SELECT sku, name, income_account, track_stock, cost FROM products WHERE sku IN (SELECT unnest($skus))",
            {"skus": sorted(skus)},
        ).fetchall()
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
        LEFT JOIN documents doc ON doc.digest_id = d2.id AND doc.kind = 'invoice'
        WHERE d2.id <> o.digest_id
        GROUP BY o.digest_id
        """, window).fetchall()}
    days = {}
    for r in con.execute("SELECT * FROM post_days").fetchall():
        (digest_id, version, stream_id, store, business_date, grouping, stream, location_id, contact_id,
         number_format, cn_format) = r
        by_type = sides.get(digest_id, {})
        day = DayToPost(
            business_date=business_date, grouping=grouping,
            sales=_side(by_type.get(SALE)), returns=_side(by_type.get(RETURN)), products=products,
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
        payments=tuple(data["payments"]),
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


# -- writing ------------------------------------------------------------------------------


class _Writer:
    """Collects the rows of a chunk's documents and writes each table once."""

    def __init__(self, con: Connection, now: datetime, who: str, currency: str) -> None:
        self.con, self.now, self.who, self.currency = con, now, who, currency
        self.rows: dict[str, list[tuple]] = defaultdict(list)
        self.sequences: dict[str, int] = {}
        self.invoices: dict[int, int] = {}  # digest id -> invoice document id, for this chunk
        self.numbers: dict[int, str] = {}  # document id -> number, for this chunk
        self.ids: dict[str, list[int]] = {}

    def _next_id(self, sequence: str) -> int:
        """Internal row ids, drawn from the sequence a block at a time (unused ones are simply skipped)."""
        pool = self.ids.setdefault(sequence, [])
        if not pool:
            pool.extend(r[0] for r in self.con.execute(
                f"SELECT nextval('{sequence}') FROM range(256)").fetchall())  # sequence names are ours
            pool.reverse()
        return pool.pop()

    def _number(self, fmt: str, plan: DocumentPlan) -> str:
        scope = sequence_scope(fmt, plan.date)
        if scope not in self.sequences:
            rows = self.con.execute("SELECT last_value FROM number_sequences WHERE scope = ?", [scope]).fetchall()
            self.sequences[scope] = rows[0][0] if rows else 0
        self.sequences[scope] += 1
        return render_number(fmt, plan.date, self.sequences[scope])

    def add(self, row: dict, day: dict, plans: list[DocumentPlan]) -> list[tuple[str, str]]:
        posting_id = self._next_id("posting_ids")
        self.rows["postings"].append((posting_id, row["id"], day["version"], self.now, self.who))
        numbers, invoice_id = [], None
        for plan in plans:
            document_id = self._next_id("document_ids")
            fmt = day["invoice_format"] if plan.kind == "invoice" else day["credit_note_format"]
            number = self._number(fmt, plan)
            linked = None
            if plan.kind == "credit_note":  # the same day's invoice, else the invoice of the sale returned
                linked = invoice_id or self.invoices.get(day["original_digest"]) or day["earlier_invoice"]
            else:
                invoice_id = self.invoices[row["id"]] = document_id
            self.numbers[document_id] = number
            self.rows["documents"].append((
                document_id, plan.kind, number, plan.date, day["contact_id"], day["location_id"], day["stream_id"],
                row["id"], day["version"], posting_id, linked, plan.subtotal, plan.discount, plan.service_charge,
                plan.tax, plan.rounding, plan.total, self.currency, "posted", self.now))
            for no, line in enumerate(plan.lines, start=1):
                self.rows["document_lines"].append((
                    document_id, no, line.kind, line.description, line.sku, line.quantity, line.unit_price,
                    line.discount, line.tax, line.tax_code, line.amount, line.account))
            for method, account, amount in plan.payments:
                self.rows["document_payments"].append((document_id, method, account, amount))
            for code, taxable, tax in plan.taxes:
                self.rows["document_taxes"].append((document_id, code, taxable, tax))
            title = "Invoice" if plan.kind == "invoice" else "Credit note"
            for kind, memo, lines in (("sale" if plan.kind == "invoice" else "return", f"{title} {number}", plan.journal),
                                      ("cost", f"Cost of goods, {title.lower()} {number}", plan.cogs)):
                if not lines:
                    continue
                entry_id = self._next_id("journal_entry_ids")
                self.rows["journal_entries"].append((entry_id, plan.date, document_id, kind, memo, self.now))
                for no, line in enumerate(lines, start=1):
                    self.rows["journal_lines"].append((entry_id, no, line.account, line.debit, line.credit, line.memo))
            for move in plan.stock:
                self.rows["stock_movements"].append((
                    move.sku, day["location_id"], plan.date, move.quantity, move.unit_cost,
                    "sale" if move.quantity < 0 else "return", document_id, f"{title} {number}", self.now))
            source = (f"digest {row['id']} v{day['version']} ({day['stream']}, {row['location']}, {plan.date}): "
                      f"{plan.orders} {'sale' if plan.kind == 'invoice' else 'return'}(s)")
            self.rows["document_history"].append((document_id, self.now, self.who, "posted", f"posted from {source}"))
            if linked:
                self.rows["document_history"].append((
                    document_id, self.now, self.who, "linked",
                    f"credits invoice {self.numbers.get(linked) or day['earlier_number']}"))
            numbers.append((plan.kind, number))
        return numbers

    def flush(self) -> None:
        self._check_numbers()
        for table, rows in self.rows.items():
            if rows:
                _insert(self.con, table, rows)
        if self.rows["postings"]:  # which order versions each posting covered, for the audit trail
            self.con.execute(
                """
                INSERT INTO posted_orders
                SELECT p.id, o.stream_id, o.order_id, o.version, o.status
                FROM postings p JOIN digests d ON d.id = p.digest_id
                JOIN orders o USING (stream_id, pos_store_id, business_date)
                WHERE p.id IN (SELECT unnest($ids)) AND o.business_date BETWEEN $first AND $last
                """,
                {"ids": [r[0] for r in self.rows["postings"]],
                 "first": min(r[3] for r in self.rows["documents"]), "last": max(r[3] for r in self.rows["documents"])})
        for scope, value in self.sequences.items():
            self.con.execute(
                "INSERT INTO number_sequences VALUES (?, ?) ON CONFLICT DO UPDATE SET last_value = EXCLUDED.last_value",
                [scope, value])

    def _check_numbers(self) -> None:
        """Two formats can render the same number; say so before the UNIQUE key refuses it."""
        numbers = [row[2] for row in self.rows["documents"]]
        seen, clash = set(), None
        for number in numbers:
            if number in seen:
                clash = number
            seen.add(number)
        if clash is None and numbers:
            found = self.con.execute("SELECT number FROM documents WHERE number IN (SELECT unnest($n)) LIMIT 1",
                                     {"n": numbers}).fetchall()
            clash = found[0][0] if found else None
        if clash:
            raise FlowError(f"Document number {clash} would be used twice: two locations' number formats produce "
                            f"the same numbers. Give one of them a distinct format (flowtui map location ... "
                            f"--number-format) and post again; nothing was posted.")


# money columns arrive as sen, quantities as thousandths, prices and costs as 1/10,000
_TABLES = {
    "postings": ("id, digest_id, digest_version, posted_at, actor", {}),
    "documents": ("id, kind, number, date, contact_id, location_id, stream_id, digest_id, digest_version, posting_id, "
                  "linked_document_id, subtotal, discount, service_charge, tax, rounding, total, currency, status, "
                  "created_at", {"subtotal": 2, "discount": 2, "service_charge": 2, "tax": 2, "rounding": 2,
                                 "total": 2}),
    "document_lines": ("document_id, line_no, kind, description, sku, quantity, unit_price, discount, tax, tax_code, "
                       "amount, account_code", {"quantity": 3, "unit_price": 4, "discount": 2, "tax": 2, "amount": 2}),
    "document_payments": ("document_id, method, account_code, amount", {"amount": 2}),
    "document_taxes": ("document_id, tax_code, taxable, tax", {"taxable": 2, "tax": 2}),
    "journal_entries": ("id, date, document_id, kind, memo, created_at", {}),
    "journal_lines": ("entry_id, line_no, account_code, debit, credit, memo", {"debit": 2, "credit": 2}),
    "stock_movements": ("sku, location_id, business_date, quantity, unit_cost, kind, document_id, note, created_at",
                        {"quantity": 3, "unit_cost": 4}),
    "document_history": ("document_id, happened_at, actor, event, detail", {}),
}


def _insert(con: Connection, table: str, rows: list[tuple]) -> None:
    columns, scaled = _TABLES[table]
    names = [c.strip() for c in columns.split(",")]
    data = pa.table({name: [row[i] for row in rows] for i, name in enumerate(names)})
    select = ", ".join(  # exact: an integer times 0.01 (never a division, which DuckDB does in floating point)
        f"({n} * 0.{'0' * (scaled[n] - 1)}1::DECIMAL({scaled[n] + 1},{scaled[n]}))::DECIMAL(18,{scaled[n]})"
        if n in scaled else n
        for n in names)
    con.register("incoming", data)
    try:
        con.execute(f"INSERT INTO {table} ({columns}) SELECT {select} FROM incoming")  # names are ours
    finally:
        con.unregister("incoming")
