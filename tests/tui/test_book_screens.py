"""The books in the console: invoices, one invoice, the trial balance and the journal.

The café of ``conftest.shop`` posts its two days (store KL mapped to KL Sentral, GrabPay to 1030):

    1 Oct  S1 2 Kopi + 1 Roti with 6% SST (12.72 cash), S2 1 Kopi (3.50 card)  -> KL-202610-0001  16.22
    2 Oct  S3 1 Teh (2.80 GrabPay)                                             -> KL-202610-0002   2.80
           R1 1 Kopi returned (3.50 cash)                                      -> CN-KL-202610-0001 3.50,
                                                                                  credits KL-202610-0002

The ledger then holds debits = credits = 22.52 (16.22 on 1 Oct).
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from textual.screen import Screen
from textual.widgets import DataTable, Input, Select, Static, TabbedContent

from flowtui.engine.core.formats import money, price, quantity
from flowtui.screens.common.columns import FittedTable
from flowtui.screens.common.modals import ErrorModal
from flowtui.screens.invoice_detail import InvoiceDetailScreen
from flowtui.screens.invoices import InvoicesScreen
from flowtui.screens.ledger import LedgerScreen
from tests.factories import order, write_ndjson
from tests.tui.waiting import settle, still, until

SIZES = [(80, 24), (120, 40)]
S2_VOIDED = order("S2", "KL", "2026-10-01T03:00:00Z", [("KOPI", 1, "3.50")], pay=[("Card", None)], status="voided")


@pytest.fixture
def app(posted_app):
    return posted_app


async def enter(pilot, selector: str, value: str) -> None:
    """Put ``value`` in a filter and press enter (typing each key is what the first filter test does)."""
    pilot.app.screen.query_one(selector, Input).focus()
    pilot.app.screen.query_one(selector, Input).value = value
    await pilot.press("enter")
    await settle(pilot)


def cells(table: DataTable) -> list[list[str]]:
    """Every cell of the table's rows (those its width hides too)."""
    row = table.full_row_at if isinstance(table, FittedTable) else table.get_row_at
    return [[str(c) for c in row(i)] for i in range(table.row_count)]


def text(widget: Static) -> str:
    return str(widget.render())


async def open_screen(pilot, screen) -> None:
    await settle(pilot)
    pilot.app.push_screen(screen)
    await settle(pilot)


async def wait_for(pilot, kind, not_this=None):
    """The screen of type ``kind`` (other than ``not_this``) once it is on top."""
    await until(pilot, lambda: isinstance(pilot.app.screen, kind) and pilot.app.screen is not not_this)
    return pilot.app.screen


def test_money_has_thousands_separators_and_two_decimals_and_prices_keep_their_precision():
    assert money(D("1234567.5")) == "1,234,567.50" and money(D("-0.72")) == "-0.72" and money(None) == ""
    assert price(D("3.5000")) == "3.50" and price(D("1234.4567")) == "1,234.4567"
    assert quantity(D("2.000")) == "2" and quantity(D("1.500")) == "1.5" and quantity(D("-1")) == "-1"


# -- invoices ------------------------------------------------------------------------------------------


async def test_the_invoices_list_shows_invoices_and_credit_notes_with_their_totals(posted, app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("i")  # from the home screen
        await settle(pilot)
        assert isinstance(app.screen, InvoicesScreen)
        rows = cells(app.screen.query_one("#invoices", DataTable))
        assert [(r[0], r[1], r[2], r[3], r[4], r[5], r[6]) for r in rows] == [
            ("KL-202610-0001", "invoice", "2026-10-01", "KL Sentral", "Cash Sales", "16.22", "posted"),
            ("KL-202610-0002", "invoice", "2026-10-02", "KL Sentral", "Cash Sales", "2.80", "posted"),
            ("CN-KL-202610-0001", "credit", "2026-10-02", "KL Sentral", "Cash Sales", "3.50", "posted"),
        ]
        summary = text(app.screen.query_one("#invoice-summary", Static))
        assert "Invoice KL-202610-0001" in summary and "Card 3.50" in summary and "Cash 12.72" in summary
        await pilot.press("down", "enter")
        screen = await wait_for(pilot, InvoiceDetailScreen)
        await settle(pilot)
        assert screen.number == "KL-202610-0002"
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, InvoicesScreen)


