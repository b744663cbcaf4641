"""What posting a digest writes, worked out by hand and checked against the pure planner (no database).

flowtui/engine/ledger/posting_plan.py turns a day's totals into documents: lines, payments, a tax summary, a
balanced journal, stock movements and cost of goods. Money is integer sen, quantities thousandths, unit prices
and costs 1/10,000. Each example below states its arithmetic in the comments; the assertions are those numbers.
"""

from __future__ import annotations

from datetime import date

from flowtui.engine.ledger.posting_plan import (
    RETURN,
    SALE,
    Accounts,
    DayToPost,
    DocumentLine,
    ItemTotal,
    JournalLine,
    ProductInfo,
    SideTotals,
    StockMove,
    balanced,
    discount_parts,
    plan_day,
    plan_document,
    stock_values,
)

DAY = date(2026, 10, 1)
ACCOUNTS = Accounts(
    categories={"sales": "4000", "returns": "4010", "discount": "4020", "service_charge": "4100", "tax": "2100",
                "rounding": "4900", "cost_of_goods": "5000", "inventory": "1200"},
    payments={"Cash": "1000", "Card": "1020"},
)
PRODUCTS = {
    "KOPI": ProductInfo("Kopi O", "4001", track_stock=False, cost=8000),  # its own income account
    "ROTI": ProductInfo("Roti Bakar", None, track_stock=True, cost=12000),  # RM 1.20 a piece, stock tracked
}

# A day of two sales at a café, 6% service tax (SV6) on food, drink and the service charge:
#   KOPI  3 x 3.50 = 10.50, less a 0.50 line discount = 10.00
#   ROTI  2 x 4.00 =  8.00                                           subtotal 18.00
#   order discount 1.00 (reduces SV6's taxable amount)               -> 17.00
#   tax on the lines: KOPI 0.57, ROTI 0.45 (the till's split of 6% x 17.00 = 1.02)
#   service charge 10% of 17.00 = 1.70, its service tax 6% = 0.10     tax 1.12
#   due 18.00 - 1.00 + 1.70 + 1.12 = 19.82; Card 10.00, the rest 9.82 in cash, rounded to 9.80: rounding -0.02
SALES = SideTotals(
    orders=2, discount=100, service_charge=170, tax=112, rounding=-2, total=1980,
    items=(ItemTotal("KOPI", "Kopi O", "SV6", 3000, 50, 57, 1000),
           ItemTotal("ROTI", "Roti Bakar", "SV6", 2000, 0, 45, 800)),
    payments=(("Card", 1000), ("Cash", 980)), discounts=(("SV6", 100),),
)
# The next day one roti comes back: 4.00 + 0.24 tax = 4.24 refunded in cash as 4.25 (4 sen: up), rounding +0.01.
RETURNS = SideTotals(
    orders=1, discount=0, service_charge=0, tax=24, rounding=1, total=425,
    items=(ItemTotal("ROTI", "Roti Bakar", "SV6", 1000, 0, 24, 400, side=RETURN),),
    payments=(("Cash", 425),),
)


def day(sales=SALES, returns=None, grouping="sku") -> DayToPost:
    return DayToPost(DAY, grouping, sales, returns, PRODUCTS, service_charge_tax_code="SV6")


def test_a_days_sales_become_an_invoice_line_by_line():
    invoice = plan_document(SALES, day(), "invoice", ACCOUNTS)
    assert (invoice.kind, invoice.date, invoice.orders) == ("invoice", DAY, 2)
    assert (invoice.subtotal, invoice.discount, invoice.service_charge, invoice.tax, invoice.rounding,
            invoice.total) == (1800, 100, 170, 112, -2, 1980)
    assert invoice.lines == (
        # KOPI: gross 10.50 over 3 = 3.5000 a unit, on its own income account
        DocumentLine("item", "Kopi O", "KOPI", 3000, 35000, 50, 57, "SV6", 1000, "4001", SALE),
        # ROTI: 4.0000 a unit, on the sales account (no income account of its own)
        DocumentLine("item", "Roti Bakar", "ROTI", 2000, 40000, 0, 45, "SV6", 800, "4000", SALE),
        DocumentLine("discount", "Discount", None, 1000, -10000, 0, 0, "SV6", -100, "4020"),
        # the service charge carries the tax the lines do not (1.12 - 1.02 = 0.10), under the service charge's code
        DocumentLine("service_charge", "Service charge", None, 1000, 17000, 0, 10, "SV6", 170, "4100"),
        DocumentLine("rounding", "Rounding", None, 1000, -200, 0, 0, None, -2, "4900"),
    )
    assert invoice.payments == (("Card", "1020", 1000), ("Cash", "1000", 980))
    # SV6: taxable 10.00 + 8.00 - 1.00 + 1.70 = 18.70, tax 0.57 + 0.45 + 0.10 = 1.12 (6% of 18.70 = 1.122)
    assert invoice.taxes == (("SV6", 1870, 112),)


