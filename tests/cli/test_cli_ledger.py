"""Products, stock, posting and the ledger through the command line, as worked examples.

Every figure asserted here is worked out by hand from the orders written in
the test (see the comments), never copied from the program's output. The
clock is frozen at 2026-10-10T04:00:00Z (12:00 on 10 October in Kuala
Lumpur), so business days up to 9 October are over and 10 October is open.
Kuala Lumpur is UTC+8: ``2026-10-01T03:00:00Z`` is 11:00 on 1 October.
"""

from __future__ import annotations

import getpass
import os
import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path

import pytest

from tests.cli_helpers import Cli, assert_clean_error
from tests.factories import order, write_ndjson

NOW = "2026-10-10T04:00:00Z"
KL_FORMAT = "KL-{yyyy}{mm}-{seq:04}"




@pytest.fixture(autouse=True)
def frozen_clock(_isolated_env, monkeypatch):
    monkeypatch.setenv("FLOWTUI_NOW", NOW)


@pytest.fixture
def books(cli):
    """Initialised books with two locations."""
    cli.ok("init", "--company", "Kedai Kopi Sdn Bhd")
    cli.ok("location", "add", "Kuala Lumpur")
    cli.ok("location", "add", "Petaling Jaya")
    return cli


def os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return os.environ.get("USER") or f"uid {os.getuid()}"


def by_key(rows, *keys):
    return {tuple(r[k] for k in keys) if len(keys) > 1 else r[keys[0]]: r for r in rows}


def pick(rows: list[dict], keys) -> list[dict]:
    return [{k: r[k] for k in keys} for r in rows]


def digest_ids(cli: Cli) -> dict:
    """{(pos_store_id, date): digest row}."""
    return by_key(cli.json("digests"), "pos_store_id", "date")


def balances(cli: Cli, *args) -> tuple[dict, dict]:
    tb = cli.json("ledger", "trial-balance", *args)
    return by_key(tb["rows"], "code"), tb["totals"]


def file_stream(cli: Cli, name: str, folder: Path, *flags) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    cli.ok("stream", "add", name, "--provider", "file", "--path", folder, *flags)
    return folder


# -- 1. products and stock -------------------------------------------------------------------


def test_product_add_list_and_clean_refusals(books):
    cli = books
    cli.ok("account", "add", "4050", "Beverage Sales", "--type", "income")
    added = cli.ok("product", "add", "KOPI", "Kopi O", "--price", "3.5", "--cost", "1.2", "--track-stock",
                   "--income-account", "4050")
    assert "KOPI" in added.out
    cli.ok("product", "add", "ROTI", "Roti Bakar", "--price", "4.20", "--cost", "1.05")

    assert cli.json("products") == [
        {"sku": "KOPI", "name": "Kopi O", "price": "3.50", "cost": "1.20", "track_stock": True,
         "income_account": "4050", "barcode": None, "tax_code": None, "tax_rate": "0.0000"},
        {"sku": "ROTI", "name": "Roti Bakar", "price": "4.20", "cost": "1.05", "track_stock": False,
         "income_account": None, "barcode": None, "tax_code": None, "tax_rate": "0.0000"},
    ]

    # a duplicate SKU is a clean error and changes nothing
    assert_clean_error(cli("product", "add", "KOPI", "Other", "--price", "9.00", "--cost", "1.00"),
                       says="already exists")
    # an asset account cannot be a product's income account
    assert_clean_error(cli("product", "add", "MILO", "Milo", "--price", "3.00", "--cost", "1.00",
                           "--income-account", "1000"), says="income account")
    # an unknown account is a clean error too
    assert_clean_error(cli("product", "add", "MILO", "Milo", "--price", "3.00", "--cost", "1.00",
                           "--income-account", "9999"))
    # a negative price is refused
    assert_clean_error(cli("product", "add", "MILO", "Milo", "--price", "-3.00", "--cost", "1.00"))
    rows = cli.json("products")
    assert [r["sku"] for r in rows] == ["KOPI", "ROTI"]
    assert by_key(rows, "sku")["KOPI"]["name"] == "Kopi O" and by_key(rows, "sku")["KOPI"]["price"] == "3.50"


def test_products_import_adds_and_updates(books, tmp_path):
    cli = books
    cli.ok("product", "add", "KOPI", "Kopi O", "--price", "3.50", "--cost", "1.20")
    csv_file = tmp_path / "products.csv"
    csv_file.write_text(
        "sku,name,price,cost,track_stock,income_account\n"
        "KOPI,Kopi O Kaw,3.80,1.30,yes,4000\n"   # update: new name, price, cost, tracked
        "TEH,Teh Tarik,2.80,0.90,no,\n"          # new
        "MILO,Milo Ais,4.00,1.50,true,4000\n",  # new
        encoding="utf-8")
    result = cli.ok("products", "import", csv_file)
    assert "2 added, 1 updated" in result.out
    assert cli.json("products") == [
        {"sku": "KOPI", "name": "Kopi O Kaw", "price": "3.80", "cost": "1.30", "track_stock": True,
         "income_account": "4000", "barcode": None, "tax_code": None, "tax_rate": "0.0000"},
        {"sku": "MILO", "name": "Milo Ais", "price": "4.00", "cost": "1.50", "track_stock": True,
         "income_account": "4000", "barcode": None, "tax_code": None, "tax_rate": "0.0000"},
        {"sku": "TEH", "name": "Teh Tarik", "price": "2.80", "cost": "0.90", "track_stock": False,
         "income_account": None, "barcode": None, "tax_code": None, "tax_rate": "0.0000"},
    ]
    # importing the same file again updates all three, adds nothing
    assert "0 added, 3 updated" in cli.ok("products", "import", csv_file).out


def test_products_carry_barcode_and_tax_for_the_minipos(books, tmp_path):
    cli = books
    cli.ok("product", "add", "KOPI", "Kopi O", "--price", "3.50", "--cost", "1.20", "--barcode", "9555001",
           "--tax-code", "SV6", "--tax-rate", "6%")
    csv_file = tmp_path / "products.csv"
    csv_file.write_text("sku,name,price,cost,track_stock,income_account,barcode,tax_code,tax_rate\n"
                        "TEH,Teh Tarik,2.80,0.90,no,,9555002,SV8,0.08\n", encoding="utf-8")
    cli.ok("products", "import", csv_file)
    rows = by_key(cli.json("products"), "sku")
    assert (rows["KOPI"]["barcode"], rows["KOPI"]["tax_code"], rows["KOPI"]["tax_rate"]) == ("9555001", "SV6", "0.0600")
    assert (rows["TEH"]["barcode"], rows["TEH"]["tax_code"], rows["TEH"]["tax_rate"]) == ("9555002", "SV8", "0.0800")
    assert_clean_error(cli("product", "add", "MILO", "Milo", "--price", "3.00", "--cost", "1.00", "--tax-rate", "120%"),
                       says="Tax rate")


