"""Hostile and careless input (issue #15): whatever a source sends lands, is rejected with its reason, or holds
its day open; nothing else stops, no order is too wide to read, and no value can break the books.

The clock is frozen at 2026-10-10T04:00:00Z (noon in Kuala Lumpur). The file stream "Shop" reads one folder;
its store KL is mapped to Kuala Lumpur (UTC+8); everything is paid in cash:

    K-1  2026-10-01  KOPI 1 x 3.50 = 3.50
    K-2  2026-10-02  TEH  1 x 2.80 = 2.80
"""

from __future__ import annotations

import hashlib
import itertools
import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flowtui.connectors.base import OrderBatch, ShortDay, Window
from flowtui.connectors.file.ndjson import read_ndjson
from flowtui.connectors.storehub.bulk import ReplyReader
from flowtui.connectors.storehub.mapping import canonical_json, to_canonical
from flowtui.engine.pipeline.landing import land_batch
from flowtui.engine.pipeline.sync import coalesced, prefetched
from flowtui.engine.setup.streams import StreamSettings
from tests.factories import order, write_ndjson

NOW = "2026-10-10T04:00:00Z"
K1 = order("K-1", "KL", "2026-10-01T03:00:00Z", [("KOPI", 1, "3.50")])
K2 = order("K-2", "KL", "2026-10-02T03:00:00Z", [("TEH", 1, "2.80")])


@pytest.fixture(autouse=True)
def frozen_clock(_isolated_env, monkeypatch):
    monkeypatch.setenv("FLOWTUI_NOW", NOW)


@pytest.fixture
def shop(cli, orders_dir):
    """Books, the Kuala Lumpur location and a file stream 'Shop' reading ``orders_dir`` (empty)."""
    cli.ok("init")
    cli.ok("location", "add", "Kuala Lumpur")
    cli.ok("stream", "add", "Shop", "--provider", "file", "--path", orders_dir)
    cli.ok("map", "location", "Shop", "KL", "--location", "Kuala Lumpur")
    return orders_dir


def statuses(cli) -> dict[str, tuple[str, str]]:
    return {r["date"]: (r["amount"], r["status"]) for r in cli.json("digests")}


def reasons(cli) -> dict[str, list[str]]:
    return {r["order_id"] or r["ref"]: r["errors"] for r in cli.json("rejections")}


def no_traceback(result) -> None:
    assert "Traceback" not in result.out + result.err and "year 10000" not in result.out + result.err


# -- one wide order cannot stop a stream -----------------------------------------------------------------------


class RecordedReads:
    """Every ``read`` the file connector makes, by size (``Path.open`` patched to record them)."""

    def __init__(self, monkeypatch) -> None:
        self.sizes: list[int] = []
        real_open = Path.open

        def recording_open(path, *args, **kwargs):
            handle = real_open(path, *args, **kwargs)
            read = handle.read

            def recorded(size=-1):
                data = read(size)
                self.sizes.append(len(data))
                return data

            handle.read = recorded
            return handle

        monkeypatch.setattr(Path, "open", recording_open)


def padded(sale: dict, size: int) -> str:
    """``sale`` as one NDJSON line of exactly ``size`` bytes (its first line's name padded)."""
    sale = json.loads(json.dumps(sale))
    sale["lines"][0]["name"] = ""
    text = json.dumps(sale)
    sale["lines"][0]["name"] = "x" * (size - len(text))
    line = json.dumps(sale)
    assert len(line) == size
    return line


def test_wide_orders_are_read_in_batches_bounded_in_bytes(tmp_path, monkeypatch):
    """Orders of ~40 KB each: a batch of 500 lines would be 20 MB; with a budget of 2 MB no read and no batch
    is bigger than that, and every line comes out whole, in order, with its line number."""
    lines = [padded(order(f"W-{i}", "KL", "2026-10-01T03:00:00Z", [("KOPI", 1, "3.50")]), 40_000 + i)
             for i in range(120)]
    path = tmp_path / "wide.ndjson"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    reads = RecordedReads(monkeypatch)
    batches = [b for b, _ in read_ndjson(path, itertools.repeat(500), budget=2 << 20, limit=100_000)]
    assert max(reads.sizes) <= 2 << 20 and max(b.nbytes for b in batches) <= 2 << 20
    assert len(batches) > 2
    assert [o.decode().rstrip("\n") for b in batches for o in b.orders] == lines
    assert [b.first_line for b in batches] == list(itertools.accumulate([1] + [len(b) for b in batches[:-1]]))
    assert batches[-1].finished == ["wide.ndjson"] and not any(b.finished for b in batches[:-1])


