"""At 80 columns nothing an operator needs falls off the footer: escape, ? help and each screen's most used keys.

The other keys of a screen stay in help (``?``) and the command palette, and come back to the footer as it widens.
"""

from __future__ import annotations

import pytest
from textual.widgets._footer import FooterKey

from flowtui.app import FlowApp
from flowtui.engine.setup.streams import StreamSettings
from flowtui.screens.common.footer import SteadyFooter
from tests.tui.waiting import settle

SIZES = [(64, 24), (80, 24), (120, 30)]  # (at 64 the palette key gives its room)

# screen (as the registry names it), its arguments, what its most used keys do (the footer shows them at any width)
SCREENS = [
    ("streams", {}, ["Digests", "Sync now", "Quit", "Columns"]),
    ("digests", {}, ["Open", "Post", "Filter", "Columns"]),
    ("digest", {"digest_id": 1}, ["Post", "Invoice"]),
    ("invoices", {}, ["Open", "Go to number", "Filter", "Columns"]),
    ("invoice", {"number": "KL-202610-0001"}, ["Print PDF", "Next tab", "Columns"]),
    ("ledger", {}, ["Open", "Filter", "Journal", "Columns"]),
    ("mappings", {"stream": "Shop files"}, ["Edit", "Locations", "Payments", "Columns"]),
    ("connect", {}, ["Test", "Create"]),
    ("settings", {"stream": "Shop files"}, ["Save"]),
]


def footer_keys(app) -> list[str]:
    """The keys the footer draws inside the terminal, as ``key Description``."""
    footer = app.screen.query_one(SteadyFooter)
    return [f"{key.key_display} {key.description}" for key in footer.query(FooterKey)
            if key.region.width and key.region.right <= app.size.width and "-command-palette" not in key.classes]


def help_is_active(app) -> bool:
    """Whether ``?`` opens help where the focus is (a focused text input takes ``?`` as typing)."""
    return any(active.binding.id == "app.help" for active in app.screen.active_bindings.values())


async def show(pilot, name: str, kwargs: dict) -> None:
    await settle(pilot)
    if name != "streams":
        pilot.app.push_screen(pilot.app.make_screen(name, **kwargs))
    await settle(pilot)
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize(("name", "kwargs", "keys"), SCREENS, ids=[s[0] for s in SCREENS])
async def test_the_footer_keeps_escape_help_and_the_screens_main_keys_at_any_width(posted_app, size, name, kwargs,
                                                                                    keys):
    async with posted_app.run_test(size=size) as pilot:
        await show(pilot, name, kwargs)
        shown = footer_keys(pilot.app)
        described = [key.split(" ", 1)[1] for key in shown]
        assert [key for key in keys if key not in described] == [], shown
        if help_is_active(pilot.app):
            assert shown[-1] == "? Help"
        if name != "streams":
            assert shown[0] == "esc Back"


async def test_a_wider_terminal_shows_more_keys_and_the_rest_stay_in_help(posted_app):
    async with posted_app.run_test(size=(80, 24)) as pilot:
        await show(pilot, "digests", {})
        narrow = footer_keys(pilot.app)
        await pilot.resize_terminal(160, 30)
        await settle(pilot)
        await pilot.pause()
        wide = footer_keys(pilot.app)
        assert set(narrow) < set(wide)
        assert "] Next page" in wide and "] Next page" not in narrow
        await pilot.press("question_mark")
        await settle(pilot)
        listed = [str(pilot.app.screen.query_one("#help-keys").get_row_at(i)[1])
                  for i in range(pilot.app.screen.query_one("#help-keys").row_count)]
        assert "Next page" in listed


@pytest.fixture
def till_app(flow, monkeypatch):
    monkeypatch.setenv("FLOWTUI_NOW", "2026-10-10T04:00:00Z")
    flow.init(name="Pasar Sdn Bhd")
    flow.add_location("Pasar Seni")
    flow.add_product("KOPI", "Kopi O", "3.50", "1.20")
    flow.add_stream("Counter", "minipos", {"location": "Pasar Seni"}, StreamSettings(auto_invoice=True))
    return FlowApp(flow, keymap={})


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_the_tills_footer_keeps_back_help_and_pay(till_app, size):
    async with till_app.run_test(size=size) as pilot:
        for name in ("till", "till-day"):
            await show(pilot, name, {"stream": "Counter"})
            shown = footer_keys(pilot.app)
            assert "esc Back" in shown and ("? Help" in shown or not help_is_active(pilot.app))
            assert ("f5 Pay" in shown) if name == "till" else ("c Close day" in shown)
