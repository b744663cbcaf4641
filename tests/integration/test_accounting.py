"""Books an accountant can sign: every account equals what the source orders imply, after any change.

The balances are recomputed here from the orders alone, without flowtui's posting code, the way an
auditor would: a sale's line goes to its product's income account (else Sales 4000) at its gross
amount, a return's line to Sales Returns 4010, discounts to 4020, service charge to 4100, shipping to 4200,
rounding to 4900, tax to 2100, tips to 2200 and each payment to its method's account. Whatever happened to a posted day — a void,
an edit, a late upload, a late return — the trial balance must equal that.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flowtui.engine.services.flow import Flow
from flowtui.engine.setup.streams import StreamSettings
from flowtui.engine.storage.database import Database
from tests.factories import order, write_ndjson
from tests.integration.test_digests import generated_order
from tests.integration.test_posting import books, journal_of, open_cafe, with_service_tax  # noqa: F401

D = Decimal
PAYMENT_ACCOUNTS = {"Cash": "1000", "Card": "1020", "E-wallet": "1030", "GrabPay": "1030"}
CATEGORY = {"sales": "4000", "returns": "4010", "discount": "4020", "service_charge": "4100", "shipping": "4200",
            "tax": "2100", "tips": "2200", "rounding": "4900"}


def implied_balances(flow: Flow) -> dict[str, Decimal]:
    """Debit - credit per account, from the completed orders as they are now (and products' income accounts)."""
    out: dict[str, Decimal] = defaultdict(Decimal)
    with flow.db.read() as con:
        income = dict(con.execute("SELECT sku, income_account FROM products WHERE income_account IS NOT NULL").fetchall())
        for kind, discount, service, shipping, tip, tax, rounding in con.execute(
                "SELECT type, discount, service_charge, shipping, tip, tax, rounding FROM orders "
                "WHERE status = 'completed'").fetchall():
            sign = 1 if kind == "sale" else -1  # a sale credits income, a return debits it
            out[CATEGORY["discount"]] += sign * discount
            out[CATEGORY["service_charge"]] -= sign * service
            out[CATEGORY["shipping"]] -= sign * shipping  # refunded shipping is taken back from Shipping Income
            out[CATEGORY["tips"]] -= sign * tip  # tips are owed to the staff: a liability, never income
            out[CATEGORY["tax"]] -= sign * tax
            out[CATEGORY["rounding"]] -= sign * rounding
        for kind, sku, product_id, discount, amount in con.execute(
                "SELECT type, sku, product_id, discount, amount FROM order_lines WHERE status = 'completed'").fetchall():
            if kind == "sale":
                out[income.get(sku or product_id, CATEGORY["sales"])] -= amount + discount
                out[CATEGORY["discount"]] += discount
            else:
                out[CATEGORY["returns"]] += amount + discount
                out[CATEGORY["discount"]] -= discount
        for kind, method, amount in con.execute(
                "SELECT type, method, amount FROM order_payments WHERE status = 'completed'").fetchall():
            out[PAYMENT_ACCOUNTS[method]] += amount if kind == "sale" else -amount
    return {k: v for k, v in out.items() if v}


def booked_balances(flow: Flow, accounts) -> dict[str, Decimal]:
    rows = {r.code: r.balance for r in flow.trial_balance()}
    return {code: rows[code] for code in accounts if rows.get(code)}


def assert_books_equal_the_source(flow: Flow) -> None:
    implied = implied_balances(flow)
    accounts = set(implied) | set(CATEGORY.values()) | set(PAYMENT_ACCOUNTS.values()) | {"4001"}
    assert booked_balances(flow, accounts) == implied
    assert_taxes_add_up(flow)


def assert_taxes_add_up(flow: Flow) -> None:
    """Every digest's and document's tax summary adds up to its tax, and the journal's tax lines follow the codes."""
    with flow.db.read() as con:
        assert con.execute(
            "SELECT d.id, d.tax, coalesce(sum(t.tax), 0) FROM digests d LEFT JOIN digest_taxes t ON t.digest_id = d.id "
            "GROUP BY d.id, d.tax HAVING d.tax <> coalesce(sum(t.tax), 0)").fetchall() == []
        assert con.execute(
            "SELECT d.id FROM documents d LEFT JOIN document_taxes t ON t.document_id = d.id "
            "GROUP BY d.id, d.tax HAVING d.tax <> coalesce(sum(t.tax), 0)").fetchall() == []
        by_document = con.execute(
            """
            SELECT coalesce(nullif(tax_code, ''), '-'), sum(CASE d.kind WHEN 'invoice' THEN t.tax ELSE -t.tax END)
            FROM document_taxes t JOIN documents d ON d.id = t.document_id GROUP BY 1
            HAVING sum(CASE d.kind WHEN 'invoice' THEN t.tax ELSE -t.tax END) <> 0 ORDER BY 1
            """).fetchall()
        by_journal = con.execute(
            """
            SELECT coalesce(nullif(l.tax_code, ''), '-'), sum(l.credit - l.debit) FROM journal_lines l
            WHERE l.account_code = '2100' GROUP BY 1 HAVING sum(l.credit - l.debit) <> 0 ORDER BY 1
            """).fetchall()
    assert by_journal == by_document


def night(flow, folder, orders):
    write_ndjson(folder / "orders.ndjson", orders)
    [outcome] = flow.sync(["pos"])
    assert not outcome.failed, outcome.error
    return outcome


# -- 1. corrections hit the account of what they correct --------------------------------------------
#
# 1 Oct at KL Sentral, SST 6 % on the lines and on a 1.20 service charge (0.07, code SV6):
#     S1  2 Kopi O (4001) + 1 Roti Bakar, service charge        cash
#     S2  1 Enamel Mug 35.00                                    card
#     R1  1 Kopi O returned from S1                             cash     -> invoice + credit note
# Overnight: S2 is voided, S1 is edited down to 1 Kopi O, S3 (1 Roti) is uploaded late and R2 (the Roti of
# S1) is returned after the day was posted. The adjustment must take the mug and the kopi out of the sales
# accounts they went to, put the roti in Sales, and the late return in Sales Returns.

S1 = with_service_tax(order("S1", "KL", "2026-10-01T02:00:00Z", [("KOPI", 2, "3.50"), ("ROTI", 1, "5.00")],
                            tax_rate="0.06", service_charge="1.20"), "0.07", "0.00")
S2 = order("S2", "KL", "2026-10-01T03:00:00Z", [("MUG", 1, "35.00")], pay=[("Card", None)])
R1 = order("R1", "KL", "2026-10-01T05:00:00Z", [("KOPI", 1, "3.50")], tax_rate="0.06", type="return",
           original_id="S1")
S1_EDITED = with_service_tax(order("S1", "KL", "2026-10-01T02:00:00Z", [("KOPI", 1, "3.50"), ("ROTI", 1, "5.00")],
                                   tax_rate="0.06", service_charge="1.20"), "0.07", "0.00")
S3 = order("S3", "KL", "2026-10-01T06:00:00Z", [("ROTI", 1, "5.00")], tax_rate="0.06")
R2 = order("R2", "KL", "2026-10-01T07:00:00Z", [("ROTI", 1, "5.00")], tax_rate="0.06", type="return",
           original_id="S1")


@pytest.fixture
def cafe(books, orders_dir):  # noqa: F811
    books.map_tax("pos", "service_charge", "SV6")
    night(books, orders_dir, [S1, S2, R1])
    books.map_location("pos", "KL", "KL Sentral", number_format="KL-{yyyy}{mm}-{seq:04}")
    [outcome] = books.post(everything=True)
    assert outcome.documents == [("invoice", "KL-202610-0001"), ("credit_note", "CN-KL-202610-0001")]
    return books


def test_a_day_posts_sales_to_sales_and_returns_to_returns(cafe):
    assert_books_equal_the_source(cafe)
    balances = booked_balances(cafe, ["4000", "4001", "4010"])
    assert balances == {"4000": D("-40.00"), "4001": D("-7.00"), "4010": D("3.50")}


def test_voids_edits_late_sales_and_late_returns_each_reverse_their_own_account(cafe, orders_dir):
    night(cafe, orders_dir, [{**S1_EDITED, "number": "S1"}, {**S2, "status": "voided"}, R1, S3, R2])
    [outcome] = cafe.post(everything=True)
    assert outcome.status == "adjusted"
    [(kind, number)] = outcome.documents
    note = cafe.invoice(number)
    # the sales side: the mug (voided) and one kopi (edited away) leave the accounts they went to, the late roti
    # arrives in Sales; the return side: the roti returned after posting lands in Sales Returns
    assert sorted((x["side"], x["sku"], x["account"]) for x in note.lines if x["kind"] == "item") == [
        ("return", "ROTI", "4010"), ("sale", "KOPI", "4001"), ("sale", "MUG", "4000"), ("sale", "ROTI", "4000")]
    assert_books_equal_the_source(cafe)
    assert booked_balances(cafe, ["4000", "4001", "4010"]) == {
        "4000": D("-10.00"),  # roti + late roti; the mug is gone
        "4001": D("-3.50"),   # one kopi left
        "4010": D("8.50"),    # kopi returned (3.50) + roti returned after posting (5.00)
    }
    # the adjustment's tax summary carries the service charge under its code, and adds up
    assert sum(t["tax"] for t in note.taxes) == note.tax


def test_a_return_after_the_day_was_posted_is_a_return_even_on_a_supplementary_invoice(cafe, orders_dir):
    """More sold late than returned late: the day grows, yet the return still goes to Sales Returns."""
    big = order("S4", "KL", "2026-10-01T08:00:00Z", [("MUG", 2, "35.00")], pay=[("Card", None)])
    night(cafe, orders_dir, [S1, S2, R1, R2, big])
    [outcome] = cafe.post(everything=True)
    [(kind, number)] = outcome.documents
    assert kind == "invoice"
    lines = {(x["side"], x["sku"]): (x["amount"], x["account"]) for x in cafe.invoice(number).lines
             if x["kind"] == "item"}
    assert lines == {("sale", "MUG"): (D("70.00"), "4000"), ("return", "ROTI"): (D("-5.00"), "4010")}
    assert journal_of(cafe, number) == [
        # two mugs by card into Sales; the roti returned after posting refunded in cash out of Sales Returns,
        # its tax back out of SST Payable
        ("1020", D("70.00"), D("0")), ("2100", D("0.30"), D("0")), ("4010", D("5.00"), D("0")),
        ("1000", D("0"), D("5.30")), ("4000", D("0"), D("70.00")),
        # cost of goods: two mugs out (24.00), the roti back in (1.20)
        ("5000", D("22.80"), D("0")), ("1200", D("0"), D("22.80")),
    ]
    assert_books_equal_the_source(cafe)
    assert booked_balances(cafe, ["4010"]) == {"4010": D("8.50")}


def test_the_service_charge_tax_carries_its_code_everywhere(cafe):
    day = cafe.digest(cafe.digests()[0].id)
    # the lines' 6 % (S1 less R1), the mug (no code) and the service charge under its own code
    assert dict((c, (t, x)) for c, t, x in day.taxes) == {
        "T0.06": (D("8.50"), D("0.51")), "": (D("35.00"), D("0.00")), "SV6": (D("1.20"), D("0.07"))}
    assert sum(x for _, _, x in day.taxes) == day.summary["tax"]
    invoice = cafe.invoice("KL-202610-0001")
    assert [(t["tax_code"], t["taxable"], t["tax"]) for t in invoice.taxes] == [
        ("", D("35.00"), D("0.00")), ("SV6", D("1.20"), D("0.07")), ("T0.06", D("12.00"), D("0.72"))]
    with cafe.db.read() as con:
        tax_lines = con.execute(
            "SELECT l.tax_code, l.credit FROM journal_lines l JOIN journal_entries e ON e.id = l.entry_id "
            "JOIN documents d ON d.id = e.document_id WHERE d.number = 'KL-202610-0001' AND l.account_code = '2100' "
            "ORDER BY 1").fetchall()
    assert tax_lines == [("SV6", D("0.07")), ("T0.06", D("0.72"))]


def test_without_a_code_the_service_charge_tax_still_adds_up(books, orders_dir):  # noqa: F811
    night(books, orders_dir, [S1])
    day = books.digest(books.digests()[0].id)
    assert ("", D("1.20"), D("0.07")) in day.taxes
    assert sum(x for _, _, x in day.taxes) == day.summary["tax"]
    books.map_tax("pos", "service_charge", "SV6")  # a day not posted yet takes the code at once
    day = books.digest(books.digests()[0].id)
    assert ("SV6", D("1.20"), D("0.07")) in day.taxes


# -- a property: any two nights, posted after each, leave every account equal to the source ----------


def with_discount(o: dict, amount: str) -> dict:
    """The order with an order discount off its total (and off its last payment), when it can take it."""
    cut = D(amount)
    paid = D(o["payments"][-1]["amount"])
    if cut > paid:
        return o
    payments = [*o["payments"][:-1], {**o["payments"][-1], "amount": f"{paid - cut:.2f}"}]
    return {**o, "discount": f"{cut:.2f}", "total": f"{D(o['total']) - cut:.2f}", "payments": payments}


def with_shipping_and_tip(o: dict, shipping: str, shipping_tax: str, tip: str) -> dict:
    """The order with shipping (its tax added to the order's tax) and a tip, paid with its last payment."""
    extra = D(shipping) + D(shipping_tax) + D(tip)
    if not extra:
        return o
    paid = D(o["payments"][-1]["amount"]) + extra
    payments = [*o["payments"][:-1], {**o["payments"][-1], "amount": f"{paid:.2f}"}]
    return {**o, "shipping": shipping, "tip": tip, "tax": f"{D(o['tax']) + D(shipping_tax):.2f}",
            "total": f"{D(o['total']) + extra:.2f}", "payments": payments}


@st.composite
def discounted_order(draw, index: int):
    o = draw(generated_order(index))
    return with_discount(o, draw(st.sampled_from(["0.00", "0.00", "0.05", "0.37", "1.00"])))


@st.composite
def shipped_order(draw, index: int):
    """A web order: a discounted one, sometimes with shipping (taxed or not) and a tip."""
    o = draw(discounted_order(index))
    shipping, shipping_tax = draw(st.sampled_from([("0.00", "0.00"), ("8.00", "0.48"), ("4.90", "0.00")]))
    return with_shipping_and_tip(o, shipping, shipping_tax, draw(st.sampled_from(["0.00", "2.00", "0.35"])))


@st.composite
def two_nights(draw, orders_of=discounted_order):
    first = draw(st.lists(st.integers(0, 10**6), min_size=1, max_size=12).map(len))
    orders = [draw(orders_of(i)) for i in range(first)]
    later = []
    for o in orders:
        fate = draw(st.sampled_from(["same", "same", "void", "edit"]))
        if fate == "void":
            later.append({**o, "status": "voided"})
        elif fate == "edit":
            edited = draw(orders_of(0))
            later.append({**edited, "id": o["id"], "number": o["number"], "store_id": o["store_id"],
                          "time": o["time"], "type": o["type"]})
        else:
            later.append(o)
    extra = draw(st.integers(0, 4))
    later += [draw(orders_of(100 + i)) for i in range(extra)]
    return orders, later


def mapped_shop(tmp_path_factory) -> tuple[Flow, object]:
    folder = tmp_path_factory.mktemp("shop")
    flow = Flow(Database.at(folder / "flow.duckdb"))
    flow.init()
    flow.add_account("4001", "Beverage Sales", "income")
    flow.add_product("KOPI", "Kopi O", "3.50", "0.8125", income_account="4001", track_stock=True)
    flow.add_product("ROTI", "Roti", "5.00", "1.3333", track_stock=True)
    for store in ("KL", "PG"):
        flow.add_location(store)
    (folder / "in").mkdir()
    flow.add_stream("pos", "file", {"path": str(folder / "in")}, StreamSettings())
    for store in ("KL", "PG"):
        flow.map_location("pos", store, store, number_format=f"{store}-{{seq:05}}")
    flow.map_payment("pos", "GrabPay", "1030")
    flow.map_tax("pos", "service_charge", "SV6")
    return flow, folder / "in"


@pytest.mark.slow
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(nights=two_nights())
def test_after_any_changes_every_account_equals_what_the_orders_imply(tmp_path_factory, monkeypatch, nights):
    monkeypatch.setenv("FLOWTUI_NOW", "2026-10-10T04:00:00Z")
    flow, folder = mapped_shop(tmp_path_factory)
    for orders in nights:
        night(flow, folder, orders)
        flow.post(everything=True)
        assert_books_equal_the_source(flow)
        assert_inventory_ties(flow)
        assert_taxable_is_net_of_discounts(flow)


@pytest.mark.slow
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(nights=two_nights(shipped_order))
def test_after_any_changes_to_shipping_and_tips_every_account_equals_what_the_orders_imply(tmp_path_factory,
                                                                                           monkeypatch, nights):
    """Web orders, voided, edited (their shipping and tips too) or late: Shipping Income and Tips Payable (and every
    other account) equal the orders, and shipping is never a tax code's taxable amount."""
    monkeypatch.setenv("FLOWTUI_NOW", "2026-10-10T04:00:00Z")
    flow, folder = mapped_shop(tmp_path_factory)
    for orders in nights:
        night(flow, folder, orders)
        flow.post(everything=True)
        assert_books_equal_the_source(flow)
        assert_taxable_is_net_of_discounts(flow)


def assert_taxable_is_net_of_discounts(flow: Flow) -> None:
    """With every service charge coded, the tax summaries' taxable amounts are the lines less the order discount,
    plus the service charge: on every digest and every document."""
    with flow.db.read() as con:
        assert con.execute(
            """
            SELECT d.id FROM digests d
            LEFT JOIN (SELECT digest_id, sum(amount) AS amount FROM digest_items GROUP BY 1) i ON i.digest_id = d.id
            LEFT JOIN (SELECT digest_id, sum(taxable) AS taxable FROM digest_taxes GROUP BY 1) t ON t.digest_id = d.id
            WHERE coalesce(t.taxable, 0) <> coalesce(i.amount, 0) - d.discount + d.service_charge
            """).fetchall() == []
        assert con.execute(
            """
            SELECT d.number FROM documents d
            LEFT JOIN (SELECT document_id, sum(taxable) AS taxable FROM document_taxes GROUP BY 1) t
                   ON t.document_id = d.id
            WHERE coalesce(t.taxable, 0) <> d.subtotal - d.discount + d.service_charge
            """).fetchall() == []


def assert_inventory_ties(flow: Flow) -> None:
    with flow.db.read() as con:
        stock = con.execute("SELECT coalesce(sum(value), 0) FROM stock_movements").fetchall()[0][0]
        cost = con.execute("SELECT coalesce(sum(quantity * unit_cost), 0) FROM stock_movements").fetchall()[0][0]
        rounded = con.execute("SELECT count(DISTINCT coalesce(document_id, -id)) FROM stock_movements").fetchall()[0][0]
    inventory = {r.code: r.balance for r in flow.trial_balance()}.get("1200", D(0))
    assert inventory == stock
    # a document's stock value is rounded once, so each is at most half a sen from exact, and no more than that
    assert abs(stock - cost) <= D("0.005") * max(rounded, 1)
    assert all(c.agrees for c in flow.reconcile() if c.stream == "(books)")


# -- 3. inventory that ties ---------------------------------------------------------------------------


def test_opening_stock_dated_before_the_sales_it_covers_ties_inventory_to_the_stock(books, orders_dir):  # noqa: F811
    """The café counted 10 roti and 4 mugs today (10 Oct); it now enters what it had on 30 Sep: 30 roti, 1 mug.

    The 1 Oct sales (1 roti, 1 mug) come off the 30 Sep stock, whatever order it was entered in.
    """
    books.set_stock("MUG", 1, "KL Sentral", on=date(2026, 9, 30))
    night(books, orders_dir, [S1, S2])
    books.map_location("pos", "KL", "KL Sentral")
    books.post(everything=True)
    books.set_stock("ROTI", 30, "KL Sentral", on=date(2026, 9, 30))  # entered after the sales it covers
    stock = {r.sku: (r.quantity, r.value) for r in books.stock()}
    assert stock == {"ROTI": (D("39"), D("46.80")),  # 30 - 1 sold + 10 counted today, at 1.20
                     "MUG": (D("4"), D("48.00"))}    # 1 - 1 sold + 4 counted today, at 12.00
    balances = {r.code: r.balance for r in books.trial_balance()}
    assert balances["1200"] == D("94.80") == sum(v for _, v in stock.values())
    assert balances["3200"] == D("-108.00")  # opening stock: 30 + 10 roti, 1 + 4 mugs
    with books.db.read() as con:
        by_date = con.execute(
            "SELECT e.date, e.kind, sum(l.debit - l.credit) FROM journal_lines l JOIN journal_entries e "
            "ON e.id = l.entry_id WHERE l.account_code = '1200' GROUP BY ALL ORDER BY 1, 2").fetchall()
    assert [(d.isoformat(), k) for d, k, _ in by_date] == [
        ("2026-09-30", "stock"), ("2026-10-01", "cost"), ("2026-10-10", "stock")]
    assert [c for c in books.reconcile() if c.stream == "(books)"] == []


def test_cost_of_goods_is_rounded_once_per_document_not_per_line():
    from flowtui.engine.ledger.posting_plan import stock_values

    # three lines of 1 x 0.3333: per line 0.33 + 0.33 + 0.33 = 0.99, once: 0.9999 -> 1.00
    values = stock_values([(1000, 3333), (1000, 3333), (1000, 3333)])
    assert sum(values) == 100 and values == [33, 34, 33]


def test_stock_below_zero_is_a_warning_on_the_digest_and_in_the_stock_list(books, orders_dir):  # noqa: F811
    from tests.cli_helpers import Cli

    night(books, orders_dir, [order("S9", "KL", "2026-10-01T02:00:00Z", [("MUG", 6, "35.00")])])
    books.map_location("pos", "KL", "KL Sentral")
    row = books.digests()[0]
    assert books.digest(row.id).warnings == [
        'stock of MUG at KL Sentral is -2 once this posts (on hand 4): more sold than counted; count it with '
        '`flowtui stock set MUG QTY --location "KL Sentral" --date D`']
    books.post(everything=True)
    assert books.digest(row.id).warnings[0].startswith("stock of MUG at KL Sentral is -2:")
    listed = Cli(books.db.path)("stock")
    assert "warning: MUG at KL Sentral is below zero (-2)" in listed.err
    assert [r for r in Cli(books.db.path).json("stock") if r["sku"] == "MUG"][0]["negative"] is True


# -- 2. the tax report ----------------------------------------------------------------------------------


def test_the_tax_report_gives_taxable_and_tax_per_type_and_rate_net_of_returns_and_adjustments(cafe, orders_dir):
    from tests.cli_helpers import Cli

    night(cafe, orders_dir, [S1, {**S2, "status": "voided"}, R1, S3])  # the late roti adds 5.00 at 6 %
    cafe.post(everything=True)
    cli = Cli(cafe.db.path)
    cli.ok("tax", "code", "add", "T0.06", "--type", "sales", "--rate", "6%")
    report = cli.json("tax", "report", "--from", "2026-10-01", "--to", "2026-10-31")
    # lines 12.00 - 3.50 returned + 5.00 late = 13.50 taxable at 6 % (0.72 - 0.21 + 0.30 = 0.81);
    # the service charge 1.20 under SV6 (0.07); the mug was voided: nothing untaxed is left
    assert [(x["type"], x["rate"], x["tax_codes"], x["taxable"], x["tax"]) for x in report["lines"]] == [
        ("sales", "0.0600", ["T0.06"], "13.50", "0.81"),
        ("service", "0.0600", ["SV6"], "1.20", "0.07"),
    ]
    assert (report["tax"], report["tax_account_movement"], report["agrees"]) == ("0.88", "0.88", True)
    pdf = orders_dir.parent / "sst.pdf"
    cli.ok("tax", "report", "--from", "2026-10-01", "--to", "2026-10-31", "--pdf", pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    # a manual entry on the tax account (paying customs) is no part of the return, and is said apart
    cli.ok("ledger", "entry", "add", "--date", "2026-10-31", "--memo", "SST paid", "--debit", "2100:0.88",
           "--credit", "1010:0.88")
    again = cli.json("tax", "report", "--from", "2026-10-01", "--to", "2026-10-31")
    assert (again["tax"], again["agrees"], again["other_tax_movement"]) == ("0.88", True, "-0.88")


# -- 7. undo and manual entries -------------------------------------------------------------------------


def test_reversing_an_invoice_undoes_its_day_exactly_and_the_day_can_post_again(cafe, orders_dir):
    from tests.cli_helpers import Cli, assert_clean_error

    cli = Cli(cafe.db.path)
    before = {r.code: r.balance for r in cafe.trial_balance()}
    stock_before = {r.sku: r.quantity for r in cafe.stock()}
    assert_clean_error(cli("invoice", "reverse", "KL-202610-0001", "--reason", " "), says="--reason")
    done = cli.json("invoice", "reverse", "KL-202610-0001", "--reason", "posted to the wrong outlet")
    assert done["digest_status"] == "ready"
    # the invoice and its day's credit note, each reversed by a linked document of the other kind
    assert [(r["number"], r["reversed_by"]) for r in done["reversed"]] == [
        ("KL-202610-0001", "CN-KL-202610-0002"), ("CN-KL-202610-0001", "KL-202610-0002")]
    original = cli.json("invoice", "show", "KL-202610-0001")
    assert original["status"] == "reversed"  # marked, never deleted or edited
    assert ("reversed by", "CN-KL-202610-0002") in [(x["relation"], x["number"]) for x in original["linked"]]
    assert original["history"][-1]["detail"] == "reversed by CN-KL-202610-0002: posted to the wrong outlet"
    reversal = cli.json("invoice", "show", "CN-KL-202610-0002")
    assert (reversal["role"], reversal["total"], reversal["date"]) == ("reversal", original["total"], "2026-10-01")
    # every account back where it was before the day was posted: only the opening stock remains
    after = {code: balance for code, balance in ((r.code, r.balance) for r in cafe.trial_balance()) if balance}
    assert after == {"1200": D("60.00"), "3200": D("-60.00")}  # the opening stock: 10 roti x 1.20 + 4 mugs x 12.00
    assert {r.sku: r.quantity for r in cafe.stock()} == {"ROTI": D("10"), "MUG": D("4")}
    assert cli.json("tax", "report", "--from", "2026-10-01", "--to", "2026-10-01")["lines"] == []
    assert_clean_error(cli("invoice", "reverse", "KL-202610-0001", "--reason", "again"), says="already reversed")
    assert_clean_error(cli("invoice", "reverse", "CN-KL-202610-0002", "--reason", "x"), says="itself a reversal")
    # the day posts again, fresh, under new numbers; the books equal the source once more
    [outcome] = cafe.post(everything=True)
    assert outcome.status == "posted" and outcome.documents == [
        ("invoice", "KL-202610-0003"), ("credit_note", "CN-KL-202610-0003")]
    assert {r.code: r.balance for r in cafe.trial_balance()} == before
    assert {r.sku: r.quantity for r in cafe.stock()} == stock_before
    assert_books_equal_the_source(cafe)
    [day] = cli.json("reconcile")
    assert day["agrees"] and day["ledger"] == day["digest"]


def test_a_manual_entry_must_balance_and_name_real_accounts(books):  # noqa: F811
    from tests.cli_helpers import Cli, assert_clean_error

    cli = Cli(books.db.path)
    done = cli.json("ledger", "entry", "add", "--date", "2026-10-05", "--memo", "Bank charges for October",
                    "--debit", "6000:12.50", "--credit", "1010:12.50")
    journal = cli.json("ledger", "journal", "--account", "6000")
    assert [(r["date"], r["memo"], r["debit"], r["credit"]) for r in journal] == [
        ("2026-10-05", "Bank charges for October", "12.50", "0.00")]
    assert done["entry_id"] == journal[0]["entry"]
    assert_clean_error(cli("ledger", "entry", "add", "--date", "2026-10-05", "--memo", "x", "--debit", "6000:12.50",
                           "--credit", "1010:12.40"), says="does not balance")
    assert_clean_error(cli("ledger", "entry", "add", "--date", "2026-10-05", "--memo", "x", "--debit", "9999:1",
                           "--credit", "1010:1"), says="9999")
    assert_clean_error(cli("ledger", "entry", "add", "--date", "2026-10-05", "--memo", "x", "--debit", "6000:1.005",
                           "--credit", "1010:1.005"), says="decimals")
    assert_clean_error(cli("ledger", "entry", "add", "--date", "2026-10-05", "--memo", "x", "--debit", "6000",
                           "--credit", "1010:1"), says="ACCOUNT:AMOUNT")
    totals = cli.json("ledger", "trial-balance")["totals"]
    assert totals["debit"] == totals["credit"]


# -- 5. cash over/short -------------------------------------------------------------------------------------


def test_a_till_close_posts_cash_over_or_short_and_a_second_close_posts_only_the_change(db_path, monkeypatch):
    from tests.cli_helpers import Cli

    monkeypatch.setenv("FLOWTUI_NOW", "2026-11-26T03:00:00Z")
    cli = Cli(db_path)
    cli.ok("init")
    cli.ok("location", "add", "KL")
    cli.ok("product", "add", "ROTI", "Roti Canai", "--price", "2.00", "--cost", "0.50")
    cli.ok("stream", "add", "Till", "--provider", "minipos", "--location", "KL")
    cli.ok("minipos", "sell", "Till", "--item", "ROTI:5", "--pay", "Cash")  # 10.00 cash
    first = cli.json("minipos", "close", "Till", "--float", "50", "--counted", "59.50")
    # expected 50.00 + 10.00 = 60.00, counted 59.50: 0.50 short
    assert (first["over_short"], first["over_short_posted"]) == ("-0.50", "-0.50")
    cli.ok("minipos", "sell", "Till", "--item", "ROTI:1", "--pay", "Cash")  # 2.00 more after the close
    second = cli.json("minipos", "close", "Till", "--counted", "62.20")
    # expected 62.00, counted 62.20: 0.20 over; 0.50 short was posted, so +0.70 now
    assert (second["over_short"], second["over_short_posted"]) == ("0.20", "0.70")
    assert [(c["counted_cash"], c["over_short"]) for c in second["closes"]] == [("59.50", "-0.50"), ("62.20", "0.20")]
    entries = cli.json("ledger", "journal", "--account", "6100")
    assert [(r["debit"], r["credit"]) for r in entries] == [("0.50", "0.00"), ("0.00", "0.70")]
    balances = {r["code"]: r["balance"] for r in cli.json("ledger", "trial-balance")["rows"]}
    assert balances["6100"] == "-0.20"  # over by 0.20 in the end
    assert balances["1000"] == "12.20"  # the cash sales 12.00 and what the drawer held over
    # the close lists only its own day's documents
    assert len(second["documents"]) == 1 and second["documents"][0] == cli.json("invoices")[-1]["number"]


# -- 6. small truths ----------------------------------------------------------------------------------------


def test_the_sync_summary_counts_the_adjustments_auto_invoice_posted(books, orders_dir):  # noqa: F811
    from tests.cli_helpers import Cli

    cli = Cli(books.db.path)
    cli.ok("stream", "set", "pos", "--auto-invoice")
    books.map_location("pos", "KL", "KL Sentral")
    write_ndjson(orders_dir / "orders.ndjson", [S1, S2])
    first = cli.ok("sync", "pos").out
    assert "auto invoice: 1 digest(s) posted (INV-202610-00001)" in first
    write_ndjson(orders_dir / "orders.ndjson", [S1, {**S2, "status": "voided"}])
    second = cli.ok("sync", "pos").out
    assert "auto invoice: 0 digest(s) posted, 1 change(s) to posted days posted as adjustments (CN-202610-00001)" \
        in second


# -- 10. the worked day of docs/accounting.md ----------------------------------------------------------------


def test_the_worked_day_in_the_accountants_guide(cafe, orders_dir):
    assert cafe.invoice("KL-202610-0001").row.total == D("48.99")
    assert journal_of(cafe, "KL-202610-0001") == [
        ("1000", D("13.99"), D("0")), ("1020", D("35.00"), D("0")),
        ("2100", D("0"), D("0.07")), ("2100", D("0"), D("0.72")), ("4000", D("0"), D("40.00")),
        ("4001", D("0"), D("7.00")), ("4100", D("0"), D("1.20")),
        ("5000", D("13.20"), D("0")), ("1200", D("0"), D("13.20")),
    ]
    assert cafe.invoice("CN-KL-202610-0001").row.total == D("3.71")
    assert journal_of(cafe, "CN-KL-202610-0001") == [
        ("2100", D("0.21"), D("0")), ("4010", D("3.50"), D("0")), ("1000", D("0"), D("3.71"))]
    night(cafe, orders_dir, [S1, {**S2, "status": "voided"}, R1, R2])
    [outcome] = cafe.post(everything=True)
    assert outcome.documents == [("credit_note", "CN-KL-202610-0002")]
    assert cafe.invoice("CN-KL-202610-0002").row.total == D("40.30")
    assert journal_of(cafe, "CN-KL-202610-0002") == [
        ("2100", D("0.30"), D("0")), ("4000", D("35.00"), D("0")), ("4010", D("5.00"), D("0")),
        ("1000", D("0"), D("5.30")), ("1020", D("0"), D("35.00")),
        ("1200", D("13.20"), D("0")), ("5000", D("0"), D("13.20")),
    ]
    assert booked_balances(cafe, ["4000", "4001", "4010", "2100"]) == {
        "4000": D("-5.00"), "4001": D("-7.00"), "4010": D("8.50"), "2100": D("-0.28")}


def test_printed_documents_show_a_codes_nominal_rate_not_the_one_the_sen_make(cafe, tmp_path):
    """The service charge's tax: 0.07 on 1.20 is 5.83 % to the sen; SV6 is 6 %, and that is what prints."""
    from pypdf import PdfReader

    from tests.cli_helpers import Cli

    cli = Cli(cafe.db.path)
    pdf = tmp_path / "invoice.pdf"
    cli.ok("invoice", "pdf", "KL-202610-0001", "-o", pdf)
    text = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "SV6" in text and "6%" in text and "5.83" not in text
    report = tmp_path / "digest.pdf"
    cli.ok("digest", "pdf", cafe.digests()[0].id, "-o", report)
    text = " ".join(page.extract_text() for page in PdfReader(report).pages)
    assert "SV6" in text and "5.83" not in text


def test_a_service_charge_taken_back_by_a_void_leaves_its_code_on_the_adjustment(cafe, orders_dir):
    """The day's only service charge is voided: the day has none now, but the adjustment reverses it under SV6."""
    night(cafe, orders_dir, [{**S1, "status": "voided"}, S2, R1])
    [outcome] = cafe.post(everything=True)
    [(kind, number)] = outcome.documents
    note = cafe.invoice(number)
    assert [(x["kind"], x["tax_code"]) for x in note.lines if x["kind"] == "service_charge"] == [
        ("service_charge", "SV6")]
    assert ("SV6", D("1.20"), D("0.07")) in [(t["tax_code"], t["taxable"], t["tax"]) for t in note.taxes]
    assert_books_equal_the_source(cafe)
    assert_taxable_is_net_of_discounts(cafe)