async def test_invoices_filter_by_dates_and_location_from_the_keyboard(posted, app):
    posted.add_location("Mid Valley")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_screen(pilot, InvoicesScreen())
        screen = app.screen
        table = screen.query_one("#invoices", DataTable)
        await pilot.press("f", *"2026-10-02", "enter")
        await settle(pilot)
        assert [r[0] for r in cells(table)] == ["KL-202610-0002", "CN-KL-202610-0001"]
        assert screen.focused is table
        await enter(pilot, "#to", "2026-10-01")  # from 2 Oct to 1 Oct: the engine says no
        error = await wait_for(pilot, ErrorModal)
        assert "after" in text(error.query_one("#dialog-body", Static))
        await pilot.press("escape")
        await pilot.press("x")  # clear
        await settle(pilot)
        assert table.row_count == 3 and screen.query_one("#from", Input).value == ""
        # location: tab to the select, open it, pick the second entry (Mid Valley, after KL Sentral)
        await pilot.press("f", "tab", "tab", "enter", "down", "down", "enter")
        await settle(pilot)
        assert screen.query_one("#location", Select).value == "Mid Valley"
        assert table.row_count == 0
        assert "Nothing matches" in text(screen.query_one("#empty-hint", Static))
        await pilot.press("escape", "x")
        await settle(pilot)
        assert table.row_count == 3


async def test_invoices_can_start_at_a_location_and_jump_to_a_number(posted, app):
    posted.add_location("Mid Valley")
    async with app.run_test(size=(80, 24)) as pilot:
        await open_screen(pilot, InvoicesScreen(location="Mid Valley"))
        screen = app.screen
        assert screen.query_one("#invoices", DataTable).row_count == 0
        await pilot.press("g", *"KL-9999", "enter")
        error = await wait_for(pilot, ErrorModal)
        assert "KL-9999" in text(error.query_one("#dialog-body", Static))
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("g")
        await pilot.pause()
        app.screen.query_one(Input).value = "CN-KL-202610-0001"
        await pilot.press("enter")
        detail = await wait_for(pilot, InvoiceDetailScreen)
        assert detail.number == "CN-KL-202610-0001"
        # a document opened by a number nobody checked: one error, then a page that says so
        app.push_screen(InvoiceDetailScreen("NOPE"))
        error = await wait_for(pilot, ErrorModal)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, InvoiceDetailScreen) and app.screen.number == "NOPE"
        assert "Could not open NOPE" in text(app.screen.query_one("#doc-summary", Static))


# -- one invoice ---------------------------------------------------------------------------------------


async def test_an_invoice_shows_lines_payments_taxes_history_and_its_credit_note(posted, app):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_screen(pilot, InvoiceDetailScreen("KL-202610-0002"))
        screen = app.screen
        summary = text(screen.query_one("#doc-summary", Static))
        assert "Invoice KL-202610-0002 · 2026-10-02 · posted · total MYR 2.80" in summary
        assert "To Cash Sales · KL Sentral · source: Shop files digest, version 1" in summary
        assert cells(screen.query_one("#lines", DataTable)) == [
            ["Item TEH", "TEH", "1", "2.80", "0.00", "0.00", "2.80", "4000"]]
        await pilot.press("right_square_bracket")
        assert screen.query_one(TabbedContent).active == "totals-pane"
        assert cells(screen.query_one("#payments", DataTable)) == [["GrabPay", "1030", "2.80"]]
        assert cells(screen.query_one("#taxes", DataTable)) == [["-", "2.80", "0.00"]]
        assert cells(screen.query_one("#totals", DataTable)) == [
            ["Subtotal", "2.80"], ["Discount", "0.00"], ["Service charge", "0.00"], ["Tax", "0.00"],
            ["Rounding", "0.00"], ["Total (MYR)", "2.80"]]
        await pilot.press("3")
        history = cells(screen.query_one("#history", DataTable))
        assert [(h[0], h[2]) for h in history] == [("2026-10-10 04:00", "posted")]
        assert "1 sale(s)" in text(screen.query_one("#history-detail", Static))
        await pilot.press("4")
        assert cells(screen.query_one("#linked", DataTable)) == [
            ["credited by", "CN-KL-202610-0001", "credit", "2026-10-02", "3.50"]]
        await pilot.press("enter")
        note = await wait_for(pilot, InvoiceDetailScreen, not_this=screen)
        await settle(pilot)
        assert note.number == "CN-KL-202610-0001"
        assert "Credit note CN-KL-202610-0001" in text(note.query_one("#doc-summary", Static))
        assert cells(note.query_one("#lines", DataTable)) == [
            ["Item KOPI", "KOPI", "1", "3.50", "0.00", "0.00", "3.50", "4010"]]
        assert [r[:2] for r in cells(note.query_one("#linked", DataTable))] == [["credits", "KL-202610-0002"]]
        await pilot.press("o")  # the only linked document, from any tab: back to the invoice, one screen up
        await settle(pilot)
        assert app.screen.number == "KL-202610-0002" and app.screen is not screen


