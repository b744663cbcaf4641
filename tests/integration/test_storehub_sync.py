"""A StoreHub stream synced from the sandbox over real HTTP on loopback."""

from __future__ import annotations

import json
import os
import stat
from collections import defaultdict
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from flowtui.connectors.storehub import client as storehub
from flowtui.engine.digests.store import DigestFilter
from flowtui.engine.setup.streams import StreamSettings
from flowtui.sandbox.storehub import StoreHubSandbox
from tests.cli_helpers import Cli

KL = ZoneInfo("Asia/Kuala_Lumpur")
END = date(2026, 10, 14)  # the sandbox's last day; "now" is the morning after
NOW = "2026-10-15T01:00:00Z"


@pytest.fixture(autouse=True)
def fast_and_frozen(monkeypatch):
    monkeypatch.setenv("FLOWTUI_NOW", NOW)
    monkeypatch.setattr(storehub.PROCESS_LIMITER, "rate", None)  # the rate test puts it back
    monkeypatch.setattr(storehub, "BACKOFF_BASE", 0.01)


@pytest.fixture
def sandbox():
    with StoreHubSandbox(seed=5, days=7, end_date=END, rate_limit=None) as box:
        box.start()
        yield box


def connect(flow, box, name="Sandbox", key=None, start=None, **settings):
    flow.init()
    flow.add_stream(name, "storehub", {"account": box.account, "api_key": key or box.api_key,
                                       "base_url": box.base_url},
                    StreamSettings(start_date=start or box.start_date, **settings))
    for store_id in box.store_ids:
        location = f"Outlet {store_id[:6]}"
        if location not in {loc.name for loc in flow.locations()}:
            flow.add_location(location)
        flow.map_location(name, store_id, location)


def expected(box, first: date, last: date) -> dict:
    """The digests, worked out from the sandbox's own transactions."""
    skus = {p["id"]: p["sku"] for p in box.products()}
    out = defaultdict(lambda: {"gross": Decimal(0), "returns": Decimal(0), "sales": 0, "rets": 0,
                               "pay": defaultdict(Decimal), "qty": defaultdict(Decimal)})
    for t in box.transactions(include_online=True):
        when = datetime.fromisoformat(t["transactionTime"].replace("Z", "+00:00")).astimezone(KL).date()
        if t["isCancelled"] or not first <= when <= last:
            continue
        d = out[(t["storeId"], when)]
        sign = 1 if t["transactionType"] == "Sale" else -1
        if sign > 0:
            d["gross"] += Decimal(str(t["total"]))
            d["sales"] += 1
        else:
            d["returns"] += Decimal(str(t["total"]))
            d["rets"] += 1
        for p in t["payments"]:
            d["pay"][p["paymentMethod"]] += sign * Decimal(str(p["amount"]))
        for item in t["items"]:
            d["qty"][skus.get(item["productId"], item["productId"])] += sign * Decimal(str(item["quantity"]))
    return out


def assert_digests_match(flow, box, first: date, last: date) -> None:
    want = expected(box, first, last)
    rows = [r for r in flow.digests(DigestFilter(start=first, end=last))]
    assert {(r.pos_store_id, r.date) for r in rows} == set(want)
    for row in rows:
        w = want[(row.pos_store_id, row.date)]
        detail = flow.digest(row.id)
        assert (row.order_count, row.return_count) == (w["sales"], w["rets"]), row
        assert (detail.summary["gross_sales"], detail.summary["returns"]) == (w["gross"], w["returns"]), row
        assert row.amount == w["gross"] - w["returns"]
        assert dict(detail.payments) == {m: a for m, a in w["pay"].items() if a or m in dict(detail.payments)}
        assert {i.sku: i.quantity for i in detail.items} == {k: v for k, v in w["qty"].items()
                                                             if v or k in {i.sku for i in detail.items}}


def test_a_sync_lands_exactly_what_storehub_holds(flow, sandbox):
    connect(flow, sandbox)
    [outcome] = flow.sync(["Sandbox"])
    assert outcome.status == "ok", outcome.error or outcome.warnings
    assert outcome.landing.rejected == 0
    assert_digests_match(flow, sandbox, sandbox.start_date, END)
    asked = [q for path, q, status in sandbox.request_log if path == "/transactions"]
    assert asked and all(q.get("includeOnline") == "true" for q in asked)
    assert min(q["from"] for q in asked) == (sandbox.start_date - timedelta(days=1)).isoformat()
    assert max(q["to"] for q in asked) == (END + timedelta(days=1)).isoformat()
    [status] = flow.streams()
    assert (status.status, status.stream.cursor_date) == ("ok", END)
    again = flow.sync(["Sandbox"])[0]
    assert (again.landing.new, again.landing.changed) == (0, 0)


