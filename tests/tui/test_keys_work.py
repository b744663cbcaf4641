"""Keys where work is open: the till (? is help, ctrl+q and F8 ask or say), stream settings with unsaved changes."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from flowtui.app import FlowApp
from flowtui.engine.minipos.checkout import Tender
from flowtui.engine.setup.streams import StreamSettings
from flowtui.screens.common.modals import ConfirmModal, UnsavedModal
from flowtui.screens.minipos.checkout import CheckoutScreen
from flowtui.screens.stream_settings import StreamSettingsScreen
from flowtui.screens.streams import StreamsScreen
from tests.tui.test_keys import help_rows, settle

# -- the till: ? is help, ctrl+q asks like escape, F8 says what is voided ---------------------------------------------------

@pytest.fixture
def stall(flow, monkeypatch):
    monkeypatch.setenv("FLOWTUI_NOW", "2026-11-26T03:00:00Z")
    flow.init(name="Pasar Sdn Bhd")
    flow.add_location("Pasar Seni")
    flow.add_product("KOPI", "Kopi O", "3.50", "1.20", barcode="9555001")
    flow.add_stream("Counter", "minipos", {"location": "Pasar Seni"}, StreamSettings())
    return flow


@pytest.fixture
def till_app(stall):
    return FlowApp(stall, keymap={})


async def open_till(pilot) -> CheckoutScreen:
    await settle(pilot)
    await pilot.press("p")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CheckoutScreen)
    return pilot.app.screen


async def test_question_mark_opens_help_from_the_tills_search_line_and_lists_the_tills_keys_first(till_app):
    app = till_app
    async with app.run_test(size=(80, 24)) as pilot:
        till = await open_till(pilot)
        assert app.focused is till.query_one("#search")
        await pilot.press("question_mark")
        await settle(pilot)
        rows = help_rows(app)
        assert till.query_one("#search", Input).value == ""  # not typed into the search line
        actions = [description for _, description, _ in rows]
        assert actions[0] == "Pay" and "Void" in actions
        assert actions.index("Void") < actions.index("Help") < actions.index("Streams") < actions.index("Submit")
        await pilot.press("question_mark")  # ? again closes it
        await settle(pilot)
        assert app.screen is till


async def test_ctrl_q_in_the_till_with_an_open_cart_asks_first(till_app):
    app = till_app
    async with app.run_test(size=(80, 24)) as pilot:
        till = await open_till(pilot)
        await pilot.press(*"KOPI", "enter")
        await settle(pilot)
        assert not till.cart.empty
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmModal) and app.return_code is None
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is till and not till.cart.empty and app.return_code is None
        await pilot.press("ctrl+q", "y")
        await settle(pilot)
        assert app.return_code == 0


async def test_ctrl_q_with_an_empty_cart_quits_at_once(till_app):
    app = till_app
    async with app.run_test(size=(80, 24)) as pilot:
        await open_till(pilot)
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert app.return_code == 0


async def test_f8_says_the_last_order_is_already_voided_instead_of_offering_to_void_it(till_app, stall):
    till = stall.till("Counter")
    till.ring_up(till.cart([("KOPI", "1")]), [Tender("Cash")])
    till.void_last()
    app = till_app
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_till(pilot)
        await pilot.press("f8")
        await settle(pilot)
        assert app.screen is screen
        assert "000001 is already voided" in str(screen.query_one("#till-status").render())
        await pilot.press("K")  # typing again: the complaint goes
        await settle(pilot)
        assert "already voided" not in str(screen.query_one("#till-status").render())


# -- leaving stream settings with changes ----------------------------------------------------------

async def change_store_name(pilot, name: str) -> StreamSettingsScreen:
    app = pilot.app
    await settle(pilot)
    await pilot.press("e")
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, StreamSettingsScreen) and app.focused is screen.query_one("#store-name")
    await pilot.press(*name)
    await pilot.press("escape")
    await settle(pilot)
    assert isinstance(app.screen, UnsavedModal)
    return screen


async def test_escape_from_settings_with_changes_asks_and_escape_again_stays(app, shop):
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await change_store_name(pilot, "Kopi KL")
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and screen.query_one("#store-name", Input).value == "Kopi KL"
        await pilot.press("escape", "d")  # discard
        await settle(pilot)
        assert isinstance(app.screen, StreamsScreen)
    assert shop.streams()[0].stream.store_name is None


async def test_escape_from_settings_with_changes_can_save_them_and_leave(app, shop):
    async with app.run_test(size=(80, 24)) as pilot:
        await change_store_name(pilot, "Kopi KL")
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, StreamsScreen)
    assert shop.streams()[0].stream.store_name == "Kopi KL"


async def test_escape_from_settings_without_changes_just_leaves(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, StreamsScreen)


async def test_the_settings_status_line_clears_once_its_cause_is_gone(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        screen = app.screen
        status = screen.query_one("#status")
        lookback = screen.query_one("#lookback", Input)
        lookback.value = "99"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "fix the marked fields" in str(status.render())
        lookback.value = "5"  # fixed
        await settle(pilot)
        assert str(status.render()).strip() == ""
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Saved" in str(status.render())
        lookback.value = "6"  # changed again: no longer saved
        await settle(pilot)
        assert "Saved" not in str(status.render())


async def test_ctrl_q_in_settings_with_changes_asks_the_same(app):
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await change_store_name(pilot, "Kopi KL")
        await pilot.press("escape")  # stay
        await settle(pilot)
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert isinstance(app.screen, UnsavedModal) and "quitting" in str(app.screen.query_one("#dialog-body").render())
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen and app.return_code is None
        await pilot.press("ctrl+q", "d")
        await settle(pilot)
        assert app.return_code == 0