def test_an_order_over_the_limit_is_rejected_with_its_size_and_the_rest_of_the_file_lands(cli, shop):
    big = order("BIG", "KL", "2026-10-01T05:00:00Z", [("KOPI", 1, "3.50")])
    (shop / "days.ndjson").write_text("\n".join([json.dumps(K1), padded(big, 1_310_720), json.dumps(K2)]) + "\n")
    assert cli("sync", "Shop").code == 3
    [rejection] = cli.json("rejections")
    assert (rejection["ref"], rejection["order_id"], rejection["days"]) == ("days.ndjson:2", "BIG", "2026-10-01")
    assert rejection["errors"] == ["order is 1,310,720 bytes, more than the 1 MB limit (docs/orders.md): "
                                   "shorten it or split it, and sync again"]
    assert statuses(cli) == {"2026-10-01": ("3.50", "needs_attention"), "2026-10-02": ("2.80", "ready")}

    (shop / "days.ndjson").write_text("\n".join([json.dumps(K1), padded(big, 900_000), json.dumps(K2)]) + "\n")
    assert cli("sync", "Shop").code == 0  # shortened at the source: it lands, and its rejection is corrected
    assert statuses(cli) == {"2026-10-01": ("7.00", "ready"), "2026-10-02": ("2.80", "ready")}
    assert [r["status"] for r in cli.json("rejections", "--all")] == ["corrected"]


@pytest.mark.parametrize("ending", ["\n", ""])
def test_an_enormous_line_is_read_past_in_pieces_never_whole(tmp_path, monkeypatch, ending):
    """A line of 24 MB (a runaway export, or no newlines at all): the reader never reads more than its
    budget at once and never holds the line; the entry standing for it names its size and SHA-256."""
    enormous = '{"id": "RUNAWAY", "store_id": "KL", "note": "' + "z" * (24 << 20) + '"}'
    path = tmp_path / "runaway.ndjson"
    path.write_text(json.dumps(K1) + "\n" + enormous + "\n" + json.dumps(K2) + ending, encoding="utf-8")
    reads = RecordedReads(monkeypatch)
    batches = [b for b, _ in read_ndjson(path, itertools.repeat(10), budget=4 << 20)]
    assert max(reads.sizes) <= 4 << 20 and max(b.nbytes for b in batches) < 4 << 20
    entries = [(b.ref(i), o, (b.errors or [None] * len(b))[i]) for b in batches for i, o in enumerate(b.orders)]
    assert [ref for ref, _, _ in entries] == ["runaway.ndjson:1", "runaway.ndjson:2", "runaway.ndjson:3"]
    _, stand_in, reason = entries[1]
    assert json.loads(stand_in) == {"id": "RUNAWAY", "store_id": "KL", "too_large": {
        "bytes": len(enormous), "sha256": hashlib.sha256(enormous.encode()).hexdigest()}}
    assert reason.startswith(f"order is {len(enormous):,} bytes, more than the 1 MB limit")
    assert json.loads(entries[2][1]) == K2 and batches[-1].finished == ["runaway.ndjson"]


def test_a_csv_order_over_the_limit_is_rejected_and_a_long_value_is_not_a_broken_row(cli, shop):
    header = "order_id,store_id,time,total,payments,sku,name,quantity,unit_price\n"
    long_name = "n" * 200_000  # more than the csv module's own 128 KB limit for a value: still a value
    rows = [f"C-1,KL,2026-10-01T03:00:00Z,3.50,Cash:3.50,KOPI,{long_name},1,3.50"]
    rows += [f"C-2,KL,2026-10-01T04:00:00Z,{6 * 3.5:.2f},Cash:{6 * 3.5:.2f},KOPI,{long_name},1,3.50"] * 6
    rows += ["C-3,KL,2026-10-02T03:00:00Z,2.80,Cash:2.80,TEH,Teh,1,2.80"]
    (shop / "orders.csv").write_text(header + "\n".join(rows) + "\n", encoding="utf-8")
    assert cli("sync", "Shop").code == 3
    [rejection] = cli.json("rejections")
    assert (rejection["order_id"], rejection["days"]) == ("C-2", "2026-10-01")
    assert rejection["errors"][0].startswith("order is 1,200,") and "more than the 1 MB limit" in rejection["errors"][0]
    assert statuses(cli) == {"2026-10-01": ("3.50", "needs_attention"), "2026-10-02": ("2.80", "ready")}