def test_online_orders_and_orders_after_midnight_land_on_their_local_day(flow, sandbox):
    connect(flow, sandbox)
    flow.sync(["Sandbox"])
    with flow.db.read() as con:
        online = con.execute("SELECT count(*) FROM orders WHERE channel <> 'POS'").fetchall()[0][0]
        late = con.execute(
            "SELECT count(*) FROM orders WHERE (ordered_at AT TIME ZONE 'Asia/Kuala_Lumpur')::TIME < TIME '00:30' "
            "AND business_date = (ordered_at AT TIME ZONE 'UTC')::DATE + 1").fetchall()[0][0]
    assert online > 0 and late > 0


def test_the_5000_cap_is_split_away(flow):
    with StoreHubSandbox(seed=2, days=8, end_date=END, rate_limit=None, busy_per_day=900) as box:
        box.start()
        connect(flow, box)
        [outcome] = flow.sync(["Sandbox"])
        assert outcome.status == "ok" and not outcome.warnings
        busy = [q for path, q, _ in box.request_log if path == "/transactions" and q["storeId"] == box.busy_store_id]
        assert any(q["from"] == q["to"] for q in busy) or len(busy) > 2  # capped windows were split
        assert_digests_match(flow, box, box.start_date, END)


def test_a_store_day_over_the_cap_is_held_open_until_it_is_read_whole(flow, db_path, monkeypatch):
    """A busy kiosk's day still hits the 5,000 cap asked alone: 5,000 of its ~5,300 transactions land, and the
    day is never "ready" short: it needs attention with the reason, reconcile fails for it, and it closes when a
    later sync reads it whole (or someone dismisses it on the record)."""
    with StoreHubSandbox(seed=3, days=1, end_date=END, rate_limit=None, busy_per_day=5400) as box:
        box.start()
        connect(flow, box)
        [outcome] = flow.sync(["Sandbox"])
        assert outcome.status == "warning"
        assert any("its cap" in w and "may be missing" in w for w in outcome.warnings)
        assert any("its cap" in w for w in flow.streams()[0].warnings)
        [busy] = [d for d in flow.digests() if d.pos_store_id == box.busy_store_id and d.date == END]
        assert busy.status == "needs_attention" and landed(flow, box.busy_store_id) == storehub.CAP
        reason = f"StoreHub returned 5,000 transactions (its cap) for store {box.busy_store_id} on {END}"
        assert any(a.startswith(reason) for a in flow.digest(busy.id).attention)
        [held] = flow.rejections()
        assert (held.short, held.pos_store_id, held.business_date) == (True, box.busy_store_id, END)
        reconcile = Cli(db_path)("reconcile", "--json")
        assert reconcile.code == 1
        [day] = [c for c in reconcile.json() if c["pos_store_id"] == box.busy_store_id and c["date"] == str(END)]
        assert day["rejections"] == 1 and day["differences"][-1].startswith(reason)

        flow.sync(["Sandbox"])  # still capped: still the same one, still open
        assert [r.id for r in flow.rejections()] == [held.id]

        monkeypatch.setattr(storehub, "CAP", 6000)  # StoreHub now hands the whole day over
        box.cap = 6000
        [outcome] = flow.sync(["Sandbox"])
        assert not outcome.warnings and flow.rejections() == []
        [busy] = [d for d in flow.digests() if d.pos_store_id == box.busy_store_id and d.date == END]
        assert landed(flow, box.busy_store_id) == len(box.transactions(box.busy_store_id, END, END)) > 5000
        assert not any("its cap" in a for a in flow.digest(busy.id).attention)
        assert [r.resolution for r in flow.rejections(everything=True)] == ["fixed"]


def landed(flow, store_id: str) -> int:
    """Orders landed for the store on the sandbox's last day."""
    with flow.db.read() as con:
        return con.execute("SELECT count(*) FROM orders WHERE pos_store_id = ? AND business_date = ?",
                           [store_id, END]).fetchall()[0][0]


def test_faults_on_the_wire_do_not_change_the_figures(flow, sandbox):
    sandbox.burst_429 = 3
    sandbox.fail_every = 4
    sandbox.non_json_every = 7
    sandbox.reset_every = 9
    connect(flow, sandbox)
    [outcome] = flow.sync(["Sandbox"])
    assert outcome.status == "ok", outcome.error
    assert sandbox.faults["fail"] and sandbox.faults["burst_429"] and sandbox.faults["reset"]
    assert_digests_match(flow, sandbox, sandbox.start_date, END)


def test_a_server_that_keeps_failing_fails_the_sync_clearly(flow, sandbox):
    connect(flow, sandbox)
    sandbox.fail_every = 1
    [outcome] = flow.sync(["Sandbox"])
    assert outcome.failed and "kept failing" in outcome.error
    assert flow.streams()[0].status == "failed"
    assert flow.streams()[0].stream.cursor_date is None  # nothing counts as synced


