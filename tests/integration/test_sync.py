"""Sync runs: windows, run records, the prefetching pipeline, failures that stop nothing else."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime

import pytest

from flowtui.connectors.base import Window
from flowtui.engine.core.errors import SyncCancelled
from flowtui.engine.digests.store import DigestFilter
from flowtui.engine.pipeline.sync import default_window, prefetched
from flowtui.engine.setup.streams import StreamSettings
from tests.factories import order, write_ndjson


def test_prefetched_yields_everything_in_order():
    assert list(prefetched(iter(range(50)))) == list(range(50))


def test_prefetched_hands_errors_to_the_consumer():
    def broken():
        yield 1
        raise ValueError("source went away")

    got = []
    with pytest.raises(ValueError, match="source went away"):
        for item in prefetched(broken()):
            got.append(item)
    assert got == [1]


def test_prefetched_stops_reading_when_the_consumer_stops():
    produced = []

    def endless():
        n = 0
        while True:
            produced.append(n)
            yield n
            n += 1

    for item in prefetched(endless()):
        if item == 3:
            break
    time.sleep(0.3)
    assert len(produced) <= 6  # the reader thread noticed and stopped


def test_default_windows(flow, orders_dir):
    flow.init()
    stream = flow.add_stream("files", "file", {"path": str(orders_dir)}, StreamSettings(start_date=date(2026, 9, 1)))
    assert default_window(stream, date(2026, 10, 10)) == Window(date(2026, 9, 1), None)


def test_a_sync_run_is_recorded_and_shown_on_the_stream(flow, orders_dir, monkeypatch):
    monkeypatch.setenv("FLOWTUI_NOW", "2026-10-10T00:00:00Z")
    flow.init()
    flow.add_stream("files", "file", {"path": str(orders_dir)}, StreamSettings())
    bad = order("B", "KL", "2026-10-01T03:00:00Z", [("KOPI", 1, "3.50")], pay=[("Cash", "1.00")])
    write_ndjson(orders_dir / "a.ndjson", [order("A", "KL", "2026-10-01T03:00:00Z", [("KOPI", 1, "3.50")]), bad])
    [outcome] = flow.sync(["files"])
    assert (outcome.status, outcome.landing.new, outcome.landing.rejected) == ("warning", 1, 1)
    with flow.db.read() as con:
        runs = con.execute("SELECT status, orders_new, orders_rejected, digests_updated, finished_at IS NOT NULL "
                           "FROM sync_runs").fetchall()
    assert runs == [("warning", 1, 1, 1, True)]
    [status] = flow.streams()
    assert status.status == "warning" and status.last_sync_at == datetime(2026, 10, 10, tzinfo=UTC)


def test_an_interrupted_run_is_marked_so_by_the_next_one(flow, orders_dir):
    flow.init()
    flow.add_stream("files", "file", {"path": str(orders_dir)}, StreamSettings())
    with flow.db.write() as con:  # what a killed sync leaves behind
        con.execute("INSERT INTO sync_runs (stream_id, started_at, status) VALUES (1, now(), 'running')")
    flow.sync(["files"])
    with flow.db.read() as con:
        assert con.execute("SELECT status FROM sync_runs ORDER BY id").fetchall() == [("interrupted",), ("ok",)]


def test_a_failing_stream_does_not_stop_the_others(flow, orders_dir, tmp_path):
    flow.init()
    gone = tmp_path / "gone"
    gone.mkdir()
    flow.add_stream("broken", "file", {"path": str(gone)}, StreamSettings())
    flow.add_stream("fine", "file", {"path": str(orders_dir)}, StreamSettings())
    write_ndjson(orders_dir / "a.ndjson", [order("A", "KL", "2026-10-01T03:00:00Z", [("KOPI", 1, "3.50")])])
    gone.rmdir()
    outcomes = {o.stream: o for o in flow.sync([])}
    assert outcomes["broken"].failed and "does not exist" in outcomes["broken"].error
    assert outcomes["fine"].status == "ok" and outcomes["fine"].landing.new == 1


def test_a_cancelled_sync_keeps_what_landed_says_so_and_does_not_mark_the_stream_failed(flow, orders_dir, cli,
                                                                                          monkeypatch):
    """The console stops a sync by raising SyncCancelled from its progress callback (escape, or closing)."""
    monkeypatch.setenv("FLOWTUI_NOW", "2026-10-10T00:00:00Z")
    flow.init()
    flow.add_location("KL Sentral")
    flow.add_stream("files", "file", {"path": str(orders_dir)}, StreamSettings(auto_invoice=True))
    flow.add_stream("more", "file", {"path": str(orders_dir)}, StreamSettings(), force=True)
    flow.map_location("files", "KL", "KL Sentral")
    write_ndjson(orders_dir / "a.ndjson", [order("A", "KL", "2026-10-01T03:00:00Z", [("KOPI", 1, "3.50")]),
                                           order("B", "KL", "2026-10-02T03:00:00Z", [("KOPI", 2, "3.50")])])
    seen = []

    def closing(stream: str, share, note: str) -> None:
        seen.append((stream, note))
        if note.endswith("orders read"):  # the first batch has landed
            raise SyncCancelled("the console was closed during the sync")

    outcomes = flow.sync(["files", "more"], progress=closing)
    assert [o.stream for o in outcomes] == ["files"]  # the stream after it is not started
    [outcome] = outcomes
    assert outcome.status == "cancelled" and not outcome.failed
    assert outcome.error == "cancelled: the console was closed during the sync; 2 orders landed before it are kept"
    assert outcome.postings == []  # auto invoice waits for a whole sync
    assert seen[-1] == ("files", "2 orders read")  # never "done" after it
    assert [(d.date.isoformat(), d.status) for d in flow.digests(DigestFilter(stream="files"))] == [
        ("2026-10-01", "ready"), ("2026-10-02", "ready")]  # what landed is digested
    status = {s.stream.name: s for s in flow.streams()}["files"]
    assert (status.status, status.last_error) == ("cancelled", outcome.error)
    with flow.db.read() as con:
        assert con.execute("SELECT last_run_status, failed_runs FROM v_streams WHERE stream = 'files'").fetchall() == [
            ("cancelled", 0)]
    listed = cli("stream", "list")
    assert "cancelled" in listed.out and "failed" not in listed.out
    assert "files: cancelled: the console was closed during the sync; 2 orders landed before it are kept" in listed.out


def test_leftover_dirty_days_are_digested_by_the_next_sync(flow, orders_dir):
    flow.init()
    flow.add_stream("files", "file", {"path": str(orders_dir)}, StreamSettings())
    write_ndjson(orders_dir / "a.ndjson", [order("A", "KL", "2026-10-01T03:00:00Z", [("KOPI", 1, "3.50")])])
    flow.sync(["files"])
    with flow.db.write() as con:  # a crash after landing, before the digest step
        con.execute("DELETE FROM digest_payments; DELETE FROM digest_items; DELETE FROM digest_taxes; DELETE FROM digests")
        con.execute("INSERT INTO dirty_days VALUES (1, 'KL', DATE '2026-10-01')")
    assert flow.digests() == []
    assert flow.pending_days() == 1
    flow.sync(["files"])
    assert [d.amount for d in flow.digests()] == [pytest.approx(3.5)]


def test_small_batches_are_joined_for_landing_without_losing_anything():
    from flowtui.connectors.base import OrderBatch, SourceStore
    from flowtui.engine.pipeline.sync import coalesced

    small = [OrderBatch(orders=[b"{}"] * 3, source="a.ndjson", first_line=1, warnings=["w1"],
                        stores=[SourceStore("s1")]),
             OrderBatch(orders=[b"{}"] * 2, refs=["x", "y"], raw=[b"r1", b"r2"], errors=[None, "bad"], progress=0.5),
             OrderBatch(orders=[b"{}"] * 4, source="b.ndjson", first_line=10, progress=1.0)]
    [joined, rest] = list(coalesced(iter(small), target=10))  # the first unit needs half the target: 5
    assert joined.refs == ["a.ndjson:1", "a.ndjson:2", "a.ndjson:3", "x", "y"]
    assert joined.raw == [b"{}", b"{}", b"{}", b"r1", b"r2"]
    assert joined.errors == [None, None, None, None, "bad"]
    assert (joined.warnings, [s.id for s in joined.stores], joined.progress) == (["w1"], ["s1"], 0.5)
    assert rest is small[2]  # what is left passes through as it was


def test_coalesced_hands_over_the_first_batch_at_half_the_target_so_landing_starts_sooner():
    from flowtui.connectors.base import OrderBatch
    from flowtui.engine.pipeline.sync import coalesced

    batches = [OrderBatch(orders=[b"{}"] * n, refs=[f"r{n}-{i}" for i in range(n)]) for n in (5, 4, 4, 2, 10)]
    sizes = [len(b) for b in coalesced(iter(batches), target=10)]
    assert sizes == [5, 10, 10]  # 5 is half of 10: alone; then 4 + 4 + 2; then 10 passes through
    assert sum(sizes) == 25


class Sized(list):
    """A list that says how many orders it holds (what prefetched gathers by)."""


def test_prefetched_gathers_what_waits_while_the_consumer_is_busy():
    def quick():
        for i in range(20):
            yield Sized([i])

    got = []
    for item in prefetched(quick(), gather=lambda group: Sized(x for part in group for x in part), most=5):
        got.append(list(item))
        time.sleep(0.05)  # a slow landing: the rest is read meanwhile
    assert [x for part in got for x in part] == list(range(20))  # everything, in order
    assert max(len(part) for part in got) == 5 and len(got) < 20  # gathered, never beyond `most`


def test_prefetched_waits_for_enough_after_the_first():
    def slow():
        for i in range(6):
            time.sleep(0.02)
            yield Sized([i])

    got = [list(item) for item in prefetched(slow(), gather=lambda g: Sized(x for p in g for x in p), least=3)]
    assert got[0] == [0]  # the first goes at once
    assert all(len(part) >= 3 for part in got[1:-1]) and sum(got, []) == list(range(6))