def test_a_batch_joined_from_small_ones_stays_under_the_budget_and_landing_never_waits_on_wide_orders():
    """The sync joins a source's small batches, and waits for enough orders to make a unit worth its cost:
    wide orders fill the byte budget long before that many orders, and must not stall it."""
    pieces = [OrderBatch(orders=[b"x" * 1000] * 10, refs=[f"r{i}-{j}" for j in range(10)]) for i in range(40)]
    joined = list(coalesced(iter(pieces), target=1_000, budget=25_000))
    assert all(b.nbytes < 25_000 for b in joined) and sum(len(b) for b in joined) == 400
    assert max(len(b) for b in joined) < 100

    class Wide(list):  # a prepared batch of a few wide orders
        nbytes = 50_000

    units = list(prefetched(iter([Wide([1] * 5) for _ in range(30)]), gather=lambda g: Wide(x for b in g for x in b),
                            least=1_000, ahead_bytes=100_000, most_bytes=100_000))
    assert sum(len(u) for u in units) == 150 and max(len(u) for u in units) <= 10


# -- no value can break the books -------------------------------------------------------------------------


def test_a_time_outside_the_books_range_is_rejected_and_every_command_still_works(cli, shop):
    far = order("FAR", "KL", "9999-12-31T23:00:00Z", [("KOPI", 1, "3.50")])  # would be business date 10000-01-01
    old = order("OLD", "KL", "1999-12-31T15:00:00Z", [("KOPI", 1, "3.50")])
    ahead = order("AHEAD", "KL", "2027-10-12T03:00:00Z", [("KOPI", 1, "3.50")])  # a year and two days ahead
    soon = order("SOON", "KL", "2027-10-01T03:00:00Z", [("KOPI", 1, "3.50")])  # within a year: a real sale
    write_ndjson(shop / "days.ndjson", [K1, far, old, ahead, soon])
    assert cli("sync", "Shop").code == 3
    out_of_range = "is out of range: an order's time must be from 2000-01-01 to a year from now"
    assert reasons(cli) == {
        "FAR": [f'time: "9999-12-31T23:00:00Z" {out_of_range}'],
        "OLD": [f'time: "1999-12-31T15:00:00Z" {out_of_range}'],
        "AHEAD": [f'time: "2027-10-12T03:00:00Z" {out_of_range}'],
    }
    # no day can be read from such a time: they hold the days of their file's orders, and nothing else breaks
    assert [r["days"] for r in cli.json("rejections")] == ["2026-10-01 to 2027-10-01"] * 3
    assert statuses(cli) == {"2026-10-01": ("3.50", "needs_attention"), "2027-10-01": ("3.50", "open")}
    for args in (("digests",), ("post", "--all"), ("reconcile",), ("rejections",), ("export", "--help")):
        no_traceback(cli(*args))
    assert cli("reconcile").code == 1

    # the clock moves the horizon (FLOWTUI_NOW): a year later, the order ahead is a sale like any other
    cli.ok("rejections", "dismiss", *[r["id"] for r in cli.json("rejections") if r["order_id"] != "AHEAD"],
           "--reason", "test orders with a wrong clock")
    with pytest.MonkeyPatch.context() as later:
        later.setenv("FLOWTUI_NOW", "2027-06-01T00:00:00Z")
        cli.ok("sync", "Shop")
        assert cli.json("rejections") == []
        assert statuses(cli)["2027-10-12"] == ("3.50", "open")