async def test_the_source_key_opens_the_digest_the_document_came_from(posted, app, monkeypatch):
    opened = []
    monkeypatch.setattr(app, "make_screen", lambda name, **kwargs: opened.append((name, kwargs)) or Screen())
    async with app.run_test(size=(80, 24)) as pilot:
        await open_screen(pilot, InvoiceDetailScreen("KL-202610-0002"))
        await pilot.press("s")
        await pilot.pause()
    assert opened == [("digest", {"digest_id": posted.invoice("KL-202610-0002").row.digest_id})]


async def test_an_adjustment_is_linked_with_its_relation(posted, app, orders_dir):
    """1 Oct changes after posting (S2 voided): the 3.50 goes out on a credit note that adjusts KL-202610-0001."""
    orders = (orders_dir / "orders.ndjson").read_text().splitlines()
    write_ndjson(orders_dir / "orders.ndjson", [orders[0], S2_VOIDED, *orders[2:]])
    posted.sync(["Shop files"])
    [adjusted] = [o for o in posted.post(everything=True) if o.status == "adjusted"]
    assert adjusted.documents == [("credit_note", "CN-KL-202610-0002")]
    async with app.run_test(size=(80, 24)) as pilot:
        await open_screen(pilot, InvoicesScreen())
        screen = app.screen
        table = screen.query_one("#invoices", DataTable)
        assert [r[0] for r in cells(table)][:2] == ["KL-202610-0001", "CN-KL-202610-0002"]
        await pilot.press("down")  # highlighting a document finds out whether it is an adjustment
        await settle(pilot)
        assert cells(table)[1][1] == "credit adj"
        assert "Credit note (adjustment) CN-KL-202610-0002" in text(screen.query_one("#invoice-summary", Static))
        assert "adjusts KL-202610-0001" in text(screen.query_one("#invoice-summary", Static))
        await pilot.press("enter")
        note = await wait_for(pilot, InvoiceDetailScreen)
        await settle(pilot)
        assert "Credit note (adjustment) CN-KL-202610-0002" in text(note.query_one("#doc-summary", Static))
        assert [r[:2] for r in cells(note.query_one("#linked", DataTable))] == [["adjusts", "KL-202610-0001"]]
        await pilot.press("o")
        original = await wait_for(pilot, InvoiceDetailScreen, not_this=note)
        await settle(pilot)
        assert [r[:2] for r in cells(original.query_one("#linked", DataTable))] == [
            ["adjusted by", "CN-KL-202610-0002"]]
        assert [r[2] for r in cells(original.query_one("#history", DataTable))] == ["posted", "adjusted"]


# -- the ledger ----------------------------------------------------------------------------------------