def test_the_invoices_journal_balances_account_by_account():
    invoice = plan_document(SALES, day(), "invoice", ACCOUNTS)
    # debits 9.80 + 10.00 + 1.50 + 0.02 = 21.32 = credits 1.12 + 8.00 + 10.50 + 1.70
    assert invoice.journal == (
        JournalLine("1000", 980, 0, "Sales"),  # cash as booked, after rounding
        JournalLine("1020", 1000, 0, "Sales"),  # card
        JournalLine("4020", 150, 0, "Sales"),  # discounts: the line's 0.50 and the order's 1.00
        JournalLine("4900", 2, 0, "Sales"),  # rounding down is a debit
        JournalLine("2100", 0, 112, "Sales", "SV6"),  # tax, a line per code
        JournalLine("4000", 0, 800, "Sales"),  # ROTI gross
        JournalLine("4001", 0, 1050, "Sales"),  # KOPI gross, before its line discount
        JournalLine("4100", 0, 170, "Sales"),  # service charge
    )
    assert balanced(invoice.journal)
    # two roti out of stock at 1.20: cost of goods 2.40
    assert invoice.stock == (StockMove("ROTI", -2000, 12000, -240),)
    assert invoice.cogs == (JournalLine("5000", 240, 0, "Cost of goods sold"),
                            JournalLine("1200", 0, 240, "Cost of goods sold"))


def test_returns_become_a_credit_note_whose_journal_is_the_mirror_image():
    note = plan_document(RETURNS, day(None, RETURNS), "credit_note", ACCOUNTS)
    assert note.lines == (
        DocumentLine("item", "Roti Bakar", "ROTI", 1000, 40000, 0, 24, "SV6", 400, "4010", RETURN),
        DocumentLine("rounding", "Rounding", None, 1000, 100, 0, 0, None, 1, "4900"),
    )
    assert note.taxes == (("SV6", 400, 24),)
    # a sale would credit returns 4.00, tax 0.24 and rounding 0.01 against 4.25 cash; a credit note swaps the sides
    assert note.journal == (
        JournalLine("2100", 24, 0, "Returns", "SV6"),
        JournalLine("4010", 400, 0, "Returns"),
        JournalLine("4900", 1, 0, "Returns"),
        JournalLine("1000", 0, 425, "Returns"),
    )
    assert note.stock == (StockMove("ROTI", 1000, 12000, 120),)  # back on the shelf at its cost
    assert note.cogs == (JournalLine("1200", 120, 0, "Cost of goods returned"),
                         JournalLine("5000", 0, 120, "Cost of goods returned"))


def test_a_day_posts_an_invoice_for_its_sales_and_a_credit_note_for_its_returns():
    plans = plan_day(day(SALES, RETURNS), ACCOUNTS)
    assert [(p.kind, p.total) for p in plans] == [("invoice", 1980), ("credit_note", 425)]
    assert all(balanced(p.journal) and balanced(p.cogs) for p in plans)
    nothing_sold = SideTotals(0, 0, 0, 0, 0, 0, (), ())
    assert [p.kind for p in plan_day(day(nothing_sold, RETURNS), ACCOUNTS)] == ["credit_note"]
    assert plan_day(day(None, None), ACCOUNTS) == []


def test_an_adjustment_reverses_each_amount_on_the_account_it_first_went_to():
    # A posted day changes: a 3.50 Kopi O sale is voided (less Sales, on KOPI's own account) and a late return of
    # a roti arrives (more Sales Returns): one credit note holds both, refunding 7.50 by card.
    change = SideTotals(
        orders=2, discount=0, service_charge=0, tax=0, rounding=0, total=750,
        items=(ItemTotal("KOPI", "Kopi O", None, 1000, 0, 0, 350, side=SALE),
               ItemTotal("ROTI", "Roti Bakar", None, 1000, 0, 0, 400, side=RETURN)),
        payments=(("Card", 750),),
    )
    note = plan_document(change, day(None, change, grouping="sku"), "credit_note", ACCOUNTS)
    assert [(ln.sku, ln.account, ln.side) for ln in note.lines] == [("KOPI", "4001", SALE), ("ROTI", "4010", RETURN)]
    assert note.journal == (JournalLine("4001", 350, 0, "Returns"), JournalLine("4010", 400, 0, "Returns"),
                            JournalLine("1020", 0, 750, "Returns"))


