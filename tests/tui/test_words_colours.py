"""Words and colours in the console: what colour says is said in words too (16-colour and monochrome terminals
read the same), pickers offer the accounts that fit first, times are the location's, the digest's summary adds up.

The ``shop`` fixture is a café with one file stream ("Shop files") synced for two days: POS store "KL" not mapped
to a location yet, payment methods Cash and Card (mapped by default) and GrabPay (not mapped). The clock is frozen
at 2026-10-10T04:00:00Z (12:00 in Kuala Lumpur, UTC+8). Tests read the rendered text, never styles.
"""

from __future__ import annotations

from decimal import Decimal

from textual.widgets import DataTable, OptionList, Static, Switch

from flowtui.app import FlowApp
from flowtui.engine.digests.store import DigestFilter
from flowtui.screens.digest_detail import DigestDetailScreen
from flowtui.screens.digests import DigestsScreen
from flowtui.screens.invoice_detail import InvoiceDetailScreen
from flowtui.screens.mapping_modals import AccountModal
from flowtui.screens.mappings import MappingsScreen
from flowtui.screens.order_detail import OrderModal
from flowtui.screens.stream_settings import StreamSettingsScreen
from tests.tui.waiting import settle


def cells(table: DataTable, row: int) -> list[str]:
    return [str(c) for c in table.get_row_at(row)]


def column(table: DataTable, label: str) -> list[str]:
    index = [str(c.label) for c in table.ordered_columns].index(label)
    return [cells(table, i)[index] for i in range(table.row_count)]


def text(widget: Static) -> str:
    return str(widget.render())


# -- switches say On or Off ------------------------------------------------------------------------------------


async def test_streams_table_and_settings_switches_say_on_or_off(app, shop):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        assert (column(table, "Sync"), column(table, "Invoice")) == (["On"], ["Off"])
        await pilot.press("e")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, StreamSettingsScreen)
        sync, invoice = screen.query_one("#auto-sync-state", Static), screen.query_one("#auto-invoice-state", Static)
        assert (text(sync), text(invoice)) == ("On", "Off")
        screen.query_one("#auto-invoice", Switch).focus()
        await pilot.press("space")
        await pilot.pause()
        assert screen.query_one("#auto-invoice", Switch).value and text(invoice) == "On"
        screen.query_one("#auto-sync", Switch).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert text(sync) == "Off"
        # beside its switch, on the same row
        switch = screen.query_one("#auto-sync", Switch).region
        assert sync.region.y == switch.y and sync.region.x >= switch.right


# -- unmapped is a word or a mark, not only a colour -----------------------------------------------------------


async def test_unmapped_rows_are_marked_in_words_on_the_mappings_tabs(app, shop):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(MappingsScreen("Shop files", tab="payments"))
        await settle(pilot)
        payments = app.screen.query_one("#payments-table", DataTable)
        assert [cells(payments, i)[0] for i in range(payments.row_count)] == ["Card", "Cash", "✗ GrabPay"]
        assert "marked ✗" in text(app.screen.query_one("#summary", Static))
        await pilot.press("l")
        await settle(pilot)
        locations = app.screen.query_one("#locations-table", DataTable)
        assert cells(locations, 0)[:2] == ["✗ KL", "not mapped"]


async def test_an_unmapped_store_is_marked_first_in_the_digests_listing(app, shop):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(DigestsScreen())
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        assert all(place.startswith("✗ ") for place in column(table, "Location"))
        # the mark comes first, so it stays however narrow the column is cut
        assert "✗" in app.export_screenshot()


# -- account pickers offer what fits first ---------------------------------------------------------------------


def offered(screen: AccountModal) -> list[str]:
    options = screen.query_one(OptionList)
    return [str(options.get_option_at_index(i).id) for i in range(options.option_count)]


async def test_a_payment_method_picker_offers_asset_accounts_first_and_the_rest_on_request(app, shop):
    chart = {a.code: a.type for a in shop.accounts()}
    assets = [code for code in sorted(chart) if chart[code] == "asset"]
    assert {"1000", "1010"} <= set(assets)  # cash on hand, bank
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        app.push_screen(MappingsScreen("Shop files", tab="payments"))
        await settle(pilot)
        await pilot.press("down", "down", "enter")  # GrabPay
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, AccountModal)
        assert offered(picker) == assets
        assert "a shows every account" in text(picker.query_one("#account-hint", Static))
        await pilot.press("a")
        await pilot.pause()
        everything = offered(picker)
        assert everything[:len(assets)] == assets and set(everything) == set(chart)
        await pilot.press("a")  # typed again: nothing more to show, nothing changes
        assert offered(picker) == everything
        # an income account, asked for: mapped as asked (no "--force" to type in a console)
        options = picker.query_one(OptionList)
        options.highlighted = everything.index("4000")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MappingsScreen)
    grab = next(p for p in shop.mappings("Shop files").payments if p["pos_method"] == "GrabPay")
    assert grab["account"] == "4000"