LOOSE = [  # (what the order says, why it is not an amount)
    (lambda o: o.update(total=True), 'total: "true" is true or false, not a number'),
    (lambda o: o["lines"][0].update(quantity=True), 'line 1 quantity: "true" is true or false, not a number'),
    (lambda o: o.update(discount=False), 'discount: "false" is true or false, not a number'),
    (lambda o: o.update(total=" 3.50 "),
     'total: " 3.50 " must be written as a plain number, e.g. "21.20"'),
    (lambda o: o["payments"][0].update(amount="3.50 "),
     'payment 1 amount: "3.50 " must be written as a plain number, e.g. "21.20"'),
    (lambda o: o.update(tax="lots", total="3.71"), 'tax: "lots" is not a number'),
    (lambda o: o.update(total="12345678901234567890.00"),
     'total: "12345678901234567890.00" is too large (must be less than 1,000,000,000)'),
    (lambda o: o.update(total=1e30), 'total: "1e30" is too large (must be less than 1,000,000,000)'),
    (lambda o: o["payments"][0].update(amount="2000000000"),
     'payment 1 amount: "2000000000" is too large (must be less than 1,000,000,000)'),
    (lambda o: o.update(time="2026-10-01T03:00:00+25:00"),
     'time: "2026-10-01T03:00:00+25:00" must be an ISO 8601 instant with a UTC offset, e.g. 2026-10-01T03:15:00Z'),
]


@pytest.mark.parametrize("change, reason", LOOSE)
def test_a_value_that_is_not_what_it_claims_is_rejected_with_its_reason_and_the_rest_lands(cli, shop, change, reason):
    loose = json.loads(json.dumps(K1))
    change(loose)
    write_ndjson(shop / "days.ndjson", [loose, K2])
    assert cli("sync", "Shop").code == 3
    assert reasons(cli) == {"K-1": [reason]}
    assert statuses(cli)["2026-10-02"][0] == "2.80"


def test_a_rejected_order_is_dated_only_by_a_time_that_says_its_instant(books):
    """A time without an offset is read as UTC to hold its nearest day; an offset that is not one (``+25:00``
    moves the instant a day) or a time out of range dates nothing: such an order holds its file's days."""
    naive = order("NAIVE", "KL", "2026-10-01T03:00:00", [("KOPI", 1, "3.50")])
    bogus = order("BOGUS", "KL", "2026-10-01T03:00:00+25:00", [("KOPI", 1, "3.50")])
    far = order("FAR", "KL", "9999-12-31T23:00:00Z", [("KOPI", 1, "3.50")])
    assert land(books, [naive, bogus, far]).rejected == 3
    assert dict(table(books, "SELECT order_key, business_date FROM order_rejections")) == {
        "NAIVE": date(2026, 10, 1), "BOGUS": None, "FAR": None}


def test_text_that_only_looks_loose_lands(books):
    """Names with "true" in them, or starting or ending with a space, make an order be looked at closely; it
    lands all the same."""
    named = order("N-1", "KL", "2026-10-01T03:00:00Z", [("KOPI", 1, "3.50")], store_name="KL true")
    named["lines"][0]["name"] = " Kopi true false "
    result = land(books, [named, json.dumps(K2, separators=(", ", " : "))])
    assert (result.new, result.rejections) == (2, [])


def test_a_line_too_large_to_multiply_is_rejected_and_does_not_stop_the_batch(books):
    """A quantity x price beyond what DuckDB multiplies in 18 digits used to abort the whole batch."""
    wholesale = order("BIG-1", "KL", "2026-10-01T03:00:00Z", [("CRATE", 1000, "10000.00")])  # RM 10 million
    absurd = order("BIG-2", "KL", "2026-10-01T03:00:00Z", [("KOPI", 1, "3.50")])
    absurd["lines"][0].update(quantity="1000000", unit_price="1000000")
    del absurd["lines"][0]["amount"], absurd["subtotal"]
    result = land(books, [wholesale, absurd, K2])
    assert result.new == 2
    [rejection] = result.rejections
    assert rejection.errors == ('line 1 quantity: "1000000" x unit_price is too large '
                                "(a line's amount must be less than 1,000,000,000)",)
    assert table(books, "SELECT total FROM orders WHERE order_id = 'BIG-1'") == [(Decimal("10000000.00"),)]


# -- voids, as docs/orders.md says -----------------------------------------------------------------------


def zeroed_void(sale: dict) -> dict:
    """The sale sent again as voided, every amount zeroed, no payments (as many POS exports do)."""
    void = json.loads(json.dumps(sale))
    void.update(status="voided", subtotal="0.00", tax="0.00", total="0.00", payments=[])
    for line in void["lines"]:
        line.update(amount="0.00", tax="0.00")
    return void


