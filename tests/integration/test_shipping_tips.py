"""Shipping and tips (issue 18): landed, totalled per day, posted to their own accounts, adjusted like any line.

A web shop's day at KL Sentral:
    W1  2 Kopi O (SST 6 %: 0.42) + shipping 8.00 (its 6 %: 0.48) + a 5.00 tip = 20.90, card
    W2  1 Roti Bakar (0.30), no shipping, no tip                              =  5.30, cash
    R1  next day, W1's shipping refunded (8.00 + 0.48 tax) with 1 Kopi O      = 12.19, card
"""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest

from flowtui.engine.core.errors import InvalidInput
from flowtui.engine.storage.database import Database
from flowtui.engine.storage.schema import MIGRATIONS
from tests.factories import order
from tests.integration.test_accounting import assert_books_equal_the_source, booked_balances, night
from tests.integration.test_file_connector import add_stream, digests_of, sync_one
from tests.integration.test_posting import books, journal_of, sync_and_map  # noqa: F401

D = Decimal

W1 = order("W1", "KL", "2026-10-01T02:00:00Z", [("KOPI", 2, "3.50")], tax_rate="0.06", shipping="8.00",
           shipping_tax="0.48", tip="5.00", pay=[("Card", None)])
W2 = order("W2", "KL", "2026-10-01T03:00:00Z", [("ROTI", 1, "5.00")], tax_rate="0.06")
R1 = order("R1", "KL", "2026-10-02T02:00:00Z", [("KOPI", 1, "3.50")], tax_rate="0.06", shipping="8.00",
           shipping_tax="0.48", type="return", original_id="W1", pay=[("Card", None)])


@pytest.fixture
def shop(books, orders_dir):  # noqa: F811
    sync_and_map(books, orders_dir, [W1, W2, R1])
    return books


def test_the_orders_keep_their_shipping_and_tip(shop):
    assert W1["total"] == "20.90" and R1["total"] == "12.19"
    with shop.db.read() as con:
        assert con.execute("SELECT order_id, shipping, tip FROM orders ORDER BY 1").fetchall() == [
            ("R1", D("8.00"), D("0.00")), ("W1", D("8.00"), D("5.00")), ("W2", D("0.00"), D("0.00"))]
        assert con.execute("SELECT order_id, shipping, tip FROM v_orders ORDER BY 1").fetchall()[1] == (
            "W1", D("8.00"), D("5.00"))


def test_a_day_totals_its_shipping_and_tips_and_they_add_up_to_its_amount(shop):
    first, second = sorted(shop.digests(), key=lambda r: r.date)
    assert (first.shipping, first.tips, second.shipping, second.tips) == (D("8.00"), D("5.00"), D("-8.00"), D("0"))
    day = shop.digest(first.id)
    s = day.summary
    assert (s["shipping"], s["tips"], s["tax"], s["net_total"]) == (D("8.00"), D("5.00"), D("1.20"), D("26.20"))
    items = sum(i.amount for i in day.items)
    assert items - s["discount"] + s["service_charge"] + s["shipping"] + s["tax"] + s["tips"] + s["rounding"] \
        == s["net_total"]
    assert sum(x for _, _, x in day.taxes) == s["tax"]  # the shipping's tax is in the day's tax summary too
    with shop.db.read() as con:
        assert con.execute("SELECT shipping, tips FROM v_digests ORDER BY business_date").fetchall() == [
            (D("8.00"), D("5.00")), (D("-8.00"), D("0.00"))]


