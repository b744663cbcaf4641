"""Shipping and tips in the pure planner (issue 18): their own lines and accounts, the tax no line carries.

A web day: 2 Kopi O at 3.50 (SV6 0.42), shipping 8.00 with 0.48 tax, a 5.00 tip: 7.00 + 8.00 + 0.90 + 5.00 =
20.90 by card. Money in sen, quantities in thousandths.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from flowtui.engine.ledger.adjustments import difference, negated, net_side
from flowtui.engine.ledger.posting_plan import Accounts, DayToPost, ItemTotal, JournalLine, SideTotals, balanced, plan_document

ACCOUNTS = Accounts(
    categories={"sales": "4000", "returns": "4010", "discount": "4020", "service_charge": "4100", "shipping": "4200",
                "tax": "2100", "tips": "2200", "rounding": "4900"},
    payments={"Card": "1020"},
)
DAY = DayToPost(date(2026, 10, 1), "sku", None, None, service_charge_tax_code="SV6")
WEB = SideTotals(orders=1, discount=0, service_charge=0, tax=90, rounding=0, total=2090,
                 items=(ItemTotal("KOPI", "Kopi O", "SV6", 2000, 0, 42, 700),), payments=(("Card", 2090),),
                 shipping=800, tips=500)


def test_shipping_carries_the_tax_no_line_does_and_a_tip_is_owed_not_earned():
    plan = plan_document(WEB, DAY, "invoice", ACCOUNTS)
    assert [(x.kind, x.amount, x.tax, x.tax_code, x.account) for x in plan.lines] == [
        ("item", 700, 42, "SV6", "4000"), ("shipping", 800, 48, None, "4200"), ("tips", 500, 0, None, "2200")]
    assert (plan.shipping, plan.tips, plan.total) == (800, 500, 2090)
    assert plan.journal == (
        JournalLine("1020", 2090, 0, "Sales"),
        JournalLine("2100", 0, 48, "Sales"), JournalLine("2100", 0, 42, "Sales", "SV6"),
        JournalLine("2200", 0, 500, "Sales"), JournalLine("4000", 0, 700, "Sales"), JournalLine("4200", 0, 800, "Sales"))
    assert balanced(plan.journal)
    assert sum(tax for _, _, tax in plan.taxes) == plan.tax  # shipping is no code's taxable amount
    assert dict((code, taxable) for code, taxable, _ in plan.taxes) == {"": 0, "SV6": 700}


def test_with_a_service_charge_the_service_charge_carries_that_tax_under_its_code():
    dine = replace(WEB, service_charge=100, tax=96, total=2196, payments=(("Card", 2196),))  # 0.06 on the charge
    plan = plan_document(dine, DAY, "invoice", ACCOUNTS)
    assert [(x.kind, x.tax, x.tax_code) for x in plan.lines if x.kind != "item"] == [
        ("service_charge", 54, "SV6"), ("shipping", 0, None), ("tips", 0, None)]
    assert balanced(plan.journal)


def test_a_credit_note_takes_refunded_shipping_and_tips_back_from_their_own_accounts():
    plan = plan_document(WEB, DAY, "credit_note", ACCOUNTS)
    debits = {line.account: line.debit for line in plan.journal if line.debit}
    assert (debits["4200"], debits["2200"]) == (800, 500) and balanced(plan.journal)


def test_an_adjustment_holds_the_change_in_shipping_and_tips():
    posted = net_side(WEB, None, "sku")
    now = net_side(replace(WEB, shipping=500, tips=700, tax=72, total=1972, payments=(("Card", 1972),)), None, "sku")
    change = difference(now, posted, 1)
    assert (change.shipping, change.tips, change.tax, change.total) == (-300, 200, -18, -118)
    plan = plan_document(negated(change), DAY, "credit_note", ACCOUNTS)
    assert [(x.kind, x.amount, x.tax) for x in plan.lines] == [("shipping", 300, 18), ("tips", -200, 0)]
    assert balanced(plan.journal)