def test_products_import_with_a_bad_row_imports_nothing_and_names_the_line(books, tmp_path):
    cli = books
    cli.ok("product", "add", "KOPI", "Kopi O", "--price", "3.50", "--cost", "1.20")
    before = cli.json("products")
    csv_file = tmp_path / "products.csv"
    csv_file.write_text(
        "sku,name,price,cost,track_stock,income_account\n"
        "TEH,Teh Tarik,2.80,0.90,no,\n"        # line 2: fine
        "KOPI,Kopi O,abc,1.20,no,\n"           # line 3: price is not a number
        "MILO,Milo,4.00,1.50,maybe,\n",        # line 4: track_stock is not yes/no
        encoding="utf-8")
    result = cli("products", "import", csv_file)
    assert_clean_error(result, says="products.csv:3")
    assert "products.csv:4" in result.err
    assert "products.csv:2" not in result.err
    assert cli.json("products") == before  # TEH (a good row) was not imported either, KOPI unchanged

    # a row naming a non-income account is a bad row too
    csv_file.write_text("sku,name,price,cost,track_stock,income_account\nTEH,Teh,2.80,0.90,no,1000\n",
                        encoding="utf-8")
    assert_clean_error(cli("products", "import", csv_file), says="products.csv:2")
    assert cli.json("products") == before


def test_stock_set_and_stock_listing(books):
    cli = books
    cli.ok("product", "add", "KOPI", "Kopi O", "--price", "3.50", "--cost", "1.20", "--track-stock")
    cli.ok("product", "add", "MILO", "Milo", "--price", "4.00", "--cost", "1.50", "--track-stock")
    cli.ok("stock", "set", "KOPI", "20", "--location", "Kuala Lumpur")
    cli.ok("stock", "set", "KOPI", "7.5", "--location", "Petaling Jaya")
    cli.ok("stock", "set", "MILO", "12", "--location", "Kuala Lumpur")
    # a count after the opening: on hand becomes the new figure (not 20 + 18)
    cli.ok("stock", "set", "KOPI", "18", "--location", "Kuala Lumpur")

    # each SKU's value is what the Inventory account holds for it
    assert cli.json("stock") == [
        {"sku": "KOPI", "name": "Kopi O", "location": "Kuala Lumpur", "quantity": 18, "value": "21.60",
         "negative": False},
        {"sku": "KOPI", "name": "Kopi O", "location": "Petaling Jaya", "quantity": 7.5, "value": "9.00",
         "negative": False},
        {"sku": "MILO", "name": "Milo", "location": "Kuala Lumpur", "quantity": 12, "value": "18.00",
         "negative": False},
    ]
    assert cli.json("stock", "--location", "Petaling Jaya") == [
        {"sku": "KOPI", "name": "Kopi O", "location": "Petaling Jaya", "quantity": 7.5, "value": "9.00",
         "negative": False}]
    text = cli.ok("stock", "--location", "Kuala Lumpur").out
    assert "MILO" in text and "Petaling Jaya" not in text

    assert_clean_error(cli("stock", "set", "NOPE", "3", "--location", "Kuala Lumpur"), says="NOPE")
    assert_clean_error(cli("stock", "set", "KOPI", "3", "--location", "Nowhere"))
    assert_clean_error(cli("stock", "--location", "Nowhere"))


# -- 2. a full day --------------------------------------------------------------------------
#
# Kuala Lumpur store "KL", business date 2026-10-01:
#   A-1  03:00Z  Cash. KOPI 2 x 3.50 = 7.00 (tax 0.42), ROTI 1 x 4.20 = 4.20 (tax 0.25), subtotal 11.20
#        service charge 1.12 with service tax 0.07 -> order tax 0.42 + 0.25 + 0.07 = 0.74
#        11.20 + 1.12 + 0.74 = 13.06, rounded to 13.05 (rounding -0.01); Cash 13.05
#   A-2  04:00Z  Card. KOPI 3 x 3.50 = 10.50 less line discount 0.50 = 10.00 (tax 0.60), total 10.60
#   A-3  05:00Z  split: ROTI 2 x 4.20 = 8.40 (tax 0.50), total 8.90 = Cash 5.00 + Card 3.90
#   A-4  06:00Z  RETURN of A-1: KOPI 1 x 3.50 (tax 0.21), total 3.71, Cash refund
#   A-5  07:00Z  VOIDED sale ROTI 5 x 4.20 (counts for nothing)
# and KL 2026-10-10 (today, open): T-1 KOPI 1 x 3.50 Cash.
#
# Invoice (sales ):
#   KOPI qty 5, gross 7.00 + 10.50 = 17.50, discount 0.50, amount 17.00, tax 0.42 + 0.60 = 1.02
#   ROTI qty 3, gross = amount 4.20 + 8.40 = 12.60, tax 0.25 + 0.50 = 0.75
#   subtotal 29.60, service charge 1.12 (its tax 1.84 - 1.77 = 0.07), tax 0.74 + 0.60 + 0.50 = 1.84,
#   rounding -0.01, total 13.05 + 10.60 + 8.90 = 32.55 (= 29.60 + 1.12 + 1.84 - 0.01)
#   payments: Cash 13.05 + 5.00 = 18.05, Card 10.60 + 3.90 = 14.50
#   journal: Dr 1000 18.05, 1020 14.50, 4020 0.50, 4900 0.01 (= 33.06)
#            Cr 4000 30.10, 4100 1.12, 2100 1.84 (= 33.06)
# Credit note (return A-4): Dr 4010 3.50, 2100 0.21; Cr 1000 3.71


def full_day_orders() -> list[dict]:
    return [
        order("A-1", "KL", "2026-10-01T03:00:00Z",
              [("KOPI", 2, "3.50", "0.00", "0.42"), ("ROTI", 1, "4.20", "0.00", "0.25")],
              service_charge="1.12", rounding="-0.01", tax="0.74", total="13.05",
              payments=[{"method": "Cash", "amount": "13.05"}], number="1001"),
        order("A-2", "KL", "2026-10-01T04:00:00Z", [("KOPI", 3, "3.50", "0.50", "0.60")], pay=[("Card", None)]),
        order("A-3", "KL", "2026-10-01T05:00:00Z", [("ROTI", 2, "4.20", "0.00", "0.50")],
              pay=[("Cash", "5.00"), ("Card", None)]),
        order("A-4", "KL", "2026-10-01T06:00:00Z", [("KOPI", 1, "3.50", "0.00", "0.21")],
              type="return", original_id="A-1"),
        order("A-5", "KL", "2026-10-01T07:00:00Z", [("ROTI", 5, "4.20")], status="voided"),
        order("T-1", "KL", "2026-10-10T02:00:00Z", [("KOPI", 1, "3.50")]),
    ]


@pytest.fixture
def full_day(books, tmp_path):
    cli = books
    folder = file_stream(cli, "Shop", tmp_path / "shop")
    cli.ok("map", "location", "Shop", "KL", "--location", "Kuala Lumpur", "--number-format", KL_FORMAT)
    orders = full_day_orders()
    a1 = orders[0]
    # the hand-built A-1 ties out: 11.20 + 1.12 + 0.74 - 0.01 = 13.05
    assert D(a1["subtotal"]) + D(a1["service_charge"]) + D(a1["tax"]) + D(a1["rounding"]) == D(a1["total"])
    write_ndjson(folder / "day.ndjson", orders)
    cli.ok("sync", "Shop")
    return cli


