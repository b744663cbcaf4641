"""Posting digests: an accountant's worked examples, exactly-once, and properties."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings

from flowtui.engine.digests.store import DigestFilter
from flowtui.engine.setup.streams import StreamSettings
from tests.factories import order, write_ndjson
from tests.integration.test_digests import fresh_shop, land, orders_strategy

D = Decimal


def with_service_tax(o: dict, extra_tax: str, rounding: str) -> dict:
    """Add tax charged on the service charge, and cash rounding, keeping the order's arithmetic right."""
    tax = D(o["tax"]) + D(extra_tax)
    total = D(o["subtotal"]) - D(o["discount"]) + D(o["service_charge"]) + tax + D(rounding)
    return {**o, "tax": f"{tax:.2f}", "rounding": rounding, "total": f"{total:.2f}",
            "payments": [{"method": "Cash", "amount": f"{total:.2f}"}]}


@pytest.fixture
def books(flow, orders_dir, monkeypatch):
    """A café in KL with three products and a file stream mapped to it."""
    monkeypatch.setenv("FLOWTUI_NOW", "2026-10-10T04:00:00Z")
    return open_cafe(flow, orders_dir)


def open_cafe(flow, orders_dir):
    """Kopi & Co in KL Sentral: KOPI (own income account), ROTI and MUG (stock tracked), a file stream."""
    flow.init(name="Kopi & Co")
    flow.add_account("4001", "Beverage Sales", "income")
    flow.add_location("KL Sentral")
    flow.add_stream("pos", "file", {"path": str(orders_dir)}, StreamSettings())
    flow.add_product("KOPI", "Kopi O", "3.50", "0.80", income_account="4001")
    flow.add_product("ROTI", "Roti Bakar", "5.00", "1.20", track_stock=True)
    flow.add_product("MUG", "Enamel Mug", "35.00", "12.00", track_stock=True)
    flow.set_stock("ROTI", 10, "KL Sentral")
    flow.set_stock("MUG", 4, "KL Sentral")
    return flow


def sync_and_map(flow, orders_dir, orders):
    write_ndjson(orders_dir / "orders.ndjson", orders)
    flow.sync(["pos"])
    flow.map_location("pos", "KL", "KL Sentral", number_format="KL-{yyyy}{mm}-{seq:04}")


def journal_of(flow, number: str) -> list[tuple[str, Decimal, Decimal]]:
    with flow.db.read() as con:
        return con.execute(
            """
            SELECT jl.account_code, jl.debit, jl.credit FROM journal_lines jl
            JOIN journal_entries e ON e.id = jl.entry_id JOIN documents d ON d.id = e.document_id
            WHERE d.number = ? ORDER BY e.id, jl.line_no
            """, [number]).fetchall()


DAY_ONE = [
    # S1 2 Kopi O + 1 Roti (SST 6%: 0.42 + 0.30), service charge 1.20 with 0.07 service tax,
    #    13.99 rounded to 14.00 in cash
    with_service_tax(order("S1", "KL", "2026-10-01T02:00:00Z", [("KOPI", 2, "3.50"), ("ROTI", 1, "5.00")],
                           tax_rate="0.06", service_charge="1.20"), "0.07", "0.01"),
    # S2 a mug at 8%: 37.80 paid Card 20.00 + Cash 17.80
    order("S2", "KL", "2026-10-01T03:00:00Z", [("MUG", 1, "35.00")], tax_rate="0.08",
          pay=[("Card", "20.00"), ("Cash", None)]),
    # S3 voided: counts for nothing
    order("S3", "KL", "2026-10-01T04:00:00Z", [("ROTI", 3, "5.00")], status="voided"),
    # S4 a SKU the books do not know: sold on the sales account under its own name
    order("S4", "KL", "2026-10-01T05:00:00Z", [("MYSTERY", 1, "2.00")], pay=[("Card", None)]),
    # R1 next day: one Kopi O from S1 returned, 3.71 refunded as 3.70 in cash
    with_service_tax(order("R1", "KL", "2026-10-02T02:00:00Z", [("KOPI", 1, "3.50")], tax_rate="0.06",
                           type="return", original_id="S1"), "0.00", "-0.01"),
]


