"""The MiniPOS till's arithmetic, as worked examples and properties (no database)."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flowtui.engine.core.errors import InvalidInput
from flowtui.engine.minipos.checkout import (
    Cart,
    Item,
    SoldLine,
    Tender,
    allocate,
    bill,
    cash_round,
    find,
    return_bill,
    search,
    settle,
    sold_lines,
)
from flowtui.engine.minipos.receipt import canonical, receipt_lines

KOPI = Item("KOPI", "Kopi O", D("3.50"), "SV6", D("0.06"), "9555001")
ROTI = Item("ROTI", "Roti Bakar", D("4.20"))
NASI = Item("NASI", "Nasi Lemak Ayam", D("12.90"), "SV6", D("0.06"), "9555003")


# -- Bank Negara's 5-sen rounding ----------------------------------------------------------------------


@pytest.mark.parametrize(("bill_amount", "paid"), [
    ("11.60", "11.60"), ("11.61", "11.60"), ("11.62", "11.60"),  # 1, 2 sen: down
    ("11.63", "11.65"), ("11.64", "11.65"), ("11.65", "11.65"),  # 3, 4 sen: up to 5
    ("11.66", "11.65"), ("11.67", "11.65"),                      # 6, 7 sen: down to 5
    ("11.68", "11.70"), ("11.69", "11.70"),                      # 8, 9 sen: up
    ("0.02", "0.00"), ("0.03", "0.05"), ("99.99", "100.00"),
])
def test_cash_rounding_worked_examples(bill_amount, paid):
    assert cash_round(D(bill_amount)) == D(paid)


@given(st.integers(min_value=0, max_value=10**11))
def test_cash_rounding_follows_bank_negara_for_every_amount(cents):
    amount = D(cents) / 100
    last = cents % 10
    tens = D(cents - last) / 100
    expected = tens + {0: D("0"), 1: D("0"), 2: D("0"), 3: D("0.05"), 4: D("0.05"), 5: D("0.05"),
                       6: D("0.05"), 7: D("0.05"), 8: D("0.10"), 9: D("0.10")}[last]
    assert cash_round(amount) == expected
    assert abs(cash_round(amount) - amount) <= D("0.02")
    assert cash_round(-amount) == -expected  # a cash refund rounds the same way


# -- sharing the order discount -------------------------------------------------------------------------


@given(st.integers(min_value=0, max_value=10**7), st.lists(st.integers(min_value=0, max_value=10**7), min_size=1,
                                                            max_size=30))
def test_allocation_adds_up_exactly_and_follows_the_weights(total_sen, weights_sen):
    weights = [D(w) / 100 for w in weights_sen]
    total = D(total_sen) / 100
    if not sum(weights):
        assert allocate(total, weights) == [D("0.00")] * len(weights)
        return
    shares = allocate(total, weights)
    assert sum(shares) == total
    for share, weight in zip(shares, weights, strict=True):
        assert abs(share - total * weight / sum(weights)) < D("0.01")


def test_a_bill_shares_the_order_discount_before_tax():
    # 2 Kopi O at 3.50 = 7.00 (6% SV6), 1 Roti at 4.20 with 0.20 off = 4.00 (no tax); subtotal 11.00.
    # An order discount of 10% = 1.10, shared 7:4 -> Kopi 0.70, Roti 0.40.
    # Tax: (7.00 - 0.70) x 6% = 0.378 -> 0.38. Total 11.00 - 1.10 + 0.38 = 10.28.
    cart = Cart().add(KOPI).add(ROTI).add(KOPI).set_line_discount(1, "0.20").set_discount("10%")
    b = bill(cart)
    assert [(ln.sku, ln.quantity, ln.amount, ln.share, ln.tax) for ln in b.lines] == [
        ("KOPI", D(2), D("7.00"), D("0.70"), D("0.38")),
        ("ROTI", D(1), D("4.00"), D("0.40"), D("0.00")),
    ]
    assert (b.subtotal, b.discount, b.tax, b.total) == (D("11.00"), D("1.10"), D("0.38"), D("10.28"))
    assert b.taxes() == [("SV6", D("0.06"), D("6.30"), D("0.38"))]


def test_the_order_discount_lands_as_the_orders_discount():
    cart = Cart().add(KOPI, D(2)).add(ROTI).set_line_discount(1, "0.20").set_discount("1.10")
    b = bill(cart)
    order = canonical("000001", "minipos", "Pasar Seni", "2026-10-01T03:00:00Z", "sale", b,
                      settle(b.total, [Tender("Cash")])).as_dict()
    # the lines keep their own discounts (the roti's 0.20); the order discount is the order's, as docs/minipos.md says
    assert [(ln["amount"], ln["discount"]) for ln in order["lines"]] == [("7.00", "0.00"), ("4.00", "0.20")]
    assert (order["subtotal"], order["discount"], order["tax"]) == ("11.00", "1.10", "0.38")
    # 10.28 in cash is rounded to 10.30 (8 sen: up)
    assert (order["rounding"], order["total"]) == ("0.02", "10.30")
    assert order["payments"] == [{"method": "Cash", "amount": "10.30"}]


def test_cart_refuses_nonsense_clearly():
    cart = Cart().add(ROTI)
    with pytest.raises(InvalidInput, match="more than the line"):
        cart.set_line_discount(0, "5.00")
    with pytest.raises(InvalidInput, match="more than the subtotal"):
        cart.set_discount("4.21")
    with pytest.raises(InvalidInput, match="more than 100%"):
        cart.set_discount("120%")
    with pytest.raises(InvalidInput, match="Quantity"):
        cart.set_quantity(0, D("-1"))
    with pytest.raises(InvalidInput, match="Order discount"):
        cart.set_discount("abc")


# -- paying -----------------------------------------------------------------------------------------------


def test_split_payment_rounds_only_the_cash_part_and_gives_change():
    # 25.33 due: 10.00 by card, the rest (15.33) in cash -> 15.35 due in cash (3 sen: up to 5);
    # the customer hands over 20.00 and gets 4.65 back.
    s = settle(D("25.33"), [Tender("Card", D("10.00")), Tender("Cash", D("20.00"))])
    assert s.payments == (("Card", D("10.00")), ("Cash", D("15.35")))
    assert (s.rounding, s.total, s.cash_tendered, s.change) == (D("0.02"), D("25.35"), D("20.00"), D("4.65"))


def test_card_pays_to_the_sen_and_the_rest_can_be_left_open():
    s = settle(D("25.33"), [Tender("Card")])
    assert s.payments == (("Card", D("25.33")),) and s.rounding == 0 and s.change == 0
    s = settle(D("25.33"), [Tender("Cash", D("10.00")), Tender("E-wallet")])
    assert s.payments == (("E-wallet", D("15.33")), ("Cash", D("10.00")))
    assert s.rounding == 0 and s.change == 0


def test_paying_wrongly_is_a_clear_error():
    with pytest.raises(InvalidInput, match="short"):
        settle(D("25.33"), [Tender("Cash", D("20.00"))])
    with pytest.raises(InvalidInput, match="only cash can be overpaid"):
        settle(D("25.33"), [Tender("Card", D("30.00"))])
    with pytest.raises(InvalidInput, match="still to pay"):
        settle(D("25.33"), [Tender("Card", D("20.00"))])
    with pytest.raises(InvalidInput, match="Only one payment"):
        settle(D("25.33"), [Tender("Card"), Tender("Cash")])


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=0, max_value=10**6),
       st.integers(min_value=0, max_value=2000))
def test_any_settlement_balances(due_sen, card_sen, extra_sen):
    due, card = D(due_sen) / 100, min(D(card_sen) / 100, D(due_sen) / 100)
    cash_due = cash_round(due - card)
    s = settle(due, [Tender("Card", card), Tender("Cash", cash_due + D(extra_sen) / 100)])
    assert sum(a for _, a in s.payments) == s.total == due + s.rounding
    assert s.change == D(extra_sen) / 100
    assert abs(s.rounding) <= D("0.02")


# -- returns ---------------------------------------------------------------------------------------------------


def test_returning_a_sale_in_parts_refunds_exactly_what_it_took():
    # 3 Kopi O: 10.50 less a 1.00 share of the order discount = 9.50, tax 0.57
    sold = sold_lines([{"sku": "KOPI", "name": "Kopi O", "quantity": D(3), "unit_price": D("3.50"),
                        "amount": D("10.50"), "tax": D("0.57"), "tax_code": "SV6"}], D("1.00"))
    first = return_bill(sold, {"KOPI": D(1)})
    # a third: amount 3.50, share 0.33, tax 0.19 -> refund 3.50 - 0.33 + 0.19 = 3.36
    assert (first.subtotal, first.discount, first.tax, first.total) == (D("3.50"), D("0.33"), D("0.19"), D("3.36"))
    back = SoldLine(*[getattr(sold[0], f) for f in ("sku", "name", "quantity", "unit_price", "amount", "share", "tax",
                                                    "tax_code")], D(1), D("3.50"), D("0.33"), D("0.19"))
    rest = return_bill([back], None)  # everything that is left
    assert (rest.lines[0].quantity, rest.subtotal, rest.discount, rest.tax) == (D(2), D("7.00"), D("0.67"), D("0.38"))
    assert first.total + rest.total == D("10.50") - D("1.00") + D("0.57")
    with pytest.raises(InvalidInput, match="only 2 of 3"):
        return_bill([back], {"KOPI": D(3)})
    with pytest.raises(InvalidInput, match="not on that order"):
        return_bill([back], {"TEH": D(1)})


# -- finding products and the receipt ----------------------------------------------------------------------


def test_search_ranks_exact_codes_first_and_find_is_unambiguous():
    items = [KOPI, ROTI, NASI, Item("KOPI-L", "Kopi O Large", D("4.50"))]
    assert search(items, "9555003") == [NASI]
    assert [i.sku for i in search(items, "kopi")] == ["KOPI", "KOPI-L"]
    assert [i.sku for i in search(items, "lemak")] == ["NASI"]
    assert find(items, "9555001") is KOPI and find(items, "kopi") is KOPI and find(items, "roti bakar") is ROTI
    with pytest.raises(InvalidInput, match="could mean"):
        find(items, "kop")
    with pytest.raises(InvalidInput, match="No product"):
        find(items, "milo")


def test_the_receipt_shows_the_total_before_and_after_rounding():
    cart = Cart().add(KOPI, D(2)).add(ROTI)
    b = bill(cart)  # 11.20 + 0.42 tax = 11.62 -> 11.60 in cash
    text = "\n".join(receipt_lines(b, settle(b.total, [Tender("Cash", D("20.00"))]), title="Pasar Seni #000001"))
    for expected in ("Subtotal                           11.20", "Tax SV6 6%                          0.42",
                     "Total                              11.62", "Rounding                           -0.02",
                     "Total (rounded)                    11.60", "Cash                               20.00",
                     "Change                              8.40"):
        assert expected in text
    assert all(len(line) <= 40 for line in text.splitlines())


# -- worked examples: a whole bill from cart to refund -------------------------------------------------------------

# 2 Kopi O (7.00, SV6 6%), 1 Nasi Lemak Ayam (12.90, SV6), 1 Roti Bakar (4.20, no tax): subtotal 24.10.
# A 5% order discount: 1.205, half up to 1.21, shared 7.00 : 12.90 : 4.20 ->
#   exact 0.3514 / 0.6477 / 0.2109; floors 0.35 / 0.64 / 0.21 = 1.20; the last sen to the largest remainder (Nasi).
# Tax: (7.00 - 0.35) x 6% = 0.399 -> 0.40; (12.90 - 0.65) x 6% = 0.735 -> 0.74 (half up); 1.14 in all.
# Due: 24.10 - 1.21 + 1.14 = 24.03.
LUNCH = Cart().add(KOPI, D(2)).add(NASI).add(ROTI).set_discount("5%")


def test_a_percentage_order_discount_is_rounded_half_up_and_shared_by_largest_remainder():
    b = bill(LUNCH)
    assert [(ln.sku, ln.amount, ln.share, ln.tax) for ln in b.lines] == [
        ("KOPI", D("7.00"), D("0.35"), D("0.40")),
        ("NASI", D("12.90"), D("0.65"), D("0.74")),
        ("ROTI", D("4.20"), D("0.21"), D("0.00")),
    ]
    assert (b.subtotal, b.discount, b.tax, b.total) == (D("24.10"), D("1.21"), D("1.14"), D("24.03"))
    # SV6's taxable amount is what tax was charged on: 6.65 + 12.25 = 18.90
    assert b.taxes() == [("SV6", D("0.06"), D("18.90"), D("1.14"))]


@pytest.mark.parametrize(("tenders", "payments", "rounding", "change"), [
    # all in cash: 24.03 -> 24.05 (3 sen: up)
    ([Tender("Cash")], (("Cash", D("24.05")),), D("0.02"), D("0.00")),
    # all by card: to the sen, nothing rounded
    ([Tender("Card")], (("Card", D("24.03")),), D("0.00"), D("0.00")),
    # card 10.00 + e-wallet 5.00 + cash for the rest (9.03 -> 9.05), 10.00 handed over: 0.95 back
    ([Tender("Card", D("10.00")), Tender("E-wallet", D("5.00")), Tender("Cash", D("10.00"))],
     (("Card", D("10.00")), ("E-wallet", D("5.00")), ("Cash", D("9.05"))), D("0.02"), D("0.95")),
    # cash 20.00 first, the e-wallet pays the rest to the sen: nothing left to round
    ([Tender("Cash", D("20.00")), Tender("E-wallet")], (("E-wallet", D("4.03")), ("Cash", D("20.00"))), D("0.00"),
     D("0.00")),
    # card 4.01 leaves 20.02 in cash -> 20.00 (2 sen: down), exactly what was handed over
    ([Tender("Card", D("4.01")), Tender("Cash", D("20.00"))], (("Card", D("4.01")), ("Cash", D("20.00"))),
     D("-0.02"), D("0.00")),
])
def test_split_payments_round_only_the_cash_part(tenders, payments, rounding, change):
    s = settle(bill(LUNCH).total, tenders)
    assert (s.payments, s.rounding, s.change) == (payments, rounding, change)
    assert sum(a for _, a in s.payments) == s.total == D("24.03") + rounding


def test_a_bill_of_one_or_two_sen_in_cash_costs_nothing():
    s = settle(D("0.02"), [Tender("Cash")])
    assert (s.payments, s.rounding, s.total) == ((), D("-0.02"), D("0.00"))


def test_nothing_left_for_an_open_payment_is_a_clear_error():
    with pytest.raises(InvalidInput, match="Nothing is left to pay by E-wallet"):
        settle(D("24.03"), [Tender("Card", D("24.03")), Tender("E-wallet")])
    with pytest.raises(InvalidInput, match="more than 2 decimals"):
        settle(D("24.03"), [Tender("Card", D("24.031"))])
    with pytest.raises(InvalidInput, match="cannot be negative"):
        settle(D("24.03"), [Tender("Cash", D("-1.00"))])


def _sold(b) -> list[SoldLine]:
    return sold_lines([{"sku": ln.sku, "name": ln.name, "quantity": ln.quantity, "unit_price": ln.unit_price,
                        "amount": ln.amount, "tax": ln.tax, "tax_code": ln.tax_code} for ln in b.lines], b.discount)


def test_returning_the_whole_lunch_in_cash_gives_back_exactly_what_was_paid():
    b = bill(LUNCH)
    paid = settle(b.total, [Tender("Cash")])
    sold = _sold(b)
    assert [s.share for s in sold] == [D("0.35"), D("0.65"), D("0.21")]  # shared again the way the till did
    back = return_bill(sold, None)
    assert (back.subtotal, back.discount, back.tax, back.total) == (D("24.10"), D("1.21"), D("1.14"), D("24.03"))
    refund = settle(back.total, [Tender("Cash")])
    assert refund.payments == paid.payments == (("Cash", D("24.05")),)  # 24.03 rounds the same way both times
    assert settle(back.total, [Tender("Card")]).payments == (("Card", D("24.03")),)  # by card: to the sen


def test_returning_one_kopi_refunds_its_share_and_rounds_the_cash_down():
    # half of the Kopi line: amount 3.50, share 0.175 -> 0.18, tax 0.20; refund 3.50 - 0.18 + 0.20 = 3.52 -> 3.50
    back = return_bill(_sold(bill(LUNCH)), {"KOPI": D(1)})
    line = back.lines[0]
    assert (line.quantity, line.amount, line.share, line.tax, line.tax_rate, line.discount) == (
        D(1), D("3.50"), D("0.18"), D("0.20"), D("0.06"), D("0.00"))
    assert back.total == D("3.52")
    refund = settle(back.total, [Tender("Cash")])
    assert (refund.payments, refund.rounding) == ((("Cash", D("3.50")),), D("-0.02"))
    order = canonical("R000001", "minipos", "Pasar Seni", "2026-10-02T03:00:00Z", "return", back, refund,
                      original=("000001", "000001")).as_dict()
    assert (order["type"], order["original_number"], order["discount"], order["total"]) == (
        "return", "000001", "0.18", "3.50")


def test_the_order_discount_follows_the_cart_as_it_changes():
    cart = Cart().add(KOPI, D(2)).set_discount("6.00")  # 6.00 off 7.00
    assert cart.set_quantity(0, D(1)).discount == D("3.50")  # one Kopi left: the discount shrinks to what it costs
    cart = cart.add(ROTI)
    assert cart.remove(1).discount == D("6.00")  # still fits the 7.00 left
    assert cart.remove(0).discount == D("0.00")  # 4.20 left: a 6.00 discount no longer fits, so it goes
    assert Cart().add(NASI).set_line_discount(0, "10%").lines[0].discount == D("1.29")  # 10% of 12.90