def test_full_day_posts_an_invoice_and_a_credit_note(full_day):
    cli = full_day
    rows = digest_ids(cli)
    day = rows[("KL", "2026-10-01")]
    assert day["status"] == "ready"
    assert day["amount"] == f"{D('32.55') - D('3.71'):.2f}"  # 28.84

    result = cli.ok("post", day["id"])
    assert "KL-202610-0001" in result.out
    assert "CN-KL-202610-0001" in result.out

    invoices = cli.json("invoices")
    assert pick(invoices, ["number", "kind", "date", "contact", "location", "total", "status", "digest_id",
                           "created_at"]) == [
        {"number": "KL-202610-0001", "kind": "invoice", "date": "2026-10-01", "contact": "Cash Sales",
         "location": "Kuala Lumpur", "total": "32.55", "status": "posted", "digest_id": day["id"],
         "created_at": NOW},
        {"number": "CN-KL-202610-0001", "kind": "credit_note", "date": "2026-10-01", "contact": "Cash Sales",
         "location": "Kuala Lumpur", "total": "3.71", "status": "posted", "digest_id": day["id"],
         "created_at": NOW},
    ]

    rows = digest_ids(cli)
    assert rows[("KL", "2026-10-01")]["status"] == "posted"
    assert rows[("KL", "2026-10-01")]["invoice_number"] == "KL-202610-0001"
    assert rows[("KL", "2026-10-10")]["status"] == "open"
    assert rows[("KL", "2026-10-10")]["invoice_number"] is None


def test_full_day_invoice_show(full_day):
    cli = full_day
    day = digest_ids(cli)[("KL", "2026-10-01")]
    cli.ok("post", day["id"])

    inv = cli.json("invoice", "show", "KL-202610-0001")
    assert (inv["number"], inv["kind"], inv["date"], inv["contact"], inv["location"], inv["status"],
            inv["digest_id"]) == ("KL-202610-0001", "invoice", "2026-10-01", "Cash Sales", "Kuala Lumpur",
                                  "posted", day["id"])
    assert (inv["subtotal"], inv["service_charge"], inv["tax"], inv["rounding"], inv["total"]) == \
        ("29.60", "1.12", "1.84", "-0.01", "32.55")
    assert pick(inv["lines"], ["description", "sku", "quantity", "unit_price", "discount", "tax", "amount",
                               "account"]) == [
        {"description": "Item KOPI", "sku": "KOPI", "quantity": 5, "unit_price": "3.50", "discount": "0.50",
         "tax": "1.02", "amount": "17.00", "account": "4000"},
        {"description": "Item ROTI", "sku": "ROTI", "quantity": 3, "unit_price": "4.20", "discount": "0.00",
         "tax": "0.75", "amount": "12.60", "account": "4000"},
        {"description": "Service charge", "sku": None, "quantity": 1, "unit_price": "1.12", "discount": "0.00",
         "tax": "0.07", "amount": "1.12", "account": "4100"},
        {"description": "Rounding", "sku": None, "quantity": 1, "unit_price": "-0.01", "discount": "0.00",
         "tax": "0.00", "amount": "-0.01", "account": "4900"},
    ]
    # the lines add up to the total: amounts + taxes
    assert sum(D(x["amount"]) + D(x["tax"]) for x in inv["lines"]) == D(inv["total"])
    assert sorted((p["method"], p["account"], p["amount"]) for p in inv["payments"]) == [
        ("Card", "1020", "14.50"), ("Cash", "1000", "18.05")]
    assert sum(D(p["amount"]) for p in inv["payments"]) == D(inv["total"])
    posted = [h for h in inv["history"] if h["event"] == "posted"]
    assert len(posted) == 1
    assert posted[0]["actor"] == os_user()
    assert posted[0]["at"] == NOW
    assert pick(inv["linked"], ["number", "kind"]) == [{"number": "CN-KL-202610-0001", "kind": "credit_note"}]

    cn = cli.json("invoice", "show", "CN-KL-202610-0001")
    assert (cn["kind"], cn["total"], cn["tax"]) == ("credit_note", "3.71", "0.21")
    assert pick(cn["lines"], ["sku", "quantity", "unit_price", "tax", "amount", "account"]) == [
        {"sku": "KOPI", "quantity": 1, "unit_price": "3.50", "tax": "0.21", "amount": "3.50", "account": "4010"}]
    assert pick(cn["payments"], ["method", "account", "amount"]) == [
        {"method": "Cash", "account": "1000", "amount": "3.71"}]
    assert pick(cn["linked"], ["number", "kind"]) == [{"number": "KL-202610-0001", "kind": "invoice"}]
    assert any(h["event"] == "posted" and h["actor"] == os_user() for h in cn["history"])

    text = cli.ok("invoice", "show", "KL-202610-0001").out
    assert "KL-202610-0001" in text and "CN-KL-202610-0001" in text and "32.55" in text


def test_full_day_trial_balance_and_journal(full_day):
    cli = full_day
    cli.ok("post", digest_ids(cli)[("KL", "2026-10-01")]["id"])

    rows, totals = balances(cli)
    assert totals["debit"] == totals["credit"]
    # debits 18.05 + 14.50 + 0.50 + 0.01 + 3.50 + 0.21; credits 30.10 + 1.12 + 1.84 + 3.71
    assert totals["debit"] == f"{D('18.05') + D('14.50') + D('0.50') + D('0.01') + D('3.50') + D('0.21'):.2f}"
    assert totals["credit"] == f"{D('30.10') + D('1.12') + D('1.84') + D('3.71'):.2f}"
    expected = {
        "1000": ("18.05", "3.71", "14.34"),
        "1020": ("14.50", "0.00", "14.50"),
        "2100": ("0.21", "1.84", "-1.63"),
        "4000": ("0.00", "30.10", "-30.10"),
        "4010": ("3.50", "0.00", "3.50"),
        "4020": ("0.50", "0.00", "0.50"),
        "4100": ("0.00", "1.12", "-1.12"),
        "4900": ("0.01", "0.00", "0.01"),
    }
    assert {code: (r["debit"], r["credit"], r["balance"]) for code, r in rows.items()} == expected
    assert (rows["1000"]["name"], rows["1000"]["type"]) == ("Cash on Hand", "asset")
    assert (rows["2100"]["name"], rows["2100"]["type"]) == ("SST Payable", "liability")
    assert sum(D(r["balance"]) for r in rows.values()) == 0

    # before the day nothing is posted
    early, early_totals = balances(cli, "--as-of", "2026-09-30")
    assert early == {} and early_totals == {"debit": "0.00", "credit": "0.00"}

    cash = cli.json("ledger", "journal", "--account", "1000")
    assert [(r["document"], r["account"], r["debit"], r["credit"], r["date"]) for r in cash] == [
        ("KL-202610-0001", "1000", "18.05", "0.00", "2026-10-01"),
        ("CN-KL-202610-0001", "1000", "0.00", "3.71", "2026-10-01"),
    ]
    everything = cli.json("ledger", "journal")
    by_doc: dict[str, list] = {}
    for r in everything:
        by_doc.setdefault(r["document"], []).append(r)
    assert set(by_doc) == {"KL-202610-0001", "CN-KL-202610-0001"}
    for lines in by_doc.values():  # each entry balances
        assert sum(D(r["debit"]) for r in lines) == sum(D(r["credit"]) for r in lines)
    assert sum(D(r["debit"]) for r in by_doc["KL-202610-0001"]) == D("33.06")
    assert sorted((r["account"], r["debit"], r["credit"]) for r in by_doc["CN-KL-202610-0001"]) == [
        ("1000", "0.00", "3.71"), ("2100", "0.21", "0.00"), ("4010", "3.50", "0.00")]
    assert cli.json("ledger", "journal", "--from", "2026-10-02") == []


