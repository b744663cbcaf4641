"""Faults: kill -9 in the middle of a sync, a flaky network, a database that cannot be used."""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import time

import duckdb
import pytest

from benchmarks.generate import generate
from flowtui.connectors.storehub import client as storehub
from flowtui.engine.services.flow import Flow
from flowtui.engine.setup.streams import StreamSettings
from flowtui.engine.storage.database import Database
from flowtui.sandbox.storehub import StoreHubSandbox
from tests.cli_helpers import Cli, assert_clean_error
from tests.integration.test_storehub_sync import END, assert_digests_match, connect

NOW = "2026-10-15T00:00:00Z"


def _sync(db_path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "flowtui", "--db", str(db_path), "sync", "pos"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "FLOWTUI_NOW": NOW})


def _consistent(db_path, expect_orders: int | None = None) -> int:
    con = duckdb.connect(str(db_path), read_only=True)
    try:
        q = lambda sql: con.execute(sql).fetchall()  # noqa: E731
        assert q("SELECT order_id FROM orders GROUP BY stream_id, order_id HAVING count(*) > 1") == []
        assert q("""SELECT count(*) FROM orders o WHERE (SELECT count(*) FROM order_lines l
                    WHERE l.order_id = o.order_id) = 0""") == [(0,)]  # no order without its lines
        assert q("SELECT order_id FROM raw_orders GROUP BY stream_id, order_id, version HAVING count(*) > 1") == []
        assert q("SELECT count(*) FROM orders o LEFT JOIN raw_orders r ON r.order_id = o.order_id "
                 "AND r.version = o.version WHERE r.order_id IS NULL") == [(0,)]
        count = q("SELECT count(*) FROM orders")[0][0]
        if expect_orders is not None:
            assert count == expect_orders
        return count
    finally:
        con.close()


@pytest.mark.slow
def test_killing_a_sync_at_random_moments_loses_and_duplicates_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("FLOWTUI_NOW", NOW)
    folder = tmp_path / "orders"
    folder.mkdir()
    for part in range(4):
        generate(folder / f"part{part}.ndjson", 15_000, stores=3, days=8, seed=part + 7, first_id=part * 15_000)
    template = tmp_path / "template.duckdb"
    flow = Flow(Database.at(template))
    flow.init()
    flow.add_stream("pos", "file", {"path": str(folder)}, StreamSettings())
    for store in ("S00", "S01", "S02"):
        flow.add_location(store)
        flow.map_location("pos", store, store)
    flow.map_payment("pos", "GrabPay", "1030")
    started = time.monotonic()
    assert _sync(shutil.copy(template, tmp_path / "timing.duckdb")).wait(timeout=120) == 0
    full = time.monotonic() - started

    rnd = random.Random(5)
    seen = set()
    early, late = 0.3, full  # kills that found nothing landed move the window later, all landed earlier
    for trial in range(8):
        path = shutil.copy(template, tmp_path / f"trial{trial}.duckdb")
        victim = _sync(path)
        pause = rnd.uniform(early, late)
        time.sleep(pause)
        victim.kill()
        victim.wait()
        landed = _consistent(path)
        seen.add(landed)
        if landed == 0:
            early = min(pause, late)
        elif landed == 60_000:
            late = max(pause, early)
        rerun = _sync(path)
        assert rerun.wait(timeout=120) == 0, rerun.stderr.read()
        _consistent(path, expect_orders=60_000)
        cli = Cli(path)
        cli.ok("post", "--all")
        assert cli("reconcile").code == 0
    assert len(seen) >= 2, f"every kill landed at the same point: {seen}"


def test_timeouts_and_truncated_replies_never_land_as_complete(flow, monkeypatch):
    monkeypatch.setenv("FLOWTUI_NOW", "2026-10-15T01:00:00Z")
    monkeypatch.setattr(storehub.PROCESS_LIMITER, "rate", None)
    monkeypatch.setattr(storehub, "BACKOFF_BASE", 0.01)
    monkeypatch.setattr(storehub, "TIMEOUT", 0.5)
    with StoreHubSandbox(seed=6, days=4, end_date=END, rate_limit=None) as box:
        box.start()
        box.slow_every, box.slow_seconds = 5, 1.0
        box.reset_every, box.reset_mode = 3, "truncate"
        connect(flow, box)
        [outcome] = flow.sync(["Sandbox"])
        assert outcome.status == "ok", outcome.error
        assert box.faults["slow"] and box.faults["reset"]
        assert_digests_match(flow, box, box.start_date, END)