# -- the digest's summary is a sum ------------------------------------------------------------------------------
#
# 1 October: S1 KOPI 2 x 3.50 + ROTI 5.00 = 12.00, tax 6% 0.72 (12.72); S2 KOPI 3.50 (no tax).
#   gross sales 15.50 + tax 0.72 = 16.22, no returns: net 16.22.
# 2 October: S3 TEH 2.80; R1 a return of KOPI 1 x 3.50 (no tax): gross sales 2.80 - returns 3.50 = net -0.70.
LABELS = ["Gross sales", "Discounts", "Service charge", "Tax", "Rounding", "Returns", "Net total"]


async def test_each_digest_summary_is_a_sum_whose_lines_add_up_to_its_net(app, shop):
    digests = sorted(shop.digests(DigestFilter()), key=lambda r: r.date)
    shown = {}
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for digest in digests:
            app.push_screen(DigestDetailScreen(digest.id))
            await settle(pilot)
            table = app.screen.query_one("#totals", DataTable)
            rows = [cells(table, i) for i in range(table.row_count)]
            assert [label for label, _ in rows] == LABELS
            *parts, (_, net) = rows
            assert sum(Decimal(amount.replace(",", "")) for _, amount in parts) == Decimal(net) == digest.amount
            shown[digest.date.isoformat()] = dict(rows)
            await pilot.press("escape")
            await settle(pilot)
    assert shown["2026-10-01"] == {"Gross sales": "+15.50", "Discounts": "+0.00", "Service charge": "+0.00",
                                   "Tax": "+0.72", "Rounding": "+0.00", "Returns": "+0.00", "Net total": "16.22"}
    assert (shown["2026-10-02"]["Gross sales"], shown["2026-10-02"]["Returns"],
            shown["2026-10-02"]["Net total"]) == ("+2.80", "-3.50", "-0.70")


# -- times in the place's time zone, labelled ------------------------------------------------------------------
#
# The shop's orders: S1 2026-10-01T02:00:00Z (10:00 in Kuala Lumpur), S2 03:00Z (11:00). The books' zone is
# Asia/Kuala_Lumpur (UTC+8); the sync and the posting ran at the frozen now, 2026-10-10T04:00:00Z (12:00).


async def test_last_sync_and_order_times_are_local_and_labelled(app, shop):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert column(app.screen.query_one(DataTable), "Last sync (UTC+8)") == ["2026-10-10 12:00"]
        first = min(shop.digests(DigestFilter()), key=lambda r: r.date)
        app.push_screen(DigestDetailScreen(first.id))
        await settle(pilot)
        await pilot.press("3")
        orders = app.screen.query_one("#order-table", DataTable)
        assert column(orders, "Time (UTC+8)") == ["10:00", "11:00"]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, OrderModal)
        facts = text(app.screen.query(".order-info").first(Static))
        assert facts.startswith("2026-10-01 10:00 UTC+8 · day 2026-10-01")


async def test_a_location_in_another_zone_shows_its_own_times(shop):
    """Store KL mapped to a location in Jakarta's zone (WIB, UTC+7): its orders and its invoice's history say so."""
    shop.add_location("Jakarta", "Asia/Jakarta")
    shop.map_location("Shop files", "KL", "Jakarta", number_format="JK-{seq:04}")
    shop.map_payment("Shop files", "GrabPay", "1030")
    shop.post(everything=True)
    first = min(shop.digests(DigestFilter()), key=lambda r: r.date)
    app = FlowApp(shop, keymap={})
    app.animation_level = "none"
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(DigestDetailScreen(first.id))
        await settle(pilot)
        await pilot.press("3")  # the orders tab (built when first shown)
        await settle(pilot)
        orders = app.screen.query_one("#order-table", DataTable)
        assert column(orders, "Time (WIB)") == ["09:00", "10:00"]
        await pilot.press("5")
        await settle(pilot)
        versions = app.screen.query_one("#version-table", DataTable)
        assert column(versions, "Posted (WIB)") == ["2026-10-10 11:00"]
        app.push_screen(InvoiceDetailScreen(first.invoice_number or ""))
        await settle(pilot)
        history = app.screen.query_one("#history", DataTable)
        assert column(history, "At (WIB)") == ["2026-10-10 11:00"]