# 1 Oct: D-1 sells KOPI 2 x 3.50 = 7.00 less an order discount 0.50, total 6.50 Cash.
#        D-2 returns KOPI 1 x 3.50 (tax 0.21) with cash rounding -0.01: refund 3.50 + 0.21 - 0.01 = 3.70.
# Invoice journal: Dr 1000 6.50, 4020 0.50; Cr 4000 7.00.
# Credit note journal (the mirror image): Dr 4010 3.50, 2100 0.21; Cr 1000 3.70, 4900 0.01.


def test_order_discount_and_rounding_on_a_return(books, tmp_path):
    cli = books
    folder = file_stream(cli, "Shop", tmp_path / "shop")
    cli.ok("map", "location", "Shop", "KL", "--location", "Kuala Lumpur", "--number-format", KL_FORMAT)
    write_ndjson(folder / "day.ndjson", [
        order("D-1", "KL", "2026-10-01T03:00:00Z", [("KOPI", 2, "3.50")], discount="0.50"),
        order("D-2", "KL", "2026-10-01T04:00:00Z", [("KOPI", 1, "3.50", "0.00", "0.21")], rounding="-0.01",
              type="return", original_id="D-1"),
    ])
    cli.ok("sync", "Shop")
    cli.ok("post", "--all")
    inv = cli.json("invoice", "show", "KL-202610-0001")
    assert (inv["subtotal"], inv["discount"], inv["total"]) == ("7.00", "0.50", "6.50")
    assert pick(inv["lines"], ["description", "quantity", "unit_price", "amount", "account"]) == [
        {"description": "Item KOPI", "quantity": 2, "unit_price": "3.50", "amount": "7.00", "account": "4000"},
        {"description": "Discount", "quantity": 1, "unit_price": "-0.50", "amount": "-0.50", "account": "4020"},
    ]
    cn = cli.json("invoice", "show", "CN-KL-202610-0001")
    assert (cn["total"], cn["rounding"]) == ("3.70", "-0.01")
    assert pick(cn["lines"], ["description", "amount", "tax", "account"]) == [
        {"description": "Item KOPI", "amount": "3.50", "tax": "0.21", "account": "4010"},
        {"description": "Rounding", "amount": "-0.01", "tax": "0.00", "account": "4900"},
    ]
    journal = cli.json("ledger", "journal")
    assert sorted((r["document"], r["account"], r["debit"], r["credit"]) for r in journal) == sorted([
        ("KL-202610-0001", "1000", "6.50", "0.00"),
        ("KL-202610-0001", "4020", "0.50", "0.00"),
        ("KL-202610-0001", "4000", "0.00", "7.00"),
        ("CN-KL-202610-0001", "4010", "3.50", "0.00"),
        ("CN-KL-202610-0001", "2100", "0.21", "0.00"),
        ("CN-KL-202610-0001", "1000", "0.00", "3.70"),
        ("CN-KL-202610-0001", "4900", "0.00", "0.01"),
    ])
    rows, totals = balances(cli)
    assert {c: r["balance"] for c, r in rows.items()} == {
        "1000": "2.80", "2100": "0.21", "4000": "-7.00", "4010": "3.50", "4020": "0.50", "4900": "-0.01"}
    assert totals == {"debit": "10.71", "credit": "10.71"}


# -- 3. exactly once ------------------------------------------------------------------------


def test_posting_twice_creates_nothing_new(full_day):
    cli = full_day
    day_id = digest_ids(cli)[("KL", "2026-10-01")]["id"]
    cli.ok("post", day_id)
    invoices = cli.json("invoices")
    journal = cli.json("ledger", "journal")
    tb = cli.json("ledger", "trial-balance")

    again = cli("post", day_id)
    assert again.code == 0, again.out + again.err
    assert "already posted" in again.out
    assert "Posted digest" not in again.out

    everything = cli("post", "--all")
    assert everything.code == 0, everything.out + everything.err  # today's open day is skipped, not refused
    assert "Posted digest" not in everything.out

    as_json = cli.json("post", day_id)
    assert [(o["digest_id"], o["status"]) for o in as_json] == [(day_id, "already_posted")]

    assert cli.json("invoices") == invoices
    assert cli.json("ledger", "journal") == journal
    assert cli.json("ledger", "trial-balance") == tb
    assert len(invoices) == 2


def test_post_all_again_counts_what_was_posted_before_instead_of_listing_it(full_day, tmp_path):
    cli = full_day
    folder = tmp_path / "shop"
    write_ndjson(folder / "day.ndjson", full_day_orders() + [  # two more days over, at the same store
        order("B-1", "KL", "2026-10-02T03:00:00Z", [("KOPI", 1, "3.50")]),
        order("C-1", "KL", "2026-10-03T03:00:00Z", [("ROTI", 1, "4.20")])])
    cli.ok("sync", "Shop")
    first = cli("post", "--all")
    assert first.code == 0, first.out + first.err
    assert [line.split(" (")[0] for line in first.out.splitlines()] == [
        "Posted digest 1", "Posted digest 3", "Posted digest 4"]  # one line each, as ever

    again = cli("post", "--all")
    assert again.code == 0, again.out + again.err
    assert again.out == "3 digests already posted (nothing to do)\n"  # (it listed each: "Digest 1 (...) was already posted")
    assert [(o["status"], len(o["documents"])) for o in cli.json("post", "--all")] == [
        ("already_posted", 2), ("already_posted", 1), ("already_posted", 1)]  # --json lists each, as before
    one = cli("post", digest_ids(cli)[("KL", "2026-10-02")]["id"])  # asked by id: told by id
    assert one.out.startswith("Digest 3 (Shop / Kuala Lumpur / 2026-10-02) was already posted: invoice ")


# -- 4. refusals ----------------------------------------------------------------------------


def test_unmapped_payment_method_is_refused_until_mapped(books, tmp_path):
    cli = books
    folder = file_stream(cli, "Shop", tmp_path / "shop")
    cli.ok("map", "location", "Shop", "KL", "--location", "Kuala Lumpur", "--number-format", KL_FORMAT)
    # G-1 KOPI 2 x 3.50 = 7.00 GrabPay; G-2 TEH 1 x 2.80 Cash
    write_ndjson(folder / "day.ndjson", [
        order("G-1", "KL", "2026-10-02T03:00:00Z", [("KOPI", 2, "3.50")], pay=[("GrabPay", None)]),
        order("G-2", "KL", "2026-10-02T04:00:00Z", [("TEH", 1, "2.80")]),
    ])
    cli.ok("sync", "Shop")
    day = digest_ids(cli)[("KL", "2026-10-02")]

    refused = cli("post", day["id"])
    assert refused.code == 3, refused.out + refused.err
    assert "Traceback" not in refused.out + refused.err
    said = refused.out + refused.err
    assert "GrabPay" in said
    assert 'flowtui map payment "Shop" "GrabPay"' in said
    assert cli.json("invoices") == []
    assert cli.json("ledger", "trial-balance")["rows"] == []
    assert digest_ids(cli)[("KL", "2026-10-02")]["status"] == "needs_attention"
    assert cli("post", "--all").code == 3  # --all refuses it too

    cli.ok("map", "payment", "Shop", "GrabPay", "--account", "1030")
    posted = cli.ok("post", day["id"])
    assert "KL-202610-0001" in posted.out
    inv = cli.json("invoice", "show", "KL-202610-0001")
    assert inv["total"] == "9.80"
    assert sorted((p["method"], p["account"], p["amount"]) for p in inv["payments"]) == [
        ("Cash", "1000", "2.80"), ("GrabPay", "1030", "7.00")]
    rows, totals = balances(cli)
    assert rows["1030"]["balance"] == "7.00" and rows["1000"]["balance"] == "2.80"
    assert rows["4000"]["balance"] == "-9.80"
    assert totals == {"debit": "9.80", "credit": "9.80"}