# -- servers that take their time: every wait has an end --------------------------------------------------

@pytest.fixture
def short_deadlines(monkeypatch):
    """A reply gets 0.4 s and a request with its retries 1.2 s (the defaults are 60 s and 180 s)."""
    monkeypatch.setenv("FLOWTUI_NOW", "2026-10-15T01:00:00Z")
    monkeypatch.setattr(storehub.PROCESS_LIMITER, "rate", None)
    monkeypatch.setattr(storehub, "BACKOFF_BASE", 0.01)
    monkeypatch.setenv("FLOWTUI_STOREHUB_REPLY_DEADLINE", "0.4")
    monkeypatch.setenv("FLOWTUI_STOREHUB_REQUEST_DEADLINE", "1.2")


@pytest.mark.parametrize("fault", ["trickle", "trickle_headers", "silent"])
def test_a_server_that_trickles_or_never_answers_fails_a_test_within_the_bound(flow, db_path, short_deadlines,
                                                                                 fault):
    with StoreHubSandbox(seed=6, days=2, end_date=END, rate_limit=None) as box:
        connect(flow, box)
        if fault == "silent":
            box.silent_every = 1
        else:  # a byte every 50 ms: no read ever waits long, the reply would take minutes
            box.trickle_every, box.trickle_seconds, box.trickle_headers = 1, 0.05, fault == "trickle_headers"
        started = time.monotonic()
        result = Cli(db_path)("stream", "test", "Sandbox")
        elapsed = time.monotonic() - started
        assert_clean_error(result, code=1, says="Error: The test failed: StoreHub did not answer /stores within 1.2 s")
        # (a silent server may meet the socket's read timeout a moment before the reply's own deadline, on a busy
        # machine: either is a truthful reason)
        assert "no complete reply within 0.4 s" in result.err or (fault == "silent" and "a timeout" in result.err)
        assert "sync" not in result.err
        assert elapsed < 30  # not the minute or more the whole reply would take (generous, for a busy machine)
        assert box.faults["silent" if fault == "silent" else "trickle"] >= 2  # asked again within the bound


def test_a_sync_from_a_trickling_server_fails_within_the_bound(flow, short_deadlines):
    with StoreHubSandbox(seed=6, days=3, end_date=END, rate_limit=None) as box:
        connect(flow, box)
        box.trickle_every, box.trickle_seconds = 1, 0.05
        started = time.monotonic()
        [outcome] = flow.sync(["Sandbox"])
        assert time.monotonic() - started < 30  # not the minutes the replies would take (generous, for a busy machine)
    assert outcome.failed
    assert outcome.error.startswith("StoreHub did not answer /stores within 1.2 s")
    assert outcome.error.endswith("The sync stopped; the next one starts again from the same day.")
    assert flow.streams()[0].stream.cursor_date is None  # nothing counts as synced


def test_now_and_then_a_late_reply_is_asked_again_and_the_figures_hold(flow, short_deadlines):
    with StoreHubSandbox(seed=6, days=4, end_date=END, rate_limit=None) as box:
        connect(flow, box)
        box.trickle_every, box.trickle_seconds = 4, 0.05
        box.silent_every = 7
        [outcome] = flow.sync(["Sandbox"])
        assert outcome.status == "ok", outcome.error
        assert box.faults["trickle"] and box.faults["silent"]
        assert_digests_match(flow, box, box.start_date, END)


def test_a_corrupted_database_is_a_clear_error(tmp_path):
    bad = tmp_path / "flow.duckdb"
    bad.write_bytes(b"\x00garbage" * 4096)
    for args in (("digests",), ("stream", "list", "--json"), ("sync",)):
        assert_clean_error(Cli(bad)(*args), says=str(bad))


def test_a_database_path_that_cannot_be_a_file_is_a_clear_error(tmp_path):
    folder = tmp_path / "not-a-file.duckdb"
    folder.mkdir()
    assert_clean_error(Cli(folder)("digests"), says=str(folder))
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where a folder should be")
    assert_clean_error(Cli(blocked / "flow.duckdb")("init"), says="flow.duckdb")
