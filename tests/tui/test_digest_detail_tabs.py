"""Opening a digest builds its summary only; each other tab is built, filled, the first time it is shown
(by its key or the mouse), and a refresh fills every tab built so far."""

from __future__ import annotations

from textual.widgets import DataTable, Static

from tests.tui.test_digest_screens import cells, open_detail, text_of
from tests.tui.waiting import settle


async def test_a_digest_opens_on_its_summary_and_builds_each_other_tab_when_first_shown(app, shop):
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(pilot)
        assert dict(cells(screen.query_one("#totals", DataTable)))["Net total"] == "16.22"
        assert not screen.query("#item-table") and not screen.query("#order-table")
        assert not screen.query("#attention-text") and not screen.query("#version-table")

        await pilot.click("#--content-tab-orders")  # the mouse builds a tab too
        await settle(pilot)
        assert screen.query_one("TabbedContent").active == "orders"
        assert [r[0] for r in cells(screen.query_one("#order-table", DataTable))] == ["S1", "S2"]

        await pilot.press("2")
        assert [r[:5] for r in cells(screen.query_one("#item-table", DataTable))] == [
            ["KOPI", "Item KOPI", "3", "3.50", "10.50"], ["ROTI", "Item ROTI", "1", "5.00", "5.00"]]
        await pilot.press("f5")  # a refresh fills again what is built
        await settle(pilot)
        assert len(cells(screen.query_one("#item-table", DataTable))) == 2
        assert len(cells(screen.query_one("#order-table", DataTable))) == 2

        await pilot.press("4")
        assert 'store KL has no location — open mappings (m)' in text_of(screen.query_one("#attention-text", Static))
        await pilot.press("5")
        assert [v[0] for v in cells(screen.query_one("#version-table", DataTable))] == ["1"]
