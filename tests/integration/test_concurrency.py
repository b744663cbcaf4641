"""Three processes share one database file: a long sync, repeated posting, and a reader.

Nobody keeps the file longer than a unit of work, so all three finish, each
sees a consistent database, and at the end source, digests and ledger agree.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time

import pytest

from benchmarks.generate import generate
from flowtui.engine.services.flow import Flow
from flowtui.engine.setup.streams import StreamSettings
from flowtui.engine.storage.database import Database

NOW = "2026-10-15T00:00:00Z"
FILES = 12  # of 20,000 orders: a sync long enough for posting to run several times meanwhile

READER = textwrap.dedent("""
    import json, os, sys, time
    from flowtui.engine.storage.database import Database
    db, stop, total, checks, during = Database.at(sys.argv[1]), sys.argv[2], int(sys.argv[3]), 0, 0
    while not os.path.exists(stop):  # until the test says the sync and the posting are over
        with db.read() as con:   # like a notebook: short read-only holds
            landed = con.execute('SELECT count(*) FROM orders').fetchall()[0][0]
            stale = con.execute('''
                SELECT count(*) FROM digests d
                WHERE NOT EXISTS (SELECT 1 FROM dirty_days x WHERE x.stream_id = d.stream_id
                                  AND x.pos_store_id = d.pos_store_id AND x.business_date = d.business_date)
                  AND d.net_total <> (SELECT coalesce(sum(CASE type WHEN 'sale' THEN total ELSE -total END), 0)
                                      FROM orders o WHERE o.status = 'completed' AND o.stream_id = d.stream_id
                                        AND o.pos_store_id = d.pos_store_id AND o.business_date = d.business_date)
            ''').fetchall()[0][0]
            unbalanced = con.execute('''SELECT count(*) FROM (SELECT entry_id FROM journal_lines
                                        GROUP BY entry_id HAVING sum(debit) <> sum(credit))''').fetchall()[0][0]
        assert stale == 0 and unbalanced == 0, (stale, unbalanced)
        checks += 1
        during += landed < total  # the sync had not landed everything yet
        time.sleep(0.05)
    print(json.dumps({"checks": checks, "during_the_sync": during}))
""")


def _flowtui(db_path, *args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "flowtui", "--db", str(db_path), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "FLOWTUI_NOW": NOW})


@pytest.mark.slow
@pytest.mark.timeout(1800)  # a busy machine makes it slow, never wrong
def test_a_sync_posting_and_a_reader_run_at_once(tmp_path, monkeypatch):
    monkeypatch.setenv("FLOWTUI_NOW", NOW)
    # who waits for whom is what this test is about, not how long: on a busy machine a unit of work can hold the
    # file for many seconds, so every process here may wait up to 10 minutes for its turn
    monkeypatch.setenv("FLOWTUI_LOCK_TIMEOUT", "600")
    folder = tmp_path / "orders"
    folder.mkdir()
    for part in range(FILES):  # several files: several units of work for the sync
        generate(folder / f"part{part}.ndjson", 20_000, stores=4, days=10, seed=part + 1, first_id=part * 20_000)
    db_path = tmp_path / "shared.duckdb"
    flow = Flow(Database.at(db_path))
    flow.init()
    flow.add_stream("pos", "file", {"path": str(folder)}, StreamSettings())
    for store in ("S00", "S01", "S02", "S03"):
        flow.add_location(store)
        flow.map_location("pos", store, store, number_format=store + "-{seq:05}")
    flow.map_payment("pos", "GrabPay", "1030")

    sync = _flowtui(db_path, "sync", "pos")
    stop = tmp_path / "stop-reading"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(db_path), str(stop), str(FILES * 20_000)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env={**os.environ, "FLOWTUI_NOW": NOW})
    posts = []
    while sync.poll() is None:
        poster = _flowtui(db_path, "post", "--all")
        poster.wait(timeout=1200)
        posts.append(poster)
        time.sleep(0.2)
    out, err = sync.communicate()
    assert sync.returncode == 0, err
    assert all(p.returncode == 0 for p in posts), [p.stderr.read() for p in posts]
    final = _flowtui(db_path, "post", "--all")
    assert final.wait(timeout=1200) == 0, final.stderr.read()
    stop.touch()
    out, err = reader.communicate(timeout=1200)
    assert reader.returncode == 0, err
    assert json.loads(out)["during_the_sync"] >= 1  # the reader really read while the sync ran
    assert len(posts) >= 2  # posting really ran while the sync did

    check = _flowtui(db_path, "reconcile", "--json")
    out, err = check.communicate(timeout=1200)
    assert check.returncode == 0, out[-2000:] + err
    days = json.loads(out)
    assert len(days) == 40 and all(d["agrees"] for d in days)
    with flow.db.read() as con:
        assert con.execute("SELECT count(*) FROM orders").fetchall()[0][0] == FILES * 20_000
        assert con.execute("SELECT digest_id, digest_version FROM postings GROUP BY ALL HAVING count(*) > 1").fetchall() == []


HOLDER = textwrap.dedent("""
    import os, sys, time
    from flowtui.engine.storage.database import Database
    db, stop = Database.at(sys.argv[1]), sys.argv[2]
    print("holding", flush=True)
    while not os.path.exists(stop):  # unit after unit, back to back, like a long sync, until told to stop
        with db.write() as con:
            con.execute("INSERT INTO settings VALUES ('holder', 'x') ON CONFLICT DO NOTHING")
            time.sleep(0.3)
""")


@pytest.mark.slow
def test_a_process_kept_waiting_gets_its_turn_between_another_ones_units(tmp_path):
    """DuckDB's lock has no queue: without taking turns, units back to back leave a waiting process only
    instants, and it gives up. Here the waiting one says so, and the holder steps aside at its next unit."""
    db_path = tmp_path / "turns.duckdb"
    Flow(Database.at(db_path)).init()
    stop = tmp_path / "stop-holding"
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db_path), str(stop)], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        time.sleep(0.5)
        # the holder never stops by itself: this read gets in only by being given a turn (the bound is generous,
        # for a busy machine; without turns it would be reached whatever it is)
        with Database.at(db_path, lock_timeout=60).read() as con:  # a notebook's read, in the middle of it
            assert con.execute("SELECT count(*) FROM settings").fetchall()[0][0] >= 1
    finally:
        stop.touch()
        holder.wait(timeout=120)
    assert holder.returncode == 0, holder.stderr.read()
