"""A source plug-in on the console's Connect screen: its fields come from its declaration, nothing else.

The plug-in (tests/plugin_factory.py) is put on ``sys.path`` as an installed distribution would be, and the
registry looks again; afterwards it is forgotten, so no other test sees it.
"""

from __future__ import annotations

import sys

import pytest
from textual.widgets import Input, Select, SelectionList, Static

from flowtui.connectors import registry
from flowtui.screens.connect import ConnectScreen
from flowtui.screens.streams import StreamsScreen
from tests.plugin_factory import TOKEN, acme_plugin, broken_plugin
from tests.tui.test_setup_screens import error_line, fill, pick_option, settle, stream, type_into


def _installed(monkeypatch, folder, *packages):
    monkeypatch.syspath_prepend(str(folder))  # also invalidates the import caches, so the dist-info is seen
    registry.rediscover()
    yield
    for package in packages:
        sys.modules.pop(package, None)
    monkeypatch.undo()
    registry.rediscover()


@pytest.fixture
def acme(tmp_path, monkeypatch):
    yield from _installed(monkeypatch, acme_plugin(tmp_path / "site"), "acme_pos")


@pytest.fixture
def broken(tmp_path, monkeypatch):
    yield from _installed(monkeypatch, broken_plugin(tmp_path / "site"), "broken_pos")


async def test_a_plugin_source_is_offered_asks_its_own_fields_and_connects(acme, app, shop):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ConnectScreen)
        await pick_option(pilot, "provider", "acme")
        assert screen.query_one("#fields-acme").display and not screen.query_one("#fields-storehub").display
        assert not screen.query_one("#fields-file").display and screen.query_one("#fields-start-date").display
        assert screen.query_one("#token", Input).password
        assert screen.query_one("#region", Select).value == "asia"
        assert "Settings > API" in str(screen.query_one("#hint-acme", Static).render())

        await type_into(pilot, "name", "Acme Bangsar")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert error_line(screen, "shop-url") == "Give the Shop URL."
        assert error_line(screen, "token") == "Give the Access token."
        assert "Nothing created" in str(screen.query_one("#status", Static).render())

        fill(pilot, "shop-url", "https://kopi.acme.example")
        await type_into(pilot, "token", TOKEN)
        assert TOKEN not in app.export_screenshot()
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert "OK: Acme shop at https://kopi.acme.example" in str(screen.query_one("#probe", Static).render())
        picker = screen.query_one("#stores", SelectionList)
        assert [str(picker.get_option_at_index(i).prompt) for i in range(picker.option_count)] == ["Acme Bangsar"]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, StreamsScreen)
        assert TOKEN not in app.export_screenshot()

    created = stream(shop, "Acme Bangsar")
    assert created.provider == "acme"
    assert created.config["shop_url"] == "https://kopi.acme.example" and created.config["region"] == "asia"
    entry = created.config["token"]["secret"]
    assert entry.endswith(":stream:Acme Bangsar:token") and shop.secrets.get(entry) == TOKEN
    assert shop.mappings("Acme Bangsar").locations[0]["location"] == "Acme Bangsar"  # the picked store, mapped


async def test_a_broken_plugin_is_said_on_the_connect_screen_and_the_others_still_connect(broken, app, shop):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, ConnectScreen)
        notes = [str(n.message) for n in app._notifications]
        assert any("source plug-in broken (broken_pos:PROVIDER) was skipped" in n for n in notes)
        values = [value for _, value in app.screen.query_one("#provider", Select)._options]
        assert values == ["storehub", "file", "minipos", "shopify"]
