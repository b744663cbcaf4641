"""The Bukku sandbox's arithmetic and ledger as pure functions: every document it accepts comes to the sum of its
lines and posts balanced debits and credits, whatever the lines."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from flowtui.sandbox.bukku import amounts, ledger
from flowtui.sandbox.bukku.books import Books

prices = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("9999"), places=4)
quantities = st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("500"), places=4)
lines = st.lists(st.fixed_dictionaries({
    "account_id": st.sampled_from([9, 10, 11]), "description": st.just("x"), "unit_price": prices.map(str),
    "quantity": quantities.map(str), "tax_code_id": st.sampled_from([1, 2, 3, 4, 5]),
    "discount": st.sampled_from([None, "5%", "12.5%", "0.01"])}), min_size=1, max_size=6)


@given(price=prices, quantity=quantities, rate=st.sampled_from([Decimal(0), Decimal(5), Decimal(6), Decimal(8),
                                                               Decimal(10)]))
def test_a_line_splits_into_net_and_tax_to_the_sen(price, quantity, rate):
    inclusive = amounts.line(quantity, price, None, rate, "inclusive")
    assert inclusive.net_amount + inclusive.tax_amount == inclusive.amount == amounts.sen(quantity * price)
    exclusive = amounts.line(quantity, price, None, rate, "exclusive")
    assert exclusive.net_amount == exclusive.amount and exclusive.tax_amount == amounts.sen(exclusive.amount * rate / 100)


@settings(max_examples=60)
@given(items=lines, mode=st.sampled_from(["inclusive", "exclusive"]), rounding=st.booleans(),
       method=st.sampled_from([(1, None, None), (6, "1.5%", 13), (5, "0.30", 13)]))
def test_an_accepted_cash_sale_posts_balanced_and_comes_to_its_lines(items, mode, rounding, method):
    books = Books(cash_rounding=rounding)
    body = {"payment_mode": "cash", "contact_id": 1, "date": "2026-11-30", "currency_code": "MYR",
            "exchange_rate": 1, "tax_mode": mode, "status": "ready", "form_items": items,
            "deposit_items": [{"account_id": 1, "amount": "0.01"}]}
    errors, invoice = books.create("sale_invoice", body)  # a first try, to learn the total
    if "form_items" in errors.bag:  # a discount larger than its line can make the total negative
        return
    total = errors.bag["deposit_items"][0].split("(")[2].split(")")[0] if errors else "0.01"
    if invoice is None and Decimal(total) > 0:
        account, fee, fee_account = method
        body["deposit_items"] = [{"account_id": account, "amount": total, "fee_text": fee,
                                  "fee_account_id": fee_account}]
        errors, invoice = books.create("sale_invoice", body)
        assert invoice is not None, errors.bag
    if invoice is None:  # a total of 0.00 cannot be paid by a deposit (amounts are > 0)
        return
    lines_total = sum(x["net_amount"] + x["tax_amount"] for x in invoice["form_items"])
    assert invoice["amount"] == lines_total + invoice["rounding_amount"] == Decimal(total)
    posted = ledger.postings(invoice)
    assert sum(d for _, d, _ in posted) == sum(c for _, _, c in posted)