def test_unmapped_location_is_refused_with_the_fix(books, tmp_path):
    cli = books
    folder = file_stream(cli, "Shop", tmp_path / "shop")
    write_ndjson(folder / "day.ndjson", [order("P-1", "PJ", "2026-10-02T03:00:00Z", [("KOPI", 1, "3.50")])])
    cli.ok("sync", "Shop")
    day = digest_ids(cli)[("PJ", "2026-10-02")]
    refused = cli("post", "--all")
    assert refused.code == 3, refused.out + refused.err
    said = refused.out + refused.err
    assert "PJ" in said and "flowtui map location" in said
    assert cli.json("invoices") == []

    cli.ok("map", "location", "Shop", "PJ", "--location", "Petaling Jaya")
    cli.ok("post", day["id"])
    # no number format given: the default INV-{yyyy}{mm}-{seq:05}
    assert pick(cli.json("invoices"), ["number", "location", "total"]) == [
        {"number": "INV-202610-00001", "location": "Petaling Jaya", "total": "3.50"}]


def test_open_day_is_refused_when_named_and_skipped_by_all(full_day):
    cli = full_day
    rows = digest_ids(cli)
    today = rows[("KL", "2026-10-10")]
    assert today["status"] == "open"

    refused = cli("post", today["id"])
    assert refused.code == 3, refused.out + refused.err
    assert "not over" in refused.out + refused.err
    assert cli.json("invoices") == []

    everything = cli("post", "--all")
    assert everything.code == 0, everything.out + everything.err
    assert [i["date"] for i in cli.json("invoices")] == ["2026-10-01", "2026-10-01"]
    rows = digest_ids(cli)
    assert rows[("KL", "2026-10-10")]["status"] == "open"
    assert rows[("KL", "2026-10-10")]["invoice_number"] is None
    assert rows[("KL", "2026-10-01")]["status"] == "posted"
    # naming the open day together with a posted one still refuses (exit 3)
    assert cli("post", rows[("KL", "2026-10-01")]["id"], today["id"]).code == 3


def test_open_day_follows_the_locations_time_zone(books, tmp_path):
    cli = books
    cli.ok("location", "add", "Los Angeles", "--timezone", "America/Los_Angeles")
    folder = file_stream(cli, "US", tmp_path / "us")
    cli.ok("map", "location", "US", "LA", "--location", "Los Angeles", "--number-format", "LA-{yyyy}{mm}{dd}-{seq}")
    # Los Angeles is UTC-7 in October; the frozen now (04:00Z on 10 Oct) is 21:00 on 9 Oct there.
    write_ndjson(folder / "days.ndjson", [
        order("L-1", "LA", "2026-10-09T05:00:00Z", [("KOPI", 1, "3.50")]),  # 22:00 on 8 Oct: over
        order("L-2", "LA", "2026-10-09T20:00:00Z", [("KOPI", 2, "3.50")]),  # 13:00 on 9 Oct: still open
    ])
    cli.ok("sync", "US")
    rows = digest_ids(cli)
    assert rows[("LA", "2026-10-08")]["status"] == "ready"
    assert rows[("LA", "2026-10-09")]["status"] == "open"
    assert cli("post", rows[("LA", "2026-10-09")]["id"]).code == 3
    cli.ok("post", "--all")
    assert pick(cli.json("invoices"), ["number", "date", "total"]) == [
        {"number": "LA-20261008-1", "date": "2026-10-08", "total": "3.50"}]


def test_two_processes_posting_at_once_post_each_day_once(books, tmp_path):
    cli = books
    folder = file_stream(cli, "Shop", tmp_path / "shop")
    cli.ok("map", "location", "Shop", "KL", "--location", "Kuala Lumpur", "--number-format", KL_FORMAT)
    # 1..6 Oct, day n sells n x KOPI at 3.50
    write_ndjson(folder / "days.ndjson", [
        order(f"D-{n}", "KL", f"2026-10-0{n}T03:00:00Z", [("KOPI", n, "3.50")]) for n in range(1, 7)])
    cli.ok("sync", "Shop")
    command = [sys.executable, "-m", "flowtui", "--db", str(cli.db), "post", "--all"]
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             cwd=Path(__file__).resolve().parents[2]) for _ in range(2)]
    results = [(p.wait(timeout=60), p.stdout.read(), p.stderr.read()) for p in runs]
    for code, out, err in results:
        assert code == 0, (out, err)
        assert "Traceback" not in err
    invoices = cli.json("invoices")
    assert [(i["date"], i["number"], i["total"]) for i in invoices] == [
        (f"2026-10-0{n}", f"KL-202610-000{n}", f"{n * D('3.50'):.2f}") for n in range(1, 7)]
    _, totals = balances(cli)
    assert totals["debit"] == totals["credit"] == f"{sum(n * D('3.50') for n in range(1, 7)):.2f}"  # 73.50


# -- 5. numbering ---------------------------------------------------------------------------


def test_numbers_are_consecutive_per_format_and_restart_each_month(books, tmp_path):
    cli = books
    folder = file_stream(cli, "Shop", tmp_path / "shop")
    cli.ok("map", "location", "Shop", "KL", "--location", "Kuala Lumpur", "--number-format", KL_FORMAT)
    write_ndjson(folder / "days.ndjson", [
        order("N-1", "KL", "2026-09-30T03:00:00Z", [("KOPI", 1, "3.50")]),   # 30 Sep
        order("N-2", "KL", "2026-10-01T03:00:00Z", [("KOPI", 2, "3.50")]),   # 1 Oct
        order("N-3", "KL", "2026-10-02T03:00:00Z", [("KOPI", 3, "3.50")]),   # 2 Oct
        order("N-4", "KL", "2026-10-03T03:00:00Z", [("KOPI", 4, "3.50")]),   # 3 Oct
    ])
    cli.ok("sync", "Shop")
    rows = digest_ids(cli)
    # post 2 Oct first on its own, then the rest
    first = cli.ok("post", "--from", "2026-10-02", "--to", "2026-10-02")
    assert "KL-202610-0001" in first.out
    cli.ok("post", "--all")
    numbers = {(i["date"], i["total"]): i["number"] for i in cli.json("invoices")}
    assert numbers == {
        ("2026-09-30", "3.50"): "KL-202609-0001",
        ("2026-10-02", "10.50"): "KL-202610-0001",
        ("2026-10-01", "7.00"): "KL-202610-0002",
        ("2026-10-03", "14.00"): "KL-202610-0003",
    }
    assert digest_ids(cli)[("KL", "2026-10-03")]["invoice_number"] == "KL-202610-0003"
    assert rows[("KL", "2026-10-01")]["id"] != rows[("KL", "2026-10-02")]["id"]
    # trial balance as of 1 Oct: 30 Sep and 1 Oct only (3.50 + 7.00)
    early, _ = balances(cli, "--as-of", "2026-10-01")
    assert early["4000"]["balance"] == "-10.50"
    assert cli.json("invoices", "--from", "2026-10-02", "--to", "2026-10-02")[0]["number"] == "KL-202610-0001"