def test_grouping_all_sales_makes_one_line_and_moves_no_stock():
    invoice = plan_document(SALES, day(grouping="all"), "invoice", ACCOUNTS)
    item = invoice.lines[0]
    # gross 10.50 + 8.00 = 18.50 as one unit, line discounts 0.50, tax 1.02, amount 18.00; one code, so it is kept
    assert item == DocumentLine("item", "All Sales", None, 1000, 185000, 50, 102, "SV6", 1800, "4000", SALE)
    assert [ln.kind for ln in invoice.lines] == ["item", "discount", "service_charge", "rounding"]
    assert invoice.stock == () and invoice.cogs == ()
    assert balanced(invoice.journal)
    mixed = SideTotals(1, 0, 0, 30, 0, 1630, (ItemTotal("A", None, "SV6", 1000, 0, 30, 500),
                                               ItemTotal("B", None, "ST10", 1000, 0, 0, 1100)), (("Card", 1630),))
    assert plan_document(mixed, day(mixed, grouping="all"), "invoice", ACCOUNTS).lines[0].tax_code is None


def test_tax_the_lines_do_not_carry_without_a_service_charge_is_a_tax_adjustment_line():
    # one line taxed 0.30 by the POS, the order's tax 0.31: the 0.01 goes on a line of its own, to the tax account
    side = SideTotals(1, 0, 0, 31, 0, 531, (ItemTotal("X", "Thing", "SV6", 1000, 0, 30, 500),), (("Card", 531),))
    plan = plan_document(side, DayToPost(DAY, "sku", side, None), "invoice", ACCOUNTS)
    assert plan.lines[-1] == DocumentLine("tax", "Tax adjustment", None, 1000, 0, 0, 1, None, 0, "2100")
    assert plan.taxes == (("", 0, 1), ("SV6", 500, 30))
    assert ("2100", 0, 1, None) in [(j.account, j.debit, j.credit, j.tax_code) for j in plan.journal]
    assert balanced(plan.journal)


def test_unit_prices_round_half_away_from_zero_to_a_ten_thousandth():
    # 3 for 10.00: 3.33333... -> 3.3333; 3 for 0.05: 0.016666... -> 0.0167; half a kilo for 2.25: 4.5000 a kilo
    side = SideTotals(1, 0, 0, 0, 0, 1230, (ItemTotal("A", None, None, 3000, 0, 0, 1000),
                                            ItemTotal("B", None, None, 3000, 0, 0, 5),
                                            ItemTotal("C", None, None, 500, 0, 0, 225)), (("Card", 1230),))
    lines = plan_document(side, DayToPost(DAY, "sku", side, None), "invoice", ACCOUNTS).lines
    assert [(ln.description, ln.unit_price) for ln in lines] == [("A", 33333), ("B", 167), ("C", 45000)]


def test_the_order_discount_splits_by_tax_code_and_the_rest_has_none():
    side = SideTotals(1, 100, 0, 0, 0, 0, (), (), discounts=(("SV6", 60), ("ST10", 0)))
    assert discount_parts(side) == [("SV6", 60), ("", 40)]
    assert discount_parts(SideTotals(1, 100, 0, 0, 0, 0, (), (), discounts=(("SV6", 100),))) == [("SV6", 100)]


def test_stock_is_valued_once_per_document_and_each_movement_takes_its_share():
    # three units at 0.3333, 0.3333 and 0.3334: exactly 1.0000 in all. Rounded one by one, 0.33 x 3 = 0.99;
    # rounded as a running total (0.3333 -> 0.33, 0.6666 -> 0.67, 1.0000 -> 1.00) the shares are 33, 34, 33 sen.
    assert stock_values([(1000, 3333), (1000, 3333), (1000, 3334)]) == [33, 34, 33]
    assert stock_values([(2500, 12345)]) == [309]  # 2.5 x 1.2345 = 3.08625 -> 3.09
    assert stock_values([(-1000, 5)]) == [0] and stock_values([(-1000, 5000)]) == [-50]
