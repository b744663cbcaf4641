"""The console's lean listing (``listing_page``) against the full one (``query_digests``).

The console pages through digests with ``ROWS_SQL``, which decides a digest's
status with yes/no checks; ``flowtui digests``, posting and the ``v_digests``
view use ``DIGESTS_SQL``, which writes out the attention reasons. On a book with
every status and every kind of attention reason, in two time zones either side
of midnight, the two must list the same digests, in the same order, with the
same counts and totals — for every status, sort, direction, page and filter.
"""

from __future__ import annotations

import random
import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from flowtui.engine.digests.store import DIGEST_STATUSES, SORTS, DigestFilter, listing_page, query_digests
from flowtui.engine.ledger import books
from flowtui.engine.services.flow import Flow
from flowtui.engine.storage.database import Database, _process_lock

# 03:00 UTC: 11:00 on 20 Oct in Kuala Lumpur and Tokyo's evening, still 19 Oct (20:00) in Los Angeles.
NOW = datetime(2026, 10, 20, 3, 0, tzinfo=UTC)
FIRST = date(2026, 10, 8)
DAYS = 14  # to 21 Oct: past days, today (which differs by zone) and a day ahead
STREAMS = ("Cafe", "Kiosk", "Online")
# store -> location (None: not mapped)
STORES = {"S0": "KL", "S1": "KL", "S2": "LA", "S3": "Tokyo", "S4": None, "S5": "KL"}
METHODS = ("Cash", "Card", "cash", "GrabPay", "Voucher")  # Cash/Card by name (any case), GrabPay mapped for Kiosk only
ROW_FIELDS = ("id", "stream", "location", "pos_store_id", "business_date", "order_count", "return_count",
              "net_total", "invoice_number", "status", "created_at")


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    """A random but fixed book of ~250 digests covering every status and attention reason."""
    rng = random.Random(20261020)
    flow = Flow(Database.at(tmp_path_factory.mktemp("listing") / "books.duckdb"))
    flow.init(name="Listing Café")
    stamp = datetime(2026, 10, 1, tzinfo=UTC)
    with flow.db.write() as con:
        for name, zone in (("KL", "Asia/Kuala_Lumpur"), ("LA", "America/Los_Angeles"), ("Tokyo", "Asia/Tokyo")):
            con.execute("INSERT INTO locations (name, timezone, created_at) VALUES (?, ?, ?)", [name, zone, stamp])
        for name in STREAMS:
            con.execute("INSERT INTO streams (name, provider, config, created_at) VALUES (?, 'file', '{}', ?)",
                        [name, stamp])
        streams = dict(con.execute("SELECT name, id FROM streams").fetchall())
        locations = dict(con.execute("SELECT name, id FROM locations").fetchall())
        for stream_id in streams.values():
            for store, location in STORES.items():
                if location:
                    con.execute("INSERT INTO location_mappings (stream_id, pos_store_id, location_id) VALUES (?, ?, ?)",
                                [stream_id, store, locations[location]])
        con.execute("INSERT INTO payment_mappings VALUES (?, 'GrabPay', '1030')", [streams["Kiosk"]])
        con.execute("DELETE FROM account_defaults WHERE category IN ('discount', 'rounding')")
        con.execute("INSERT INTO account_mappings VALUES (?, 'discount', '4100')", [streams["Online"]])
        digest_id = 0
        for day in range(DAYS):
            business_date = FIRST + timedelta(days=day)
            for stream_id in streams.values():
                for store in STORES:
                    if rng.random() < 0.25:
                        continue
                    digest_id += 1
                    amounts = [Decimal(rng.randrange(0, 90_000)) / 100 for _ in range(2)]
                    small = [Decimal(rng.choice([0, 0, 0, 150, -2])) / 100 for _ in range(4)]
                    net = amounts[0] - amounts[1] / 10 + sum(small)
                    con.execute(
                        "INSERT INTO digests (id, stream_id, pos_store_id, business_date, order_count, return_count, "
                        "gross_sales, returns, discount, service_charge, tax, rounding, net_total, version, "
                        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [digest_id, stream_id, store, business_date, rng.choice([0, 1, 5, 12]), rng.choice([0, 0, 1]),
                         amounts[0], amounts[1] / 10, *small, net, rng.choice([1, 1, 2]),
                         stamp + timedelta(minutes=rng.randrange(10_000)), stamp])
                    for method in rng.sample(METHODS, rng.choice([1, 1, 2])):
                        con.execute("INSERT INTO digest_payments VALUES (?, ?, ?)", [digest_id, method, net])
                    if rng.random() < 0.06:
                        con.execute(
                            "INSERT INTO order_rejections (stream_id, order_key, pos_store_id, business_date, ref, "
                            "errors, content_hash, first_seen_at, resolved_at) VALUES (?, ?, ?, ?, ?, ['bad'], 1, ?, ?)",
                            [stream_id, f"k{digest_id}", store, business_date, f"R{digest_id}", stamp,
                             rng.choice([None, None, stamp])])
                    if business_date >= date(2026, 10, 19) and rng.random() < 0.3:
                        con.execute("INSERT INTO till_closes (stream_id, pos_store_id, business_date, closed_at, "
                                    "closed_by, opening_float, expected_cash) VALUES (?, ?, ?, ?, 'till', 0, 0)",
                                    [stream_id, store, business_date, stamp])
        # entries whose day (or store) could not be read hold every day of their scope, posted or not
        for stream, store, day, scope_from, scope_to, resolved in (
                ("Kiosk", None, None, date(2026, 10, 10), date(2026, 10, 12), None),
                ("Online", None, None, date(2026, 10, 18), None, None),
                ("Cafe", "S1", None, None, date(2026, 10, 9), None),
                ("Cafe", None, date(2026, 10, 14), None, None, None),
                ("Online", None, None, None, None, stamp)):  # resolved: holds nothing
            con.execute(
                "INSERT INTO order_rejections (stream_id, order_key, pos_store_id, business_date, scope_from, scope_to, "
                "ref, errors, content_hash, first_seen_at, resolved_at) VALUES (?, ?, ?, ?, ?, ?, ?, ['bad'], 1, ?, ?)",
                [streams[stream], f"entry:{stream}{scope_from}", store, day, scope_from, scope_to,
                 f"{stream}.ndjson:7", stamp, resolved])
        posted = rng.sample(range(1, digest_id + 1), digest_id // 5)
        for posting_id, posted_id in enumerate(posted, start=1):
            version = con.execute("SELECT version FROM digests WHERE id = ?", [posted_id]).fetchall()[0][0]
            at = 1 if rng.random() < 0.5 else version  # posted at version 1 of a version-2 digest: changed
            con.execute("INSERT INTO postings (id, digest_id, digest_version, posted_at, actor) VALUES (?, ?, ?, ?, 'test')",
                        [posting_id, posted_id, at, stamp])
            kinds = ["invoice"] if rng.random() < 0.8 else ["credit_note", "invoice"]
            for kind in kinds:
                number = f"{'CN' if kind == 'credit_note' else 'INV'}-{rng.randrange(10_000):05d}-{posting_id}"
                con.execute(
                    "INSERT INTO documents (kind, number, date, contact_id, location_id, stream_id, digest_id, "
                    "digest_version, posting_id, subtotal, discount, service_charge, tax, rounding, total, currency, "
                    "status, created_at) VALUES (?, ?, DATE '2026-10-20', 1, 1, 1, ?, ?, ?, 0, 0, 0, 0, 0, 0, 'MYR', "
                    "'posted', ?)", [kind, number, posted_id, at, posting_id, stamp])
    return flow


def _listings(flow: Flow, flt: DigestFilter, sort: str, descending: bool, pages):
    with flow.db.read() as con:
        tz = books.default_timezone(con)
        full = list(query_digests(con, flt, now=NOW, default_tz=tz, sort=sort, descending=descending)
                    .iter_rows(named=True))
        lean = [listing_page(con, flt, now=NOW, default_tz=tz, sort=sort, descending=descending, limit=limit,
                             offset=offset) for offset, limit in pages(len(full))]
    return full, lean


def _check(flow: Flow, flt: DigestFilter, sort: str, descending: bool) -> int:
    def pages(n: int):
        return [(0, 10_000), (0, 25), (7, 13), (max(n - 5, 0), 25), (n + 3, 25), (0, 0)]

    full, lean = _listings(flow, flt, sort, descending, pages)
    expected = [{k: r[k] for k in ROW_FIELDS} for r in full]
    for (offset, limit), page in zip(pages(len(full)), lean):
        assert [{k: r[k] for k in ROW_FIELDS} for r in page.rows] == expected[offset:offset + limit], (offset, limit)
        assert page.total == len(full)
        assert page.amount == sum((r["net_total"] for r in full), Decimal(0))
    return len(full)


def test_the_book_has_every_status_and_attention_reason(book):
    with book.db.read() as con:
        rows = list(query_digests(con, DigestFilter(), now=NOW, default_tz="Asia/Kuala_Lumpur").iter_rows(named=True))
    statuses = {s: sum(r["status"] == s for r in rows) for s in DIGEST_STATUSES}
    assert all(n >= 3 for n in statuses.values()), statuses
    reasons = " ".join(reason for r in rows for reason in r["attention"])
    for kind in ("is not mapped to a location", "payment method", "no account for", "were rejected",
                 "could not be read may belong to this day"):
        assert kind in reasons
    # a rejection holds its days even once posted
    assert any(r["posted_version"] is not None and r["status"] == "needs_attention" for r in rows)
    # today differs by location: 19 Oct is still open in Los Angeles, over in Kuala Lumpur
    assert any(r["status"] == "open" and r["location"] == "LA" and r["business_date"] == date(2026, 10, 19) for r in rows)
    assert not any(r["status"] == "open" and r["location"] == "KL" and r["business_date"] == date(2026, 10, 19)
                   for r in rows)


@pytest.mark.parametrize("status", [None, *DIGEST_STATUSES])
def test_every_status_pages_the_same_in_every_order(book, status):
    for sort in SORTS:
        for descending in (False, True):
            assert _check(book, DigestFilter(status=status), sort, descending) > 0


@pytest.mark.parametrize("flt", [
    DigestFilter(stream="Kiosk"),
    DigestFilter(location="KL"),
    DigestFilter(location="S4"),  # an unmapped store, by its POS id
    DigestFilter(start=date(2026, 10, 18), end=date(2026, 10, 20)),
    DigestFilter(stream="Online", status="needs_attention"),
    DigestFilter(location="LA", status="open"),
    DigestFilter(ids=(3, 5, 8, 13, 21, 34, 55, 89)),
    DigestFilter(stream="Nowhere"),
], ids=repr)
def test_filters_page_the_same(book, flt):
    for sort in ("date", "amount", "status", "invoice"):
        _check(book, flt, sort, descending=sort == "amount")


def test_the_console_page_is_the_lean_listing(book, monkeypatch):
    monkeypatch.setenv("FLOWTUI_NOW", NOW.isoformat())
    page = book.digest_page(DigestFilter(status="needs_attention"), sort="amount", descending=True, offset=5, limit=10)
    expected = book.digests(DigestFilter(status="needs_attention"))
    expected.sort(key=lambda r: r.amount, reverse=True)
    assert [r.amount for r in page.rows] == [r.amount for r in expected[5:15]]
    assert (page.total, page.amount) == (len(expected), sum((r.amount for r in expected), Decimal(0)))
    assert {r.status for r in page.rows} == {"needs_attention"}


def test_the_console_gets_its_page_as_soon_as_it_is_read_while_the_file_is_still_held(book, monkeypatch):
    monkeypatch.setenv("FLOWTUI_NOW", NOW.isoformat())
    lock = _process_lock(book.db.path)
    seen = []

    def on_read(page) -> None:  # on the reading thread, before the file is let go: another thread must wait
        elsewhere = []
        helper = threading.Thread(target=lambda: elsewhere.append(lock.acquire(blocking=False)))
        helper.start()
        helper.join()
        seen.append((page, elsewhere[0]))

    page = book.digest_page(DigestFilter(status="ready"), limit=10, on_read=on_read)
    assert seen == [(page, False)]
    assert page.total > 10 and len(page.rows) == 10
    assert lock.acquire(blocking=False)  # and let go once it returned
    lock.release()