def test_two_locations_sharing_a_format_never_share_a_number(books, tmp_path):
    cli = books
    folder = file_stream(cli, "Shop", tmp_path / "shop")
    cli.ok("map", "location", "Shop", "KL", "--location", "Kuala Lumpur", "--number-format", "SHOP-{yy}{mm}-{seq:03}")
    cli.ok("map", "location", "Shop", "PJ", "--location", "Petaling Jaya", "--number-format", "SHOP-{yy}{mm}-{seq:03}")
    write_ndjson(folder / "days.ndjson", [
        order("K-1", "KL", "2026-10-01T03:00:00Z", [("KOPI", 1, "3.50")]),
        order("P-1", "PJ", "2026-10-01T03:00:00Z", [("KOPI", 2, "3.50")]),
        order("K-2", "KL", "2026-10-02T03:00:00Z", [("KOPI", 3, "3.50")]),
    ])
    cli.ok("sync", "Shop")
    cli.ok("post", "--all")
    invoices = cli.json("invoices")
    assert sorted(i["number"] for i in invoices) == ["SHOP-2610-001", "SHOP-2610-002", "SHOP-2610-003"]
    assert [i["location"] for i in cli.json("invoices", "--location", "Petaling Jaya")] == ["Petaling Jaya"]
    assert {i["location"] for i in cli.json("invoices", "--location", "Kuala Lumpur")} == {"Kuala Lumpur"}
    assert len(cli.json("invoices", "--location", "Kuala Lumpur")) == 2


def test_credit_note_formats(books, tmp_path):
    cli = books
    folder = file_stream(cli, "Shop", tmp_path / "shop")
    # KL: custom credit note format; PJ: an INV-... format whose credit notes default to CN-...
    cli.ok("map", "location", "Shop", "KL", "--location", "Kuala Lumpur", "--number-format", KL_FORMAT,
           "--credit-note-format", "RET-{yy}{mm}{dd}-{seq:03}")
    cli.ok("contact", "add", "Walk-in PJ")
    cli.ok("map", "location", "Shop", "PJ", "--location", "Petaling Jaya", "--number-format", "INV-PJ-{yyyy}-{seq}",
           "--contact", "Walk-in PJ")
    write_ndjson(folder / "days.ndjson", [
        order("K-1", "KL", "2026-10-01T03:00:00Z", [("KOPI", 2, "3.50")]),
        order("K-2", "KL", "2026-10-01T04:00:00Z", [("KOPI", 1, "3.50")], type="return", original_id="K-1"),
        order("P-1", "PJ", "2026-10-01T03:00:00Z", [("KOPI", 2, "3.50")]),
        order("P-2", "PJ", "2026-10-01T04:00:00Z", [("KOPI", 1, "3.50")], type="return", original_id="P-1"),
    ])
    cli.ok("sync", "Shop")
    out = cli.ok("post", "--all").out
    assert "RET-261001-001" in out and "CN-PJ-2026-1" in out
    assert {(i["location"], i["kind"]): i["number"] for i in cli.json("invoices")} == {
        ("Kuala Lumpur", "invoice"): "KL-202610-0001",
        ("Kuala Lumpur", "credit_note"): "RET-261001-001",
        ("Petaling Jaya", "invoice"): "INV-PJ-2026-1",
        ("Petaling Jaya", "credit_note"): "CN-PJ-2026-1",
    }
    assert {i["location"]: i["contact"] for i in cli.json("invoices")} == {
        "Kuala Lumpur": "Cash Sales", "Petaling Jaya": "Walk-in PJ"}


def test_default_credit_note_format_only_swaps_an_inv_dash_prefix(books, tmp_path):
    cli = books
    folder = file_stream(cli, "Shop", tmp_path / "shop")
    cli.ok("map", "location", "Shop", "KL", "--location", "Kuala Lumpur", "--number-format", "INVOICE-{seq}")
    write_ndjson(folder / "days.ndjson", [
        order("K-1", "KL", "2026-10-01T03:00:00Z", [("KOPI", 2, "3.50")]),
        order("K-2", "KL", "2026-10-01T04:00:00Z", [("KOPI", 1, "3.50")], type="return", original_id="K-1"),
    ])
    cli.ok("sync", "Shop")
    cli.ok("post", "--all")
    assert {i["kind"]: i["number"] for i in cli.json("invoices")} == {
        "invoice": "INVOICE-1", "credit_note": "CN-INVOICE-1"}


# KL "A{seq:02}" and PJ "A0{seq}" are different formats whose first numbers are both A01.
def _colliding_formats(cli: Cli, tmp_path: Path) -> None:
    folder = file_stream(cli, "Shop", tmp_path / "shop")
    cli.ok("map", "location", "Shop", "KL", "--location", "Kuala Lumpur", "--number-format", "A{seq:02}")
    cli.ok("map", "location", "Shop", "PJ", "--location", "Petaling Jaya", "--number-format", "A0{seq}")
    write_ndjson(folder / "days.ndjson", [
        order("K-1", "KL", "2026-10-01T03:00:00Z", [("KOPI", 1, "3.50")]),
        order("P-1", "PJ", "2026-10-02T03:00:00Z", [("KOPI", 2, "3.50")]),
    ])
    cli.ok("sync", "Shop")


def test_a_number_clash_between_formats_posts_nothing_and_uses_no_numbers(books, tmp_path):
    cli = books
    _colliding_formats(cli, tmp_path)
    clash = cli("post", "--all")
    assert clash.code != 0
    assert cli.json("invoices") == []  # atomic: neither day half-posted
    assert cli.json("ledger", "trial-balance")["rows"] == []
    assert {r["status"] for r in cli.json("digests")} == {"ready"}
    cli.ok("map", "location", "Shop", "PJ", "--location", "Petaling Jaya", "--number-format", "PJ-{seq}")
    cli.ok("post", "--all")
    # the failed run consumed no numbers: both sequences start at 1
    assert [i["number"] for i in cli.json("invoices")] == ["A01", "PJ-1"]


def test_a_number_clash_between_formats_is_a_clean_error(books, tmp_path):
    cli = books
    _colliding_formats(cli, tmp_path)
    assert_clean_error(cli("post", "--all"), says="A01")


# -- 6. stock and cost of goods ------------------------------------------------------------
#
# KOPI is tracked at cost 1.20 with income account 4050; opening stock 20 at Kuala Lumpur.
# 1 Oct: S-1 sells KOPI 3 x 3.50 = 10.50 and ROTI (untracked, no product) 1 x 4.20; S-2 returns 1 KOPI.
# Stock: 20 - 3 + 1 = 18. Cost of goods: sale 3 x 1.20 = 3.60 (Dr 5000, Cr 1200);
# return 1 x 1.20 = 1.20 (Dr 1200, Cr 5000). Balances: 5000 2.40, 1200 -2.40.


