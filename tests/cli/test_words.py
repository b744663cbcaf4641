"""Words and colours in the command line's text: one way of writing money, times in the location's time zone,
the digest's summary as a sum. Worked examples: figures come from the orders written here, not from the output.

The clock is frozen at 2026-10-10T04:00:00Z (12:00 on 10 October in Kuala Lumpur, UTC+8).
"""

from __future__ import annotations

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
