"""The Digests listing, a digest's detail and an order, driven by the keyboard at 80x24.

The ``shop`` café (see conftest) has two days on "Shop files", store KL, not
yet mapped to a location:

    1 Oct  S1 12.72 cash + S2 3.50 card             net 16.22
    2 Oct  S3 2.80 GrabPay, R1 returns 3.50 cash    net -0.70
    listing total 15.52

Mapping KL to KL Sentral makes 1 Oct ready; 2 Oct also needs GrabPay mapped.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from rich.console import Console
from textual.widgets import DataTable, Input, Select, Static

from flowtui.app import FlowApp
from flowtui.connectors.base import OrderBatch
from flowtui.engine.core.records import DigestPage
from flowtui.engine.digests.store import DigestFilter
from flowtui.engine.pipeline.landing import land_batch
from flowtui.engine.pipeline.sync import rebuild_pending
from flowtui.screens.common.columns import FittedTable
from flowtui.screens.common.modals import ConfirmModal, PromptModal
from flowtui.screens.digest_detail import DigestDetailScreen
from flowtui.screens.digest_dialogs import DigestFilterModal, PostOutcomeModal
from flowtui.screens.digests import DigestsScreen, PageRead
from flowtui.screens.order_detail import OrderModal
from tests.factories import order, write_ndjson
from tests.tui.conftest import burst, keys_handled
from tests.tui.waiting import settle, still

SIZES = [(80, 24), (120, 40)]
SHOP_ORDERS = [
    order("S1", "KL", "2026-10-01T02:00:00Z", [("KOPI", 2, "3.50"), ("ROTI", 1, "5.00")], tax_rate="0.06"),
    order("S2", "KL", "2026-10-01T03:00:00Z", [("KOPI", 1, "3.50")], pay=[("Card", None)]),
    order("S3", "KL", "2026-10-02T03:00:00Z", [("TEH", 1, "2.80")], pay=[("GrabPay", None)]),
    order("R1", "KL", "2026-10-02T05:00:00Z", [("KOPI", 1, "3.50")], type="return", original_id="S1"),
]


# -- helpers -------------------------------------------------------------------------------------
async def open_listing(pilot, **kwargs) -> DigestsScreen:
    await settle(pilot)
    screen = DigestsScreen(**kwargs)
    pilot.app.push_screen(screen)
    await settle(pilot)
    return screen


def cells(table: DataTable) -> list[list[str]]:
    row = table.full_row_at if isinstance(table, FittedTable) else table.get_row_at  # (those the width hides too)
    return [[str(getattr(c, "plain", c)) for c in row(i)] for i in range(table.row_count)]


def listing(screen) -> list[tuple[str, str, str, str]]:
    """(date, location, amount, status) per row."""
    return [(r[1], r[3], r[4], r[5]) for r in cells(screen.query_one("#digests", DataTable))]


def text_of(widget: Static) -> str:
    """What a Static shows, as plain text (Rich tables included)."""
    console = Console(width=100, record=True, file=io.StringIO())
    console.print(widget.content)
    return console.export_text().rstrip("\n")


def status_line(screen) -> str:
    return text_of(screen.query_one("#digests-status", Static))


def map_everything(flow) -> None:
    flow.map_location("Shop files", "KL", "KL Sentral")
    flow.map_payment("Shop files", "GrabPay", "1030")


def void_s2_and_sync(flow, orders_dir) -> None:
    """Post 1 Oct, then S2 (3.50 card) is voided at the source and synced again: 1 Oct is changed."""
    map_everything(flow)
    flow.post([flow.digests()[0].id])
    write_ndjson(orders_dir / "orders.ndjson", [SHOP_ORDERS[0], {**SHOP_ORDERS[1], "status": "voided"},
                                                *SHOP_ORDERS[2:]])
    flow.sync(["Shop files"])


def many_days(flow, days: int = 150, stores: int = 3) -> int:
    """One small sale a day at each of ``stores`` stores from 1 Jan 2026: ``days * stores`` more digests."""
    orders = [order(f"P{s}-{d}", f"P{s}", f"{date(2026, 1, 1) + timedelta(days=d)}T04:00:00Z",
                    [("KOPI", 1, f"{1 + s}.{d % 100:02d}")])
              for d in range(days) for s in range(stores)]
    batch = OrderBatch(orders=[json.dumps(o) for o in orders], source="many.ndjson")
    with flow.db.write() as con:
        land_batch(con, 1, batch, default_tz="Asia/Kuala_Lumpur", sync_run_id=None,
                   now=datetime(2026, 10, 10, tzinfo=UTC))
    rebuild_pending(flow.db)
    return days * stores


# -- the listing -----------------------------------------------------------------------------
async def test_the_listing_shows_each_digest_with_its_amount_and_status(app, shop):
    expected = [(d.date.isoformat(), f"{d.amount:,.2f}", d.status.replace("_", " ")) for d in shop.digests()]
    assert expected == [("2026-10-01", "16.22", "needs attention"), ("2026-10-02", "-0.70", "needs attention")]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("d")  # from the streams home: the digests of the highlighted stream
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, DigestsScreen) and screen.filter.stream == "Shop files"
        assert [(d, a, s) for d, _, a, s in listing(screen)] == expected
        assert listing(screen)[0][1] == "KL (unmapped)"
        assert status_line(screen) == "rows 1-2 of 2 · total MYR 15.52"


async def test_thousands_separators_and_the_location_once_mapped(app, shop, orders_dir):
    write_ndjson(orders_dir / "orders.ndjson", [
        *SHOP_ORDERS, order("S9", "KL", "2026-10-03T03:00:00Z", [("MUG", 100, "35.00")])])
    shop.sync(["Shop files"])
    shop.map_location("Shop files", "KL", "KL Sentral")
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_listing(pilot)
        assert listing(screen)[2] == ("2026-10-03", "KL Sentral", "3,500.00", "ready")
        assert status_line(screen) == "rows 1-3 of 3 · total MYR 3,515.52"


async def test_filtering_by_status_and_by_date_with_the_filter_dialog(app, shop):
    shop.map_location("Shop files", "KL", "KL Sentral")  # 1 Oct ready, 2 Oct still needs GrabPay
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_listing(pilot)
        await pilot.press("f")
        await pilot.pause()
        assert isinstance(app.screen, DigestFilterModal)
        await pilot.press("tab", "tab")  # stream, location, then the status list
        assert app.screen.focused.id == "status"
        await pilot.press("enter", "down", "down", "enter")  # any, open, *ready*
        assert app.screen.query_one("#status", Select).value == "ready"
        await pilot.press("tab", "enter")  # apply from the "from" field
        await settle(pilot)
        assert app.screen is screen
        assert [r[0] for r in listing(screen)] == ["2026-10-01"]
        assert "status ready" in text_of(screen.query_one("#digests-view", Static))

        await pilot.press("f")
        await pilot.pause()
        await pilot.press("ctrl+r", "tab", "tab", "tab", *"2026-10-02", "enter")  # clear all; from 2 Oct
        await settle(pilot)
        assert [(r[0], r[3]) for r in listing(screen)] == [("2026-10-02", "needs attention")]
        assert screen.filter.start == date(2026, 10, 2) and screen.filter.status is None

        await pilot.press("f")  # a date that is not one is explained, not applied
        await pilot.pause()
        app.screen.query_one("#end", Input).value = "1 Oct"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DigestFilterModal)
        assert "YYYY-MM-DD" in text_of(app.screen.query_one("#dialog-error", Static))
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and screen.filter.end is None and len(listing(screen)) == 1


async def test_a_filter_typed_in_one_burst_lands_in_the_dialog_it_opened(app, shop):
    """As tmux send-keys delivers it: f, then the fields, all at once; nothing lands on the listing behind."""
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_listing(pilot)
        burst(app, "f", "tab", "tab", "tab", *"2026-10-02", "enter")
        await keys_handled(pilot)
        await settle(pilot)
        assert app.screen is screen
        assert screen.filter.start == date(2026, 10, 2)
        assert [r[0] for r in listing(screen)] == ["2026-10-02"]


async def test_a_key_that_is_never_handled_holds_the_next_ones_back_for_a_moment_only(app, shop, monkeypatch):
    """Keys wait for the one before them; one that vanishes (a screen closing under it) holds them a second at most."""
    from textual import events

    import flowtui.app

    monkeypatch.setattr(flowtui.app, "KEY_PATIENCE", 0.2)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_listing(pilot)
        lost = events.Key("x", "x")
        app._key_in_flight = app._key_started = lost  # handed over, never to be heard of again
        app._start_clock()
        burst(app, "f")
        await pilot.pause()
        assert app.screen is screen  # waiting its turn
        await keys_handled(pilot)  # (let go after KEY_PATIENCE)
        await settle(pilot)
        assert isinstance(app.screen, DigestFilterModal)


async def test_sorting_by_amount_and_reversing(app, shop):
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_listing(pilot)
        await pilot.press("s", "s", "s")  # date -> stream -> location -> amount
        await settle(pilot)
        assert screen.sort == "amount"
        assert [r[2] for r in listing(screen)] == ["-0.70", "16.22"]
        assert str(screen.query_one(DataTable).columns["amount"].label.plain) == "Amount ▲"
        await pilot.press("r")
        await settle(pilot)
        assert [r[2] for r in listing(screen)] == ["16.22", "-0.70"]
        assert "sort amount ↓" in text_of(screen.query_one("#digests-view", Static))


async def test_many_digests_come_a_page_at_a_time(app, shop):
    added = many_days(shop)  # 450 more, 1 Jan - 30 May 2026, three stores a day
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_listing(pilot)
        table = screen.query_one(DataTable)
        assert table.row_count == 200
        assert status_line(screen).startswith(f"rows 1-200 of {added + 2}")
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert status_line(screen).startswith("rows 201-400 of 452")
        assert cells(table)[0][1] == "2026-03-08"  # day 67 (200 // 3 = 66 days before it)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert status_line(screen).startswith("rows 401-452 of 452") and table.row_count == 52
        await pilot.press("right_square_bracket")  # no page after the last
        await settle(pilot)
        assert status_line(screen).startswith("rows 401-452")
        await pilot.press("left_square_bracket")
        await settle(pilot)
        assert status_line(screen).startswith("rows 201-400")

        await pilot.press("g")
        await pilot.pause()
        assert isinstance(app.screen, PromptModal)
        await pilot.press(*"2026-04-01", "enter")  # 90 days of 3 before it: row 271, on the second page
        await settle(pilot)
        assert status_line(screen).startswith("rows 201-400")
        assert table.cursor_row == 70 and cells(table)[70][1] == "2026-04-01"
        await pilot.press("pagedown")
        await pilot.pause()
        assert table.cursor_row > 70

        await pilot.press("r", "g", *"2026-01-10", "enter")  # newest first: 2 Oct days + 140 days x 3 after it
        await settle(pilot)
        assert status_line(screen).startswith("rows 401-452")
        assert table.cursor_row == 22 and cells(table)[22][1] == "2026-01-10"


async def test_selecting_two_digests_and_posting_them_after_confirming(app, shop):
    map_everything(shop)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_listing(pilot)
        await pilot.press("a")  # the whole page, then none, then all and clear
        assert len(screen.selected) == 2
        await pilot.press("a")
        assert not screen.selected
        await pilot.press("a", "x")
        assert not screen.selected and "selected" not in status_line(screen)

        await pilot.press("space", "space")  # toggles the row and moves down
        assert set(screen.selected) == {d.id for d in shop.digests()}
        assert [r[0] for r in cells(screen.query_one(DataTable))] == ["✓", "✓"]
        assert status_line(screen).endswith("2 selected (MYR 15.52)")
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        body = text_of(app.screen.query_one("#dialog-body", Static))
        assert body.startswith("Post 2 digest(s), total MYR 15.52?")
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, PostOutcomeModal)
        assert app.screen.title_text == "Posted 2 of 2: 3 document(s) created"
        assert ("KL Sentral / 2026-10-01: invoice INV-202610-00001" in app.screen.message
                and "2026-10-02: invoice INV-202610-00002, credit note CN-202610-00001" in app.screen.message)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and not screen.selected
        assert [(r[5], r[7]) for r in cells(screen.query_one(DataTable))] == [
            ("posted", "INV-202610-00001"), ("posted", "INV-202610-00002")]


async def test_refusing_to_post_shows_the_reasons(app, shop):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_listing(pilot)
        await pilot.press("down", "space", "p")
        await settle(pilot)
        assert "-0.70" in text_of(app.screen.query_one("#dialog-body", Static))
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, PostOutcomeModal)
        assert app.screen.title_text == "Posted 0 of 1: 0 document(s) created, 1 not ready"
        assert "1 digest: store KL has no location — open mappings (m)" in app.screen.message
        assert "1 digest: payment method GrabPay has no account — open mappings (m)" in app.screen.message
        assert "flowtui" not in app.screen.message  # the console's own fix, not a command
        await pilot.press("escape")
        await settle(pilot)
        assert len(app.screen.selected) == 1  # refused ones stay selected, to try again once fixed


async def test_no_digest_matches(app, shop):
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_listing(pilot, status="posted")
        assert screen.query_one(DataTable).row_count == 0
        assert status_line(screen) == "No digests match: press f to change the filter."
        await pilot.press("p", "enter", "space")  # nothing to post, open or select: no crash
        await settle(pilot)
        assert app.screen is screen


# -- the detail --------------------------------------------------------------------------------
async def open_detail(pilot, row: int = 0) -> DigestDetailScreen:
    await open_listing(pilot)
    for _ in range(row):
        await pilot.press("down")
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, DigestDetailScreen)
    return pilot.app.screen


async def test_a_digest_shows_its_summary_items_and_attention(app, shop):
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(pilot)
        totals = dict(cells(screen.query_one("#totals", DataTable)))
        assert (totals["Gross sales"], totals["Tax"], totals["Net total"]) == ("16.22", "0.72", "16.22")
        assert cells(screen.query_one("#payments", DataTable)) == [["Card", "3.50"], ["Cash", "12.72"],
                                                                   ["Total", "16.22"]]
        await pilot.press("2")
        assert screen.query_one("TabbedContent").active == "items"
        assert [r[:5] for r in cells(screen.query_one("#item-table", DataTable))] == [
            ["KOPI", "Item KOPI", "3", "3.50", "10.50"], ["ROTI", "Item ROTI", "1", "5.00", "5.00"]]
        await pilot.press("4")
        attention = text_of(screen.query_one("#attention-text", Static))
        assert "store KL has no location — open mappings (m)" in attention and "flowtui map" not in attention
        assert "press m to open the mappings of shop files" in attention.lower()
        await pilot.press("m")  # the mappings screen, or a note when this console has none yet
        await settle(pilot)
        assert isinstance(app.screen, DigestDetailScreen) or type(app.screen).__name__ == "MappingsScreen"


async def test_opening_an_order_shows_its_lines_and_payments(app, shop):
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(pilot)
        await pilot.press("3")
        assert [r[0] for r in cells(screen.query_one("#order-table", DataTable))] == ["S1", "S2"]
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, OrderModal)
        assert cells(app.screen.query_one("#order-lines", DataTable)) == [
            ["KOPI", "Item KOPI", "2", "3.50", "0.00", "0.42", "7.00"],
            ["ROTI", "Item ROTI", "1", "5.00", "0.00", "0.30", "5.00"]]
        assert cells(app.screen.query_one("#order-payments", DataTable)) == [["Cash", "12.72"]]
        assert "Total 12.72" in text_of(app.screen.query_one("#order-totals", Static))
        await pilot.press("escape")
        await pilot.press("down", "enter")
        await settle(pilot)
        assert cells(app.screen.query_one("#order-payments", DataTable)) == [["Card", "3.50"]]


async def test_a_changed_digest_shows_its_versions_and_what_changed(app, shop, orders_dir):
    void_s2_and_sync(shop, orders_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_detail(pilot)
        assert "changed · version 2" in text_of(screen.query_one("#digest-title", Static))
        await pilot.press("5")
        versions = cells(screen.query_one("#version-table", DataTable))
        assert [(v[0], v[1], v[4], v[5] != "not posted") for v in versions] == [
            ("1", "16.22", "INV-202610-00001", True), ("2", "12.72", "", False)]
        changes = " ".join(text_of(screen.query_one("#changes", Static)).split())
        assert "the ledger holds 16.22, the day is now 12.72 (-3.50)" in changes
        assert "voided or gone: S2" in changes
        assert "Card 3.50 0.00" in changes and "KOPI 3 2 10.50 7.00" in changes

        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, PostOutcomeModal)
        assert "credit note CN-202610-00001" in app.screen.message
        await pilot.press("escape")
        await settle(pilot)
        assert "posted · version 2" in text_of(screen.query_one("#digest-title", Static))
        await pilot.press("i")  # the invoice screen, or a note when this console has none yet
        await settle(pilot)
        assert isinstance(app.screen, DigestDetailScreen) or type(app.screen).__name__ == "InvoiceDetailScreen"


async def test_a_digest_that_cannot_be_shown_says_why_then_goes_back(app):
    from flowtui.screens.common.modals import ErrorModal

    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        home = app.screen
        app.push_screen(DigestDetailScreen(999))
        await settle(pilot)
        assert isinstance(app.screen, ErrorModal)
        assert "No digest with id 999" in text_of(app.screen.query_one("#dialog-body", Static))
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is home  # not the error again and again


async def test_every_action_has_a_stable_id(app):
    def ids(cls) -> set[str]:
        return {b.id for b in cls.BINDINGS}

    assert {"digests.open", "digests.toggle", "digests.select_page", "digests.clear", "digests.post",
            "digests.filter", "digests.sort", "digests.reverse", "digests.jump", "digests.prev_page",
            "digests.next_page", "digests.refresh", "digests.back"} <= ids(DigestsScreen)
    assert {"digest.order", "digest.post", "digest.invoice", "digest.mappings", "digest.back"} <= ids(
        DigestDetailScreen)


async def test_digest_keys_can_be_remapped_by_id(shop):
    app = FlowApp(shop, keymap={"digests.sort": "o"})
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_listing(pilot)
        await pilot.press("o")
        await settle(pilot)
        assert screen.sort == "stream"


# -- snapshots ---------------------------------------------------------------------------------
async def _snap_listing(pilot) -> None:
    pilot.app.sub_title = "flow.duckdb"
    await open_listing(pilot)
    await pilot.press("space")
    await still(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_listing(snap_compare, shop, size):
    shop.map_location("Shop files", "KL", "KL Sentral")
    assert snap_compare(FlowApp(shop, keymap={}), terminal_size=size, run_before=_snap_listing)


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_detail(snap_compare, shop, size):
    async def run_before(pilot):
        pilot.app.sub_title = "flow.duckdb"
        await open_detail(pilot)
        await still(pilot)

    assert snap_compare(FlowApp(shop, keymap={}), terminal_size=size, run_before=run_before)


def test_snapshot_changed_versions(snap_compare, shop, orders_dir):
    void_s2_and_sync(shop, orders_dir)

    async def run_before(pilot):
        pilot.app.sub_title = "flow.duckdb"
        await open_detail(pilot)
        await pilot.press("5")
        await still(pilot)

    assert snap_compare(FlowApp(shop, keymap={}), terminal_size=(80, 24), run_before=run_before)


def test_snapshot_order(snap_compare, shop):
    async def run_before(pilot):
        pilot.app.sub_title = "flow.duckdb"
        await open_detail(pilot)
        await pilot.press("3", "enter")
        await still(pilot)

    assert snap_compare(FlowApp(shop, keymap={}), terminal_size=(80, 24), run_before=run_before)


def test_money_is_exact():
    from flowtui.engine.core.formats import money

    assert money(Decimal("1234567.5")) == "1,234,567.50" and money(Decimal("-0.7")) == "-0.70"


async def test_a_page_read_for_an_earlier_request_does_not_replace_the_page_asked_for_last(app, shop):
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_listing(pilot)
        shown = screen.page
        stale_key = (DigestFilter(status="ready"), "date", False, 0)
        screen.post_message(PageRead(stale_key, DigestPage([], 0, Decimal(0), 0), 0))  # e.g. before a filter change
        await settle(pilot)
        assert screen.page is shown and len(listing(screen)) == 2
        screen.post_message(PageRead(screen._wanted, DigestPage(shown.rows[:1], 1, shown.rows[0].amount, 0), 0))
        await settle(pilot)
        assert len(listing(screen)) == 1 and status_line(screen).startswith("rows 1-1 of 1")