def test_tracked_stock_goes_down_and_cost_of_goods_is_journalled(books, tmp_path):
    cli = books
    cli.ok("account", "add", "4050", "Beverage Sales", "--type", "income")
    cli.ok("product", "add", "KOPI", "Kopi O", "--price", "3.50", "--cost", "1.20", "--track-stock",
           "--income-account", "4050")
    cli.ok("stock", "set", "KOPI", "20", "--location", "Kuala Lumpur", "--date", "2026-09-30")
    cli.ok("stock", "set", "KOPI", "5", "--location", "Petaling Jaya", "--date", "2026-09-30")
    folder = file_stream(cli, "Shop", tmp_path / "shop")
    cli.ok("map", "location", "Shop", "KL", "--location", "Kuala Lumpur", "--number-format", KL_FORMAT)
    write_ndjson(folder / "day.ndjson", [
        order("S-1", "KL", "2026-10-01T03:00:00Z", [("KOPI", 3, "3.50"), ("ROTI", 1, "4.20")]),
        order("S-2", "KL", "2026-10-01T05:00:00Z", [("KOPI", 1, "3.50")], type="return", original_id="S-1"),
    ])
    cli.ok("sync", "Shop")
    cli.ok("post", "--all")

    assert cli.json("stock") == [
        {"sku": "KOPI", "name": "Kopi O", "location": "Kuala Lumpur", "quantity": 20 - 3 + 1, "value": "21.60",
         "negative": False},
        {"sku": "KOPI", "name": "Kopi O", "location": "Petaling Jaya", "quantity": 5, "value": "6.00",
         "negative": False},
    ]

    inv = cli.json("invoice", "show", "KL-202610-0001")
    assert pick(inv["lines"], ["description", "sku", "quantity", "amount", "account"]) == [
        {"description": "Kopi O", "sku": "KOPI", "quantity": 3, "amount": "10.50", "account": "4050"},
        {"description": "Item ROTI", "sku": "ROTI", "quantity": 1, "amount": "4.20", "account": "4000"},
    ]
    cn = cli.json("invoice", "show", "CN-KL-202610-0001")
    assert pick(cn["lines"], ["sku", "quantity", "amount", "account"]) == [
        {"sku": "KOPI", "quantity": 1, "amount": "3.50", "account": "4010"}]

    cogs = cli.json("ledger", "journal", "--account", "5000")
    assert [(r["document"], r["debit"], r["credit"]) for r in cogs] == [
        ("KL-202610-0001", f"{3 * D('1.20'):.2f}", "0.00"),
        ("CN-KL-202610-0001", "0.00", f"{1 * D('1.20'):.2f}"),
    ]
    inventory = cli.json("ledger", "journal", "--account", "1200")
    assert [(r["date"], r["document"], r["debit"], r["credit"]) for r in inventory] == [
        ("2026-09-30", None, "24.00", "0.00"),  # opening stock, dated before the sales it covers
        ("2026-09-30", None, "6.00", "0.00"),
        ("2026-10-01", "KL-202610-0001", "0.00", "3.60"),
        ("2026-10-01", "CN-KL-202610-0001", "1.20", "0.00"),
    ]
    rows, totals = balances(cli)
    assert rows["5000"]["balance"] == "2.40" and rows["1200"]["balance"] == "27.60"  # = the stock's value
    assert rows["3200"]["balance"] == "-30.00"  # opening balance equity
    assert rows["4050"]["balance"] == "-10.50" and rows["4000"]["balance"] == "-4.20"
    assert rows["4010"]["balance"] == "3.50"
    assert totals["debit"] == totals["credit"]


# -- 7. grouping "all" -----------------------------------------------------------------------
#
# 1 Oct: KOPI 2 x 3.50 = 7.00 (tax 0.42) and ROTI 1 x 4.20 less 0.20 discount = 4.00 (tax 0.24), one order,
# total 11.66. One line: All Sales, gross 7.00 + 4.20 = 11.20, discount 0.20, tax 0.66, amount 11.00.


def test_grouping_all_posts_one_all_sales_line(books, tmp_path):
    cli = books
    cli.ok("product", "add", "KOPI", "Kopi O", "--price", "3.50", "--cost", "1.20", "--track-stock")
    cli.ok("stock", "set", "KOPI", "10", "--location", "Kuala Lumpur")
    folder = file_stream(cli, "Summary", tmp_path / "summary", "--grouping", "all")
    cli.ok("map", "location", "Summary", "KL", "--location", "Kuala Lumpur", "--number-format", KL_FORMAT)
    write_ndjson(folder / "day.ndjson", [
        order("X-1", "KL", "2026-10-01T03:00:00Z",
              [("KOPI", 2, "3.50", "0.00", "0.42"), ("ROTI", 1, "4.20", "0.20", "0.24")]),
    ])
    cli.ok("sync", "Summary")
    cli.ok("post", "--all")
    inv = cli.json("invoice", "show", "KL-202610-0001")
    assert inv["total"] == "11.66"
    assert pick(inv["lines"], ["description", "sku", "quantity", "unit_price", "discount", "tax", "amount",
                               "account"]) == [
        {"description": "All Sales", "sku": None, "quantity": 1, "unit_price": "11.20", "discount": "0.20",
         "tax": "0.66", "amount": "11.00", "account": "4000"}]
    rows, totals = balances(cli)
    assert rows["4000"]["balance"] == "-11.20" and rows["4020"]["balance"] == "0.20"
    assert rows["2100"]["balance"] == "-0.66" and rows["1000"]["balance"] == "11.66"
    assert totals["debit"] == totals["credit"] == "23.86"  # the sale, and the opening stock (10 x 1.20)
    # by-SKU detail is not kept with grouping all: no stock movement, no cost of goods
    assert "5000" not in rows and rows["1200"]["balance"] == "12.00"
    assert cli.json("stock")[0]["quantity"] == 10


# -- 8. auto invoice ---------------------------------------------------------------------------


def test_auto_invoice_posts_past_days_after_sync_but_not_today(books, tmp_path):
    cli = books
    auto = file_stream(cli, "Auto", tmp_path / "auto", "--auto-invoice")
    manual = file_stream(cli, "Manual", tmp_path / "manual")
    cli.ok("map", "location", "Auto", "KL", "--location", "Kuala Lumpur", "--number-format", KL_FORMAT)
    cli.ok("map", "location", "Manual", "PJ", "--location", "Petaling Jaya", "--number-format", "PJ-{seq:03}")
    write_ndjson(auto / "days.ndjson", [
        order("U-1", "KL", "2026-10-08T03:00:00Z", [("KOPI", 1, "3.50")]),
        order("U-2", "KL", "2026-10-09T03:00:00Z", [("KOPI", 2, "3.50")]),
        order("U-3", "KL", "2026-10-10T03:00:00Z", [("KOPI", 3, "3.50")]),  # today, open
    ])
    write_ndjson(manual / "days.ndjson", [order("M-1", "PJ", "2026-10-08T03:00:00Z", [("TEH", 1, "2.80")])])
    cli.ok("sync", "Auto", "Manual")
    assert pick(cli.json("invoices"), ["number", "date", "total"]) == [
        {"number": "KL-202610-0001", "date": "2026-10-08", "total": "3.50"},
        {"number": "KL-202610-0002", "date": "2026-10-09", "total": "7.00"},
    ]
    rows = digest_ids(cli)
    assert [rows[("KL", d)]["status"] for d in ("2026-10-08", "2026-10-09", "2026-10-10")] == \
        ["posted", "posted", "open"]
    assert rows[("PJ", "2026-10-08")]["status"] == "ready"  # no auto invoice on Manual
    # a second sync changes nothing
    cli.ok("sync", "Auto")
    assert len(cli.json("invoices")) == 2
    # post --stream takes only that stream's days
    out = cli.ok("post", "--stream", "Manual").out
    assert "PJ-001" in out and "KL-" not in out
    assert [i["number"] for i in cli.json("invoices")] == ["KL-202610-0001", "PJ-001", "KL-202610-0002"]