def test_a_day_posts_as_one_invoice_with_a_balanced_journal(books, orders_dir):
    sync_and_map(books, orders_dir, DAY_ONE)
    outcomes = books.post(everything=True)
    assert [(o.status, o.documents) for o in outcomes] == [
        ("posted", [("invoice", "KL-202610-0001")]),
        ("posted", [("credit_note", "CN-KL-202610-0001")]),
    ]
    invoice = books.invoice("KL-202610-0001")
    assert (invoice.row.contact, invoice.row.location, invoice.row.date) == ("Cash Sales", "KL Sentral", date(2026, 10, 1))
    assert [(x["description"], x["sku"], x["quantity"], x["tax"], x["amount"], x["account"]) for x in invoice.lines] == [
        ("Kopi O", "KOPI", D("2"), D("0.42"), D("7.00"), "4001"),
        ("Enamel Mug", "MUG", D("1"), D("2.80"), D("35.00"), "4000"),
        ("Item MYSTERY", "MYSTERY", D("1"), D("0.00"), D("2.00"), "4000"),
        ("Roti Bakar", "ROTI", D("1"), D("0.30"), D("5.00"), "4000"),
        ("Service charge", None, D("1"), D("0.07"), D("1.20"), "4100"),
        ("Rounding", None, D("1"), D("0.00"), D("0.01"), "4900"),
    ]
    assert (invoice.subtotal, invoice.service_charge, invoice.tax, invoice.rounding, invoice.row.total) == (
        D("49.00"), D("1.20"), D("3.59"), D("0.01"), D("53.80"))
    assert [(p["method"], p["account"], p["amount"]) for p in invoice.payments] == [
        ("Card", "1020", D("22.00")), ("Cash", "1000", D("31.80"))]
    assert [(t["tax_code"], t["taxable"], t["tax"]) for t in invoice.taxes] == [
        ("", D("3.20"), D("0.07")), ("T0.06", D("12.00"), D("0.72")), ("T0.08", D("35.00"), D("2.80"))]
    assert journal_of(books, "KL-202610-0001") == [
        # the sale
        ("1000", D("31.80"), D("0")), ("1020", D("22.00"), D("0")),
        # tax, a line per code: the service charge's and MYSTERY's (no code here), then the lines' two codes
        ("2100", D("0"), D("0.07")), ("2100", D("0"), D("0.72")), ("2100", D("0"), D("2.80")),
        ("4000", D("0"), D("42.00")), ("4001", D("0"), D("7.00")), ("4100", D("0"), D("1.20")),
        ("4900", D("0"), D("0.01")),
        # cost of the tracked roti (1.20) and mug (12.00)
        ("5000", D("13.20"), D("0")), ("1200", D("0"), D("13.20")),
    ]
    assert {(r.sku, r.quantity) for r in books.stock()} == {("ROTI", D("9")), ("MUG", D("3"))}
    assert [h["event"] for h in invoice.history] == ["posted"]
    with books.db.read() as con:  # the posting remembers exactly which order versions it covered
        covered = con.execute("SELECT po.order_id, po.version, po.status FROM posted_orders po JOIN documents d "
                              "ON d.posting_id = po.posting_id WHERE d.number = 'KL-202610-0001' ORDER BY 1").fetchall()
    assert covered == [("S1", 1, "completed"), ("S2", 1, "completed"), ("S3", 1, "voided"), ("S4", 1, "completed")]


