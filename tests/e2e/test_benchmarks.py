"""``make bench`` runs on the current schema: each benchmark's set-up and measurement, on a small scale.

The figures themselves are not tested (a benchmark is not a test); a benchmark that no longer runs is.
"""

from __future__ import annotations

from benchmarks import posting, storehub
from benchmarks import run as bench
from benchmarks.generate import generate


def test_the_landing_benchmark_runs_and_lands_what_the_reference_lands(tmp_path, monkeypatch):
    source = tmp_path / "orders.ndjson"
    generate(source, 3_000, stores=3, days=4)
    ours = bench._land(str(tmp_path / "ours.duckdb"), str(source))
    assert (ours["orders"], ours["new"], ours["rejected"]) == (3_000, 3_000, 0)
    again = bench._land(str(tmp_path / "ours.duckdb"), str(source))
    assert again["unchanged"] == 3_000
    assert bench._digest_all(str(tmp_path / "ours.duckdb"))["days"] == 12
    reference_db = tmp_path / "reference.duckdb"
    from flowtui.engine.services.flow import Flow
    from flowtui.engine.storage.database import Database

    Flow(Database.at(reference_db)).init()
    assert bench._reference(str(reference_db), str(source))["orders"] == 3_000


def test_the_posting_benchmark_runs_and_posts_balanced_entries(tmp_path, monkeypatch):
    monkeypatch.setenv("FLOWTUI_NOW", "2027-01-01T00:00:00Z")  # measure() sets it too; restored after the test
    source = tmp_path / "orders.ndjson"
    generate(source, 2_000, stores=2, days=3, seed=2)
    result = posting.measure(posting.prepare(tmp_path, source))
    assert result["digests"] == 6 and result["refused"] == 0 and result["unbalanced"] == 0


def test_the_sandbox_generation_benchmark_runs():
    made = storehub.generation(scale=1)
    assert made["transactions"] > 1_000 and made["seconds"] > 0