def test_an_invoice_books_shipping_as_income_and_tips_as_owed_to_the_staff(shop):
    shop.post(everything=True)
    invoice = shop.invoice("KL-202610-0001")
    assert [(x["kind"], x["description"], x["tax"], x["amount"], x["account"]) for x in invoice.lines] == [
        ("item", "Kopi O", D("0.42"), D("7.00"), "4001"),
        ("item", "Roti Bakar", D("0.30"), D("5.00"), "4000"),
        ("shipping", "Shipping", D("0.48"), D("8.00"), "4200"),
        ("tips", "Tips", D("0.00"), D("5.00"), "2200"),
    ]
    assert (invoice.shipping, invoice.tips, invoice.tax, invoice.row.total) == (
        D("8.00"), D("5.00"), D("1.20"), D("26.20"))
    journal = journal_of(shop, "KL-202610-0001")
    assert [line for line in journal if line[0] in ("4200", "2200")] == [
        ("2200", D("0"), D("5.00")), ("4200", D("0"), D("8.00"))]
    sales = [line for line in journal if line[0] not in ("5000", "1200")]  # (the roti's cost of goods aside)
    assert sum(d for _, d, _ in sales) == sum(c for _, _, c in sales) == D("26.20")
    assert sum(t["tax"] for t in invoice.taxes) == invoice.tax
    assert_books_equal_the_source(shop)


def test_refunded_shipping_is_taken_back_from_shipping_income(shop):
    shop.post(everything=True)
    note = shop.invoice("CN-KL-202610-0001")
    assert [(x["kind"], x["amount"], x["tax"], x["account"]) for x in note.lines] == [
        ("item", D("3.50"), D("0.21"), "4010"), ("shipping", D("8.00"), D("0.48"), "4200")]
    assert journal_of(shop, "CN-KL-202610-0001") == [  # the shipping's tax under no code, the kopi's under its own
        ("2100", D("0.48"), D("0")), ("2100", D("0.21"), D("0")), ("4010", D("3.50"), D("0")),
        ("4200", D("8.00"), D("0")), ("1020", D("0"), D("12.19"))]
    assert booked_balances(shop, ["4200", "2200"]) == {"2200": D("-5.00")}  # all the shipping was refunded
    assert_books_equal_the_source(shop)


def test_a_tip_or_shipping_changed_after_posting_is_adjusted_on_its_own_account(shop, orders_dir):
    shop.post(everything=True)
    edited = order("W1", "KL", "2026-10-01T02:00:00Z", [("KOPI", 2, "3.50")], tax_rate="0.06", shipping="5.00",
                   shipping_tax="0.30", tip="7.00", pay=[("Card", None)])
    night(shop, orders_dir, [edited, W2, R1])
    [outcome] = [o for o in shop.post(everything=True) if o.status == "adjusted"]
    [(kind, number)] = outcome.documents
    adjustment = shop.invoice(number)
    assert kind == "credit_note"  # 20.90 became 19.72: less shipping (-3.00, tax -0.18), more tip (+2.00)
    assert [(x["kind"], x["amount"], x["tax"], x["account"]) for x in adjustment.lines] == [
        ("shipping", D("3.00"), D("0.18"), "4200"), ("tips", D("-2.00"), D("0.00"), "2200")]
    assert (adjustment.shipping, adjustment.tips) == (D("3.00"), D("-2.00"))
    assert booked_balances(shop, ["4200", "2200"]) == {"4200": D("3.00"), "2200": D("-7.00")}
    assert_books_equal_the_source(shop)


def test_reversing_a_day_takes_its_shipping_and_tips_back_out_of_their_accounts(shop):
    shop.post(everything=True)
    [(_, reversing)] = shop.reverse_invoice("KL-202610-0001", "posted to the wrong location").documents
    mirror = shop.invoice(reversing)
    assert (mirror.row.kind, mirror.shipping, mirror.tips) == ("credit_note", D("8.00"), D("5.00"))
    assert booked_balances(shop, ["4200", "2200"]) == {"4200": D("8.00")}  # only the 2 Oct refund of shipping is left