def test_a_void_with_zeroed_amounts_voids_the_sale_even_on_a_posted_day(cli, shop):
    write_ndjson(shop / "days.ndjson", [K1, K2])
    cli.ok("sync", "Shop")
    cli.ok("post", "--all")
    assert cli("reconcile").code == 0

    write_ndjson(shop / "days.ndjson", [zeroed_void(K1), K2])
    assert cli("sync", "Shop").code == 0
    assert cli.json("rejections") == []
    assert statuses(cli)["2026-10-01"] == ("0.00", "changed")  # the sale no longer counts
    cli.ok("post", "--all")
    assert statuses(cli) == {"2026-10-01": ("0.00", "posted"), "2026-10-02": ("2.80", "posted")}
    assert cli("reconcile").code == 0


def test_a_void_is_still_checked_for_shape(books):
    no_store = zeroed_void(K1)
    del no_store["store_id"]
    bad_quantity = zeroed_void(K2)
    bad_quantity["lines"][0]["quantity"] = "-1"
    zero_quantity = zeroed_void(order("K-3", "KL", "2026-10-03T03:00:00Z", [("ROTI", 1, "4.20")]))
    zero_quantity["lines"][0]["quantity"] = 0  # a void may zero its quantities too
    result = land(books, [no_store, bad_quantity, zero_quantity])
    assert result.new == 1
    assert {r.order_id: r.errors for r in result.rejections} == {
        "K-1": ("store_id: missing",),
        "K-2": ('line 1 quantity: "-1" must be a positive quantity with at most 3 decimals',),
    }


# -- StoreHub: both paths read a transaction the same way --------------------------------------------------

SALE = {
    "refId": "r-1", "invoiceNumber": "INV-1", "storeId": "s1", "transactionType": "Sale",
    "transactionTime": "2026-10-01T06:10:00.000Z", "channel": "POS", "isCancelled": False,
    "serviceCharge": 0, "tax": 0.3, "roundedAmount": 0, "total": 5.3,
    "items": [{"productId": "p1", "quantity": 1, "unitPrice": 5.0, "discount": 0, "tax": 0.3, "total": 5.3}],
    "payments": [{"paymentMethod": "Cash", "amount": 5.3}],
}


def storehub_batch(reply: list | bytes, asked: str | None = "s1") -> OrderBatch:
    """A /transactions reply for store ``asked``, read as the connector reads it (everyday ones in bulk)."""
    with ReplyReader({}) as reader:
        reader.stage(json.dumps(reply).encode() if isinstance(reply, list) else reply, asked)
        return OrderBatch(orders=[], columns=reader.take())


@pytest.mark.parametrize("value, lands_as", [(True, "voided"), (False, "completed"), (None, "completed")])
def test_is_cancelled_is_read_from_json_booleans(books, value, lands_as):
    result = land(books, storehub_batch([{**SALE, "isCancelled": value}]))
    assert (result.new, result.rejections) == (1, [])
    assert table(books, "SELECT status FROM orders") == [(lands_as,)]


@pytest.mark.parametrize("value", ["yes", "false", 1, 0, [], {}])
def test_is_cancelled_that_is_not_a_boolean_rejects_the_transaction_on_its_day(books, value):
    result = land(books, storehub_batch([{**SALE, "isCancelled": value}, {**SALE, "refId": "r-2"}]))
    assert result.new == 1
    [rejection] = result.rejections
    assert rejection.errors == (f"isCancelled is {json.dumps(value, separators=(',', ':'))}, not true or false: "
                                "whether the transaction was cancelled cannot be read",)
    assert table(books, "SELECT pos_store_id, business_date FROM order_rejections") == [("s1", date(2026, 10, 1))]


def test_a_transaction_that_cannot_be_read_is_held_against_its_store_and_day(books):
    infinite = json.dumps({**SALE, "refId": "inf-1", "storeId": "s2"}).replace('"total": 5.3', '"total": 1e400')
    reply = f'[{infinite}, "oops", {json.dumps({**SALE, "refId": "r-9", "storeId": None})}]'.encode()
    result = land(books, storehub_batch(reply, asked="s1"))
    assert result.new == 0
    assert set(table(books, "SELECT order_key, pos_store_id, business_date, errors[1] FROM order_rejections")) == {
        ("inf-1", "s2", date(2026, 10, 1), "could not read the transaction (JSONDecodeError)"),  # its own store
        ("entry:storehub:s1:#2", "s1", None, "not a transaction object (got str)"),  # the store it came for
        ("r-9", "s1", date(2026, 10, 1), "storeId is missing"),
    }


