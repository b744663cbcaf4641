"""Shipping and tips in the console (issue 18): the digest's and the invoice's totals show them when a day has some.

A web order W1 on 1 Oct: 2 Kopi O (0.42 tax) + 8.00 shipping (0.48 tax) + a 5.00 tip = 20.90 by card; on 2 Oct
a counter sale W2 of 3.50 in cash, with neither.
"""

from __future__ import annotations

import pytest
from textual.widgets import DataTable

from flowtui.app import FlowApp
from flowtui.engine.setup.streams import StreamSettings
from flowtui.screens.digest_detail import DigestDetailScreen
from flowtui.screens.invoice_detail import InvoiceDetailScreen
from tests.factories import order, write_ndjson
from tests.tui.waiting import settle


@pytest.fixture
def app(flow, orders_dir, monkeypatch):
    monkeypatch.setenv("FLOWTUI_NOW", "2026-10-10T04:00:00Z")
    flow.init(name="Kopi & Co")
    flow.add_location("KL Sentral")
    flow.add_stream("Web", "file", {"path": str(orders_dir)}, StreamSettings())
    write_ndjson(orders_dir / "orders.ndjson", [
        order("W1", "KL", "2026-10-01T02:00:00Z", [("KOPI", 2, "3.50", "0.00", "0.42")], shipping="8.00",
              shipping_tax="0.48", tip="5.00", pay=[("Card", None)]),
        order("W2", "KL", "2026-10-02T02:00:00Z", [("KOPI", 1, "3.50")]),
    ])
    flow.sync(["Web"])
    flow.map_location("Web", "KL", "KL Sentral", number_format="KL-{yyyy}{mm}-{seq:04}")
    flow.post(everything=True)
    app = FlowApp(flow, keymap={})
    app.animation_level = "none"
    return app


def cells(table: DataTable) -> list[list[str]]:
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def shown(pilot, screen, table: str) -> list[list[str]]:
    await settle(pilot)
    pilot.app.push_screen(screen)
    await settle(pilot)
    return cells(screen.query_one(f"#{table}", DataTable))


async def test_the_invoice_totals_show_shipping_and_tips_when_it_has_some(app):
    async with app.run_test(size=(80, 24)) as pilot:
        assert await shown(pilot, InvoiceDetailScreen("KL-202610-0001"), "totals") == [
            ["Subtotal", "7.00"], ["Discount", "0.00"], ["Service charge", "0.00"], ["Shipping", "8.00"],
            ["Tax", "0.90"], ["Tips", "5.00"], ["Rounding", "0.00"], ["Total (MYR)", "20.90"]]
        assert [row[0] for row in await shown(pilot, InvoiceDetailScreen("KL-202610-0002"), "totals")] == [
            "Subtotal", "Discount", "Service charge", "Tax", "Rounding", "Total (MYR)"]


async def test_the_digest_summary_shows_shipping_and_tips_when_the_day_has_some(app):
    async with app.run_test(size=(80, 24)) as pilot:
        web = await shown(pilot, DigestDetailScreen(1), "totals")
        assert ["Shipping", "+8.00"] in web and ["Tips", "+5.00"] in web  # lines of the summary's sum
        assert [row[0] for row in web].index("Shipping") < [row[0] for row in web].index("Tips")
        counter = await shown(pilot, DigestDetailScreen(2), "totals")
        assert not [row for row in counter if row[0] in ("Shipping", "Tips")]
