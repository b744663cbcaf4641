"""The MiniPOS till through `flowtui minipos` and the Till service, as worked examples.

The clock is frozen at 2026-11-26T03:00:00Z: 11:00 on 26 November in Kuala
Lumpur (UTC+8), so the till's business day is 26 November and it is open.
Every figure is worked out by hand in the comments, never copied from output.

Products: KOPI 3.50 with 6% SST (code SST6, barcode 9555001, stock tracked,
50 on hand), ROTI 2.00 with no tax.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flowtui.engine.core.errors import FlowError
from flowtui.engine.minipos import sales as minipos
from flowtui.engine.minipos.checkout import Tender, bill
from flowtui.engine.services.flow import Flow
from flowtui.engine.storage.database import Database
from tests.cli_helpers import Cli, assert_clean_error

NOW = "2026-11-26T03:00:00Z"
TOMORROW = "2026-11-27T03:00:00Z"
KL = "Kuala Lumpur"


@pytest.fixture(autouse=True)
def frozen_clock(_isolated_env, monkeypatch):
    monkeypatch.setenv("FLOWTUI_NOW", NOW)


def set_up_shop(cli: Cli) -> Cli:
    cli.ok("init", "--company", "Kedai Kopi Sdn Bhd")
    cli.ok("location", "add", KL)
    cli.ok("location", "add", "Petaling Jaya")
    cli.ok("product", "add", "KOPI", "Kopi O", "--price", "3.50", "--cost", "1.00", "--track-stock",
           "--barcode", "9555001", "--tax-code", "SST6", "--tax-rate", "6%")
    cli.ok("product", "add", "ROTI", "Roti Canai", "--price", "2.00", "--cost", "0.50")
    cli.ok("stock", "set", "KOPI", "50", "--location", KL)
    return cli


@pytest.fixture
def shop(db_path) -> Cli:
    return set_up_shop(Cli(db_path))


@pytest.fixture
def till(shop) -> Cli:
    shop.ok("stream", "add", "Till", "--provider", "minipos", "--location", KL)
    return shop


def sell(cli: Cli, *args: str) -> dict:
    return cli.json("minipos", "sell", "Till", *args)


def stock_of(cli: Cli, sku: str) -> D:
    return {r["sku"]: D(str(r["quantity"])) for r in cli.json("stock", "--location", KL)}[sku]


def the_digest(cli: Cli) -> dict:
    (digest,) = [d for d in cli.json("digests") if d["stream"] == "Till"]
    return digest


# -- activation -----------------------------------------------------------------------------------


def test_a_till_needs_a_known_location_and_no_credentials(shop):
    assert_clean_error(shop("stream", "add", "Till", "--provider", "minipos"), says="--location")
    assert_clean_error(shop("stream", "add", "Till", "--provider", "minipos", "--location", "Ipoh"), says="Ipoh")
    assert shop.json("stream", "list") == []

    shop.ok("stream", "add", "Till", "--provider", "minipos", "--location", KL)
    (stream,) = shop.json("stream", "list")
    assert (stream["name"], stream["provider"]) == ("Till", "minipos")
    # its one store is mapped to the location at once, and auto invoice is on: the close is the review
    mapping = shop.json("mappings", "Till")
    assert [(m["pos_store_id"], m["location"]) for m in mapping["locations"]] == [("minipos", KL)]
    assert stream["auto_invoice"] is True


def test_every_till_numbers_its_own_orders(shop):
    shop.ok("stream", "add", "Counter A", "--provider", "minipos", "--location", KL)
    shop.ok("stream", "add", "Counter B", "--provider", "minipos", "--location", "Petaling Jaya")
    first_a = shop.json("minipos", "sell", "Counter A", "--item", "ROTI", "--pay", "Cash")
    first_b = shop.json("minipos", "sell", "Counter B", "--item", "ROTI", "--pay", "Cash")
    second_a = shop.json("minipos", "sell", "Counter A", "--item", "ROTI", "--pay", "Cash")
    assert [first_a["number"], first_b["number"], second_a["number"]] == ["000001", "000001", "000002"]
    assert [o["number"] for o in shop.json("minipos", "orders", "Counter A")] == ["000001", "000002"]
    assert [o["number"] for o in shop.json("minipos", "orders", "Counter B")] == ["000001"]


# -- selling --------------------------------------------------------------------------------------


def test_a_split_payment_rounds_only_the_cash_part(till):
    # 2 x KOPI 7.00 + ROTI 2.00 = 9.00; SST 6% of 7.00 = 0.42; due 9.42.
    # Card pays 5.00 exactly; cash owes 4.42, which rounds down to 4.40 (2 sen -> 0): rounding -0.02.
    sale = sell(till, "--item", "KOPI:2", "--item", "ROTI", "--pay", "Card:5.00", "--pay", "Cash")
    assert sale["number"] == "000001" and sale["type"] == "sale" and sale["business_date"] == "2026-11-26"
    assert (sale["subtotal"], sale["tax"], sale["total_before_rounding"], sale["rounding"], sale["total"]) == \
        ("9.00", "0.42", "9.42", "-0.02", "9.40")
    assert sale["payments"] == [{"method": "Card", "amount": "5.00"}, {"method": "Cash", "amount": "4.40"}]
    assert sale["change"] == "0.00"
    kopi = sale["lines"][0]
    assert (kopi["sku"], kopi["quantity"], kopi["tax"], kopi["tax_code"], kopi["amount"]) == ("KOPI", 2, "0.42", "SST6", "7.00")

    # the order is landed at once, as an order of the stream
    (landed,) = till.json("minipos", "orders", "Till")
    assert (landed["number"], landed["status"], landed["total"], landed["rounding"]) == ("000001", "completed", "9.40", "-0.02")
    assert landed["payments"] == sale["payments"]


def test_cash_tendered_gives_change_and_a_receipt(till):
    # KOPI 3.50 + 0.21 SST = 3.71 -> cash 3.70 (1 sen rounds down); 10.00 tendered: change 6.30
    receipt = till.ok("minipos", "sell", "Till", "--item", "9555001", "--pay", "Cash:10").out
    assert "#000001" in receipt
    lines = {line[:30].strip(): line[30:].strip() for line in receipt.splitlines()}
    assert (lines["Total"], lines["Rounding"], lines["Total (rounded)"], lines["Cash"], lines["Change"]) == \
        ("3.71", "-0.01", "3.70", "10.00", "6.30")


def test_discounts_share_before_tax(till):
    # KOPI x2 7.00 less 10% line discount 0.70 = 6.30; ROTI 2.00; order discount 1.00 shared 6.30:2.00
    # -> KOPI takes 0.76 (1.00 x 6.30/8.30 = 0.759), ROTI 0.24. Taxable KOPI 6.30 - 0.76 = 5.54; SST 0.33.
    # Due 8.30 - 1.00 + 0.33 = 7.63 -> cash 7.65 (3 sen rounds up to 5): rounding +0.02.
    sale = sell(till, "--item", "KOPI:2:10%", "--item", "ROTI", "--discount", "1.00", "--pay", "Cash")
    assert (sale["subtotal"], sale["discount"], sale["tax"], sale["rounding"], sale["total"]) == \
        ("8.30", "1.00", "0.33", "0.02", "7.65")
    kopi, roti = sale["lines"]
    assert (kopi["discount"], kopi["order_discount"], roti["order_discount"]) == ("0.70", "0.76", "0.24")
    # the landed order's discount is its order discount (docs/minipos.md); the lines keep their own
    (landed,) = till.json("minipos", "orders", "Till")
    assert (landed["subtotal"], landed["discount"], [ln["discount"] for ln in landed["lines"]]) == \
        ("8.30", "1.00", ["0.70", "0.00"])
    # and the books share it as the till did: each tax code's taxable amount is what tax was charged on
    closed = till.json("minipos", "close", "Till")
    digest = till.json("digest", "show", the_digest(till)["id"])
    assert (digest["summary"]["discount"], digest["taxes"]) == ("1.00", [
        {"tax_code": "", "taxable": "1.76", "tax": "0.00"}, {"tax_code": "SST6", "taxable": "5.54", "tax": "0.33"}])
    invoice = till.json("invoice", "show", closed["documents"][0])
    assert [(t["tax_code"], t["taxable"], t["tax"]) for t in invoice["taxes"]] == [
        ("", "1.76", "0.00"), ("SST6", "5.54", "0.33")]
    assert [(x["tax_code"], x["amount"]) for x in invoice["lines"] if x["description"] == "Discount"] == [
        (None, "-0.24"), ("SST6", "-0.76")]


@pytest.mark.parametrize("args, says", [
    (("--item", "TEH", "--pay", "Cash"), "TEH"),
    (("--pay", "Cash"), "item"),
    (("--item", "KOPI", "--pay", "Card:1.00"), "2.71 is still to pay"),
    (("--item", "KOPI", "--pay", "Card:9.00"), "more"),
    (("--item", "KOPI:0", "--pay", "Cash"), "Quantity"),
    (("--item", "KOPI:1:5.00", "--pay", "Cash"), "discount"),
])
def test_a_wrong_sale_is_a_clear_error_and_writes_nothing(till, args, says):
    assert_clean_error(till("minipos", "sell", "Till", *args), says=says)
    assert till.json("minipos", "orders", "Till") == []
    assert sell(till, "--item", "ROTI", "--pay", "Cash")["number"] == "000001"  # no number was used up


def test_a_sale_that_fails_to_land_leaves_no_order_and_no_number(db_path, till, monkeypatch):
    flow = Flow(Database.at(db_path))
    counter = flow.till("Till")
    cart = counter.cart([("ROTI", "1")])

    def broken(*_args, **_kwargs):
        raise FlowError("disk on fire")

    monkeypatch.setattr(minipos, "_land", broken)
    with pytest.raises(FlowError):
        counter.ring_up(cart, [Tender("Cash")])
    monkeypatch.undo()
    monkeypatch.setenv("FLOWTUI_NOW", NOW)
    assert counter.day().orders == []
    assert counter.ring_up(cart, [Tender("Cash")]).number == "000001"


# -- returns and voids ----------------------------------------------------------------------------


def test_returns_refund_what_was_paid_and_no_more(till):
    sell(till, "--item", "KOPI:2", "--item", "ROTI", "--pay", "Card:5.00", "--pay", "Cash")
    # one KOPI back: 3.50 + 0.21 tax = 3.71, refunded in cash: 3.70
    back = till.json("minipos", "return", "Till", "000001", "--item", "KOPI:1")
    assert (back["number"], back["type"], back["original_number"]) == ("000002", "return", "000001")
    assert (back["subtotal"], back["tax"], back["rounding"], back["total"]) == ("3.50", "0.21", "-0.01", "3.70")
    assert back["payments"] == [{"method": "Cash", "amount": "3.70"}]

    assert_clean_error(till("minipos", "return", "Till", "000001", "--item", "KOPI:2"), says="KOPI")
    assert_clean_error(till("minipos", "return", "Till", "000099"), says="000099")
    # the rest of the sale (one KOPI and the ROTI): KOPI's last unit refunds the exact remainder
    rest = till.json("minipos", "return", "Till", "000001", "--refund", "Card")
    assert (rest["subtotal"], rest["tax"], rest["total"]) == ("5.50", "0.21", "5.71")
    assert rest["payments"] == [{"method": "Card", "amount": "5.71"}]
    assert_clean_error(till("minipos", "return", "Till", "000001"), says="already been returned")

    day = till.json("minipos", "day", "Till")
    # sales 9.40; refunds 3.70 + 5.71 = 9.41; cash 4.40 - 3.70 = 0.70; card 5.00 - 5.71 = -0.71
    assert (day["sales"], day["refunds"]) == ("9.40", "9.41")
    assert {m["method"]: m["amount"] for m in day["by_method"]} == {"Card": "-0.71", "Cash": "0.70"}


def test_void_takes_back_only_the_last_order(till):
    sell(till, "--item", "ROTI", "--pay", "Cash")
    sell(till, "--item", "KOPI", "--pay", "Cash")
    voided = till.json("minipos", "void", "Till")
    assert (voided["number"], voided["status"]) == ("000002", "voided")
    assert_clean_error(till("minipos", "void", "Till"), says="000002")
    assert_clean_error(till("minipos", "return", "Till", "000002"), says="void")
    statuses = {o["number"]: o["status"] for o in till.json("minipos", "orders", "Till")}
    assert statuses == {"000001": "completed", "000002": "voided"}
    day = till.json("minipos", "day", "Till")
    assert (day["sales"], day["expected_cash"]) == ("2.00", "2.00")  # the voided 3.70 is gone
    # a number is never reused
    assert sell(till, "--item", "ROTI", "--pay", "Cash")["number"] == "000003"


# -- the day flows into digests, invoices and stock -------------------------------------------------


def test_closing_the_day_posts_it_and_later_sales_post_the_difference(till):
    sell(till, "--item", "KOPI:2", "--item", "ROTI", "--pay", "Card:5.00", "--pay", "Cash")  # 9.40
    till.json("minipos", "return", "Till", "000001", "--item", "KOPI:1")  # 3.70 back in cash
    digest = the_digest(till)
    # the digest follows the till live, but today is open until the till closes it
    assert (digest["status"], digest["amount"], digest["order_count"], digest["return_count"]) == ("open", "5.70", 1, 1)
    assert till.json("invoices") == []

    closed = till.json("minipos", "close", "Till", "--float", "50", "--counted", "50.60")
    # cash: 4.40 in, 3.70 out = 0.70; expected 50.00 + 0.70 = 50.70; counted 50.60: 0.10 short
    assert (closed["expected_cash"], closed["counted_cash"], closed["over_short"]) == ("50.70", "50.60", "-0.10")
    assert closed["sync"] == "ok"
    invoice_no, credit_no = closed["documents"]
    assert the_digest(till)["status"] == "posted"
    invoice = till.json("invoice", "show", invoice_no)
    credit = till.json("invoice", "show", credit_no)
    assert (invoice["kind"], invoice["total"], credit["kind"], credit["total"]) == ("invoice", "9.40", "credit_note", "3.70")
    assert {p["method"]: p["amount"] for p in invoice["payments"]} == {"Card": "5.00", "Cash": "4.40"}
    assert stock_of(till, "KOPI") == 49  # 50 - 2 sold + 1 returned

    # a sale after the close changes the posted day; closing again posts exactly the difference
    sell(till, "--item", "KOPI", "--pay", "Cash")  # 3.71 -> 3.70
    assert the_digest(till)["status"] == "changed"
    again = till.json("minipos", "close", "Till")
    assert (again["opening_float"], again["expected_cash"]) == ("50.00", "54.40")  # the float is kept
    (adjustment,) = again["documents"]
    shown = till.json("invoice", "show", adjustment)
    assert (shown["kind"], shown["role"], shown["total"]) == ("invoice", "adjustment", "3.70")
    assert stock_of(till, "KOPI") == 48
    # the closed day is checked, not skipped as open: 9.40 + 3.70 - 3.70 back, in the till, digest and ledger
    (day,) = till.json("reconcile")
    assert (day["open"], day["agrees"], day["source"], day["digest"], day["ledger"]) == (False, True, "9.40", "9.40", "9.40")


def test_the_nightly_sync_posts_a_day_nobody_closed(till, monkeypatch):
    sell(till, "--item", "ROTI:3", "--pay", "Cash")  # 6.00
    assert the_digest(till)["status"] == "open"
    monkeypatch.setenv("FLOWTUI_NOW", TOMORROW)
    till.ok("sync")
    digest = the_digest(till)
    assert (digest["date"], digest["status"], digest["amount"]) == ("2026-11-26", "posted", "6.00")
    (invoice,) = till.json("invoices")
    assert (invoice["total"], invoice["date"]) == ("6.00", "2026-11-26")


def test_a_blank_float_keeps_the_first_close_s_and_counted_may_be_blank(db_path, till):
    sell(till, "--item", "ROTI", "--pay", "Cash")  # 2.00 in cash
    counter = Flow(Database.at(db_path)).till("Till")
    first = counter.close(None, "20", "")  # what the console's close dialog sends
    assert (first.day.opening_float, first.day.expected_cash, first.day.counted_cash) == (D("20.00"), D("22.00"), None)
    again = counter.close(None, "", "22.05")
    assert (again.day.opening_float, again.day.over_short) == (D("20.00"), D("0.05"))


def test_a_day_that_has_not_started_cannot_be_closed(till):
    assert_clean_error(till("minipos", "close", "Till", "--date", "2026-11-27"), says="2026-11-27")
    assert_clean_error(till("minipos", "sell", "Nope", "--item", "ROTI", "--pay", "Cash"), says="Nope")


# -- property: a till's day digests to exactly what was rung up ----------------------------------

SKUS = ("KOPI", "ROTI")

sale_strategy = st.fixed_dictionaries({
    "items": st.lists(st.tuples(st.sampled_from(SKUS), st.integers(1, 4), st.sampled_from(["", "5%", "0.10"])),
                      min_size=1, max_size=3, unique_by=lambda t: t[0]),
    "discount": st.sampled_from([None, "0.50", "10%"]),
    "card_sen": st.integers(0, 400),
    "returns": st.booleans(),
})


@pytest.mark.slow
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sales=st.lists(sale_strategy, min_size=1, max_size=5))
def test_a_till_day_digests_to_exactly_what_was_rung_up(tmp_path_factory, sales):
    db_path = tmp_path_factory.mktemp("till") / "flow.duckdb"
    cli = set_up_shop(Cli(db_path))
    cli.ok("stream", "add", "Till", "--provider", "minipos", "--location", KL)
    counter = Flow(Database.at(db_path)).till("Till")

    rung = []
    for sale in sales:
        cart = counter.cart([(sku, str(qty)) for sku, qty, _ in sale["items"]], sale["discount"],
                            {i: disc for i, (_, _, disc) in enumerate(sale["items"]) if disc})
        due = bill(cart).total
        card = min(D(sale["card_sen"]) / 100, due)
        tenders = [Tender("Card", card)] if card else []
        if card < due:
            tenders.append(Tender("Cash"))  # cash pays the rest, rounded to 5 sen
        rung.append(counter.ring_up(cart, tenders))
        if sale["returns"]:
            rung.append(counter.refund(rung[-1].number, None, "Cash"))
    counter.close()

    digest = the_digest(cli)
    sold = [r for r in rung if r.kind == "sale"]
    back = [r for r in rung if r.kind == "return"]
    total = sum((r.settlement.total for r in sold), D(0)) - sum((r.settlement.total for r in back), D(0))
    assert D(digest["amount"]) == total
    assert (digest["order_count"], digest["return_count"]) == (len(sold), len(back))
    shown = cli.json("digest", "show", str(digest["id"]))
    paid: dict[str, D] = {}
    for r in rung:
        sign = 1 if r.kind == "sale" else -1
        for method, amount in r.settlement.payments:
            paid[method] = paid.get(method, D(0)) + sign * amount
    assert {p["method"]: D(p["amount"]) for p in shown["payments"]} == paid
    tax = sum((r.bill.tax for r in sold), D(0)) - sum((r.bill.tax for r in back), D(0))
    rounding = sum((r.settlement.rounding for r in sold), D(0)) - sum((r.settlement.rounding for r in back), D(0))
    summary = shown["summary"]
    assert (D(summary["net_total"]), D(summary["tax"]), D(summary["rounding"])) == (total, tax, rounding)
    # and the ledger holds the same day to the sen
    assert cli("reconcile").code == 0