async def test_the_trial_balance_balances_and_can_be_seen_as_of_a_day(posted, app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("l")  # from the home screen
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, LedgerScreen)
        rows = cells(screen.query_one("#balance", DataTable))
        assert rows == [
            ["1000", "Cash on Hand", "asset", "12.72", "3.50", "9.22"],
            ["1020", "Card Settlement Clearing", "asset", "3.50", "0.00", "3.50"],
            ["1030", "E-wallet Clearing", "asset", "2.80", "0.00", "2.80"],
            ["2100", "SST Payable", "liability", "0.00", "0.72", "-0.72"],
            ["4000", "Sales", "income", "0.00", "18.30", "-18.30"],
            ["4010", "Sales Returns", "income", "3.50", "0.00", "3.50"],
            ["Total", "", "", "22.52", "22.52", "0.00"],
        ]
        assert "Balanced: debits 22.52 = credits 22.52" in text(screen.query_one("#balance-status", Static))
        await pilot.press("f")
        assert screen.focused is screen.query_one("#as-of")
        await enter(pilot, "#as-of", "2026-10-01")
        rows = cells(screen.query_one("#balance", DataTable))
        assert [r[0] for r in rows] == ["1000", "1020", "2100", "4000", "Total"]
        assert rows[-1] == ["Total", "", "", "16.22", "16.22", "0.00"]
        assert "Balanced as of 2026-10-01" in text(screen.query_one("#balance-status", Static))
        await pilot.press("enter")  # 1000 Cash on Hand: its journal up to the same day
        await settle(pilot)
        assert screen.query_one(TabbedContent).active == "journal-pane"
        assert screen.query_one("#account", Select).value == "1000"
        assert [r[6] for r in cells(screen.query_one("#journal", DataTable))] == ["KL-202610-0001"]


async def test_the_journal_filters_by_account_and_dates_and_opens_documents(posted, app):
    async with app.run_test(size=(80, 24)) as pilot:
        await open_screen(pilot, LedgerScreen())
        screen = app.screen
        await pilot.press("j")
        table = screen.query_one("#journal", DataTable)
        assert screen.focused is table
        rows = cells(table)
        assert len(rows) == 8
        assert rows[0] == ["1", "2026-10-01", "1000", "Cash on Hand", "12.72", "0.00", "KL-202610-0001",
                           "Invoice KL-202610-0001"]
        assert "8 line(s) · debits 22.52 · credits 22.52" in text(screen.query_one("#journal-status", Static))
        # account: open the select and type to find 1000 Cash on Hand
        await pilot.press("f", "enter", *"1000", "enter")
        await settle(pilot)
        assert screen.query_one("#account", Select).value == "1000"
        assert [(r[6], r[4], r[5]) for r in cells(table)] == [
            ("KL-202610-0001", "12.72", "0.00"), ("CN-KL-202610-0001", "0.00", "3.50")]
        await enter(pilot, "#journal-from", "2026-10-02")
        assert [r[6] for r in cells(table)] == ["CN-KL-202610-0001"]
        assert screen.focused is table
        await pilot.press("x")
        await settle(pilot)
        assert table.row_count == 8
        await enter(pilot, "#journal-to", "2026-10-01")
        assert {r[6] for r in cells(table)} == {"KL-202610-0001"} and table.row_count == 4
        await pilot.press("enter")
        detail = await wait_for(pilot, InvoiceDetailScreen)
        await settle(pilot)
        assert detail.number == "KL-202610-0001"
        assert cells(detail.query_one("#lines", DataTable))[0][0] == "Item KOPI"


# -- snapshots -----------------------------------------------------------------------------------------


def _snapshot(make_screen, *keys):
    async def run_before(pilot) -> None:
        pilot.app.sub_title = "flow.duckdb"
        await settle(pilot)
        pilot.app.push_screen(make_screen())
        await settle(pilot)
        if keys:
            await pilot.press(*keys)
        await still(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_invoices(snap_compare, app, size):
    assert snap_compare(app, terminal_size=size, run_before=_snapshot(InvoicesScreen))


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_invoice_detail(snap_compare, app, size):
    assert snap_compare(app, terminal_size=size,
                        run_before=_snapshot(lambda: InvoiceDetailScreen("KL-202610-0001")))


def test_snapshot_invoice_totals(snap_compare, app):
    assert snap_compare(app, terminal_size=(80, 24),
                        run_before=_snapshot(lambda: InvoiceDetailScreen("KL-202610-0001"), "2"))


@pytest.mark.parametrize("size", SIZES)
def test_snapshot_trial_balance(snap_compare, app, size):
    assert snap_compare(app, terminal_size=size, run_before=_snapshot(LedgerScreen))


def test_snapshot_journal(snap_compare, app):
    assert snap_compare(app, terminal_size=(80, 24), run_before=_snapshot(LedgerScreen, "j"))
