"""`flowtui demo`: a working database for a newcomer, idempotent, through both streams."""

from __future__ import annotations

from flowtui.connectors.storehub import client as storehub
from tests.cli_helpers import Cli


def test_the_demo_builds_syncs_posts_and_can_run_again(db_path, monkeypatch):
    monkeypatch.setenv("FLOWTUI_NOW", "2026-10-20T06:00:00Z")
    assert storehub.PROCESS_LIMITER.rate == 3.0  # the demo goes through the real limit
    cli = Cli(db_path)
    first = cli.ok("demo")
    assert "Demo database:" in first.out and "synced over HTTP from a local StoreHub sandbox" in first.out
    streams = {s["name"]: s for s in cli.json("stream", "list")}
    assert set(streams) == {"Demo POS", "Demo StoreHub"}
    assert streams["Demo POS"]["status"] == "ok" and streams["Demo StoreHub"]["status"] == "ok"
    digests = cli.json("digests")
    file_days = [d for d in digests if d["stream"] == "Demo POS"]
    assert len(file_days) == 60 and {d["location"] for d in file_days} == {"KL Sentral", "Gurney Plaza"}
    assert {d["status"] for d in file_days if d["date"] < "2026-10-20"} == {"posted"}  # auto invoice
    assert {d["status"] for d in file_days if d["date"] == "2026-10-20"} == {"open"}
    assert not [d for d in digests if d["status"] == "needs_attention"]
    balance = cli.json("ledger", "trial-balance")
    assert balance["totals"]["debit"] == balance["totals"]["credit"]
    again = cli.ok("demo")
    assert "0 new, 0 changed" in again.out
    assert cli.json("digests") == digests
