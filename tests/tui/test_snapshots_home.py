"""SVG snapshots of the home screen, help and sync dialog at 80x24 and 120x40 (frozen clock)."""

from __future__ import annotations

import pytest

from flowtui.app import FlowApp
from tests.tui.waiting import still

SIZES = [(80, 24), (120, 40)]


async def _settle(pilot) -> None:
    pilot.app.sub_title = "flow.duckdb"
    await still(pilot)


@pytest.mark.parametrize("size", SIZES)
def test_streams_home(snap_compare, shop, size):
    assert snap_compare(FlowApp(shop, keymap={}), terminal_size=size, run_before=_settle)


@pytest.mark.parametrize("size", SIZES)
def test_help_screen(snap_compare, shop, size, monkeypatch):
    monkeypatch.setenv("FLOWTUI_CONFIG_DIR", "/home/operator/.config/flowtui")  # shown on the screen
    async def open_help(pilot):
        await _settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(FlowApp(shop, keymap={}), terminal_size=size, run_before=open_help)


@pytest.mark.parametrize("size", SIZES)
def test_sync_summary(snap_compare, shop, size):
    async def sync(pilot):
        await _settle(pilot)
        await pilot.press("s")
        await still(pilot)

    assert snap_compare(FlowApp(shop, keymap={}), terminal_size=size, run_before=sync)