def test_a_return_against_an_earlier_day_posts_a_credit_note_linked_to_its_invoice(books, orders_dir):
    sync_and_map(books, orders_dir, DAY_ONE)
    books.post(everything=True)
    note = books.invoice("CN-KL-202610-0001")
    assert (note.row.kind, note.row.date, note.row.total) == ("credit_note", date(2026, 10, 2), D("3.70"))
    assert [(x["description"], x["amount"], x["tax"], x["account"]) for x in note.lines] == [
        ("Kopi O", D("3.50"), D("0.21"), "4010"), ("Rounding", D("-0.01"), D("0.00"), "4900")]
    assert [(p["method"], p["account"], p["amount"]) for p in note.payments] == [("Cash", "1000", D("3.70"))]
    assert journal_of(books, "CN-KL-202610-0001") == [
        ("2100", D("0.21"), D("0")), ("4010", D("3.50"), D("0")),
        ("1000", D("0"), D("3.70")), ("4900", D("0"), D("0.01")),
    ]
    assert [(x["relation"], x["number"]) for x in note.linked] == [("credits", "KL-202610-0001")]
    assert [(h["event"], h["detail"]) for h in note.history][-1] == ("linked", "credits invoice KL-202610-0001")
    assert [(x["relation"], x["number"]) for x in books.invoice("KL-202610-0001").linked] == [
        ("credited by", "CN-KL-202610-0001")]


def test_the_trial_balance_sums_to_zero(books, orders_dir):
    sync_and_map(books, orders_dir, DAY_ONE)
    books.post(everything=True)
    rows = {r.code: r.balance for r in books.trial_balance()}
    assert sum(rows.values()) == 0
    assert rows["1000"] == D("31.80") - D("3.70")
    assert rows["2100"] == -(D("3.59") - D("0.21"))
    assert books.trial_balance(as_of=date(2026, 9, 30)) == []


def test_posting_is_exactly_once(books, orders_dir):
    sync_and_map(books, orders_dir, DAY_ONE)
    first = books.post(everything=True)
    again = books.post(everything=True)
    by_id = books.post([o.digest_id for o in first])
    assert {o.status for o in again} == {"already_posted"}
    assert {o.status for o in by_id} == {"already_posted"}
    with books.db.read() as con:
        assert con.execute("SELECT count(*) FROM documents").fetchall() == [(2,)]
        assert con.execute("SELECT count(*) FROM postings").fetchall() == [(2,)]
    # the database itself refuses a second posting of the same digest version
    with pytest.raises(Exception, match=r"(?i)constraint|duplicate"):
        with books.db.write() as con:
            con.execute("INSERT INTO postings (digest_id, digest_version, posted_at, actor) "
                        "SELECT digest_id, digest_version, now(), 'x' FROM postings LIMIT 1")


def test_refusals_say_what_to_map(books, orders_dir):
    grab = order("G1", "KL", "2026-10-03T02:00:00Z", [("KOPI", 1, "3.50")], pay=[("GrabPay", None)])
    write_ndjson(orders_dir / "orders.ndjson", [grab, order("T1", "KL", "2026-10-10T02:00:00Z", [("KOPI", 1, "3.50")])])
    books.sync(["pos"])
    [unmapped] = books.post(everything=True)  # today (10 Oct) is still open: not selected
    assert unmapped.status == "refused"
    assert unmapped.reasons == [
        'POS store "KL" is not mapped to a location (flowtui map location "pos" "KL" --location NAME)',
        'payment method "GrabPay" is not mapped to an account (flowtui map payment "pos" "GrabPay" --account CODE)',
    ]
    today = books.digests(DigestFilter(start=date(2026, 10, 10)))[0]
    [open_day] = books.post([today.id])
    assert open_day.status == "refused" and "not over" in open_day.reasons[0]
    books.map_location("pos", "KL", "KL Sentral")
    books.map_payment("pos", "GrabPay", "1030")
    [posted] = books.post(everything=True)
    assert posted.status == "posted"
    assert [(p["method"], p["account"]) for p in books.invoice(posted.documents[0][1]).payments] == [("GrabPay", "1030")]