_TIMES = ["2026-10-01T16:10:00.000Z", "2026-10-01T16:10:00", "9999-12-31T23:00:00Z", "1999-01-01T00:00:00Z",
          "2026-10-01T16:10:00+25:00", "2027-12-01T00:00:00Z"]


def test_bulk_and_exact_paths_land_or_reject_alike(books):
    """The bulk path (DuckDB reads the reply) and the exact path (one transaction at a time, as canonical JSON)
    agree on every transaction: the same lands, on the same day, and what is rejected is rejected for the same
    fields and reasons (each path quotes the value as it read it)."""
    books.add_stream("Exact", "file", {"path": "."}, StreamSettings())
    seen = iter(range(10**6))

    @settings(max_examples=40, deadline=None)
    @given(time=st.sampled_from(_TIMES), cancelled=st.sampled_from([False, True, None, "yes", "true", 1]),
           total=st.sampled_from([5.3, "5.30", " 5.30", True, 1e30, 2e9]))
    def check(time, cancelled, total):
        transaction = {**SALE, "refId": f"t-{next(seen)}", "transactionTime": time, "isCancelled": cancelled,
                       "total": total}
        exact, error = to_canonical(transaction, {})
        outcomes = []
        for stream, batch in ((1, storehub_batch([transaction])),
                              (2, OrderBatch(orders=[canonical_json(exact)], refs=["exact"], errors=[error]))):
            result = land(books, batch, stream)
            outcomes.append((result.new, [_fields(r.errors) for r in result.rejections], table(
                books, "SELECT status, business_date FROM orders WHERE stream_id = ? AND order_id = ? UNION ALL "
                "SELECT 'rejected', business_date FROM order_rejections WHERE stream_id = ? AND order_key = ?",
                [stream, transaction["refId"]] * 2)))
        assert outcomes[0] == outcomes[1], transaction

    check()


def _fields(errors) -> list[str]:
    """Each error without the value it quotes (each path quotes it as it read it: 5.3, "5.30", 5.300000)."""
    return sorted(e.split(": ")[0] + ": " + e.split('" ', 1)[1] if '" ' in e else e for e in errors)


# -- a day StoreHub hands over only in part ------------------------------------------------------------------


def test_a_short_store_day_outside_the_sync_window_is_not_held(books):
    from flowtui.engine.pipeline import rejections

    window = Window(date(2026, 10, 1), date(2026, 10, 3))
    with books.db.write() as con:
        rejections.hold_short_days(con, 1, None, window, [
            ShortDay("s1", date(2026, 10, 2), "capped on the 2nd."), ShortDay("s1", date(2026, 9, 30), "asked too")],
            datetime(2026, 10, 10, tzinfo=UTC))
        rejections.hold_short_days(con, 1, None, window, [ShortDay("s1", date(2026, 10, 2), "capped on the 2nd.")],
                                   datetime(2026, 10, 11, tzinfo=UTC))  # met again: the same one
    [held] = books.rejections()
    assert (held.short, held.ref, held.pos_store_id, held.business_date, held.errors) == (
        True, "short:s1:2026-10-02", "s1", date(2026, 10, 2), ("capped on the 2nd.",))
    assert "when it is known to be complete, dismiss it" in held.fix()


# -- helpers ------------------------------------------------------------------------------------------------


@pytest.fixture
def books(flow, orders_dir):
    """Books with one file stream (id 1) to land batches into directly."""
    flow.init()
    flow.add_stream("Shop", "file", {"path": str(orders_dir)}, StreamSettings())
    return flow


def land(flow, batch: OrderBatch | list, stream_id: int = 1):
    """One batch (or orders, as the lines of ``test.ndjson``) landed as a sync lands it, in one unit of work."""
    if isinstance(batch, list):
        batch = OrderBatch(orders=[o if isinstance(o, str) else json.dumps(o) for o in batch], source="test.ndjson")
    with flow.db.write() as con:
        return land_batch(con, stream_id, batch, default_tz="Asia/Kuala_Lumpur", sync_run_id=None,
                          now=datetime(2026, 10, 10, 4, tzinfo=UTC))


def table(flow, sql: str, params=None) -> list[tuple]:
    with flow.db.read() as con:
        return con.execute(sql, params or []).fetchall()
