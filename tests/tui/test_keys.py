"""Keys that do what they say: the palette, help, enter on a stream, F1-F4 and the stacks, quitting with work open."""

from __future__ import annotations

import random

import pytest
from textual.command import CommandList, CommandPalette
from textual.widgets import Input

from flowtui.app import FlowApp
from flowtui.engine.core.errors import FlowError
from flowtui.engine.minipos.checkout import Tender
from flowtui.engine.setup.streams import StreamSettings
from flowtui.screens.common.help import HelpScreen
from flowtui.screens.common.modals import ConfirmModal, UnsavedModal
from flowtui.screens.digest_detail import DigestDetailScreen
from flowtui.screens.digests import DigestsScreen
from flowtui.screens.invoice_detail import InvoiceDetailScreen
from flowtui.screens.invoices import InvoicesScreen
from flowtui.screens.ledger import LedgerScreen
from flowtui.screens.minipos.checkout import CheckoutScreen
from flowtui.screens.stream_settings import StreamSettingsScreen
from flowtui.screens.streams import StreamsScreen
from tests.tui.conftest import keys_handled
from tests.tui.waiting import until


async def settle(pilot) -> None:
    await keys_handled(pilot)
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def palette_titles(app) -> list[str]:
    options = app.screen.query_one(CommandList)
    return [str(options.get_option_at_index(i).prompt).split("\n")[0] for i in range(options.option_count)]


