"""The home screen: streams, sync now with progress, test, help, errors in a modal."""

from __future__ import annotations

import gc

from textual.widgets import DataTable

from flowtui.app import GC_THRESHOLD
from flowtui.screens.common.modals import ErrorModal
from flowtui.screens.sync_progress import SyncModal
from tests.tui.waiting import settle, until


async def test_home_lists_the_streams_with_their_last_sync(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await settle(pilot)
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert table.row_count == 1
        row = [str(cell) for cell in table.full_row_at(0)]  # (the columns 80 columns hide too)
        assert row[0] == "Shop files" and row[1] == "file" and row[3] == "ok"


async def test_sync_now_shows_progress_and_a_summary(app, orders_dir):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SyncModal)
        await settle(pilot)
        await pilot.pause()
        body = str(app.screen.query_one("#dialog-body").render())
        assert "ok: 0 new, 0 changed, 4 unchanged" in body
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, SyncModal)


async def test_help_lists_the_keys_with_their_ids(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        rows = [app.screen.query_one(DataTable).get_row_at(i) for i in range(app.screen.query_one(DataTable).row_count)]
        assert ("s", "Sync now", "streams.sync") in [tuple(map(str, r)) for r in rows]


async def test_errors_come_up_in_a_modal_not_a_crash(app):
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("t")  # a file stream's test reads the folder: fine; force an error instead
        await settle(pilot)
        app.screen.run_engine(lambda: app.flow.invoice("NOPE"), name="boom")
        # on top, and up (a busy machine may take seconds to open the database)
        await until(pilot, lambda: isinstance(app.screen, ErrorModal) and bool(app.screen.query("#dialog-body")))
        assert isinstance(app.screen, ErrorModal)
        assert "NOPE" in str(app.screen.query_one("#dialog-body").render())
        await pilot.press("escape")


async def test_keys_can_be_remapped_by_id(shop):
    from flowtui.app import FlowApp

    app = FlowApp(shop, keymap={"streams.sync": "f5"})
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("f5")
        await pilot.pause()
        assert isinstance(app.screen, SyncModal)


async def test_the_app_keeps_the_garbage_collector_off_its_long_lived_objects_while_it_runs(app):
    before = gc.get_threshold()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert gc.get_freeze_count() > 10_000
        assert gc.get_threshold() == GC_THRESHOLD != before
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == before
