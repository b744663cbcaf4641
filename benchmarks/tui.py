"""The digest console under load: 100,000 digests, first page and key-to-screen latency.

Builds a database with synthetic digests inserted directly with SQL (it is a
benchmark, not a test), then drives the real app in-process with
``App.run_test()`` and measures:

* ``first_paint_s``: pushing the Digests screen until its first page is in the table;
* ``scroll_down_ms`` / ``scroll_page_down_ms``: a key in the table until the cursor moved on screen;
* ``next_page_ms``: ``]`` until the next page of rows is on screen (the page ahead fetched, as
  it is once the operator has read the page); ``next_page_cold_ms`` without the page ahead;
* ``filter_ms``: enter in the filter dialog (status set) until the filtered page is on screen;
* ``digest_page_*_s``: ``Flow.digest_page`` alone (the engine's share of the above);
* ``digest_open_s`` and ``till_sale_s`` (:mod:`benchmarks.tui_work`): enter on a digest until its
  screen shows it, and the enter that pays in the till until the sale shows saved (target 0.5 s each).

It uses two private hooks of Textual to see keys and frames as they happen
(``App._display``, the driver's ``send_message``): Pilot's own ``press`` waits
for the app to go idle, which adds ~60 ms to every key.

Latency is key-to-screen: from the key event reaching the app to the first
frame drawn with its effect. Targets: first paint under 1 s, keys under 100 ms.

    .venv/bin/python benchmarks/tui.py [--digests N] [--work DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import tui_work  # noqa: E402

NOW = "2026-10-10T04:00:00Z"
STREAMS = 5
STORES = 20  # per stream: 5 x 20 store-days a day -> 100,000 digests in 1,000 days
TARGETS = {"first_paint_s": 1.0, "scroll_down_ms": 100, "scroll_page_down_ms": 100, "next_page_ms": 100,
           "next_page_cold_ms": 100, "filter_ms": 100, "digest_open_s": 0.5, "till_sale_s": 0.5}


def build(path: Path, digests: int = 100_000):
    """A books file with ``digests`` synthetic digests (about one in ten with an unmapped payment method)."""
    from flowtui.engine.services.flow import Flow
    from flowtui.engine.storage.database import Database

    flow = Flow(Database.at(path))
    flow.init(name="Bench Café")
    days = -(-digests // (STREAMS * STORES))
    with flow.db.write() as con:
        con.execute("INSERT INTO locations (name, timezone, created_at) "
                    "SELECT 'Outlet ' || i, 'Asia/Kuala_Lumpur', TIMESTAMPTZ '2024-01-01 00:00:00+00' "
                    "FROM range(?) t(i)", [STORES])
        con.execute("INSERT INTO streams (name, provider, config, created_at) "
                    "SELECT 'Stream ' || i, 'file', '{}', TIMESTAMPTZ '2024-01-01 00:00:00+00' FROM range(?) t(i)",
                    [STREAMS])
        # every store mapped but the last of each stream
        con.execute("INSERT INTO location_mappings (stream_id, pos_store_id, location_id) "
                    "SELECT s.id, 'S' || i, l.id FROM streams s, range(?) t(i) "
                    "JOIN locations l ON l.name = 'Outlet ' || i", [STORES - 1])
        con.execute(
            """
            INSERT INTO digests (stream_id, pos_store_id, business_date, order_count, return_count, gross_sales,
                                 returns, discount, service_charge, tax, rounding, net_total, version,
                                 created_at, updated_at)
            SELECT s.id, 'S' || st.i, DATE '2024-01-01' + d.i::INTEGER, 20 + (d.i * 7 + st.i) % 80, 0,
                   amt, 0, 0, 0, 0, 0, amt, 1, TIMESTAMPTZ '2026-10-10 04:00:00+00', TIMESTAMPTZ '2026-10-10 04:00:00+00'
            FROM streams s, range(?) st(i), range(?) d(i),
                 LATERAL (SELECT ((100000 + hash(s.id, st.i, d.i) % 900000) / 100)::DECIMAL(18, 2) AS amt)
            ORDER BY d.i, s.id, st.i
            LIMIT ?
            """, [STORES, days, digests])
        con.execute("INSERT INTO digest_payments SELECT id, 'Cash', net_total - 10 FROM digests")
        con.execute("INSERT INTO digest_payments SELECT id, CASE WHEN id % 10 = 0 THEN 'GrabPay' ELSE 'Card' END, 10 "
                    "FROM digests")
    return flow


def _time_engine(flow, repeat: int = 5) -> dict:
    """``Flow.digest_page`` alone, median of ``repeat``: the engine's share of a page turn or a filter."""
    from flowtui.engine.digests.store import DigestFilter

    def median(job) -> float:
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            job()
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    return {
        "digest_page_s": median(lambda: flow.digest_page(DigestFilter(), limit=200)),
        "digest_page_last_s": median(lambda: flow.digest_page(DigestFilter(), offset=99_800, limit=200)),
        "digest_page_by_amount_s": median(lambda: flow.digest_page(DigestFilter(), sort="amount", limit=200)),
        "digest_page_status_s": median(lambda: flow.digest_page(DigestFilter(status="needs_attention"), limit=200)),
    }


