"""The MiniPOS till in the console: checkout, payment, returns, voids and the day's close, by keyboard at 80x24.

The ``stall`` is a market stall at Pasar Seni (Kuala Lumpur, UTC+8) with a MiniPOS stream "Counter"
(auto invoice on). The clock is frozen at 2026-11-26T03:00:00Z, 11:00 on Thursday 26 November there.

    KOPI  Kopi O      3.50  barcode 9555001  SV6 6%
    ROTI  Roti Bakar  4.20  barcode 9555002  SV6 6%
    NASI  Nasi Lemak  7.90  no tax

Two Kopi O and a Roti Bakar: subtotal 7.00 + 4.20 = 11.20; tax 0.42 + 0.25 (0.252) = 0.67; total 11.87.
Paid 5.00 by card, the rest (6.87) in cash is rounded to 6.85 (7 sen rounds down to 5): the order's total
is 11.85 with rounding -0.02; 10.00 in cash gives 3.15 change.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from textual import events
from textual.widgets import DataTable, Input, Select, Static

from flowtui.app import FlowApp
from flowtui.engine.minipos.checkout import Tender
from flowtui.engine.setup.streams import StreamSettings
from flowtui.screens.common.modals import ConfirmModal, PromptModal
from flowtui.screens.connect import ConnectScreen
from flowtui.screens.minipos.checkout import CheckoutScreen
from flowtui.screens.minipos.till_day import TillDayScreen
from flowtui.screens.minipos.till_modals import CloseDayModal, InfoModal, PaymentModal, ReceiptModal, ReturnModal
from tests.tui.conftest import burst, keys_handled
from tests.tui.waiting import settle, still, until

NOW = "2026-11-26T03:00:00Z"


@pytest.fixture
def stall(flow, monkeypatch):
    monkeypatch.setenv("FLOWTUI_NOW", NOW)
    flow.init(name="Pasar Sdn Bhd")
    flow.add_location("Pasar Seni")
    flow.add_product("KOPI", "Kopi O", "3.50", "1.20", barcode="9555001", tax_code="SV6", tax_rate="6%")
    flow.add_product("ROTI", "Roti Bakar", "4.20", "1.50", barcode="9555002", tax_code="SV6", tax_rate="6%")
    flow.add_product("NASI", "Nasi Lemak", "7.90", "3.00")
    flow.add_stream("Counter", "minipos", {"location": "Pasar Seni"}, StreamSettings(auto_invoice=True))
    return flow


@pytest.fixture
def app(stall):
    return FlowApp(stall, keymap={})


def sell_one(flow) -> None:
    """Order 000001 through the service: 2 KOPI + 1 ROTI, card 5.00 and the rest (6.85) in cash."""
    till = flow.till("Counter")
    till.ring_up(till.cart([("KOPI", "2"), ("ROTI", "1")]), [Tender("Card", D("5.00")), Tender("Cash")])


async def open_till(pilot) -> CheckoutScreen:
    """From Streams, p opens the till of the highlighted MiniPOS stream."""
    await settle(pilot)
    await pilot.press("p")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CheckoutScreen)
    return pilot.app.screen


def cart_rows(screen) -> list[list[str]]:
    table = screen.query_one("#cart", DataTable)
    return [[str(getattr(c, "plain", c)) for c in table.get_row_at(i)] for i in range(table.row_count)]


def text_of(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).render())


async def test_a_full_checkout_with_a_split_payment_and_cash_rounding(app, stall):
    async with app.run_test(size=(80, 24)) as pilot:
        till = await open_till(pilot)
        await pilot.press(*"kopi", "enter")  # the name's match
        await pilot.press("plus")  # an empty search: + adds one more of the highlighted line
        await pilot.press(*"roti", "enter")
        assert cart_rows(till) == [["KOPI", "Kopi O", "2", "3.50", "", "7.00"],
                                   ["ROTI", "Roti Bakar", "1", "4.20", "", "4.20"]]
        totals = text_of(till, "#totals")
        assert "subtotal 11.20" in totals and "tax 0.67" in totals and "TOTAL 11.87" in totals
        assert "in cash 11.85" in totals

        await pilot.press("f5")
        await pilot.pause()
        pay = app.screen
        assert isinstance(pay, PaymentModal)
        await pilot.press("down", *"5", "up")  # Card 5.00, back to Cash
        await pilot.pause()
        assert "6.87 is still to pay" in text_of(pay, "#pay-summary") or "short" in text_of(pay, "#pay-summary")
        await pilot.press("enter")  # an empty Cash: pays the rest, rounded
        assert pay.query_one("#pay-0", Input).value == "6.85"
        await pilot.press("ctrl+u", *"10")
        await pilot.pause()
        summary = text_of(pay, "#pay-summary")
        assert "Card 5.00, Cash 6.85" in summary and "rounding -0.02" in summary and "CHANGE 3.15" in summary
        await pilot.press("enter")
        await settle(pilot)

        receipt = app.screen
        assert isinstance(receipt, ReceiptModal)
        assert receipt.heading == "Sale 000001 saved" and receipt.note == "CHANGE 3.15"
        body = text_of(receipt, "#receipt")
        assert "Total (rounded)                    11.85" in body and "Cash                               10.00" in body
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is till and cart_rows(till) == [] and app.focused is till.query_one("#search")

    sale = stall.till("Counter").order("1")
    assert (sale.kind, sale.status, sale.subtotal, sale.tax, sale.rounding, sale.total) == (
        "sale", "completed", D("11.20"), D("0.67"), D("-0.02"), D("11.85"))
    assert sale.payments == (("Card", D("5.00")), ("Cash", D("6.85")))
    assert [(line["sku"], line["quantity"]) for line in sale.lines] == [("KOPI", D(2)), ("ROTI", D(1))]


async def test_keys_in_one_burst_go_where_each_lands_even_into_a_dialog_the_burst_opened(app):
    """f5 opens the payment dialog; the keys after it in the same burst belong to the dialog, not to the search."""
    async with app.run_test(size=(80, 24)) as pilot:
        till = await open_till(pilot)
        burst(app, *"kopi", "enter", "f5", "down", "2", "up", "1", "0")
        await keys_handled(pilot)
        await settle(pilot)
        pay = app.screen
        assert isinstance(pay, PaymentModal)
        assert [pay.query_one(f"#pay-{i}", Input).value for i in range(3)] == ["10", "2", ""]  # Cash 10, Card 2
        assert till.query_one("#search", Input).value == ""
        burst(app, "enter")
        await keys_handled(pilot)
        await settle(pilot)
        # 3.71 due: card 2.00, the rest in cash rounded to 1.70, so 10.00 in cash gives 8.30 change
        assert isinstance(app.screen, ReceiptModal) and app.screen.note == "CHANGE 8.30"


async def test_a_scanner_adds_at_once_and_an_unknown_code_is_kept_to_fix(app):
    async with app.run_test(size=(80, 24)) as pilot:
        till = await open_till(pilot)
        await pilot.press(*"9555002", "enter", *"9555002", "enter", *"3*9555001", "enter")
        assert [row[:3] for row in cart_rows(till)] == [["ROTI", "Roti Bakar", "2"], ["KOPI", "Kopi O", "3"]]
        await pilot.press(*"4242", "enter")
        await pilot.pause()
        assert "No product" in text_of(till, "#till-status")
        search = till.query_one("#search", Input)
        assert search.value == "4242" and search.selected_text == "4242"  # the next scan replaces it
        await pilot.press(*"9555001", "enter")
        assert [row[:3] for row in cart_rows(till)] == [["ROTI", "Roti Bakar", "2"], ["KOPI", "Kopi O", "4"]]

        # the cart's keys: tab to it, a 10% line discount on KOPI (14.00 -> 1.40 off), remove ROTI
        await pilot.press("tab", "d")
        await pilot.pause()
        assert isinstance(app.screen, PromptModal)
        await pilot.press(*"10%", "enter")
        await pilot.pause()
        assert cart_rows(till)[1] == ["KOPI", "Kopi O", "4", "3.50", "1.40", "12.60"]
        await pilot.press("up", "x")
        assert [row[0] for row in cart_rows(till)] == ["KOPI"]


async def test_two_scans_in_one_burst_are_two_items(app):
    """A scanner types faster than the screen reacts: each enter still submits its own code."""
    async with app.run_test(size=(80, 24)) as pilot:
        till = await open_till(pilot)
        for char in "9555002\r9555003\r":  # NASI has no barcode: 9555003 is not found
            key = "enter" if char == "\r" else char
            app.post_message(events.Key(key, None if key == "enter" else char))
        await keys_handled(pilot)
        await settle(pilot)
        assert [row[:3] for row in cart_rows(till)] == [["ROTI", "Roti Bakar", "1"]]
        assert till.query_one("#search", Input).value == "9555003"


async def test_a_return_against_an_earlier_order(app, stall):
    sell_one(stall)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_till(pilot)
        await pilot.press("f7")
        await pilot.pause()
        await pilot.press("1", "enter")
        await settle(pilot)
        modal = app.screen
        assert isinstance(modal, ReturnModal)
        await pilot.press("plus")  # one of the two KOPI: 3.50 + 0.21 tax = 3.71, 3.70 in cash
        await pilot.pause()
        assert text_of(modal, "#return-summary") == "Refund 3.70 by Cash (rounded -0.01)"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReceiptModal)
        assert app.screen.heading == "Refund 000002 saved (returns 000001)"
        await pilot.press("enter")

    refund = stall.till("Counter").order("2")
    assert (refund.kind, refund.original, refund.total, refund.rounding) == ("return", "000001", D("3.70"), D("-0.01"))
    assert refund.payments == (("Cash", D("3.70")),)
    _, sold = stall.till("Counter").returnable("1")
    assert {line.sku: line.returnable for line in sold} == {"KOPI": D(1), "ROTI": D(1)}


async def test_void_the_last_order_after_saying_which_it_is(app, stall):
    sell_one(stall)
    async with app.run_test(size=(80, 24)) as pilot:
        till = await open_till(pilot)
        await pilot.press("f8")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal)
        assert "Void order 000001, a sale of 11.85 (Card 5.00, Cash 6.85)?" in str(
            app.screen.query_one("#dialog-body").render())
        await pilot.press("y")
        await settle(pilot)
        assert "Voided order 000001" in text_of(till, "#till-status")

    assert stall.till("Counter").order("1").status == "voided"
    assert stall.till("Counter").day().by_method == {}


async def test_the_day_view_and_its_close_post_the_invoice(app, stall):
    sell_one(stall)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_till(pilot)
        await pilot.press("f9")
        await settle(pilot)
        day = app.screen
        assert isinstance(day, TillDayScreen)
        orders = day.query_one("#day-orders", DataTable)
        assert [str(getattr(c, "plain", c)) for c in orders.get_row_at(0)] == [
            "000001", "11:00", "sale", "completed", "11.85"]
        assert text_of(day, "#day-summary").startswith("Thu 26 Nov 2026 (UTC+8) · ")  # the zone of its times
        assert "Expected cash 6.85" in text_of(day, "#day-cash")

        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, CloseDayModal)
        await pilot.press(*"100", "enter", *"106.90")
        await pilot.pause()
        summary = text_of(app.screen, "#close-summary")
        assert "Expected cash in the drawer 106.85" in summary and "over by 0.05" in summary
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, InfoModal)
        report = str(app.screen.query_one("#dialog-body").render())
        assert "Counted 106.90: over by 0.05." in report and "Posted INV-202611-00001." in report
        await pilot.press("enter")
        await settle(pilot)
        assert "closed 11:00" in text_of(day, "#day-summary")

    closed = stall.till("Counter").day()
    assert (closed.opening_float, closed.counted_cash, closed.over_short) == (D("100.00"), D("106.90"), D("0.05"))
    assert stall.invoice("INV-202611-00001") is not None


async def test_a_close_with_no_float_typed_closes_with_none(app, stall):
    sell_one(stall)  # 6.85 in cash
    async with app.run_test(size=(80, 24)) as pilot:
        await open_till(pilot)
        await pilot.press("f9")
        await settle(pilot)
        await pilot.press("c")
        await pilot.pause()
        await pilot.press("tab", *"6.85", "enter")  # the float left blank: nothing in the drawer at the start
        await settle(pilot)
        assert isinstance(app.screen, InfoModal), app.screen
        assert "Posted INV-202611-00001." in str(app.screen.query_one("#dialog-body").render())
    closed = stall.till("Counter").day()
    assert (closed.opening_float, closed.counted_cash, closed.over_short) == (D("0.00"), D("6.85"), D("0.00"))


async def test_the_till_opens_only_for_minipos_streams(stall, tmp_path):
    folder = tmp_path / "orders"
    folder.mkdir()
    stall.add_stream("Shop files", "file", {"path": str(folder)}, StreamSettings())
    app = FlowApp(stall, keymap={})
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        table.move_cursor(row=table.get_row_index("Shop files"))
        await pilot.press("p")
        await settle(pilot)
        assert not isinstance(app.screen, CheckoutScreen)
        assert any("MiniPOS" in str(n.message) for n in app._notifications)


async def test_connect_a_minipos_stream_needs_only_a_name_and_a_location(app, stall):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ConnectScreen)
        screen.query_one("#provider", Select).value = "minipos"
        await pilot.pause()
        assert screen.query_one("#fields-minipos").display and not screen.query_one("#fields-storehub").display
        screen.query_one("#name", Input).focus()
        await pilot.press(*"Stall 2", "ctrl+s")
        await pilot.pause()
        assert "Pick the location" in str(screen.query_one("#location-error", Static).render())
        screen.query_one("#location", Select).value = "Pasar Seni"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ConnectScreen)

    made = next(s.stream for s in stall.streams() if s.stream.name == "Stall 2")
    assert made.provider == "minipos" and stall.till("Stall 2").location == "Pasar Seni"


# -- snapshots at 80x24 ------------------------------------------------------------------------------


def _prepared(*keys: str):
    async def run_before(pilot) -> None:
        pilot.app.sub_title = "flow.duckdb"
        await open_till(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        await still(pilot)

    return run_before


def test_snapshot_checkout_with_a_cart(snap_compare, app):
    keys = [*"9555001", "enter", "plus", *"roti", "enter", *"nasi", "enter", "tab", "d", *"1.00", "enter", "f6",
            *"5%", "enter"]
    assert snap_compare(app, terminal_size=(80, 24), run_before=_prepared(*keys))


def test_snapshot_payment(snap_compare, app):
    keys = [*"kopi", "enter", "plus", *"roti", "enter", "f5", "down", *"5", "up", *"10"]
    assert snap_compare(app, terminal_size=(80, 24), run_before=_prepared(*keys))


def test_snapshot_day_view(snap_compare, app, stall):
    sell_one(stall)
    till = stall.till("Counter")
    till.refund("1", {"ROTI": D(1)}, "Card")

    async def run_before(pilot) -> None:
        await _prepared("f9")(pilot)
        screen = pilot.app.screen
        assert isinstance(screen, TillDayScreen)
        # the day is read in a worker; its rows are laid out when the table is next idle
        await until(pilot, lambda: screen.day is not None and screen.query_one("#day-orders", DataTable).row_count == 2)
        await still(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_a_sale_saved_without_its_digest_leaves_the_day_pending_until_it_catches_up(stall):
    """The console saves a sale first and brings the day's digest up to date behind the receipt."""
    till = stall.till("Counter")
    till.ring_up(till.cart([("KOPI", "2"), ("ROTI", "1")]), [Tender("Card", D("5.00")), Tender("Cash")], follow=False)
    assert stall.pending_days() == 1 and not [d for d in stall.digests() if d.stream == "Counter"]
    till.catch_up()
    assert stall.pending_days() == 0
    [digest] = [d for d in stall.digests() if d.stream == "Counter"]
    assert (digest.order_count, digest.amount) == (1, D("11.85"))


async def test_a_sale_in_the_console_reaches_its_day_digest_once_the_receipt_is_up(app, stall):
    async with app.run_test(size=(80, 24)) as pilot:
        till = await open_till(pilot)
        await pilot.press(*"kopi", "enter")
        await pilot.press("f5")
        await pilot.pause()
        await pilot.press("enter", "enter")  # the rest in cash, then confirm
        await settle(pilot)
        assert isinstance(app.screen, ReceiptModal) and app.screen.heading == "Sale 000001 saved"
        await until(pilot, lambda: stall.pending_days() == 0)
        [digest] = [d for d in stall.digests() if d.stream == "Counter"]
        assert (digest.order_count, digest.amount) == (1, D("3.70"))
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is till
