"""A posted day that changes at the source: the difference is posted as a new, linked document.

Night one, 1 Oct at KL Sentral (no tax, to keep the sums plain):

    S1  2 Kopi O at 3.50 = 7.00, cash
    S2  1 Roti Bakar at 5.00 = 5.00, card
    S3  1 Enamel Mug at 35.00 = 35.00, card            -> invoice KL-202610-0001, 47.00

Night two the register uploads late and a sale is voided:

    S3  voided                                         (-35.00 card, mug back in stock)
    S4  1 Kopi O at 3.50, cash, a late upload          (+3.50 cash)

The day is now 15.50, 31.50 less: a credit note for exactly the difference.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from flowtui.engine.digests.store import DigestFilter
from tests.cli_helpers import Cli
from tests.factories import order, write_ndjson
from tests.integration.test_posting import books, journal_of  # noqa: F401  (the café's books)

D = Decimal
NIGHT_ONE = [
    order("S1", "KL", "2026-10-01T02:00:00Z", [("KOPI", 2, "3.50")]),
    order("S2", "KL", "2026-10-01T03:00:00Z", [("ROTI", 1, "5.00")], pay=[("Card", None)]),
    order("S3", "KL", "2026-10-01T04:00:00Z", [("MUG", 1, "35.00")], pay=[("Card", None)]),
]
S4 = order("S4", "KL", "2026-10-01T05:00:00Z", [("KOPI", 1, "3.50")])
NIGHT_TWO = [NIGHT_ONE[0], NIGHT_ONE[1], {**NIGHT_ONE[2], "status": "voided"}, S4]


def night(flow, folder, orders):
    write_ndjson(folder / "orders.ndjson", orders)
    return flow.sync(["pos"])[0]


@pytest.fixture
def posted_day(books, orders_dir):  # noqa: F811
    night(books, orders_dir, NIGHT_ONE)
    books.map_location("pos", "KL", "KL Sentral", number_format="KL-{yyyy}{mm}-{seq:04}")
    [outcome] = books.post(everything=True)
    assert outcome.documents == [("invoice", "KL-202610-0001")]
    return books


def day_digest(flow):
    return flow.digests(DigestFilter(start=date(2026, 10, 1), end=date(2026, 10, 1)))[0]


def ledger_total(flow) -> Decimal:
    with flow.db.read() as con:
        return con.execute("SELECT sum(CASE kind WHEN 'invoice' THEN total ELSE -total END) FROM documents "
                           "WHERE date = DATE '2026-10-01'").fetchall()[0][0]


def test_a_changed_day_shows_what_changed_before_it_is_posted(posted_day, orders_dir):
    night(posted_day, orders_dir, NIGHT_TWO)
    row = day_digest(posted_day)
    assert (row.status, row.amount, row.invoice_number) == ("changed", D("15.50"), "KL-202610-0001")
    detail = posted_day.digest(row.id)
    assert [(v["version"], v["amount"], v["documents"]) for v in detail.versions] == [
        (1, D("47.00"), ["KL-202610-0001"]), (2, D("15.50"), [])]
    changes = detail.changes
    assert changes["orders"] == {"added": ["S4"], "voided": ["S3"], "changed": []}
    assert changes["payments"] == [{"method": "Card", "before": 4000, "after": 500},
                                   {"method": "Cash", "before": 700, "after": 1050}]
    assert [(i["sku"], i["before_quantity"], i["after_quantity"]) for i in changes["items"]] == [
        ("KOPI", 2000, 3000), ("MUG", 1000, 0)]


def test_a_net_decrease_posts_a_credit_note_for_exactly_the_difference(posted_day, orders_dir):
    night(posted_day, orders_dir, NIGHT_TWO)
    [outcome] = posted_day.post(everything=True)
    assert (outcome.status, outcome.documents) == ("adjusted", [("credit_note", "CN-KL-202610-0001")])
    note = posted_day.invoice("CN-KL-202610-0001")
    assert (note.role, note.row.total) == ("adjustment", D("31.50"))
    # Both are corrections of sales, not returns: each goes back to the account the sale went to
    # (the late kopi to its own income account 4001, the voided mug out of Sales 4000).
    assert [(x["sku"], x["quantity"], x["amount"], x["account"]) for x in note.lines] == [
        ("KOPI", D("-1"), D("-3.50"), "4001"), ("MUG", D("1"), D("35.00"), "4000")]
    assert [(p["method"], p["amount"]) for p in note.payments] == [("Card", D("35.00")), ("Cash", D("-3.50"))]
    assert journal_of(posted_day, "CN-KL-202610-0001") == [
        # Sales down by the mug, beverage sales up by the kopi; card refunded 35.00, cash taken 3.50
        ("1000", D("3.50"), D("0")), ("4000", D("35.00"), D("0")), ("1020", D("0"), D("35.00")),
        ("4001", D("0"), D("3.50")),
        # the mug's cost comes back into inventory
        ("1200", D("12.00"), D("0")), ("5000", D("0"), D("12.00")),
    ]
    assert ledger_total(posted_day) == day_digest(posted_day).amount == D("15.50")
    assert {(s.sku, s.quantity) for s in posted_day.stock()} == {("ROTI", D("9")), ("MUG", D("4"))}
    assert day_digest(posted_day).status == "posted"
    original = posted_day.invoice("KL-202610-0001")
    assert original.row.total == D("47.00")  # never edited
    assert [(h["event"], h["detail"]) for h in original.history][-1] == (
        "adjusted", "adjusted by credit note CN-KL-202610-0001 (digest 1 v2 (pos, KL Sentral, 2026-10-01)): "
                    "added: S4; voided or gone: S3")
    assert [(x["relation"], x["number"]) for x in original.linked] == [("adjusted by", "CN-KL-202610-0001")]
    assert [(x["relation"], x["number"]) for x in note.linked] == [("adjusts", "KL-202610-0001")]


def test_a_net_increase_posts_a_supplementary_invoice(posted_day, orders_dir):
    night(posted_day, orders_dir, NIGHT_ONE + [S4])
    [outcome] = posted_day.post(everything=True)
    assert (outcome.status, outcome.documents) == ("adjusted", [("invoice", "KL-202610-0002")])
    extra = posted_day.invoice("KL-202610-0002")
    assert (extra.role, extra.row.total) == ("adjustment", D("3.50"))
    assert [(x["sku"], x["quantity"], x["amount"]) for x in extra.lines] == [("KOPI", D("1"), D("3.50"))]
    assert journal_of(posted_day, "KL-202610-0002") == [("1000", D("3.50"), D("0")), ("4001", D("0"), D("3.50"))]
    assert ledger_total(posted_day) == D("50.50")


def test_a_change_that_nets_to_zero_posts_nothing_but_is_recorded(posted_day, orders_dir):
    same_again = order("S5", "KL", "2026-10-01T06:00:00Z", [("KOPI", 2, "3.50")])  # replaces S1 to the sen
    night(posted_day, orders_dir, [{**NIGHT_ONE[0], "status": "voided"}, NIGHT_ONE[1], NIGHT_ONE[2], same_again])
    assert day_digest(posted_day).status == "changed"
    [outcome] = posted_day.post(everything=True)
    assert outcome.status == "unchanged"
    assert [d.number for d in posted_day.invoices()] == ["KL-202610-0001"]
    assert day_digest(posted_day).status == "posted"
    event, detail = [(h["event"], h["detail"]) for h in posted_day.invoice("KL-202610-0001").history][-1]
    assert event == "change recorded" and "S5" in detail and "nets to zero" in detail


def test_auto_invoice_posts_the_change_with_the_nightly_sync(posted_day, orders_dir):
    from flowtui.engine.setup.streams import StreamSettings

    posted_day.update_stream("pos", StreamSettings(auto_invoice=True))
    outcome = night(posted_day, orders_dir, NIGHT_TWO)
    assert [(p.status, p.documents) for p in outcome.postings] == [
        ("adjusted", [("credit_note", "CN-KL-202610-0001")])]


def test_reconcile_is_clean_only_when_source_digest_and_ledger_agree(posted_day, orders_dir, db_path):
    cli = Cli(db_path)
    assert cli("reconcile").code == 0
    night(posted_day, orders_dir, NIGHT_TWO)
    result = cli("reconcile", "--json")
    assert result.code == 1
    [day] = [d for d in result.json() if d["date"] == "2026-10-01"]
    assert (day["source"], day["digest"], day["ledger"], day["agrees"]) == ("15.50", "15.50", "47.00", False)
    assert any("changed since posting" in text for text in day["differences"])
    posted_day.post(everything=True)
    result = cli("reconcile", "--json")
    assert result.code == 0 and all(d["agrees"] for d in result.json())


def test_the_digest_and_invoice_cli_show_the_trail(posted_day, orders_dir, db_path):
    cli = Cli(db_path)
    night(posted_day, orders_dir, NIGHT_TWO)
    digest_id = day_digest(posted_day).id
    shown = cli.json("digest", "show", digest_id)
    assert shown["status"] == "changed"
    assert shown["changes"]["orders"]["voided"] == ["S3"]
    assert shown["changes"]["payments"][0] == {"method": "Card", "before": "40.00", "after": "5.00"}
    assert "Changed since it was posted" in cli.ok("digest", "show", digest_id).out
    posted = cli.ok("post", "--all")
    assert "Posted the change to digest" in posted.out and "CN-KL-202610-0001" in posted.out
    versions = cli.json("digest", "show", digest_id)["versions"]
    assert [(v["version"], v["documents"]) for v in versions] == [(1, ["KL-202610-0001"]), (2, ["CN-KL-202610-0001"])]
    linked = cli.json("invoice", "show", "KL-202610-0001")["linked"]
    assert linked == [{"number": "CN-KL-202610-0001", "kind": "credit_note", "date": "2026-10-01", "total": "31.50",
                       "relation": "adjusted by"}]
