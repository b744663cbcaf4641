"""Keys that do what they say: the palette, help, enter on a stream, keys a browser keeps, F1-F4 and the stacks."""

from __future__ import annotations

import random

from textual.command import CommandList, CommandPalette
from textual.widgets import Input

from flowtui.engine.core.errors import FlowError
from flowtui.screens.common.help import HelpScreen
from flowtui.screens.digest_detail import DigestDetailScreen
from flowtui.screens.digests import DigestsScreen
from flowtui.screens.invoice_detail import InvoiceDetailScreen
from flowtui.screens.invoices import InvoicesScreen
from flowtui.screens.ledger import LedgerScreen
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


def help_rows(app) -> list[tuple[str, str, str]]:
    assert isinstance(app.screen, HelpScreen)
    return app.screen.rows


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


# -- go to a number in any case; status lines that stop being true ---------------------------------------

async def test_go_to_an_invoice_number_typed_in_lower_case(posted_app):
    app = posted_app
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f3", "g")
        await settle(pilot)
        await pilot.press(*"kl-202610-0002", "enter")
        await settle(pilot)
        assert isinstance(app.screen, InvoiceDetailScreen) and app.screen.number == "KL-202610-0002"


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