class _Frames:
    """Frames the app draws: wraps ``App._display``, which every screen update goes through.

    ``frames.expect(check)``, then ``await frames.seen()``: the time of the first frame drawn once
    ``check()`` holds.
    """

    def __init__(self, app) -> None:
        self._check = None
        self._seen: float | None = None
        original = app._display

        def display(screen, renderable) -> None:
            original(screen, renderable)
            if renderable is not None and self._check is not None and self._seen is None and self._check():
                self._seen = time.perf_counter()

        app._display = display

    def expect(self, check) -> None:
        """From now on, note the first frame drawn once ``check()`` holds."""
        self._check, self._seen = check, None

    async def seen(self, timeout: float = 30.0) -> float:
        """The time of that frame."""
        deadline = time.perf_counter() + timeout
        try:
            while self._seen is None:
                if time.perf_counter() > deadline:
                    raise TimeoutError("the screen did not show it in time")
                await asyncio.sleep(0.002)  # light polling: the worker thread needs the GIL too
            return self._seen
        finally:
            self._check = None


async def _until(check, timeout: float = 30.0) -> float:
    """The time at which ``check()`` first holds, polling the app's event loop."""
    deadline = time.perf_counter() + timeout
    while not check():
        if time.perf_counter() > deadline:
            raise TimeoutError("the screen did not update in time")
        await asyncio.sleep(0.002)  # light polling: the worker thread needs the GIL too
    return time.perf_counter()


async def _drive(flow, samples: int) -> dict:
    """Key-to-screen: from the key event reaching the app to the first frame showing its effect."""
    from textual import events
    from textual.widgets import DataTable, Select

    from flowtui.app import FlowApp
    from flowtui.screens.digest_dialogs import DigestFilterModal
    from flowtui.screens.digests import DigestsScreen

    app = FlowApp(flow, keymap={})
    out: dict[str, float] = {}
    async with app.run_test(size=(120, 40)) as pilot:
        frames = _Frames(app)

        async def idle() -> None:  # the operator reads the screen between keys
            for _ in range(3):
                await app.workers.wait_for_complete()
                await pilot.pause()

        await idle()
        screen = DigestsScreen()
        started = time.perf_counter()
        app.push_screen(screen)
        frames.expect(lambda: app.screen is screen and screen.page is not None
                      and screen.query_one(DataTable).row_count > 0)
        out["first_paint_s"] = await frames.seen() - started
        table = screen.query_one(DataTable)

        async def press(key: str, changed, prepare=None) -> float:
            times = []
            for _ in range(samples):
                await idle()
                if prepare:
                    prepare()
                before = changed(None)
                frames.expect(lambda before=before: changed(before))
                started = time.perf_counter()
                app._driver.send_message(events.Key(key, None))
                times.append(await frames.seen() - started)
            return statistics.median(times) * 1000

        def cursor(before):
            return table.cursor_row if before is None else table.cursor_row != before

        def first_row(before):
            return screen.page if before is None else screen.page is not before

        out["scroll_down_ms"] = await press("down", cursor)
        out["scroll_page_down_ms"] = await press("pagedown", cursor)
        out["next_page_ms"] = await press("right_square_bracket", first_row)  # the page ahead is ready
        out["next_page_cold_ms"] = await press("right_square_bracket", first_row, prepare=screen._cache.clear)

        statuses = iter(("needs_attention", "ready") * samples)
        times = []
        for _ in range(samples):
            await idle()
            status = next(statuses)
            screen.action_filter()
            await _until(lambda: isinstance(app.screen, DigestFilterModal))
            await idle()
            app.screen.query_one("#status", Select).value = status
            screen._cache.clear()  # a filter not used in the last half minute: the engine is asked
            frames.expect(lambda s=status: app.screen is screen and screen.page_filter is not None
                          and screen.page_filter.status == s)
            started = time.perf_counter()
            app._driver.send_message(events.Key("enter", "\r"))
            times.append(await frames.seen() - started)
        out["filter_ms"] = statistics.median(times) * 1000

        def send(key: str, character: str | None) -> None:
            app._driver.send_message(events.Key(key, character))

        out.update(await tui_work.digest_open(app, pilot, frames, idle, screen, send))
        out.update(await tui_work.till_sale(app, pilot, frames, idle, send, 2 * samples))
    return out


def measure(work: Path, digests: int = 100_000, samples: int = 5) -> dict:
    """Build ``work``/tui.duckdb with ``digests`` digests and time the console on it."""
    frozen = os.environ.get("FLOWTUI_NOW")
    os.environ["FLOWTUI_NOW"] = NOW  # the synthetic days are over: nothing is "open"
    try:
        return _measure(Path(work), digests, samples)
    finally:
        if frozen is None:
            os.environ.pop("FLOWTUI_NOW", None)
        else:
            os.environ["FLOWTUI_NOW"] = frozen


def _measure(work: Path, digests: int, samples: int) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    path = work / "tui.duckdb"
    for stale in work.glob("tui.duckdb*"):
        stale.unlink()
    started = time.perf_counter()
    flow = build(path, digests)
    tui_work.prepare(flow)
    figures: dict = {"digests": digests, "build_s": time.perf_counter() - started}
    figures.update(_time_engine(flow))
    figures.update(asyncio.run(_drive(flow, samples)))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--digests", type=int, default=100_000)
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    report(args.digests, args.work)


def report(digests: int = 100_000, work: Path | None = None) -> None:
    """Measure the console over ``digests`` digests and print the figures against their targets."""
    folder = work or Path(tempfile.mkdtemp(prefix="flowtui-tui-bench-"))
    try:
        figures = measure(folder, digests)
    finally:
        if work is None:
            shutil.rmtree(folder, ignore_errors=True)
    print(f"\nflowtui console benchmark: {digests:,} digests")
    for name, value in figures.items():
        target = TARGETS.get(name)
        shown = f"{value:,.3f}" if isinstance(value, float) else f"{value:,}"
        verdict = "" if target is None else ("  ok" if value <= target else f"  OVER target {target}")
        print(f"{name:26} {shown:>12}{verdict}")


if __name__ == "__main__":
    main()