# -- 9. a return of an earlier day's sale ------------------------------------------------------
#
# 1 Oct: R-1 sells KOPI 2 x 3.50 = 7.00. 2 Oct: R-2 returns 1 KOPI of R-1, refund 3.50, no sales.


def _earlier_day_return(cli: Cli, tmp_path: Path) -> Path:
    folder = file_stream(cli, "Shop", tmp_path / "shop")
    cli.ok("map", "location", "Shop", "KL", "--location", "Kuala Lumpur", "--number-format", KL_FORMAT)
    write_ndjson(folder / "day1.ndjson", [order("R-1", "KL", "2026-10-01T03:00:00Z", [("KOPI", 2, "3.50")])])
    return folder


def _check_earlier_day_return(cli: Cli) -> None:
    docs = cli.json("invoices")
    assert pick(docs, ["number", "kind", "date", "total"]) == [
        {"number": "KL-202610-0001", "kind": "invoice", "date": "2026-10-01", "total": "7.00"},
        {"number": "CN-KL-202610-0001", "kind": "credit_note", "date": "2026-10-02", "total": "3.50"},
    ]
    day2 = digest_ids(cli)[("KL", "2026-10-02")]
    assert day2["status"] == "posted"
    assert day2["invoice_number"] == "CN-KL-202610-0001"
    cn = cli.json("invoice", "show", "CN-KL-202610-0001")
    assert pick(cn["linked"], ["number", "kind"]) == [{"number": "KL-202610-0001", "kind": "invoice"}]
    inv = cli.json("invoice", "show", "KL-202610-0001")
    assert pick(inv["linked"], ["number", "kind"]) == [{"number": "CN-KL-202610-0001", "kind": "credit_note"}]
    rows, _ = balances(cli)
    assert rows["1000"]["balance"] == "3.50" and rows["4010"]["balance"] == "3.50"


def test_return_of_an_earlier_days_sale_posts_only_a_linked_credit_note(books, tmp_path):
    cli = books
    folder = _earlier_day_return(cli, tmp_path)
    cli.ok("sync", "Shop")
    cli.ok("post", "--all")
    write_ndjson(folder / "day2.ndjson", [
        order("R-2", "KL", "2026-10-02T03:00:00Z", [("KOPI", 1, "3.50")], type="return", original_id="R-1")])
    cli.ok("sync", "Shop")
    out = cli.ok("post", "--all").out
    assert "CN-KL-202610-0001" in out
    _check_earlier_day_return(cli)


def test_return_of_an_earlier_days_sale_is_linked_when_both_days_post_together(books, tmp_path):
    cli = books
    folder = _earlier_day_return(cli, tmp_path)
    write_ndjson(folder / "day2.ndjson", [
        order("R-2", "KL", "2026-10-02T03:00:00Z", [("KOPI", 1, "3.50")], type="return", original_id="R-1")])
    cli.ok("sync", "Shop")
    cli.ok("post", "--all")
    _check_earlier_day_return(cli)


def test_already_posted_return_only_day_reports_its_credit_note(books, tmp_path):
    cli = books
    folder = _earlier_day_return(cli, tmp_path)
    write_ndjson(folder / "day2.ndjson", [
        order("R-2", "KL", "2026-10-02T03:00:00Z", [("KOPI", 1, "3.50")], type="return", original_id="R-1")])
    cli.ok("sync", "Shop")
    day2 = digest_ids(cli)[("KL", "2026-10-02")]["id"]
    first = cli.json("post", day2)
    assert first[0]["status"] == "posted"
    assert first[0]["documents"] == [{"kind": "credit_note", "number": "CN-KL-202610-0001"}]
    again = cli.json("post", day2)
    assert again[0]["status"] == "already_posted"
    assert again[0]["documents"] == [{"kind": "credit_note", "number": "CN-KL-202610-0001"}]


def test_a_late_order_never_edits_the_posted_invoice(full_day, tmp_path):
    cli = full_day
    day_id = digest_ids(cli)[("KL", "2026-10-01")]["id"]
    cli.ok("post", day_id)
    invoice = cli.json("invoice", "show", "KL-202610-0001")
    credit_note = cli.json("invoice", "show", "CN-KL-202610-0001")
    # L-1 (16:00 local on 1 Oct) arrives after the day was posted: TEH 1 x 2.80, Cash
    write_ndjson(tmp_path / "shop" / "late.ndjson", [order("L-1", "KL", "2026-10-01T08:00:00Z", [("TEH", 1, "2.80")])])
    cli.ok("sync", "Shop")
    day = digest_ids(cli)[("KL", "2026-10-01")]
    assert day["amount"] == f"{D('28.84') + D('2.80'):.2f}"
    assert day["status"] != "posted"  # the posted version is no longer the day's version
    cli("post", "--all")

    def content(document):  # what a posted document says; its history and links may grow
        return {k: v for k, v in document.items() if k not in ("history", "linked")}

    assert content(cli.json("invoice", "show", "KL-202610-0001")) == content(invoice)
    assert content(cli.json("invoice", "show", "CN-KL-202610-0001")) == content(credit_note)
    supplementary = cli.json("invoice", "show", "KL-202610-0002")
    assert (supplementary["role"], supplementary["total"]) == ("adjustment", "2.80")
    assert [x["relation"] for x in cli.json("invoice", "show", "KL-202610-0001")["linked"]] == [
        "credited by", "adjusted by"]
    numbers = [i["number"] for i in cli.json("invoices")]
    assert len(numbers) == len(set(numbers))
    tb = cli.json("ledger", "trial-balance")
    assert tb["totals"]["debit"] == tb["totals"]["credit"]


# -- 10. errors ----------------------------------------------------------------------------------


def test_post_and_ledger_errors_are_clean(full_day):
    cli = full_day
    assert_clean_error(cli("invoice", "show", "NOPE"), says="NOPE")
    assert_clean_error(cli("invoice", "show", "NOPE", "--json"), says="NOPE")

    no_args = cli("post")
    assert_clean_error(no_args, says="--all")
    assert cli.json("invoices") == []  # nothing was posted

    assert_clean_error(cli("post", "9999"), says="9999")
    assert_clean_error(cli("post", "--stream", "Nope"))
    assert_clean_error(cli("post", "--all", "--from", "2026-10-05", "--to", "2026-10-01"))
    assert_clean_error(cli("ledger", "journal", "--account", "9999"), says="9999")
    assert_clean_error(cli("invoices", "--from", "2026-10-05", "--to", "2026-10-01"))
    assert_clean_error(cli("ledger", "trial-balance", "--as-of", "yesterday-ish"))
    assert cli.json("invoices") == []
