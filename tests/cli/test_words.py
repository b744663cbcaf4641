"""Words and colours in the command line's text: one way of writing money, times in the location's time zone,
the digest's summary as a sum. Worked examples: figures come from the orders written here, not from the output.

The clock is frozen at 2026-10-10T04:00:00Z (12:00 on 10 October in Kuala Lumpur, UTC+8).
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from tests.factories import order, write_ndjson

NOW = "2026-10-10T04:00:00Z"


@pytest.fixture(autouse=True)
def frozen_clock(_isolated_env, monkeypatch):
    monkeypatch.setenv("FLOWTUI_NOW", NOW)


@pytest.fixture
def big_day(cli, orders_dir):
    """One store, Kuala Lumpur, 1 October: a sale of 1,000 x KOPI at 5.04 (5,040.00) plus TEH 1.99 = 5,041.99,
    paid by Cash; mapped and posted (invoice INV-..., total 5,041.99)."""
    cli.ok("init", "--company", "Kopi & Co")
    cli.ok("location", "add", "KL Sentral")
    cli.ok("stream", "add", "Shop files", "--provider", "file", "--path", orders_dir)
    write_ndjson(orders_dir / "orders.ndjson", [
        order("S1", "KL", "2026-10-01T02:03:00Z", [("KOPI", 1000, "5.04"), ("TEH", 1, "1.99")]),
    ])
    cli.ok("sync")
    cli.ok("map", "location", "Shop files", "KL", "--location", "KL Sentral")
    cli.ok("post", "--all")
    return cli


def test_every_listing_writes_money_with_thousands_and_two_decimals(big_day):
    cli = big_day
    assert cli.json("invoices")[0]["total"] == "5041.99"  # JSON stays as it was
    (row,) = [line for line in cli.ok("invoices").out.splitlines() if "5" in line and "invoice" in line]
    assert "5,041.99" in row and "5041.99" not in row
    assert "5,041.99" in cli.ok("digests").out
    journal = cli.ok("ledger", "journal").out
    assert "5,041.99" in journal and "5041.99" not in journal
    assert [e["debit"] for e in cli.json("ledger", "journal")].count("5041.99") == 1


# -- the digest's summary is a sum ----------------------------------------------------------------------------
#
# KL, 1 October:
#   S1  KOPI 2 x 5.00 = 10.00 (tax 6%: 0.60), order discount 1.00, service charge 0.93, rounding +0.02
#       total 10.00 - 1.00 + 0.93 + 0.60 + 0.02 = 10.55
#   R1  RETURN of S1: KOPI 1 x 5.00 = 5.00 (tax 0.30), discount 0.50, total 5.00 - 0.50 + 0.30 = 4.80
# As a sum: gross sales 10.00 - discounts 1.00 + service charge 0.93 + tax 0.60 + rounding 0.02 (= 10.55, the
# invoice's total) - returns 4.80 = net 5.75.
SUM = [("Gross sales", "+10.00"), ("Discounts", "-1.00"), ("Service charge", "+0.93"), ("Tax", "+0.60"),
       ("Rounding", "+0.02"), ("Returns", "-4.80"), ("Net total", "5.75")]


@pytest.fixture
def day_with_a_return(cli, orders_dir):
    cli.ok("init", "--company", "Kopi & Co")
    cli.ok("location", "add", "KL Sentral")
    cli.ok("stream", "add", "Shop files", "--provider", "file", "--path", orders_dir)
    write_ndjson(orders_dir / "orders.ndjson", [
        order("S1", "KL", "2026-10-01T02:03:00Z", [("KOPI", 2, "5.00")], tax_rate="0.06", discount="1.00",
              service_charge="0.93", rounding="0.02"),
        order("R1", "KL", "2026-10-01T06:00:00Z", [("KOPI", 1, "5.00")], tax_rate="0.06", discount="0.50",
              type="return", original_id="S1"),
    ])
    cli.ok("sync")
    cli.ok("map", "location", "Shop files", "KL", "--location", "KL Sentral")
    return cli


def summary_lines(text: str) -> list[tuple[str, str]]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("SUMMARY")) + 2
    end = lines.index("", start)
    return [tuple(line.rsplit(maxsplit=1)) for line in lines[start:end]]  # type: ignore[misc]


def test_digest_show_lays_the_summary_out_as_a_sum_in_the_invoices_order(day_with_a_return):
    cli = day_with_a_return
    (digest,) = cli.json("digests")
    shown = summary_lines(cli.ok("digest", "show", digest["id"]).out)
    assert shown == SUM
    *parts, (_, net) = shown
    assert sum(D(amount.replace(",", "")) for _, amount in parts) == D(net) == D(digest["amount"])
    # the JSON summary keeps its fields and values
    summary = cli.json("digest", "show", digest["id"])["summary"]
    assert summary == {"gross_sales": "10.55", "returns": "4.80", "discount": "0.50", "service_charge": "0.93",
                       "tax": "0.30", "rounding": "0.02", "net_total": "5.75",
                       "shipping": "0.00", "tips": "0.00"}
    # the lines down to rounding are the invoice's totals, in its order
    cli.ok("post", "--all")
    number = cli.json("digests")[0]["invoice_number"]
    invoice = cli.json("invoice", "show", number)
    assert [invoice[k] for k in ("subtotal", "discount", "service_charge", "tax", "rounding", "total")] == [
        "10.00", "1.00", "0.93", "0.60", "0.02", "10.55"]


# -- times in the location's time zone, labelled --------------------------------------------------------------
#
# Books in Asia/Kuala_Lumpur (UTC+8); location "Jakarta" in Asia/Jakarta (WIB, UTC+7) for store JK.
#   S1  KL  2026-10-01T02:03:00Z  -> 10:03 in Kuala Lumpur
#   J1  JK  2026-10-01T02:03:00Z  -> 09:03 in Jakarta
# The sync runs at the frozen now, 2026-10-10T04:00:00Z: 12:00 in the books' zone (Kuala Lumpur).


@pytest.fixture
def two_zones(cli, orders_dir):
    cli.ok("init", "--company", "Kopi & Co")
    cli.ok("location", "add", "KL Sentral")
    cli.ok("location", "add", "Jakarta", "--timezone", "Asia/Jakarta")
    cli.ok("stream", "add", "Shop files", "--provider", "file", "--path", orders_dir)
    cli.ok("map", "location", "Shop files", "KL", "--location", "KL Sentral")
    cli.ok("map", "location", "Shop files", "JK", "--location", "Jakarta")
    write_ndjson(orders_dir / "orders.ndjson", [
        order("S1", "KL", "2026-10-01T02:03:00Z", [("KOPI", 1, "3.50")]),
        order("J1", "JK", "2026-10-01T02:03:00Z", [("KOPI", 1, "3.50")]),
    ])
    cli.ok("sync")
    return cli


def test_stream_list_shows_the_last_sync_in_the_books_zone_and_json_stays_utc(two_zones):
    cli = two_zones
    (row,) = [line for line in cli.ok("stream", "list").out.splitlines() if line.startswith("Shop files")]
    assert "2026-10-10 12:00 UTC+8" in row and "04:00" not in row
    assert cli.json("stream", "list")[0]["last_sync_at"] == "2026-10-10T04:00:00Z"


def test_digest_show_gives_order_times_in_the_location_zone(two_zones):
    cli = two_zones
    ids = {d["pos_store_id"]: d["id"] for d in cli.json("digests")}
    kl, jk = cli.ok("digest", "show", ids["KL"]).out, cli.ok("digest", "show", ids["JK"]).out
    assert "2026-10-01 10:03 UTC+8" in kl and "(UTC)" not in kl
    assert "2026-10-01 09:03 WIB" in jk
    assert cli.json("digest", "show", ids["JK"])["orders"][0]["time"] == "2026-10-01T02:03:00Z"


def test_an_invoice_history_is_in_its_location_zone(two_zones):
    cli = two_zones
    cli.ok("post", "--all")
    numbers = {d["pos_store_id"]: d["invoice_number"] for d in cli.json("digests")}
    # posted at the frozen now, 2026-10-10T04:00:00Z: 11:00 in Jakarta
    history = cli.ok("invoice", "show", numbers["JK"]).out.split("History:")[1]
    assert "2026-10-10 11:00 WIB" in history
    assert cli.json("invoice", "show", numbers["JK"])["history"][0]["at"] == "2026-10-10T04:00:00Z"


def test_minipos_orders_are_in_the_tills_zone(cli, monkeypatch):
    monkeypatch.setenv("FLOWTUI_NOW", "2026-11-26T03:00:00Z")  # 10:00 in Jakarta
    cli.ok("init", "--company", "Kopi & Co")
    cli.ok("location", "add", "Jakarta", "--timezone", "Asia/Jakarta")
    cli.ok("product", "add", "ROTI", "Roti Canai", "--price", "2.00", "--cost", "0.50")
    cli.ok("stream", "add", "Till", "--provider", "minipos", "--location", "Jakarta")
    cli.ok("minipos", "sell", "Till", "--item", "ROTI", "--pay", "Cash")
    (row,) = [line for line in cli.ok("minipos", "orders", "Till").out.splitlines() if line.startswith("000001")]
    assert "2026-11-26 10:00 WIB" in row
    assert cli.json("minipos", "orders", "Till")[0]["time"] == "2026-11-26T03:00:00Z"