def test_a_stream_maps_shipping_and_tips_to_accounts_of_their_own(shop):
    shop.add_account("4210", "Delivery Fees", "income")
    shop.add_account("2210", "Staff Tips Held", "liability")
    shop.map_account("pos", "shipping", "4210")
    shop.map_account("pos", "tips", "2210")
    shop.post(everything=True)
    assert {(x["kind"], x["account"]) for x in shop.invoice("KL-202610-0001").lines if x["kind"] != "item"} == {
        ("shipping", "4210"), ("tips", "2210")}
    with pytest.raises(InvalidInput, match="a liability account"):
        shop.map_account("pos", "tips", "4210")  # a tip is owed, not earned


def test_a_day_without_shipping_or_tips_posts_as_before(books, orders_dir):  # noqa: F811
    sync_and_map(books, orders_dir, [W2])
    books.post(everything=True)
    invoice = books.invoice("KL-202610-0001")
    assert [x["kind"] for x in invoice.lines] == ["item"]
    assert (invoice.shipping, invoice.tips) == (D("0"), D("0"))
    assert not [line for line in journal_of(books, "KL-202610-0001") if line[0] in ("4200", "2200")]


def test_without_an_account_for_shipping_a_day_with_shipping_needs_attention(books, orders_dir):  # noqa: F811
    with books.db.write() as con:  # books set up before shipping had a default account
        con.execute("DELETE FROM account_defaults WHERE category IN ('shipping', 'tips')")
    sync_and_map(books, orders_dir, [W1, W2])
    [day] = books.digests()
    assert day.status == "needs_attention"
    assert 'no account for "shipping" (flowtui map account "pos" shipping --account CODE)' in \
        books.digest(day.id).attention
    assert 'no account for "tips" (flowtui map account "pos" tips --account CODE)' in books.digest(day.id).attention


def test_books_set_up_before_shipping_get_its_accounts_unless_a_code_is_taken(tmp_path):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))  # books initialised at schema 13, where 2200 was already the owner's own
    for migration in MIGRATIONS[:-1]:
        for statement in migration.statements():
            con.execute(statement)
        con.execute("INSERT INTO schema_migrations VALUES (?, ?, now())", [migration.version, migration.name])
    con.execute("INSERT INTO settings VALUES ('initialised', '2026-10-01T00:00:00+00:00')")
    con.execute("INSERT INTO accounts VALUES ('2200', 'Accrued Wages', 'expense', now())")
    con.execute("INSERT INTO orders (stream_id, order_id, number, pos_store_id, ordered_at, business_date, type, "
                "status, subtotal, discount, service_charge, tax, rounding, total, version, content_hash, landed_at, "
                "updated_at) VALUES (1, 'A', 'A', 'KL', now(), DATE '2026-10-01', 'sale', 'completed', 1, 0, 0, 0, "
                "0, 1, 1, 1, now(), now())")
    con.close()

    with Database.at(path).read() as con:  # migrated forward on open
        assert con.execute("SELECT shipping, tip FROM orders").fetchall() == [(D("0.00"), D("0.00"))]
        assert con.execute("SELECT code, name FROM accounts WHERE code IN ('2200', '4200') ORDER BY 1").fetchall() == [
            ("2200", "Accrued Wages"), ("4200", "Shipping Income")]
        assert con.execute("SELECT category, account_code FROM account_defaults "
                           "WHERE category IN ('shipping', 'tips')").fetchall() == [("shipping", "4200")]



def test_a_csv_file_carries_shipping_and_a_tip_in_columns_of_those_names(tmp_path, flow):
    path = tmp_path / "web.csv"
    path.write_text("order_id,store_id,time,total,tax,shipping,tip,payments,sku,quantity,unit_price,line_tax\n"
                    "W1,KL,2026-10-01T02:00:00Z,20.90,0.90,8.00,5.00,Card:20.90,KOPI,2,3.50,0.42\n", encoding="utf-8")
    add_stream(flow, "Files", path)
    assert sync_one(flow, "Files").landing.new == 1
    [row] = digests_of(flow, "Files").values()
    assert (row.shipping, row.tips, row.amount) == (D("8.00"), D("5.00"), D("20.90"))