def test_numbers_are_gap_free_per_format_and_restart_with_the_month(books, orders_dir):
    orders = [order(f"S{d}", "KL", f"2026-{m:02d}-{d:02d}T02:00:00Z", [("KOPI", 1, "3.50")])
              for m, d in ((9, 28), (9, 29), (10, 1), (10, 2))]
    sync_and_map(books, orders_dir, orders)
    numbers = [n for o in books.post(everything=True) for _, n in o.documents]
    assert numbers == ["KL-202609-0001", "KL-202609-0002", "KL-202610-0001", "KL-202610-0002"]


def test_grouping_all_posts_one_all_sales_line(books, orders_dir):
    books.update_stream("pos", StreamSettings(grouping="all"))
    sync_and_map(books, orders_dir, DAY_ONE[:4])
    [outcome] = books.post(everything=True)
    lines = books.invoice(outcome.documents[0][1]).lines
    assert [(x["description"], x["amount"], x["tax"], x["account"]) for x in lines] == [
        ("All Sales", D("49.00"), D("3.52"), "4000"), ("Service charge", D("1.20"), D("0.07"), "4100"),
        ("Rounding", D("0.01"), D("0.00"), "4900")]
    assert {(r.sku, r.quantity) for r in books.stock()} == {("ROTI", D("10")), ("MUG", D("4"))}  # no stock moves


def test_a_posted_digest_shows_its_invoice_and_status(books, orders_dir):
    sync_and_map(books, orders_dir, DAY_ONE)
    books.post(everything=True)
    row = books.digests(DigestFilter(start=date(2026, 10, 1), end=date(2026, 10, 1)))[0]
    assert (row.status, row.invoice_number) == ("posted", "KL-202610-0001")


def test_auto_invoice_posts_ready_days_after_a_sync(books, orders_dir):
    books.update_stream("pos", StreamSettings(auto_invoice=True))
    books.map_location("pos", "KL", "KL Sentral", number_format="KL-{yyyy}{mm}-{seq:04}")
    write_ndjson(orders_dir / "orders.ndjson", DAY_ONE + [order("T", "KL", "2026-10-10T01:00:00Z", [("KOPI", 1, "3.50")])])
    [outcome] = books.sync(["pos"])
    assert sorted(o.status for o in outcome.postings) == ["posted", "posted"]
    assert [d.status for d in books.digests()] == ["posted", "posted", "open"]


# -- properties -----------------------------------------------------------------------------


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(orders=orders_strategy)
def test_every_entry_balances_and_payment_accounts_move_by_the_digests(tmp_path_factory, monkeypatch, orders):
    monkeypatch.setenv("FLOWTUI_NOW", "2026-10-20T00:00:00Z")
    flow = fresh_shop(tmp_path_factory)
    land(flow.db, orders)
    flow.add_location("KL")
    flow.add_location("PG")
    flow.map_location("shop", "KL", "KL")
    flow.map_location("shop", "PG", "PG")
    flow.map_payment("shop", "GrabPay", "1030")
    outcomes = flow.post(everything=True)
    assert all(o.status == "posted" for o in outcomes), [o.reasons for o in outcomes]
    with flow.db.read() as con:
        unbalanced = con.execute(
            "SELECT entry_id FROM journal_lines GROUP BY entry_id HAVING sum(debit) <> sum(credit)").fetchall()
        moved = dict(con.execute(
            "SELECT account_code, sum(debit - credit) FROM journal_lines WHERE account_code IN ('1000', '1020', '1030') "
            "GROUP BY 1").fetchall())
    assert unbalanced == []
    expected: dict[str, Decimal] = defaultdict(Decimal)
    accounts = {"Cash": "1000", "Card": "1020", "GrabPay": "1030"}
    for row in flow.digests():
        for method, amount in flow.digest(row.id).payments:
            expected[accounts[method]] += amount
    assert {k: v for k, v in moved.items() if v} == {k: v for k, v in expected.items() if v}