def test_a_wrong_key_fails_fast_and_is_never_shown(flow, sandbox, db_path):
    connect(flow, sandbox, key="wrong-key-123456789")
    [outcome] = flow.sync(["Sandbox"])
    assert outcome.failed and "check the account name and API key" in outcome.error
    assert len([s for _, _, s in sandbox.request_log if s == 401]) == 1  # never retried
    cli = Cli(db_path)
    for args in (("stream", "list", "--json"), ("sync", "Sandbox", "--json"), ("stream", "list")):
        result = cli(*args)
        assert "wrong-key-123456789" not in result.out + result.err
    assert b"wrong-key-123456789" not in db_path.read_bytes()
    secrets = flow.secrets.path
    assert stat.S_IMODE(os.stat(secrets).st_mode) == 0o600
    entry = flow.streams()[0].stream.config["api_key"]["secret"]  # in its books' name (test_secrets_isolation.py)
    assert entry.startswith("db:") and entry.endswith(":stream:Sandbox:api_key")
    assert json.loads(secrets.read_text())[entry] == "wrong-key-123456789"


def test_the_next_nights_changes_are_seen_inside_the_lookback(flow, sandbox, monkeypatch):
    connect(flow, sandbox)
    flow.sync(["Sandbox"])
    changes = sandbox.next_night()
    monkeypatch.setenv("FLOWTUI_NOW", "2026-10-16T01:00:00Z")
    [outcome] = flow.sync(["Sandbox"])  # cursor 14 Oct minus 3 days of lookback, up to 15 Oct
    assert outcome.window.start == END - timedelta(days=3) and outcome.window.end == END + timedelta(days=1)
    assert outcome.landing.changed >= 1 and outcome.landing.new >= 2
    with flow.db.read() as con:
        assert con.execute("SELECT status, version FROM orders WHERE order_id = ?",
                           [changes["voided"]["refId"]]).fetchall() == [("voided", 2)]
        assert con.execute("SELECT count(*) FROM orders WHERE order_id IN (?, ?)",
                           [changes["late_upload"]["refId"], changes["return"]["refId"]]).fetchall() == [(2,)]
    assert_digests_match(flow, sandbox, sandbox.start_date, END + timedelta(days=1))


def test_the_real_rate_limit_is_never_exceeded(flow, monkeypatch):
    monkeypatch.setattr(storehub.PROCESS_LIMITER, "rate", 3.0)
    with StoreHubSandbox(seed=4, days=2, end_date=END, rate_limit=3.0) as box:
        box.start()
        connect(flow, box)
        [outcome] = flow.sync(["Sandbox"])
        assert outcome.status == "ok"
        assert box.faults["rate_limited"] == 0 and box.requests >= 6


def test_the_stream_cli_for_storehub(db_path, sandbox):
    cli = Cli(db_path)
    cli.ok("stream", "add", "Shop", "--provider", "storehub", "--account", sandbox.account,
           "--api-key-env", "SANDBOX_KEY", "--base-url", sandbox.base_url, "--start-date", "2026-10-10",
           "--lookback-days", "2")
    os.environ["SANDBOX_KEY"] = sandbox.api_key
    try:
        assert "4 store(s)" in cli.ok("stream", "test", "Shop").out
        stores = cli.json("stream", "stores", "Shop")
        assert {s["id"] for s in stores} == set(sandbox.store_ids) and all(s["name"] for s in stores)
        [row] = cli.json("stream", "list")
        assert (row["provider"], row["lookback_days"], row["credentials"]) == ("storehub", 2, "from $SANDBOX_KEY")
    finally:
        del os.environ["SANDBOX_KEY"]
    result = cli("stream", "test", "Shop")
    assert result.code != 0 and "SANDBOX_KEY" in result.err
    missing = cli("stream", "add", "Bad", "--provider", "storehub", "--account", "x")
    assert missing.code != 0 and "--api-key" in missing.err


def test_second_night_changes_are_posted_and_the_ledger_equals_the_pos(flow, sandbox, db_path, monkeypatch):
    connect(flow, sandbox)
    for method in ("DuitNow QR", "Touch 'n Go eWallet", "Boost", "GrabPay", "ShopeePay", "CreditCard", "DebitCard"):
        flow.map_payment("Sandbox", method, "1030")
    flow.sync(["Sandbox"])
    first = flow.post(everything=True)
    assert first and all(o.status == "posted" for o in first), [o.reasons for o in first if o.reasons]
    changes = sandbox.next_night()
    monkeypatch.setenv("FLOWTUI_NOW", "2026-10-16T01:00:00Z")
    flow.sync(["Sandbox"])
    changed = [d for d in flow.digests() if d.status == "changed"]
    assert changed  # the void and the late upload landed in posted days
    second = flow.post(everything=True)
    assert {o.status for o in second if o.digest_id in {d.id for d in changed}} <= {"adjusted", "unchanged"}
    result = Cli(db_path)("reconcile", "--json")
    assert result.code == 0, [d["differences"] for d in result.json() if not d["agrees"]]
    assert_digests_match(flow, sandbox, sandbox.start_date, END + timedelta(days=1))
    with flow.db.read() as con:  # the return against an older sale is linked to that sale's invoice
        linked = con.execute(
            "SELECT d.linked_document_id IS NOT NULL FROM documents d JOIN posted_orders po ON po.posting_id = d.posting_id "
            "WHERE po.order_id = ? AND d.kind = 'credit_note'", [changes["return"]["refId"]]).fetchall()
    assert linked == [(True,)]
