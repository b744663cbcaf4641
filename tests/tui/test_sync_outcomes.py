"""Sync now ends in words that tell the truth: done, failed or cancelled; ctrl+q during a sync asks first.

The ``gate`` holds the sync after its first batch has landed (3 new orders, 4 already there), until the test
lets it go: escape or ctrl+q meet a sync that is really running.
"""

from __future__ import annotations

import threading
import time

import pytest
from textual.widgets import DataTable, Label, ProgressBar, Static

from flowtui.engine.pipeline import sync as sync_mod
from flowtui.screens.common.modals import ConfirmModal
from flowtui.screens.sync_progress import SyncModal
from tests.factories import order, write_ndjson
from tests.tui.test_digest_screens import SHOP_ORDERS
from tests.tui.waiting import settle, until

NEW = [order(f"N{i}", "KL", "2026-10-03T03:00:00Z", [("KOPI", 1, "3.50")]) for i in range(3)]


@pytest.fixture
def gate(monkeypatch, orders_dir):
    """(landed, go): ``landed`` is set once the sync's first batch is in; the sync waits until ``go`` is set."""
    write_ndjson(orders_dir / "orders.ndjson", SHOP_ORDERS + NEW)
    landed, go = threading.Event(), threading.Event()
    real = sync_mod.land

    def land(*args, **kwargs):
        result = real(*args, **kwargs)
        landed.set()
        go.wait(120)
        return result

    monkeypatch.setattr(sync_mod, "land", land)
    yield landed, go
    go.set()


def shown(screen, selector: str) -> str:
    return str(screen.query_one(selector).render())


def last_status(flow) -> tuple[str, str | None]:
    [status] = flow.streams()
    return status.status, status.last_error


async def start_sync(pilot, landed=None) -> SyncModal:
    await settle(pilot)
    await pilot.press("s")
    await pilot.pause()
    assert isinstance(pilot.app.screen, SyncModal)
    if landed is not None:
        await until(pilot, landed.is_set)
    return pilot.app.screen


async def test_a_failed_sync_says_failed_and_never_fills_the_bar(app, shop, orders_dir):
    (orders_dir / "orders.ndjson").unlink()
    orders_dir.rmdir()  # the folder is gone: the sync fails
    async with app.run_test(size=(80, 24)) as pilot:
        modal = await start_sync(pilot)
        await settle(pilot)
        assert shown(modal, "#note") == "failed"  # (it read "done" under a full bar)
        assert shown(modal, "#dialog-title") == "Sync of Shop files: failed"
        assert modal.query_one(ProgressBar).percentage < 1
        assert shown(modal, "#dialog-body").startswith("Sync failed: ")
    assert last_status(shop)[0] == "failed"


async def test_a_cancelled_sync_says_cancelled_and_what_it_kept_and_the_stream_is_not_failed(app, shop, gate):
    landed, go = gate
    async with app.run_test(size=(80, 24)) as pilot:
        modal = await start_sync(pilot, landed)
        await pilot.press("escape")
        assert shown(modal, "#note") == "cancelling after the current batch..."
        go.set()
        await settle(pilot)
        assert shown(modal, "#note") == "cancelled"
        assert modal.query_one(ProgressBar).percentage < 1
        body = shown(modal, "#dialog-body")
        assert body.startswith("Cancelled: 3 order(s) kept, landed before the cancel (3 new, 0 changed)")
        await pilot.press("escape")  # closes it now
        await settle(pilot)
        assert not isinstance(app.screen, SyncModal)
        row = [str(c) for c in app.screen.query_one(DataTable).get_row_at(0)]
        assert row[3] == "cancelled"
    assert last_status(shop) == ("cancelled", "cancelled: the operator stopped it; 3 orders landed before it are kept")
    assert len(shop.digests()) == 3  # 3 Oct, from the orders kept


async def test_ctrl_q_during_a_sync_asks_and_quitting_cuts_it_short_in_words(app, shop, gate):
    landed, go = gate
    async with app.run_test(size=(80, 24)) as pilot:
        modal = await start_sync(pilot, landed)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal) and app.screen.title_text == "Quit while syncing?"
        assert "cut it short" in shown(app.screen, "#dialog-body")
        await pilot.press("n")  # stay
        await pilot.pause()
        assert app.screen is modal and app.return_code is None

        await pilot.press("ctrl+q")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert app.return_code is None  # not before the sync has stopped and said why
        assert shown(modal, "#note") == "stopping the sync, then closing the console…"
        go.set()
        await until(pilot, lambda: app.return_code is not None)
    status, error = last_status(shop)
    assert (status, error) == ("cancelled",
                               "cancelled: the console was closed during the sync; 3 orders landed before it are kept")


async def test_a_console_gone_under_a_running_sync_leaves_words_not_an_internal_error(app, shop, gate):
    landed, go = gate
    async with app.run_test(size=(80, 24)) as pilot:
        await start_sync(pilot, landed)
        app.exit()  # gone without asking (the terminal closed, say)
        await pilot.pause()
    go.set()  # the sync's next step finds no console
    deadline = time.monotonic() + 120
    while last_status(shop)[0] == "running" and time.monotonic() < deadline:
        time.sleep(0.05)
    status, error = last_status(shop)
    assert status == "cancelled" and "NoActiveAppError" not in (error or "") and "App is not running" not in error
    assert error.startswith("cancelled: the console was closed during the sync")


async def test_a_sync_that_ends_well_still_fills_the_bar_and_says_done(app, shop):
    async with app.run_test(size=(80, 24)) as pilot:
        modal = await start_sync(pilot)
        await settle(pilot)
        assert shown(modal, "#note") == "done"
        assert modal.query_one(ProgressBar).percentage == 1
        assert isinstance(modal.query_one("#dialog-title"), Label) and isinstance(modal.query_one("#note"), Static)
