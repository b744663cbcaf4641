"""kill -9 a posting at random moments: all of a chunk or none of it, then exactly once."""

from __future__ import annotations

import json
import random
import re
import shutil
import subprocess
import sys
import time
from datetime import UTC, datetime

import duckdb
import pytest

from flowtui.connectors.base import OrderBatch
from flowtui.engine.pipeline.landing import land_batch
from flowtui.engine.pipeline.sync import rebuild_pending
from flowtui.engine.services.flow import Flow
from flowtui.engine.setup.streams import StreamSettings
from flowtui.engine.storage.database import Database
from tests.factories import order

STORES = [f"S{i:02d}" for i in range(10)]
DAYS = 30


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """A database with 300 ready digests (10 stores x 30 days), every mapping in place."""
    folder = tmp_path_factory.mktemp("crash")
    db = Database.at(folder / "template.duckdb")
    flow = Flow(db)
    flow.init()
    flow.add_stream("pos", "file", {"path": str(folder)}, StreamSettings())
    rnd = random.Random(3)
    orders = [
        order(f"{store}-{day}-{n}", store, f"2026-09-{day:02d}T0{n}:00:00Z",
              [(f"SKU{rnd.randrange(40)}", rnd.randint(1, 3), f"{rnd.randint(100, 900) / 100:.2f}")],
              tax_rate="0.06", pay=[("Cash", None)])
        for store in STORES for day in range(1, DAYS + 1) for n in range(5)
    ]
    with db.write() as con:
        land_batch(con, 1, OrderBatch(orders=[json.dumps(o) for o in orders], source="t"),
                   default_tz="Asia/Kuala_Lumpur", sync_run_id=None, now=datetime.now(UTC))
    rebuild_pending(db)
    for store in STORES:
        flow.add_location(store)
        flow.map_location("pos", store, store, number_format=f"{store}-{{seq:05}}")
    return db.path


def _check_consistent(path) -> int:
    """Whatever was interrupted: every posting complete, numbers gap-free, entries balanced."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        q = lambda sql: con.execute(sql).fetchall()  # noqa: E731
        assert q("SELECT count(*) FROM documents WHERE posting_id NOT IN (SELECT id FROM postings)") == [(0,)]
        assert q("SELECT count(*) FROM postings WHERE id NOT IN (SELECT posting_id FROM documents) "
                 "AND note IS NULL") == [(0,)]
        assert q("SELECT count(*) FROM documents WHERE id NOT IN (SELECT document_id FROM journal_entries)") == [(0,)]
        assert q("SELECT count(*) FROM documents WHERE id NOT IN (SELECT document_id FROM document_history)") == [(0,)]
        assert q("SELECT count(*) FROM documents WHERE id NOT IN (SELECT document_id FROM document_lines)") == [(0,)]
        assert q("SELECT entry_id FROM journal_lines GROUP BY entry_id HAVING sum(debit) <> sum(credit)") == []
        assert q("SELECT digest_id FROM postings GROUP BY digest_id HAVING count(*) > 1") == []
        numbers = [n for (n,) in q("SELECT number FROM documents")]
        by_store: dict[str, list[int]] = {}
        for number in numbers:
            store, seq = re.fullmatch(r"(S\d\d)-(\d{5})", number).groups()
            by_store.setdefault(store, []).append(int(seq))
        for store, seqs in by_store.items():
            assert sorted(seqs) == list(range(1, len(seqs) + 1)), f"gap or duplicate in {store}"
            last = q(f"SELECT last_value FROM number_sequences WHERE scope = '{store}-{{seq}}'")
            assert last == [(len(seqs),)]
        return q("SELECT count(*) FROM postings")[0][0]
    finally:
        con.close()


def _post(path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "flowtui", "--db", str(path), "post", "--all"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**__import__("os").environ, "FLOWTUI_NOW": "2026-10-10T00:00:00Z"})


@pytest.mark.slow
def test_killing_a_posting_leaves_all_or_nothing_and_a_repost_completes_once(template, tmp_path):
    started = time.monotonic()
    run = _post(shutil.copy(template, tmp_path / "timing.duckdb"))
    assert run.wait(timeout=120) == 0, run.stderr.read()
    full = time.monotonic() - started
    assert _check_consistent(tmp_path / "timing.duckdb") == 300

    rnd = random.Random(11)
    outcomes = set()
    for trial in range(10):
        path = shutil.copy(template, tmp_path / f"trial{trial}.duckdb")
        victim = _post(path)
        time.sleep(rnd.uniform(0.2, full))
        victim.kill()  # SIGKILL: no clean-up, no rollback by us
        victim.wait()
        posted = _check_consistent(path)
        outcomes.add(posted)
        rerun = _post(path)
        assert rerun.wait(timeout=120) == 0, rerun.stderr.read()
        assert _check_consistent(path) == 300
    print("posting took", round(full, 2), "s; digests posted when killed:", sorted(outcomes))
    assert len(outcomes) >= 2, f"every kill landed at the same point: {outcomes}"
