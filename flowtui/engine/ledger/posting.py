"""Posting digests: refusals with reasons, exactly-once, atomic, in bulk.

Which digests may post is decided by the same query that lists them (status
``ready``; everything else is refused with the digest's attention reasons, the
rules of :mod:`flowtui.engine.storage.digest_listing`).
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
from flowtui.engine.ledger import books, sql
from flowtui.engine.ledger.adjustments import difference, ledger_sides, negated, net_side, order_changes
from flowtui.engine.ledger.numbering import DEFAULT_INVOICE_FORMAT
from flowtui.engine.ledger.outcomes import ALREADY_POSTED, OPEN, TO_POST, kind_of
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
from flowtui.engine.storage.database import Connection, Database
from flowtui.engine.storage.digest_listing import OPEN_DAY
from flowtui.engine.storage.rows import one, rows

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
    stream: str = ""


def _label(row: dict) -> str:
    return f"{row['stream']} / {row['location'] or row['pos_store_id']} / {row['business_date']}"


def _outcome(row: dict, status: str, **details) -> PostOutcome:
    return PostOutcome(row["id"], _label(row), status, stream=row["stream"], **details)


def select_outcomes(frame_rows: list[dict], explicit: bool) -> tuple[list[dict], list[PostOutcome]]:
    """Split digests into those to post now and those already settled (posted or refused)."""
    to_post, settled = [], []
    for row in frame_rows:
        kind = kind_of(row["status"])
        if kind == TO_POST:
            to_post.append(row)
        elif kind == ALREADY_POSTED:
            settled.append(_outcome(row, "already_posted"))
        elif kind == OPEN:
            if explicit:
                settled.append(_outcome(row, "refused",
                                           reasons=[OPEN_DAY]))
        else:
            settled.append(_outcome(row, "refused", reasons=list(row["attention"])))
    return to_post, settled


def post(db: Database, flt: DigestFilter, *, explicit: bool, progress=None) -> list[PostOutcome]:
    """Post every digest ``flt`` selects; see the module docstring."""
    now = clock.now()
    with db.write() as con:
        rebuild_dirty(con, now)
    with db.read() as con:
        listed = list(query_digests(con, flt, now=now, default_tz=books.default_timezone(con)).iter_rows(named=True))
    to_post, outcomes = select_outcomes(listed, explicit)
    _name_documents(db, outcomes)
    done = 0
    for start in range(0, len(to_post), CHUNK):
        ids = tuple(r["id"] for r in to_post[start:start + CHUNK])
        with db.write() as con:
            outcomes.extend(post_chunk(con, ids, clock.now()))
        done += len(ids)
        if progress:
            progress(done, len(to_post))
    order = {r["id"]: i for i, r in enumerate(listed)}
    return sorted(outcomes, key=lambda o: order.get(o.digest_id, 0))


def post_chunk(con: Connection, ids: tuple[int, ...], now: datetime) -> list[PostOutcome]:
    """Post the given digests that are (still) ready, in the caller's transaction."""
    rebuild_dirty(con, now)
    listed = list(query_digests(con, DigestFilter(ids=ids), now=now,
                                default_tz=books.default_timezone(con)).iter_rows(named=True))
    ready, outcomes = select_outcomes(listed, explicit=True)
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
            outcomes.append(_outcome(row, "refused",
                                        reasons=["nothing to post" if not plans else "the journal would not balance"]))
            continue
        numbers = writer.add(row, day, plans)
        outcomes.append(_outcome(row, "posted", documents=numbers))
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
        return _outcome(row, "unchanged", reasons=[why])
    kind = "invoice" if diff.total >= 0 else "credit_note"
    plan = plan_document(diff if kind == "invoice" else negated(diff), plan_input, kind, accounts)
    if not (balanced(plan.journal) and balanced(plan.cogs)):
        return _outcome(row, "refused", reasons=["the adjustment's journal would not balance"])
    numbers = writer.add(row, day, [plan], adjusts=originals[row["id"]], why=why)
    return _outcome(row, "adjusted", documents=numbers, reasons=[why])


def _originals(con: Connection, digest_ids: list[int]) -> dict[int, tuple[int, str]]:
    """The first document each digest posted: what its adjustments link to."""
    return {r["digest_id"]: (r["document_id"], r["number"])
            for r in rows(con, sql.ORIGINAL_DOCUMENTS, {"ids": digest_ids})}


def _name_documents(db: Database, outcomes: list[PostOutcome]) -> None:
    """Fill in the documents of digests that were posted before."""
    earlier = [o for o in outcomes if o.status == "already_posted"]
    if not earlier:
        return
    with db.read() as con:
        found = rows(con, sql.DIGEST_DOCUMENTS, {"ids": [o.digest_id for o in earlier]})
    by_digest = defaultdict(list)
    for r in found:
        by_digest[r["digest_id"]].append((r["kind"], r["number"]))
    for outcome in earlier:
        outcome.documents = by_digest[outcome.digest_id]


