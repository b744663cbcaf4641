"""Shipping and tips through the CLI (issue 18): the file stream reads them, the JSON carries them.

A web order W1 on 1 Oct in KL: 2 Kopi O (0.42 tax) + 8.00 shipping (0.48 tax) + 5.00 tip = 20.90 by card,
and a counter sale W2 (no shipping, no tip) of 3.50 in cash; on 2 Oct a counter sale with neither.
"""

from __future__ import annotations

import pytest

from tests.cli_helpers import assert_clean_error
from tests.factories import order, write_ndjson


@pytest.fixture(autouse=True)
def frozen_clock(_isolated_env, monkeypatch):
    monkeypatch.setenv("FLOWTUI_NOW", "2026-10-10T04:00:00Z")


@pytest.fixture
def shop(cli, orders_dir):
    cli.ok("init", "--company", "Kedai Kopi Sdn Bhd")
    cli.ok("location", "add", "Kuala Lumpur")
    cli.ok("stream", "add", "Shop", "--provider", "file", "--path", orders_dir)
    cli.ok("map", "location", "Shop", "KL", "--location", "Kuala Lumpur")
    write_ndjson(orders_dir / "web.ndjson", [
        order("W1", "KL", "2026-10-01T02:00:00Z", [("KOPI", 2, "3.50", "0.00", "0.42")], shipping="8.00",
              shipping_tax="0.48", tip="5.00", pay=[("Card", None)]),
        order("W2", "KL", "2026-10-01T03:00:00Z", [("KOPI", 1, "3.50")]),
        order("W3", "KL", "2026-10-02T03:00:00Z", [("KOPI", 1, "3.50")]),
    ])
    cli.ok("sync", "Shop")
    return cli


def test_digests_json_carries_the_days_shipping_and_tips(shop):
    rows = {r["date"]: r for r in shop.json("digests")}
    assert {d: (r["shipping"], r["tips"], r["amount"]) for d, r in rows.items()} == {
        "2026-10-01": ("8.00", "5.00", "24.40"), "2026-10-02": ("0.00", "0.00", "3.50")}
    shown = shop.json("digest", "show", rows["2026-10-01"]["id"])
    assert (shown["shipping"], shown["tips"]) == ("8.00", "5.00")
    assert {k: shown["summary"][k] for k in ("shipping", "tax", "tips", "net_total")} == {
        "shipping": "8.00", "tax": "0.90", "tips": "5.00", "net_total": "24.40"}
    plain = shop.json("digest", "show", rows["2026-10-02"]["id"])
    assert (plain["shipping"], plain["tips"], plain["summary"]["shipping"], plain["summary"]["tips"]) == (
        "0.00", "0.00", "0.00", "0.00")


def test_the_text_shows_shipping_and_tips_only_on_a_day_that_has_them(shop):
    rows = {r["date"]: r["id"] for r in shop.json("digests")}
    web = shop.ok("digest", "show", str(rows["2026-10-01"])).out
    assert "shipping" in web.lower() and "tips" in web.lower()
    counter = shop.ok("digest", "show", str(rows["2026-10-02"])).out.lower()
    assert "shipping" not in counter and "tips" not in counter


def test_an_invoice_carries_a_shipping_line_and_a_tips_line_to_their_accounts(shop):
    shop.ok("post", "--all")
    [invoice, plain] = sorted(shop.json("invoices"), key=lambda r: r["date"])
    shown = shop.json("invoice", "show", invoice["number"])
    assert (shown["shipping"], shown["tips"], shown["tax"], shown["total"]) == ("8.00", "5.00", "0.90", "24.40")
    assert [(x["description"], x["amount"], x["tax"], x["account"]) for x in shown["lines"] if x["sku"] is None] == [
        ("Shipping", "8.00", "0.48", "4200"), ("Tips", "5.00", "0.00", "2200")]
    text = shop.ok("invoice", "show", invoice["number"]).out
    assert "Shipping" in text and "Tips" in text
    other = shop.json("invoice", "show", plain["number"])
    assert (other["shipping"], other["tips"]) == ("0.00", "0.00") and len(other["lines"]) == 1
    assert "Shipping" not in shop.ok("invoice", "show", plain["number"]).out


def test_a_stream_maps_shipping_and_tips_like_any_category(shop):
    shop.ok("account", "add", "4210", "Delivery Fees", "--type", "income")
    shop.ok("map", "account", "Shop", "shipping", "--account", "4210")
    # a tip is owed to the staff: a liability, not income
    assert_clean_error(shop("map", "account", "Shop", "tips", "--account", "4210"), says="a liability account")
    shop.ok("post", "--all")
    [invoice, _] = sorted(shop.json("invoices"), key=lambda r: r["date"])
    lines = shop.json("invoice", "show", invoice["number"])["lines"]
    assert [(x["description"], x["account"]) for x in lines if x["sku"] is None] == [
        ("Shipping", "4210"), ("Tips", "2200")]