async def test_the_palette_lists_the_screens_actions_and_the_apps_and_runs_them_on_that_screen(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        digests = app.screen
        assert isinstance(digests, DigestsScreen)
        await pilot.press("ctrl+p")
        await settle(pilot)
        assert isinstance(app.screen, CommandPalette)
        titles = "\n".join(palette_titles(app))
        for action in ("Post", "Filter", "Sort", "Go to date", "Help", "Streams", "Invoices", "Ledger", "Quit"):
            assert action in titles, titles
        assert "Cursor up" not in titles  # the table's own keys stay in help
        await pilot.press(*"filter")
        await until(pilot, lambda: "Filter" in palette_titles(app)[:1])
        await pilot.press("enter")
        await settle(pilot)
        assert type(app.screen).__name__ == "DigestFilterModal"  # f's action, run on the digests screen


# -- the till: ? is help, ctrl+q asks like escape ---------------------------------------------------

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


def help_rows(app) -> list[tuple[str, str, str]]:
    assert isinstance(app.screen, HelpScreen)
    return app.screen.rows


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


async def test_help_on_a_table_lists_the_screens_keys_then_the_apps_then_the_tables(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        actions = [description for _, description, _ in help_rows(app)]
        assert actions[0] == "Connect" and "Cursor up" in actions
        assert actions.index("Quit") < actions.index("Help") < actions.index("Streams") < actions.index("Cursor up")
        assert ("d", "Digests", "streams.digests") in help_rows(app)


async def test_a_question_mark_is_typed_where_a_field_takes_free_text(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n")  # connect: the stream's name comes first
        await settle(pilot)
        await pilot.press(*"Who?")
        await settle(pilot)
        assert app.screen.query_one("#name", Input).value == "Who?"


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


async def test_enter_on_a_stream_opens_its_digests(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DigestsScreen) and app.screen.filter.stream == "Shop files"


# -- keys a browser keeps: each action has another ---------------------------------------------------

async def test_alt_t_tests_the_connection_from_a_field_where_ctrl_t_would_open_a_browser_tab(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        name = app.screen.query_one("#name", Input)
        assert app.focused is name
        await pilot.press("alt+t")
        await settle(pilot)
        assert name.value == ""  # not typed
        assert "Not tested: fix the marked fields." in str(app.screen.query_one("#status").render())
        await pilot.press("ctrl+p", *"Help")  # (? is typed in a text field: the palette reaches help)
        await until(pilot, lambda: "Help" in palette_titles(app)[:1])
        await pilot.press("enter")
        await settle(pilot)
        assert ("^t, alt+t", "Test", "connect.test") in help_rows(app)


# -- F1-F4 and the stacks: one screen of a kind, escape leads home -----------------------------------

HOMES = {"streams": StreamsScreen, "digests": DigestsScreen, "invoices": InvoicesScreen, "ledger": LedgerScreen}


def kinds(app) -> dict[str, list[str]]:
    """Each mode's screens (dialogs left out) by kind, bottom first."""
    return {mode: [type(s).__name__ for s in stack if not s.is_modal] for mode, stack in app._screen_stacks.items()}


def assert_one_of_a_kind(app) -> None:
    for mode, stack in kinds(app).items():
        assert len(stack) == len(set(stack)), f"{mode}: {stack}"
        for home, kind in HOMES.items():
            assert kind.__name__ not in stack[1:], f"{mode}: {stack}"  # a home only at the bottom...
            if kind.__name__ in stack[:1]:
                assert mode == home, f"{mode}: {stack}"  # ... of its own mode


async def escape_home(pilot, bound: int = 12) -> int:
    """Escape until the streams are shown; how many presses that took."""
    app = pilot.app
    for presses in range(bound + 1):
        if app.current_mode == "streams" and isinstance(app.screen, StreamsScreen):
            return presses
        await pilot.press("escape")
        await settle(pilot)
    raise AssertionError(f"still not home after {bound} escapes: {app.current_mode} {kinds(app)}")


async def test_opening_a_stream_s_digests_goes_to_the_digests_mode_and_f2_finds_them_there(posted_app):
    app = posted_app
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        digests = app.screen
        assert app.current_mode == "digests" and isinstance(digests, DigestsScreen)
        assert digests.filter.stream == "Shop files"
        await pilot.press("f1", "d", "f1", "f2")
        await settle(pilot)
        assert app.screen is digests and kinds(app) == {"streams": ["StreamsScreen"], "digests": ["DigestsScreen"]}
        assert await escape_home(pilot) == 1


async def test_a_screen_opened_again_from_above_it_is_gone_back_to_not_stacked(posted_app):
    """digest -> its invoice -> its source (that digest): back at the digest, not a third screen on top."""
    app = posted_app
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f2", "enter")
        await settle(pilot)
        digest = app.screen
        assert isinstance(digest, DigestDetailScreen)
        for _ in range(3):
            await pilot.press("i")
            await settle(pilot)
            assert isinstance(app.screen, InvoiceDetailScreen)
            await pilot.press("s")
            await settle(pilot)
            assert app.screen is digest
        assert kinds(app)["digests"] == ["DigestsScreen", "DigestDetailScreen"]
        assert await escape_home(pilot) == 2


async def test_from_wherever_the_keys_lead_escape_returns_to_the_streams_and_no_stack_holds_two_of_a_kind(posted_app):
    app = posted_app
    walk = random.Random(17)
    keys = ["f1", "f2", "f3", "f4", "d", "m", "j", "e", "escape", "down", *["enter", "i", "o", "s"] * 2]
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        for step in range(100):
            key = walk.choice(keys)
            if key == "s" and isinstance(app.screen, StreamsScreen):
                continue  # (a sync: not a way between screens)
            if isinstance(app.screen, StreamSettingsScreen):
                key = "escape"  # (keys typed into its fields are edits, which escape asks about: see below)
            await pilot.press(key)
            await settle(pilot)
            assert_one_of_a_kind(app)
            if step % 25 == 24:
                await escape_home(pilot)
        await escape_home(pilot)


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


# -- go to a number in any case; no void of a voided order; status lines that stop being true --------

async def test_go_to_an_invoice_number_typed_in_lower_case(posted_app):
    app = posted_app
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f3", "g")
        await settle(pilot)
        await pilot.press(*"kl-202610-0002", "enter")
        await settle(pilot)
        assert isinstance(app.screen, InvoiceDetailScreen) and app.screen.number == "KL-202610-0002"


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


async def test_a_digests_page_that_cannot_be_read_says_so_instead_of_loading(app, shop, monkeypatch):
    read, locked = shop.digest_page, [True]

    def refuse(*args, **kwargs):
        if locked:
            raise FlowError("The books are locked by another flowtui.")
        return read(*args, **kwargs)

    monkeypatch.setattr(shop, "digest_page", refuse)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f2")
        await settle(pilot)
        await pilot.press("escape")  # the error
        await settle(pilot)
        assert "Not loaded" in str(app.screen.query_one("#digests-status").render())
        locked.clear()
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "rows 1-2 of 2" in str(app.screen.query_one("#digests-status").render())


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