# -- loading what a chunk needs --------------------------------------------------------


def _load_days(con: Connection, ids: list[int]) -> dict[int, dict]:
    con.execute(sql.CROSSING_POST_DAYS, {"ids": ids})
    window = one(con, sql.POST_WINDOW)
    sides: defaultdict[int, dict[str, dict]] = defaultdict(dict)  # digest id -> order type -> its sums
    for r in rows(con, sql.CROSSING_DAY_ORDERS, window):
        sides[r["digest_id"]][r["type"]] = {
            **{k: r[k] for k in ("orders", "discount", "service_charge", "shipping", "tax", "tips", "rounding",
                                 "total")},
            "items": [], "payments": [], "discounts": []}
    for r in rows(con, sql.CROSSING_DAY_ITEMS, window):
        sides[r["digest_id"]][r["type"]]["items"].append(ItemTotal(
            r["sku"], r["name"], r["tax_code"], r["quantity"], r["discount"], r["tax"], r["amount"], side=r["type"]))
    for r in rows(con, sql.CROSSING_DAY_PAYMENTS, window):
        sides[r["digest_id"]][r["type"]]["payments"].append((r["method"], r["amount"]))
    discounted = any(side["discount"] for by_type in sides.values() for side in by_type.values())
    for r in rows(con, sql.CROSSING_DAY_DISCOUNTS.format(discounts=sql.ORDER_DISCOUNTS_SQL.format(keys="post_days")),
                  window) if discounted else ():
        sides[r["digest_id"]][r["type"]]["discounts"].append((r["tax_code"], int(r["discount"])))
    products = {  # all of them: an adjustment may concern a SKU the day no longer sells
        r["sku"]: ProductInfo(r["name"], r["income_account"], r["track_stock"], int(r["cost"] * 10_000))
        for r in rows(con, sql.PRODUCTS)
    }
    default_contact = (books.require_contact(con, books.DEFAULT_CONTACT).id
                       if one(con, sql.CONTACT_NAMED, [books.DEFAULT_CONTACT]) else None)
    links = {r["digest_id"]: r for r in rows(con, sql.CROSSING_RETURN_LINKS, window)}
    # asked whatever the days hold now: a change can take back a service charge that was posted
    service_codes = {(r["stream_id"], r["pos_store_id"]): r["tax_code"]
                     for r in rows(con, sql.SERVICE_CODES_SQL.format(keys="post_days"))}
    days = {}
    no_link = {"original_digest": None, "invoice_id": None, "invoice_number": None}
    for r in rows(con, sql.POST_DAYS):
        by_type = sides.get(r["digest_id"], {})
        day = DayToPost(
            business_date=r["business_date"], grouping=r["grouping"],
            sales=_side(by_type.get(SALE)), returns=_side(by_type.get(RETURN)), products=products,
            service_charge_tax_code=service_codes.get((r["stream_id"], r["pos_store_id"])),
        )
        invoice_format = r["number_format"] or DEFAULT_INVOICE_FORMAT
        link = links.get(r["digest_id"], no_link)
        days[r["digest_id"]] = {
            "plan_input": day, "version": r["version"], "stream_id": r["stream_id"], "location_id": r["location_id"],
            "contact_id": r["contact_id"] or default_contact, "invoice_format": invoice_format,
            "credit_note_format": r["credit_note_format"] or credit_note_format(invoice_format),
            "original_digest": link["original_digest"], "earlier_invoice": link["invoice_id"],
            "earlier_number": link["invoice_number"], "stream": r["stream"], "pos_store_id": r["pos_store_id"],
        }
    return days


def _side(data: dict | None) -> SideTotals | None:
    if not data:
        return None
    return SideTotals(
        orders=data["orders"], discount=data["discount"], service_charge=data["service_charge"], tax=data["tax"],
        rounding=data["rounding"], total=data["total"], items=tuple(data["items"]),
        payments=tuple(data["payments"]), discounts=tuple(data["discounts"]), shipping=data["shipping"],
        tips=data["tips"],
    )


def _accounts(con: Connection, stream_ids: set[int]) -> dict[int, Accounts]:
    defaults = {r["category"]: r["account_code"] for r in rows(con, sql.ACCOUNT_DEFAULTS)}
    methods = {r["name"].lower(): r["account_code"] for r in rows(con, sql.PAYMENT_METHOD_ACCOUNTS)}
    result = {}
    for stream_id in stream_ids:
        categories = {**defaults, **{r["category"]: r["account_code"]
                                     for r in rows(con, sql.CROSSING_STREAM_ACCOUNTS, [stream_id])}}
        mapped = {r["pos_method"]: r["account_code"]
                  for r in rows(con, sql.CROSSING_STREAM_PAYMENT_ACCOUNTS, [stream_id])}
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


