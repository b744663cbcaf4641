"""The command-line contract outside checks depend on, as worked examples.

Every figure asserted here is worked out by hand from the orders written in
the test (see the comments), never copied from the program's output. The
clock is frozen at 2026-10-10T04:00:00Z (12:00 on 10 October in Kuala
Lumpur), so business days up to 9 October are over and 10 October is open.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from decimal import Decimal as D
from pathlib import Path

import pytest

from tests.cli_helpers import assert_clean_error, invoke
from tests.factories import order, write_ndjson

NOW = "2026-10-10T04:00:00Z"
ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")
MONEY = re.compile(r"^-?\d+\.\d{2}$")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")

DIGEST_FIELDS = {"id", "stream", "location", "pos_store_id", "date", "order_count", "return_count",
                 "amount", "invoice_number", "status", "created_at", "shipping", "tips"}
STREAM_FIELDS = {"name", "provider", "created_at", "status", "last_sync_at", "auto_sync", "auto_invoice",
                 "grouping", "start_date"}
SUMMARY_FIELDS = {"gross_sales", "returns", "discount", "service_charge", "shipping", "tax", "tips", "rounding",
                  "net_total"}




@pytest.fixture(autouse=True)
def frozen_clock(_isolated_env, monkeypatch):
    monkeypatch.setenv("FLOWTUI_NOW", NOW)


def by_key(rows, *keys):
    return {tuple(r[k] for k in keys) if len(keys) > 1 else r[keys[0]]: r for r in rows}


# -- the worked example: two stores, one stream ------------------------------------------
#
# Kuala Lumpur store "KL", business date 2026-10-01 (KL is UTC+8):
#   A-6  2026-09-30T16:00:00Z (00:00 on 1 Oct local)  MILO 2 x 3.00 = 6.00, order discount 0.50
#        total 6.00 - 0.50 = 5.50, Cash 5.50
#   A-1  2026-10-01T03:15:00Z  KOPI 2 x 3.50 = 7.00 (tax 0.42), ROTI 1 x 4.20 = 4.20 (tax 0.25)
#        subtotal 11.20, service charge 1.12, tax 0.67, rounding +0.01
#        total 11.20 + 1.12 + 0.67 + 0.01 = 13.00, Cash 13.00
#   A-2  2026-10-01T05:00:00Z  KOPI 3 x 3.50 = 10.50 (tax 0.63), total 11.13, split: Card 5.00 + E-wallet 6.13
#   A-3  2026-10-01T07:00:00Z  RETURN of A-1: KOPI 1 x 3.50 = 3.50 (tax 0.21), total 3.71, Cash refund 3.71
#   A-4  2026-10-01T08:00:00Z  VOIDED sale ROTI 5 x 4.20 = 21.00 (counts for nothing)
#   A-7  2026-10-01T15:59:59Z (23:59:59 on 1 Oct local)  TEH 1 x 2.80, total 2.80, Cash
# KL, 2026-10-02:
#   A-5  2026-10-01T16:30:00Z (00:30 on 2 Oct local)  TEH 2 x 2.80 = 5.60, Cash 5.60
# Petaling Jaya store "PJ", 2026-10-01:
#   B-1  2026-10-01T10:00:00Z  KOPI 1 x 3.50 (tax 0.21), rounding -0.01, total 3.70, Cash 3.70


def worked_orders() -> list[dict]:
    return [
        order("A-6", "KL", "2026-09-30T16:00:00Z", [("MILO", 2, "3.00")], discount="0.50", store_name="KL Outlet"),
        order("A-1", "KL", "2026-10-01T03:15:00Z",
              [("KOPI", 2, "3.50", "0.00", "0.42"), ("ROTI", 1, "4.20", "0.00", "0.25")],
              service_charge="1.12", rounding="0.01", number="1001", store_name="KL Outlet"),
        order("A-2", "KL", "2026-10-01T05:00:00Z", [("KOPI", 3, "3.50", "0.00", "0.63")],
              pay=[("Card", "5.00"), ("E-wallet", None)], number="1002", store_name="KL Outlet"),
        order("A-3", "KL", "2026-10-01T07:00:00Z", [("KOPI", 1, "3.50", "0.00", "0.21")],
              type="return", original_id="A-1", number="R-1001", store_name="KL Outlet"),
        order("A-4", "KL", "2026-10-01T08:00:00Z", [("ROTI", 5, "4.20")], status="voided", store_name="KL Outlet"),
        order("A-7", "KL", "2026-10-01T15:59:59Z", [("TEH", 1, "2.80")], store_name="KL Outlet"),
        order("A-5", "KL", "2026-10-01T16:30:00Z", [("TEH", 2, "2.80")], store_name="KL Outlet"),
        order("B-1", "PJ", "2026-10-01T10:00:00Z", [("KOPI", 1, "3.50", "0.00", "0.21")], rounding="-0.01",
              store_name="PJ Outlet"),
    ]


@pytest.fixture
def shop(cli, orders_dir):
    """Books, two mapped locations and a file stream 'Shop' reading ``orders_dir``."""
    cli.ok("init", "--company", "Kedai Kopi Sdn Bhd")
    cli.ok("location", "add", "Kuala Lumpur")
    cli.ok("location", "add", "Petaling Jaya")
    cli.ok("stream", "add", "Shop", "--provider", "file", "--path", orders_dir)
    cli.ok("map", "location", "Shop", "KL", "--location", "Kuala Lumpur")
    cli.ok("map", "location", "Shop", "PJ", "--location", "Petaling Jaya")
    write_ndjson(orders_dir / "sales1.ndjson", worked_orders())
    return orders_dir


def expected_kl_oct1() -> dict:
    sales = [D("5.50"), D("13.00"), D("11.13"), D("2.80")]  # A-7 (A-4 voided)
    returns = [D("3.71")]
    gross = sum(sales)  # 32.43
    ret = sum(returns)
    net = gross - ret  # 28.72
    # Cross-check through the order parts: subtotals 6.00 + 11.20 + 10.50 + 2.80 - 3.50,
    # minus discount 0.50, plus service charge 1.12, tax 0.67 + 0.63 - 0.21, rounding 0.01.
    assert net == D("6.00") + D("11.20") + D("10.50") + D("2.80") - D("3.50") - D("0.50") + D("1.12") \
        + (D("0.67") + D("0.63") - D("0.21")) + D("0.01")
    return {
        "summary": {
            "gross_sales": f"{gross:.2f}",
            "returns": f"{ret:.2f}",
            "discount": "0.50",
            "service_charge": "1.12",
            "shipping": "0.00",
            "tax": f"{D('0.67') + D('0.63') - D('0.21'):.2f}",
            "tips": "0.00",
            "rounding": "0.01",
            "net_total": f"{net:.2f}",
        },
        "payments": [
            {"method": "Card", "amount": "5.00"},
            {"method": "Cash", "amount": f"{D('5.50') + D('13.00') + D('2.80') - D('3.71'):.2f}"},  # 17.59
            {"method": "E-wallet", "amount": "6.13"},
        ],
        "items": [
            # KOPI: 2 (A-1) + 3 (A-2) - 1 (A-3 return) = 4; 7.00 + 10.50 - 3.50 = 14.00
            {"sku": "KOPI", "name": "Item KOPI", "quantity": 2 + 3 - 1, "unit_price": "3.50",
             "amount": f"{D('7.00') + D('10.50') - D('3.50'):.2f}"},
            {"sku": "MILO", "name": "Item MILO", "quantity": 2, "unit_price": "3.00", "amount": "6.00"},
            # ROTI: 1 from A-1; the voided A-4's 5 do not count
            {"sku": "ROTI", "name": "Item ROTI", "quantity": 1, "unit_price": "4.20", "amount": "4.20"},
            {"sku": "TEH", "name": "Item TEH", "quantity": 1, "unit_price": "2.80", "amount": "2.80"},
        ],
        "orders": [
            {"id": "A-6", "number": "A-6", "time": "2026-09-30T16:00:00Z", "type": "sale", "status": "completed",
             "total": "5.50"},
            {"id": "A-1", "number": "1001", "time": "2026-10-01T03:15:00Z", "type": "sale", "status": "completed",
             "total": "13.00"},
            {"id": "A-2", "number": "1002", "time": "2026-10-01T05:00:00Z", "type": "sale", "status": "completed",
             "total": "11.13"},
            {"id": "A-3", "number": "R-1001", "time": "2026-10-01T07:00:00Z", "type": "return",
             "status": "completed", "total": "3.71"},
            {"id": "A-7", "number": "A-7", "time": "2026-10-01T15:59:59Z", "type": "sale", "status": "completed",
             "total": "2.80"},
        ],
    }


def pick(rows: list[dict], keys) -> list[dict]:
    return [{k: r[k] for k in keys} for r in rows]


# -- 1. init, accounts ---------------------------------------------------------------------


def test_init_is_idempotent_and_seeds_the_books(cli):
    first = cli.ok("init")
    assert "MYR" in first.out and "Asia/Kuala_Lumpur" in first.out
    accounts = cli.json("accounts")
    cli.ok("init")
    assert cli.json("accounts") == accounts
    assert len(accounts) >= 10
    assert all(set(a) >= {"code", "name", "type"} for a in accounts)
    assert {a["type"] for a in accounts} == {"asset", "liability", "equity", "income", "expense"}
    assert [c["name"] for c in cli.json("contacts")] == ["Cash Sales"]


def test_init_keeps_added_accounts_and_changes_only_settings_given(cli):
    cli.ok("init", "--company", "Kedai Kopi", "--currency", "MYR", "--timezone", "Asia/Kuala_Lumpur")
    cli.ok("account", "add", "1040", "Petty Cash", "--type", "asset")
    before = cli.json("accounts")
    again = cli.ok("init")
    assert "Kedai Kopi" in again.out  # the company name given earlier stays
    assert cli.json("accounts") == before
    assert {"code": "1040", "name": "Petty Cash", "type": "asset"} in before


def test_init_rejects_a_bad_time_zone_cleanly(cli):
    assert_clean_error(cli("init", "--timezone", "Mars/Olympus"), says="Mars/Olympus")


def test_account_add_and_duplicate_is_a_clean_error(cli):
    cli.ok("init")
    count = len(cli.json("accounts"))
    cli.ok("account", "add", "4500", "Delivery Income", "--type", "income")
    accounts = cli.json("accounts")
    assert len(accounts) == count + 1
    assert {"code": "4500", "name": "Delivery Income", "type": "income"} in accounts

    duplicate = cli("account", "add", "4500", "Something Else", "--type", "income")
    assert_clean_error(duplicate, says="4500")
    assert "already exists" in duplicate.err
    assert len(cli.json("accounts")) == count + 1

    bad_type = cli("account", "add", "4600", "Odd", "--type", "revenue")
    assert_clean_error(bad_type, code=2, says="revenue")
    assert "4600" not in {a["code"] for a in cli.json("accounts")}


def test_listing_accounts_and_contacts_only_reads_so_a_notebook_reading_the_file_does_not_block_it(cli, db_path):
    """A notebook holds the file read-only; a writer would be refused until it lets go, a reader is not."""
    cli.ok("init")
    notebook = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time\n"
         f"con = duckdb.connect({str(db_path)!r}, read_only=True)\nprint('reading', flush=True)\ntime.sleep(30)"],
        stdout=subprocess.PIPE, text=True)
    try:
        assert notebook.stdout.readline().strip() == "reading"
        assert "1000" in {a["code"] for a in cli.json("--lock-timeout", "0.5", "accounts")}
        assert [c["name"] for c in cli.json("--lock-timeout", "0.5", "contacts")] == ["Cash Sales"]
        assert_clean_error(cli("--lock-timeout", "0.5", "contact", "add", "Syarikat ABC"), says="is busy")
    finally:
        notebook.kill()
        notebook.wait()


def test_books_never_set_up_list_no_accounts_and_stay_as_they_are(cli, db_path):
    from flowtui.engine.services.flow import Flow
    from flowtui.engine.storage.database import Database

    with Database.at(db_path).write():  # a book file, never initialised
        pass
    flow = Flow(Database.at(db_path))
    assert flow.accounts() == [] and flow.contacts() == []
    assert cli.json("accounts") == [] and cli.json("contacts") == []
    with flow.db.read() as con:
        # nothing was seeded (the file's own id is all its settings hold)
        assert con.execute("SELECT key FROM settings").fetchall() == [("database_id",)]
    cli.ok("contact", "add", "Syarikat ABC")  # a change seeds the books first
    assert [c["name"] for c in cli.json("contacts")] == ["Cash Sales", "Syarikat ABC"]


# -- 2. locations and contacts -------------------------------------------------------------


def test_locations_and_contacts(cli):
    cli.ok("init")
    cli.ok("location", "add", "Kuala Lumpur")
    cli.ok("location", "add", "Bangkok", "--timezone", "Asia/Bangkok")
    locations = {r["name"]: r for r in cli.json("locations")}
    assert set(locations) == {"Kuala Lumpur", "Bangkok"}
    assert locations["Kuala Lumpur"]["timezone"] == "Asia/Kuala_Lumpur"  # the company default
    assert locations["Bangkok"]["timezone"] == "Asia/Bangkok"

    assert_clean_error(cli("location", "add", "Kuala Lumpur"), says="already exists")
    assert_clean_error(cli("location", "add", "Nowhere", "--timezone", "Not/AZone"), says="Not/AZone")
    assert len(cli.json("locations")) == 2

    cli.ok("contact", "add", "Syarikat ABC")
    names = [c["name"] for c in cli.json("contacts")]
    assert sorted(names) == ["Cash Sales", "Syarikat ABC"]
    assert_clean_error(cli("contact", "add", "Syarikat ABC"), says="already exists")


# -- 3. streams ------------------------------------------------------------------------------


def test_stream_add_and_list_json_contract(cli, orders_dir):
    cli.ok("init")
    cli.ok("stream", "add", "Shop", "--provider", "file", "--path", orders_dir)
    cli.ok("stream", "add", "Archive", "--provider", "file", "--path", orders_dir, "--start-date", "2026-09-01",
           "--no-auto-sync", "--auto-invoice", "--grouping", "all", "--force")  # the same folder: only with --force
    rows = cli.json("stream", "list")
    assert [r["name"] for r in rows] == ["Archive", "Shop"]
    for r in rows:
        assert set(r) >= STREAM_FIELDS
        assert r["provider"] == "file"
        assert r["created_at"] == NOW
        assert r["status"] == "new" and r["last_sync_at"] is None
        assert isinstance(r["auto_sync"], bool) and isinstance(r["auto_invoice"], bool)
    shop, archive = by_key(rows, "name")["Shop"], by_key(rows, "name")["Archive"]
    assert (shop["auto_sync"], shop["auto_invoice"], shop["grouping"], shop["start_date"]) == (True, False, "sku", None)
    assert (archive["auto_sync"], archive["auto_invoice"], archive["grouping"], archive["start_date"]) == \
        (False, True, "all", "2026-09-01")


def test_stream_set_changes_only_the_flags_given(cli, orders_dir):
    cli.ok("init")
    cli.ok("stream", "add", "Shop", "--provider", "file", "--path", orders_dir)
    cli.ok("stream", "set", "Shop", "--grouping", "all", "--auto-invoice")
    shop = cli.json("stream", "list")[0]
    assert (shop["grouping"], shop["auto_invoice"], shop["auto_sync"], shop["start_date"]) == ("all", True, True, None)
    cli.ok("stream", "set", "Shop", "--no-auto-sync", "--start-date", "2026-10-02")
    shop = cli.json("stream", "list")[0]
    assert (shop["grouping"], shop["auto_invoice"], shop["auto_sync"], shop["start_date"]) == \
        ("all", True, False, "2026-10-02")
    cli.ok("stream", "set", "Shop", "--grouping", "sku", "--no-auto-invoice", "--auto-sync")
    shop = cli.json("stream", "list")[0]
    assert (shop["grouping"], shop["auto_invoice"], shop["auto_sync"]) == ("sku", False, True)


def test_stream_errors_are_clean(cli, orders_dir, tmp_path):
    cli.ok("init")
    assert_clean_error(cli("stream", "set", "Nope", "--grouping", "all"), says="No stream named 'Nope'")
    assert_clean_error(cli("stream", "add", "Shop", "--provider", "file"), code=2, says="--path")
    assert_clean_error(cli("stream", "add", "Shop", "--provider", "file", "--path", tmp_path / "missing"),
                       code=2, says="does not exist")
    assert_clean_error(cli("stream", "add", "Shop", "--provider", "ftp", "--path", orders_dir), code=2)
    assert cli.json("stream", "list") == []
    cli.ok("stream", "add", "Shop", "--provider", "file", "--path", orders_dir)
    assert_clean_error(cli("stream", "add", "Shop", "--provider", "file", "--path", orders_dir),
                       says="already exists")
    assert_clean_error(cli("stream", "set", "Shop", "--grouping", "lines"), code=2)
    assert_clean_error(cli("stream", "stores", "Nope", "--json"), says="No stream named")
    assert_clean_error(cli("mappings", "Nope", "--json"), says="No stream named")
    assert len(cli.json("stream", "list")) == 1


def test_stream_start_date_skips_earlier_business_dates(cli, shop):
    cli.ok("stream", "set", "Shop", "--start-date", "2026-10-02")
    cli.ok("sync", "Shop")
    rows = cli.json("digests")
    # only A-5 (00:30 on 2 Oct local) is on or after the start date
    assert pick(rows, ["pos_store_id", "date", "amount"]) == [{"pos_store_id": "KL", "date": "2026-10-02",
                                                               "amount": "5.60"}]


# -- 4. the full flow ------------------------------------------------------------------------


def test_full_flow_digests_listing(cli, shop):
    result = cli.ok("sync", "Shop")
    assert "Shop: ok" in result.out
    assert "8 new, 0 changed, 0 unchanged, 0 rejected" in result.out
    assert "3 created" in result.out

    rows = cli.json("digests")
    for r in rows:
        assert set(r) >= DIGEST_FIELDS
        assert isinstance(r["id"], int)
        assert MONEY.match(r["amount"]) and DAY.match(r["date"]) and ISO_UTC.match(r["created_at"])
    assert len({r["id"] for r in rows}) == 3
    assert pick(rows, ["stream", "location", "pos_store_id", "date", "order_count", "return_count", "amount",
                       "invoice_number", "status", "created_at"]) == [
        # sorted by date, then store
        {"stream": "Shop", "location": "Kuala Lumpur", "pos_store_id": "KL", "date": "2026-10-01",
         "order_count": 4, "return_count": 1, "amount": expected_kl_oct1()["summary"]["net_total"],
         "invoice_number": None, "status": "ready", "created_at": NOW},
        {"stream": "Shop", "location": "Petaling Jaya", "pos_store_id": "PJ", "date": "2026-10-01",
         "order_count": 1, "return_count": 0, "amount": "3.70", "invoice_number": None, "status": "ready",
         "created_at": NOW},
        {"stream": "Shop", "location": "Kuala Lumpur", "pos_store_id": "KL", "date": "2026-10-02",
         "order_count": 1, "return_count": 0, "amount": "5.60", "invoice_number": None, "status": "ready",
         "created_at": NOW},
    ]
    assert rows[0]["amount"] == "28.72"


def test_full_flow_digest_show(cli, shop):
    cli.ok("sync", "Shop")
    rows = by_key(cli.json("digests"), "pos_store_id", "date")
    expected = expected_kl_oct1()

    kl1 = cli.json("digest", "show", rows[("KL", "2026-10-01")]["id"])
    assert kl1["id"] == rows[("KL", "2026-10-01")]["id"]
    assert kl1["summary"] == expected["summary"]
    assert set(kl1["summary"]) == SUMMARY_FIELDS
    assert kl1["payments"] == expected["payments"]
    assert pick(kl1["items"], ["sku", "name", "quantity", "unit_price", "amount"]) == expected["items"]
    assert pick(kl1["orders"], ["id", "number", "time", "type", "status", "total"]) == expected["orders"]
    assert kl1["attention"] == []
    assert (kl1["status"], kl1["amount"], kl1["order_count"], kl1["return_count"]) == ("ready", "28.72", 4, 1)

    # the invariants, checked on the JSON
    summary = {k: D(v) for k, v in kl1["summary"].items()}
    assert summary["net_total"] == summary["gross_sales"] - summary["returns"] == D(kl1["amount"])
    assert sum(D(p["amount"]) for p in kl1["payments"]) == summary["net_total"]
    total_of = {o["id"]: D(o["total"]) for o in kl1["orders"]}
    assert sum(t for i, t in total_of.items() if i != "A-3") - total_of["A-3"] == summary["net_total"]
    assert "A-4" not in total_of  # voided

    pj = cli.json("digest", "show", rows[("PJ", "2026-10-01")]["id"])
    assert pj["summary"] == {"gross_sales": "3.70", "returns": "0.00", "discount": "0.00", "service_charge": "0.00",
                             "shipping": "0.00", "tax": "0.21", "tips": "0.00", "rounding": "-0.01",
                             "net_total": "3.70"}
    assert pj["payments"] == [{"method": "Cash", "amount": "3.70"}]
    assert pick(pj["items"], ["sku", "quantity", "unit_price", "amount"]) == [
        {"sku": "KOPI", "quantity": 1, "unit_price": "3.50", "amount": "3.50"}]

    # A-5 happened at 16:30 UTC on 1 October = 00:30 on 2 October in Kuala Lumpur
    kl2 = cli.json("digest", "show", rows[("KL", "2026-10-02")]["id"])
    assert [o["id"] for o in kl2["orders"]] == ["A-5"]
    assert kl2["summary"]["net_total"] == kl2["summary"]["gross_sales"] == "5.60"
    assert pick(kl2["items"], ["sku", "quantity", "unit_price", "amount"]) == [
        {"sku": "TEH", "quantity": 2, "unit_price": "2.80", "amount": "5.60"}]


def test_fractional_quantities_and_four_decimal_prices(cli, shop):
    (shop / "sales1.ndjson").unlink()
    write_ndjson(shop / "weights.ndjson", [
        # 0.333 x 12.3456 = 4.1110848 -> 4.11 (a line may round to the sen)
        order("Q-1", "KL", "2026-10-01T03:00:00Z", [("BEANS", "0.333", "12.3456")]),
        # 1.5 x 12.3456 = 18.5184 -> 18.52; 3 x 3.3333 = 9.9999 -> 10.00
        order("Q-2", "KL", "2026-10-01T04:00:00Z", [("BEANS", "1.5", "12.3456"), ("KOPI", 3, "3.3333")]),
        # return 0.5 x 12.3456 = 6.1728 -> 6.17
        order("Q-3", "KL", "2026-10-01T05:00:00Z", [("BEANS", "0.5", "12.3456")], type="return"),
    ])
    cli.ok("sync", "Shop")
    [row] = cli.json("digests")
    detail = cli.json("digest", "show", row["id"])
    net = D("4.11") + D("18.52") + D("10.00") - D("6.17")
    assert row["amount"] == detail["summary"]["net_total"] == f"{net:.2f}" == "26.46"
    beans_qty = D("0.333") + D("1.5") - D("0.5")
    beans_amount = D("4.11") + D("18.52") - D("6.17")
    assert pick(detail["items"], ["sku", "quantity", "unit_price", "amount"]) == [
        # unit price = amount / quantity to the sen: 16.46 / 1.333 = 12.348...
        {"sku": "BEANS", "quantity": float(beans_qty), "unit_price": f"{(beans_amount / beans_qty):.2f}",
         "amount": f"{beans_amount:.2f}"},
        {"sku": "KOPI", "quantity": 3, "unit_price": "3.33", "amount": "10.00"},
    ]
    assert detail["items"][0]["unit_price"] == "12.35"


def test_digest_show_text_names_the_figures(cli, shop):
    cli.ok("sync", "Shop")
    kl1 = by_key(cli.json("digests"), "pos_store_id", "date")[("KL", "2026-10-01")]
    text = cli.ok("digest", "show", kl1["id"]).out
    assert "2026-10-01" in text and "ready" in text
    assert "28.72" in text and "17.59" in text and "E-wallet" in text


def test_stream_stores_and_stream_list_after_sync(cli, shop):
    cli.ok("sync", "Shop")
    stores = cli.json("stream", "stores", "Shop")
    assert pick(stores, ["id", "name", "location", "orders"]) == [
        {"id": "KL", "name": "KL Outlet", "location": "Kuala Lumpur", "orders": 7},  # A-1..A-7 (voided included)
        {"id": "PJ", "name": "PJ Outlet", "location": "Petaling Jaya", "orders": 1},
    ]
    shop_row = cli.json("stream", "list")[0]
    assert shop_row["status"] == "ok"
    assert shop_row["last_sync_at"] == NOW


def test_business_day_still_running_is_open(cli, shop):
    write_ndjson(shop / "sales2.ndjson", [
        # 15:30 UTC on 9 Oct = 23:30 on 9 Oct local: that day is over
        order("L-1", "KL", "2026-10-09T15:30:00Z", [("KOPI", 1, "3.50")]),
        # 16:30 UTC on 9 Oct = 00:30 on 10 Oct local: today, still open at 12:00
        order("L-2", "KL", "2026-10-09T16:30:00Z", [("KOPI", 2, "3.50")]),
    ])
    cli.ok("sync", "Shop")
    rows = by_key(cli.json("digests"), "pos_store_id", "date")
    assert rows[("KL", "2026-10-09")]["status"] == "ready"
    assert rows[("KL", "2026-10-09")]["amount"] == "3.50"
    assert rows[("KL", "2026-10-10")]["status"] == "open"
    assert rows[("KL", "2026-10-10")]["amount"] == "7.00"


# -- 5. idempotency -------------------------------------------------------------------------------


def test_sync_twice_changes_nothing(cli, shop):
    cli.ok("sync", "Shop")
    listing = cli.json("digests")
    details = [cli.json("digest", "show", r["id"]) for r in listing]

    again = cli.ok("sync", "Shop")
    assert "0 new, 0 changed, 8 unchanged, 0 rejected" in again.out
    assert "0 created, 0 updated" in again.out
    outcome = cli.json("sync", "Shop")
    assert len(outcome) == 1
    assert {k: outcome[0][k] for k in ("stream", "status", "orders_new", "orders_changed", "orders_unchanged",
                                       "orders_rejected", "digests_created", "digests_updated",
                                       "digests_removed")} == {
        "stream": "Shop", "status": "ok", "orders_new": 0, "orders_changed": 0, "orders_unchanged": 8,
        "orders_rejected": 0, "digests_created": 0, "digests_updated": 0, "digests_removed": 0}

    assert cli.json("digests") == listing
    assert [cli.json("digest", "show", r["id"]) for r in listing] == details
    assert all(d["version"] == 1 for d in details)


# -- 6. a changed order ------------------------------------------------------------------------------


def test_voided_at_the_source_drops_out_of_the_digest(cli, shop):
    cli.ok("sync", "Shop")
    kl1 = by_key(cli.json("digests"), "pos_store_id", "date")[("KL", "2026-10-01")]
    assert kl1["amount"] == "28.72"

    voided = next(o for o in worked_orders() if o["id"] == "A-2")
    voided["status"] = "voided"
    write_ndjson(shop / "sales2.ndjson", [voided])
    outcome = cli.json("sync", "Shop")[0]
    assert (outcome["orders_new"], outcome["orders_changed"], outcome["digests_updated"]) == (0, 1, 1)

    after = by_key(cli.json("digests"), "pos_store_id", "date")[("KL", "2026-10-01")]
    assert after["id"] == kl1["id"]
    # 28.72 - A-2's 11.13 = 17.59, one sale fewer
    assert after["amount"] == f"{D('28.72') - D('11.13'):.2f}" == "17.59"
    assert (after["order_count"], after["return_count"]) == (3, 1)
    detail = cli.json("digest", "show", kl1["id"])
    assert detail["version"] == 2
    assert detail["payments"] == [{"method": "Cash", "amount": "17.59"}]  # Card and E-wallet were A-2's
    kopi = next(i for i in detail["items"] if i["sku"] == "KOPI")
    assert (kopi["quantity"], kopi["amount"]) == (2 - 1, "3.50")
    assert "A-2" not in [o["id"] for o in detail["orders"]]
    assert detail["summary"]["tax"] == f"{D('0.67') - D('0.21'):.2f}"

    # sales1.ndjson still holds the completed A-2: re-reading it must not undo the void
    outcome = cli.json("sync", "Shop")[0]
    assert (outcome["orders_new"], outcome["orders_changed"], outcome["digests_updated"]) == (0, 0, 0)
    assert by_key(cli.json("digests"), "pos_store_id", "date")[("KL", "2026-10-01")]["amount"] == "17.59"


def test_late_order_and_edit_update_a_ready_day(cli, shop):
    cli.ok("sync", "Shop")
    edited = order("B-1", "PJ", "2026-10-01T10:00:00Z", [("KOPI", 2, "3.50", "0.00", "0.42")], rounding="0.03")
    late = order("B-2", "PJ", "2026-10-01T11:00:00Z", [("ROTI", 1, "4.20")], pay=[("Card", None)])
    write_ndjson(shop / "sales2.ndjson", [edited, late])
    outcome = cli.json("sync", "Shop")[0]
    assert (outcome["orders_new"], outcome["orders_changed"]) == (1, 1)
    pj = by_key(cli.json("digests"), "pos_store_id", "date")[("PJ", "2026-10-01")]
    # B-1 now 7.00 + 0.42 + 0.03 = 7.45; B-2 4.20
    assert pj["amount"] == f"{D('7.45') + D('4.20'):.2f}" == "11.65"
    assert pj["order_count"] == 2
    detail = cli.json("digest", "show", pj["id"])
    assert detail["payments"] == [{"method": "Card", "amount": "4.20"}, {"method": "Cash", "amount": "7.45"}]
    assert detail["summary"]["rounding"] == "0.03"


# -- 7. malformed orders ---------------------------------------------------------------------------


def malformed_lines() -> list:
    good = order("C-1", "KL", "2026-10-03T03:00:00Z", [("KOPI", 1, "3.50")])
    no_total = order("C-2", "KL", "2026-10-03T04:00:00Z", [("KOPI", 2, "3.50")])
    del no_total["total"]
    bad_quantity = order("C-3", "KL", "2026-10-04T05:00:00Z", [("KOPI", 1, "3.50")])
    bad_quantity["lines"][0]["quantity"] = "abc"
    broken_json = '{"id": "C-4", "store_id": "KL", "time": "2026-10-03T06:00:00Z", "total": '
    no_offset = order("C-5", "KL", "2026-10-03T11:00:00", [("ROTI", 1, "4.20")])
    good2 = order("C-6", "KL", "2026-10-05T03:00:00Z", [("ROTI", 1, "4.20")])
    return [good, no_total, bad_quantity, broken_json, no_offset, good2]


def test_malformed_orders_are_rejected_and_the_rest_lands(cli, shop):
    (shop / "sales1.ndjson").unlink()
    write_ndjson(shop / "bad.ndjson", malformed_lines())
    result = cli("sync", "Shop")
    assert result.code == 3  # it ran, but left entries it could not land open
    assert "4 entries could not be read or were rejected and are still open; see `flowtui rejections`" in result.err
    assert "Shop: warning" in result.out
    assert "2 new, 0 changed, 0 unchanged, 4 rejected" in result.out
    assert "bad.ndjson:2: order C-2 rejected: total: missing" in result.err
    assert 'bad.ndjson:3: order C-3 rejected: line 1 quantity: "abc"' in result.err
    assert "bad.ndjson:4: entry rejected: not valid JSON" in result.err
    assert 'bad.ndjson:5: order C-5 rejected: time: "2026-10-03T11:00:00"' in result.err
    assert "UTC offset" in result.err
    assert "Traceback" not in result.err

    again = cli("sync", "Shop", "--json")
    assert again.code == 3
    outcome = again.json()[0]
    assert (outcome["status"], outcome["open_rejections"]) == ("warning", 4)
    assert [(r["ref"], r["order_id"]) for r in outcome["rejections"]] == [
        ("bad.ndjson:2", "C-2"), ("bad.ndjson:3", "C-3"), ("bad.ndjson:4", None), ("bad.ndjson:5", "C-5")]

    rows = by_key(cli.json("digests"), "pos_store_id", "date")
    assert set(rows) == {("KL", "2026-10-03"), ("KL", "2026-10-04"), ("KL", "2026-10-05")}
    oct3 = rows[("KL", "2026-10-03")]
    assert (oct3["amount"], oct3["order_count"], oct3["status"]) == ("3.50", 1, "needs_attention")
    attention = cli.json("digest", "show", oct3["id"])["attention"]
    assert any("2 order(s) of this day were rejected (first: bad.ndjson:2)" in a for a in attention), attention
    # line 4 is not JSON: its day cannot be read, so it holds every day of its file (3 to 5 October)
    assert any("1 entry that could not be read may belong to this day (first: bad.ndjson:4); fix the file and "
               "sync again" in a for a in attention), attention
    # a day whose only order was rejected still shows, with nothing in it
    oct4 = rows[("KL", "2026-10-04")]
    assert (oct4["amount"], oct4["order_count"], oct4["status"]) == ("0.00", 0, "needs_attention")
    assert any("bad.ndjson:3" in a for a in cli.json("digest", "show", oct4["id"])["attention"])
    oct5 = rows[("KL", "2026-10-05")]
    assert oct5["status"] == "needs_attention"
    assert any("bad.ndjson:4" in a for a in cli.json("digest", "show", oct5["id"])["attention"])


def test_a_corrected_version_clears_the_attention(cli, shop):
    (shop / "sales1.ndjson").unlink()
    write_ndjson(shop / "bad.ndjson", malformed_lines())
    assert cli("sync", "Shop").code == 3
    write_ndjson(shop / "fix.ndjson", [
        order("C-2", "KL", "2026-10-03T04:00:00Z", [("KOPI", 2, "3.50")]),
        order("C-3", "KL", "2026-10-04T05:00:00Z", [("KOPI", 1, "3.50")]),
        order("C-4", "KL", "2026-10-03T06:00:00Z", [("TEH", 1, "2.80")]),
        order("C-5", "KL", "2026-10-03T11:00:00+08:00", [("ROTI", 1, "4.20")]),
    ])
    # the orders with an id are corrected; line 4 of bad.ndjson is still not JSON, and nothing says it was C-4
    assert cli("sync", "Shop").code == 3
    [line4] = cli.json("rejections")
    assert (line4["ref"], line4["order_id"], line4["status"]) == ("bad.ndjson:4", None, "open")
    assert cli.json("digests", "--status", "needs_attention") != []
    cli.ok("rejections", "dismiss", line4["id"], "--reason", "it was C-4, sent again in fix.ndjson")
    for _ in range(2):  # and it stays cleared when the old file is read again
        cli.ok("sync", "Shop")
        rows = by_key(cli.json("digests"), "pos_store_id", "date")
        oct3 = rows[("KL", "2026-10-03")]
        # C-1 3.50 + C-2 7.00 + C-4 2.80 + C-5 4.20
        assert oct3["amount"] == f"{D('3.50') + D('7.00') + D('2.80') + D('4.20'):.2f}"
        assert (oct3["order_count"], oct3["status"]) == (4, "ready")
        assert (rows[("KL", "2026-10-04")]["amount"], rows[("KL", "2026-10-04")]["status"]) == ("3.50", "ready")
    # the bad versions still in bad.ndjson are known: no new rejection on each sync
    states = sorted((r["ref"], r["status"]) for r in cli.json("rejections", "--all"))
    assert states == [("bad.ndjson:2", "corrected"), ("bad.ndjson:3", "corrected"), ("bad.ndjson:4", "dismissed"),
                      ("bad.ndjson:5", "corrected")]


def test_a_date_without_time_or_offset_is_rejected(cli, shop):
    (shop / "sales1.ndjson").unlink()
    write_ndjson(shop / "dates.ndjson", [order("D-1", "KL", "2026-10-05", [("KOPI", 1, "3.50")])])
    result = cli("sync", "Shop", "--json")
    assert result.code == 3
    outcome = result.json()[0]
    assert (outcome["orders_rejected"], outcome["open_rejections"]) == (1, 1)
    assert outcome["orders_new"] == 0


# -- 8. needs attention and mappings ----------------------------------------------------------------


def test_unmapped_location_and_payment_method_need_attention_until_mapped(cli, orders_dir):
    cli.ok("init")
    cli.ok("location", "add", "Kuala Lumpur")
    cli.ok("stream", "add", "Shop", "--provider", "file", "--path", orders_dir)
    write_ndjson(orders_dir / "sales.ndjson", [
        order("G-1", "KL", "2026-10-01T03:00:00Z", [("KOPI", 2, "3.50")], pay=[("GrabPay", None)],
              store_name="KL Outlet"),
        order("G-2", "KL", "2026-10-01T04:00:00Z", [("TEH", 1, "2.80")], pay=[("Cash", None)]),
    ])
    cli.ok("sync", "Shop")
    [row] = cli.json("digests")
    assert (row["status"], row["location"], row["amount"]) == ("needs_attention", None, "9.80")
    attention = cli.json("digest", "show", row["id"])["attention"]
    assert 'POS store "KL" is not mapped to a location (flowtui map location "Shop" "KL" --location NAME)' \
        in attention
    assert 'payment method "GrabPay" is not mapped to an account (flowtui map payment "Shop" "GrabPay" ' \
           '--account CODE)' in attention
    assert len(attention) == 2  # Cash is mapped by default
    assert [r["id"] for r in cli.json("digests", "--status", "needs_attention")] == [row["id"]]

    mappings = cli.json("mappings", "Shop")
    assert pick(mappings["locations"], ["pos_store_id", "store_name", "location", "mapped"]) == [
        {"pos_store_id": "KL", "store_name": "KL Outlet", "location": None, "mapped": False}]
    payments = by_key(mappings["payments"], "pos_method")
    assert set(payments) == {"Cash", "GrabPay"}
    assert (payments["GrabPay"]["mapped"], payments["GrabPay"]["account"]) == (False, None)
    assert (payments["Cash"]["mapped"], payments["Cash"]["account"]) == (True, "1000")
    text = cli.ok("mappings", "Shop").out
    assert "GrabPay" in text and "NOT MAPPED" in text

    cli.ok("map", "location", "Shop", "KL", "--location", "Kuala Lumpur")
    row = cli.json("digests")[0]
    assert row["status"] == "needs_attention" and row["location"] == "Kuala Lumpur"
    assert cli.json("digest", "show", row["id"])["attention"] == [
        'payment method "GrabPay" is not mapped to an account (flowtui map payment "Shop" "GrabPay" --account CODE)']

    cli.ok("map", "payment", "Shop", "GrabPay", "--account", "1030")
    row = cli.json("digests")[0]
    assert row["status"] == "ready"
    assert cli.json("digest", "show", row["id"])["attention"] == []
    mappings = cli.json("mappings", "Shop")
    assert all(r["mapped"] for r in mappings["locations"] + mappings["payments"])
    assert by_key(mappings["payments"], "pos_method")["GrabPay"]["account"] == "1030"
    assert pick(cli.json("stream", "stores", "Shop"), ["id", "location", "orders"]) == [
        {"id": "KL", "location": "Kuala Lumpur", "orders": 2}]


def test_map_errors_are_clean(cli, shop):
    assert_clean_error(cli("map", "location", "Shop", "KL", "--location", "Nowhere"), says="No location named")
    assert_clean_error(cli("map", "location", "Nope", "KL", "--location", "Kuala Lumpur"), says="No stream named")
    assert_clean_error(cli("map", "payment", "Shop", "GrabPay", "--account", "9999"), says="9999")
    assert_clean_error(cli("map", "account", "Shop", "tips", "--account", "4000"), says="tips")
    cli.ok("account", "add", "4110", "Delivery Fees", "--type", "income")
    cli.ok("map", "account", "Shop", "service_charge", "--account", "4110")
    accounts = by_key(cli.json("mappings", "Shop")["accounts"], "category")
    assert (accounts["service_charge"]["account"], accounts["service_charge"]["source"]) == ("4110", "stream")
    assert (accounts["sales"]["account"], accounts["sales"]["source"]) == ("4000", "default")


def test_mapping_a_store_to_another_time_zone_redates_its_orders(cli, shop):
    cli.ok("sync", "Shop")
    cli.ok("location", "add", "Bangkok", "--timezone", "Asia/Bangkok")
    cli.ok("map", "location", "Shop", "KL", "--location", "Bangkok")
    rows = by_key(cli.json("digests", "--stream", "Shop", "--location", "Bangkok"), "date")
    # Bangkok is UTC+7: A-6 (16:00 UTC on 30 Sep) is 23:00 on 30 Sep there; A-5 (16:30 UTC on 1 Oct) and
    # A-7 (15:59:59 UTC) are still 1 Oct.  So 30 Sep: 5.50; 1 Oct: 28.72 - 5.50 + 5.60 = 28.82.
    assert {d: r["amount"] for d, r in rows.items()} == {"2026-09-30": "5.50", "2026-10-01": "28.82"}


# -- 9. digests filters ---------------------------------------------------------------------------------


@pytest.fixture
def two_streams(cli, shop, tmp_path):
    other_dir = tmp_path / "other"
    other_dir.mkdir()
    write_ndjson(other_dir / "o.ndjson", [
        order("O-1", "KL", "2026-10-01T02:00:00Z", [("KOPI", 1, "3.50")]),
        order("O-2", "MALL", "2026-10-03T02:00:00Z", [("KOPI", 2, "3.50")]),
        order("O-3", "MALL", "2026-10-10T02:00:00Z", [("KOPI", 3, "3.50")]),  # today: open
    ])
    cli.ok("stream", "add", "Other", "--provider", "file", "--path", other_dir)
    cli.ok("map", "location", "Other", "KL", "--location", "Kuala Lumpur")
    cli.ok("sync")
    return other_dir


def keys(rows):
    return [(r["stream"], r["pos_store_id"], r["date"]) for r in rows]


def test_digests_filters(cli, two_streams):
    everything = cli.json("digests")
    assert keys(everything) == [
        ("Other", "KL", "2026-10-01"), ("Shop", "KL", "2026-10-01"), ("Shop", "PJ", "2026-10-01"),
        ("Shop", "KL", "2026-10-02"), ("Other", "MALL", "2026-10-03"), ("Other", "MALL", "2026-10-10")]

    assert keys(cli.json("digests", "--stream", "Other")) == [
        ("Other", "KL", "2026-10-01"), ("Other", "MALL", "2026-10-03"), ("Other", "MALL", "2026-10-10")]
    assert keys(cli.json("digests", "--location", "Kuala Lumpur")) == [
        ("Other", "KL", "2026-10-01"), ("Shop", "KL", "2026-10-01"), ("Shop", "KL", "2026-10-02")]
    assert keys(cli.json("digests", "--stream", "Shop", "--location", "Petaling Jaya")) == [
        ("Shop", "PJ", "2026-10-01")]
    assert keys(cli.json("digests", "--location", "MALL")) == [
        ("Other", "MALL", "2026-10-03"), ("Other", "MALL", "2026-10-10")]
    assert keys(cli.json("digests", "--from", "2026-10-02", "--to", "2026-10-03")) == [
        ("Shop", "KL", "2026-10-02"), ("Other", "MALL", "2026-10-03")]
    assert keys(cli.json("digests", "--to", "2026-10-01", "--stream", "Shop")) == [
        ("Shop", "KL", "2026-10-01"), ("Shop", "PJ", "2026-10-01")]
    assert keys(cli.json("digests", "--status", "open")) == [("Other", "MALL", "2026-10-10")]
    assert keys(cli.json("digests", "--status", "needs_attention")) == [("Other", "MALL", "2026-10-03")]
    assert len(cli.json("digests", "--status", "ready")) == 4
    assert cli.json("digests", "--status", "posted") == []
    assert_clean_error(cli("digests", "--stream", "Nope"), says="No stream named 'Nope'")
    amounts = {keys([r])[0]: r["amount"] for r in everything}
    assert amounts[("Other", "KL", "2026-10-01")] == "3.50"
    assert amounts[("Other", "MALL", "2026-10-10")] == "10.50"


def test_sync_without_names_takes_auto_sync_streams_only(cli, shop, tmp_path):
    other_dir = tmp_path / "other"
    other_dir.mkdir()
    write_ndjson(other_dir / "o.ndjson", [order("O-1", "KL", "2026-10-01T02:00:00Z", [("KOPI", 1, "3.50")])])
    cli.ok("stream", "add", "Other", "--provider", "file", "--path", other_dir, "--no-auto-sync")
    outcomes = cli.json("sync")
    assert [o["stream"] for o in outcomes] == ["Shop"]
    assert {r["stream"] for r in cli.json("digests")} == {"Shop"}
    assert [o["stream"] for o in cli.json("sync", "Other")] == ["Other"]
    assert {r["stream"] for r in cli.json("digests")} == {"Shop", "Other"}


# -- 10. errors ------------------------------------------------------------------------------------------


def test_bad_dates_are_usage_errors(cli, shop):
    for args in (["digests", "--from", "2026-13-01"], ["digests", "--to", "yesterday"],
                 ["sync", "--from", "2026-13-01"], ["stream", "set", "Shop", "--start-date", "2026-02-30"]):
        result = cli(*args)
        assert_clean_error(result, code=2)
        assert "YYYY-MM-DD" in result.err
    assert_clean_error(cli("sync", "--from", "2026-10-05", "--to", "2026-10-01"), code=2, says="after")
    assert_clean_error(cli("digests", "--status", "done"), code=2, says="done")


def test_digest_show_unknown_id(cli, shop):
    cli.ok("sync", "Shop")
    result = cli("digest", "show", "9999")
    assert_clean_error(result, says="No digest")
    assert result.out == ""
    assert_clean_error(cli("digest", "show", "abc"), code=2)


def test_sync_of_an_unknown_stream_is_a_clean_error(cli, shop):
    assert_clean_error(cli("sync", "Nope"), says="No stream named 'Nope'")


@pytest.fixture
def gone_stream(cli, shop, tmp_path):
    """A second stream 'Gone' whose folder was deleted after it was added."""
    gone = tmp_path / "gone"
    gone.mkdir()
    cli.ok("stream", "add", "Gone", "--provider", "file", "--path", gone)
    gone.rmdir()
    return gone


def test_a_stream_whose_path_vanished_fails_and_the_others_still_sync(cli, gone_stream):
    result = cli("sync")
    assert "Traceback" not in result.err and "unexpected problem" not in result.err
    assert "Gone: failed" in result.out
    assert "does not exist" in result.err and str(gone_stream) in result.err
    assert "Shop: ok" in result.out
    assert len(cli.json("digests", "--stream", "Shop")) == 3  # the healthy stream landed anyway
    statuses = by_key(cli.json("stream", "list"), "name")
    assert statuses["Gone"]["status"] == "failed"
    assert "does not exist" in statuses["Gone"]["last_error"]
    assert statuses["Shop"]["status"] == "ok"

    as_json = invoke(["sync", "Gone", "--json"], cli.db)
    [outcome] = as_json.json()
    assert outcome["status"] == "failed" and "does not exist" in outcome["error"]


@pytest.mark.parametrize("args", [["sync"], ["sync", "Gone"], ["sync", "Gone", "--json"]])
def test_sync_exits_non_zero_when_a_stream_failed(cli, gone_stream, args):
    result = cli(*args)
    assert result.code == 1
    message = result.err if "--json" not in args else result.out
    assert "does not exist" in message
    assert "SourceError" not in message and "Traceback" not in message  # said in the user's words


def _subprocess(args, env_extra=None):
    env = {**os.environ, "FLOWTUI_NOW": NOW, **(env_extra or {})}
    env.pop("FLOWTUI_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "flowtui", *map(str, args)], capture_output=True, text=True,
                          env=env, cwd=str(Path(__file__).resolve().parents[2]), timeout=60)


def test_end_to_end_process_errors_have_no_traceback(cli, shop, tmp_path):
    cli.ok("sync", "Shop")
    shown = _subprocess(["--db", cli.db, "digest", "show", "9999"])
    assert shown.returncode != 0
    assert "No digest" in shown.stderr and "Traceback" not in shown.stderr
    assert shown.stdout == ""

    bad_date = _subprocess(["--db", cli.db, "digests", "--from", "2026-13-01"])
    assert bad_date.returncode == 2
    assert "2026-13-01" in bad_date.stderr and "Traceback" not in bad_date.stderr


def test_end_to_end_failed_sync_exit_code(cli, gone_stream):
    synced = _subprocess(["--db", cli.db, "sync", "Gone"])
    assert "does not exist" in synced.stderr and "Traceback" not in synced.stderr
    assert synced.returncode == 1


# -- 11. --db and FLOWTUI_DB ---------------------------------------------------------------------------


def test_flowtui_db_is_used_without_db_and_db_wins(tmp_path, monkeypatch):
    env_db = tmp_path / "env" / "books.duckdb"
    flag_db = tmp_path / "flag.duckdb"
    monkeypatch.setenv("FLOWTUI_DB", str(env_db))
    assert invoke(["init", "--company", "From Env"]).code == 0
    assert env_db.exists()
    assert invoke(["location", "add", "Env Outlet"]).code == 0
    assert invoke(["location", "add", "Flag Outlet"], flag_db).code == 0
    assert flag_db.exists()
    assert [r["name"] for r in invoke(["locations", "--json"]).json()] == ["Env Outlet"]
    assert [r["name"] for r in invoke(["locations", "--json"], flag_db).json()] == ["Flag Outlet"]
    monkeypatch.delenv("FLOWTUI_DB")
    assert [r["name"] for r in invoke(["locations", "--json"], env_db).json()] == ["Env Outlet"]
    assert not (tmp_path / "xdg-data" / "flowtui" / "flow.duckdb").exists()


def _fortnight_with_auto_invoice(db: Path, folder: Path):
    """One KL sale a day from 20 September to 3 October (14 days over), each day posted by auto invoice:
    invoices INV-202609-00001 .. 00011 (20-30 Sep) and INV-202610-00001 .. 00003 (1-3 Oct)."""
    from tests.cli_helpers import Cli

    folder.mkdir()
    write_ndjson(folder / "days.ndjson", [
        order(f"D-{day}", "KL", f"{day}T04:00:00Z", [("KOPI", 1, "3.50")])
        for day in [f"2026-09-{d}" for d in range(20, 31)] + [f"2026-10-0{d}" for d in range(1, 4)]])
    cli = Cli(db)
    cli.ok("init")
    cli.ok("location", "add", "Kuala Lumpur")
    cli.ok("stream", "add", "Shop", "--provider", "file", "--path", folder, "--auto-invoice")
    cli.ok("map", "location", "Shop", "KL", "--location", "Kuala Lumpur")
    return cli


def test_a_sync_that_posts_many_days_names_the_first_ten_documents_and_counts_the_rest(tmp_path):
    cli = _fortnight_with_auto_invoice(tmp_path / "text.duckdb", tmp_path / "text")
    lines = [line for line in cli.ok("sync", "Shop").out.splitlines() if "auto invoice" in line]
    first_ten = ", ".join(f"INV-202609-{n:05}" for n in range(1, 11))
    assert lines == [f"  auto invoice: 14 digest(s) posted (14 documents: {first_ten} and 4 more; "
                     "`flowtui sync --json` lists them all)"]

    cli = _fortnight_with_auto_invoice(tmp_path / "json.duckdb", tmp_path / "json")
    [outcome] = cli.json("sync", "Shop")
    assert [d["number"] for p in outcome["posted"] for d in p["documents"]] == (
        [f"INV-202609-{n:05}" for n in range(1, 12)] + [f"INV-202610-{n:05}" for n in range(1, 4)])


# -- 12. sync --from/--to ------------------------------------------------------------------------------


def test_sync_range_lands_only_business_dates_inside(cli, shop):
    outcome = cli.json("sync", "Shop", "--from", "2026-10-02", "--to", "2026-10-02")[0]
    assert (outcome["from"], outcome["to"]) == ("2026-10-02", "2026-10-02")
    # only A-5 (00:30 on 2 Oct local) is inside; the other 7 are outside the range
    assert (outcome["orders_new"], outcome["orders_skipped"], outcome["digests_created"]) == (1, 7, 1)
    assert keys(cli.json("digests")) == [("Shop", "KL", "2026-10-02")]

    text = cli.ok("sync", "Shop", "--from", "2026-09-30", "--to", "2026-10-01")
    assert "7 new" in text.out and "outside the range" in text.out
    rows = by_key(cli.json("digests"), "pos_store_id", "date")
    assert set(rows) == {("KL", "2026-10-01"), ("PJ", "2026-10-01"), ("KL", "2026-10-02")}
    assert rows[("KL", "2026-10-01")]["amount"] == "28.72"

    again = cli.json("sync", "Shop")[0]
    assert (again["orders_new"], again["orders_changed"], again["orders_unchanged"]) == (0, 0, 8)
