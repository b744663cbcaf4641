"""Digests: worked examples, change detection, and properties over generated orders."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flowtui.connectors.base import OrderBatch
from flowtui.engine.digests.rollup import summarize, unit_price_sen
from flowtui.engine.digests.store import DigestFilter
from flowtui.engine.pipeline.landing import land_batch
from flowtui.engine.pipeline.sync import rebuild_pending
from flowtui.engine.services.flow import Flow
from flowtui.engine.setup.streams import StreamSettings
from flowtui.engine.storage.database import Database
from tests.factories import order

KL = ZoneInfo("Asia/Kuala_Lumpur")
NOW = datetime(2026, 10, 20, tzinfo=UTC)


def land(db, orders):
    batch = OrderBatch(orders=[json.dumps(o) for o in orders], source="t.ndjson")
    with db.write() as con:
        result = land_batch(con, 1, batch, default_tz="Asia/Kuala_Lumpur", sync_run_id=None, now=NOW)
    rebuild_pending(db)
    return result


@pytest.fixture
def shop(flow, orders_dir, monkeypatch):
    monkeypatch.setenv("FLOWTUI_NOW", "2026-10-20T00:00:00Z")
    flow.init()
    flow.add_stream("shop", "file", {"path": str(orders_dir)}, StreamSettings())
    return flow


def only_digest(flow: Flow, **kw):
    rows = flow.digests(DigestFilter(**kw))
    assert len(rows) == 1, rows
    return flow.digest(rows[0].id)


def test_a_day_of_sales_returns_and_a_void(shop, db):
    """KL, 1 Oct 2026 (UTC+8):

    S1  2 x KOPI @ 3.50 + 1 x ROTI @ 5.00, SST 6% (0.42 + 0.30), service charge 1.20,
        rounding -0.02: total 13.90, paid Cash 10.00 + Card 3.90
    S2  1 x KOPI @ 3.50, no tax, E-wallet 3.50, rung up at 00:30 local on 2 Oct -> not this day
    S3  3 x ROTI, voided -> counts for nothing
    R1  return of 1 x KOPI from S1: 3.50 + tax 0.21 = 3.71, refunded in Cash
    """
    land(db, [
        order("S1", "KL", "2026-10-01T02:00:00Z", [("KOPI", 2, "3.50"), ("ROTI", 1, "5.00")], tax_rate="0.06",
              service_charge="1.20", rounding="-0.02", pay=[("Cash", "10.00"), ("Card", None)]),
        order("S2", "KL", "2026-10-01T16:30:00Z", [("KOPI", 1, "3.50")], pay=[("E-wallet", None)]),
        order("S3", "KL", "2026-10-01T05:00:00Z", [("ROTI", 3, "5.00")], status="voided"),
        order("R1", "KL", "2026-10-01T09:00:00Z", [("KOPI", 1, "3.50")], tax_rate="0.06", type="return",
              original_id="S1"),
    ])
    d = only_digest(shop, start=date(2026, 10, 1), end=date(2026, 10, 1))
    assert d.row.order_count == 1 and d.row.return_count == 1
    assert d.summary == {
        "gross_sales": Decimal("13.90"), "returns": Decimal("3.71"), "discount": Decimal("0.00"),
        "service_charge": Decimal("1.20"), "shipping": Decimal("0.00"), "tax": Decimal("0.51"),
        "tips": Decimal("0.00"), "rounding": Decimal("-0.02"), "net_total": Decimal("10.19"),
    }
    assert d.row.amount == Decimal("10.19")
    assert d.payments == [("Card", Decimal("3.90")), ("Cash", Decimal("6.29"))]
    assert sum(a for _, a in d.payments) == d.row.amount
    items = {i.sku: (i.quantity, i.unit_price, i.amount, i.tax) for i in d.items}
    assert items == {"KOPI": (Decimal("1.000"), Decimal("3.50"), Decimal("3.50"), Decimal("0.21")),
                     "ROTI": (Decimal("1.000"), Decimal("5.00"), Decimal("5.00"), Decimal("0.30"))}
    assert [o.id for o in d.orders] == ["S1", "R1"]
    assert d.taxes == [("T0.06", Decimal("8.50"), Decimal("0.51"))]
    late = only_digest(shop, start=date(2026, 10, 2))
    assert late.row.amount == Decimal("3.50") and late.payments == [("E-wallet", Decimal("3.50"))]


def test_status_follows_the_clock_and_the_mappings(shop, db, monkeypatch):
    land(db, [order("S1", "KL", "2026-10-19T02:00:00Z", [("KOPI", 1, "3.50")], pay=[("GrabPay", None)])])
    monkeypatch.setenv("FLOWTUI_NOW", "2026-10-19T15:59:00Z")  # 23:59 in KL: the day is not over
    assert shop.digests()[0].status == "open"
    monkeypatch.setenv("FLOWTUI_NOW", "2026-10-19T16:00:00Z")  # midnight in KL
    row = shop.digests()[0]
    assert row.status == "needs_attention"
    attention = shop.digest(row.id).attention
    assert attention == [
        'POS store "KL" is not mapped to a location (flowtui map location "shop" "KL" --location NAME)',
        'payment method "GrabPay" is not mapped to an account (flowtui map payment "shop" "GrabPay" --account CODE)',
    ]
    shop.add_location("KL Sentral")
    shop.map_location("shop", "KL", "KL Sentral")
    shop.map_payment("shop", "GrabPay", "1030")
    row = shop.digests()[0]
    assert (row.status, row.location) == ("ready", "KL Sentral")
    assert shop.digests(DigestFilter(location="KL Sentral"))[0].id == row.id
    assert shop.digests(DigestFilter(status="needs_attention")) == []


def test_a_rejected_order_puts_its_day_in_need_of_attention(shop, db):
    bad = order("B1", "KL", "2026-10-02T02:00:00Z", [("KOPI", 1, "3.50")], pay=[("Cash", "1.00")])
    land(db, [bad])
    row = shop.digests()[0]  # a day whose only order was rejected still shows up
    assert (row.date, row.order_count, row.status) == (date(2026, 10, 2), 0, "needs_attention")
    assert any("rejected (first: t.ndjson:1)" in reason for reason in shop.digest(row.id).attention)
    land(db, [order("B1", "KL", "2026-10-02T02:00:00Z", [("KOPI", 1, "3.50")])])
    fixed = shop.digest(row.id)
    assert fixed.row.order_count == 1
    assert not any("rejected" in reason for reason in fixed.attention)


def test_a_digest_is_versioned_only_when_its_content_changes(shop, db):
    s1 = order("S1", "KL", "2026-10-01T02:00:00Z", [("KOPI", 1, "3.50")])
    s2 = order("S2", "KL", "2026-10-01T03:00:00Z", [("ROTI", 2, "5.00")])
    land(db, [s1, s2])
    first = only_digest(shop)
    assert (first.version, first.row.amount) == (1, Decimal("13.50"))
    land(db, [s1, s2])
    assert only_digest(shop).version == 1
    land(db, [{**s2, "status": "voided"}])
    changed = only_digest(shop)
    assert (changed.version, changed.row.amount, changed.row.id) == (2, Decimal("3.50"), first.row.id)
    assert [i.sku for i in changed.items] == ["KOPI"]
    land(db, [{**s1, "status": "voided"}])
    assert shop.digests() == []  # nothing left that day


def test_unit_price_is_rounded_half_away_from_zero():
    frame = pl.DataFrame({"amount": [1000, -1000, 1000, 0, 5], "quantity": [3000, 3000, 0, 2000, 2000]})
    prices = frame.select(unit_price_sen(pl.col("amount"), pl.col("quantity")).alias("p"))["p"].to_list()
    assert prices == [333, -333, 0, 0, 3]  # 10.00/3, -10.00/3, nothing left, 0, 0.05/2 = 0.025 -> 0.03


# -- properties ---------------------------------------------------------------------

SKUS = ["KOPI", "ROTI", "TEH", "NASI"]
METHODS = ["Cash", "Card", "GrabPay"]
BASE = datetime(2026, 10, 1, 15, 0, tzinfo=UTC)  # 23:00 in KL: orders straddle local midnight


@st.composite
def generated_order(draw, index: int):
    lines = draw(st.lists(
        st.tuples(st.sampled_from(SKUS), st.integers(1, 4), st.integers(10, 3000)), min_size=1, max_size=3))
    lines = [(sku, qty, f"{cents / 100:.2f}") for sku, qty, cents in lines]
    minutes = draw(st.integers(0, 180))
    kind = draw(st.sampled_from(["sale", "sale", "sale", "return"]))
    status = draw(st.sampled_from(["completed"] * 5 + ["voided"]))
    rounding = draw(st.sampled_from(["0.00", "0.02", "-0.02", "0.01"]))
    service = draw(st.sampled_from(["0.00", "0.50", "1.25"]))
    split = draw(st.booleans())
    methods = draw(st.permutations(METHODS))
    pay = [(methods[0], "0.01"), (methods[1], None)] if split else [(methods[0], None)]
    when = (BASE + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")
    return order(f"O{index}", draw(st.sampled_from(["KL", "PG"])), when, lines, type=kind, status=status,
                 tax_rate=draw(st.sampled_from([None, "0.06", "0.08"])), rounding=rounding,
                 service_charge=service, pay=pay)


def fresh_shop(tmp_path_factory) -> Flow:
    """A new database with one file stream, for each generated example."""
    folder = tmp_path_factory.mktemp("shop")
    flow = Flow(Database.at(folder / "flow.duckdb"))
    flow.init()
    flow.add_stream("shop", "file", {"path": str(folder)}, StreamSettings())
    return flow


orders_strategy = st.integers(1, 25).flatmap(
    lambda n: st.tuples(*[generated_order(i) for i in range(n)]).map(list))


def expected_digests(orders: list[dict]) -> dict:
    """The digest definitions, written out plainly in Decimal."""
    out: dict = defaultdict(lambda: {"gross": Decimal(0), "returns": Decimal(0), "tax": Decimal(0),
                                     "rounding": Decimal(0), "service": Decimal(0), "sales": 0, "rets": 0,
                                     "pay": defaultdict(Decimal), "qty": defaultdict(Decimal),
                                     "amount": defaultdict(Decimal)})
    for o in orders:
        if o["status"] != "completed":
            continue
        day = datetime.fromisoformat(o["time"].replace("Z", "+00:00")).astimezone(KL).date()
        d = out[(o["store_id"], day)]
        sign = 1 if o["type"] == "sale" else -1
        if sign > 0:
            d["gross"] += Decimal(o["total"])
            d["sales"] += 1
        else:
            d["returns"] += Decimal(o["total"])
            d["rets"] += 1
        for key, field in (("tax", "tax"), ("rounding", "rounding"), ("service", "service_charge")):
            d[key] += sign * Decimal(o[field])
        for p in o["payments"]:
            d["pay"][p["method"]] += sign * Decimal(p["amount"])
        for line in o["lines"]:
            d["qty"][line["sku"]] += sign * Decimal(line["quantity"])
            d["amount"][line["sku"]] += sign * Decimal(line["amount"])
    return out


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(orders=orders_strategy)
def test_digests_equal_the_sum_of_their_orders(tmp_path_factory, orders):
    flow = fresh_shop(tmp_path_factory)
    land(flow.db, orders)
    expected = expected_digests(orders)
    rows = flow.digests()
    assert {(r.pos_store_id, r.date) for r in rows} == set(expected)
    for row in rows:
        want = expected[(row.pos_store_id, row.date)]
        detail = flow.digest(row.id)
        assert (row.order_count, row.return_count) == (want["sales"], want["rets"])
        assert detail.summary["gross_sales"] == want["gross"]
        assert detail.summary["returns"] == want["returns"]
        assert detail.summary["net_total"] == row.amount == want["gross"] - want["returns"]
        assert detail.summary["tax"] == want["tax"]
        assert detail.summary["rounding"] == want["rounding"]
        assert detail.summary["service_charge"] == want["service"]
        assert dict(detail.payments) == {m: a for m, a in want["pay"].items() if True}
        assert sum(a for _, a in detail.payments) == row.amount
        assert {i.sku: (i.quantity, i.amount) for i in detail.items} == {
            sku: (want["qty"][sku], want["amount"][sku]) for sku in want["qty"]}
        assert [o.id for o in detail.orders] == sorted(
            [o["id"] for o in orders if o["status"] == "completed" and o["store_id"] == row.pos_store_id
             and datetime.fromisoformat(o["time"].replace("Z", "+00:00")).astimezone(KL).date() == row.date],
            key=lambda i: (next(o["time"] for o in orders if o["id"] == i), i))


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(orders=orders_strategy)
def test_landing_twice_changes_nothing(tmp_path_factory, orders):
    flow = fresh_shop(tmp_path_factory)
    land(flow.db, orders)
    tables = ["orders", "order_lines", "order_payments", "raw_orders", "digests", "digest_items", "digest_payments"]

    def snapshot():
        with flow.db.read() as con:
            return {t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall())) for t in tables}

    before = snapshot()
    again = land(flow.db, orders)
    assert again.new == again.changed == 0
    assert snapshot() == before


@settings(max_examples=60, deadline=None)
@given(orders=orders_strategy)
def test_summarize_alone_matches_the_definitions(orders):
    """The pure Polars function, fed straight from canonical orders (no database)."""
    sen = lambda v: int(Decimal(v) * 100)  # noqa: E731
    keys = lambda o: {"stream_id": 1, "pos_store_id": o["store_id"], "business_date":  # noqa: E731
                      datetime.fromisoformat(o["time"].replace("Z", "+00:00")).astimezone(KL).date()}
    head = lambda o: {**keys(o), "type": o["type"], "status": o["status"]}  # noqa: E731
    frames = summarize(
        pl.DataFrame([{**head(o), **{k: sen(o[k]) for k in ("discount", "service_charge", "tax", "rounding", "total")},
                       **{k: sen(o.get(k, "0")) for k in ("shipping", "tip")}} for o in orders]),
        pl.DataFrame([{**head(o), "sku": line["sku"], "product_id": None, "name": None,
                       "quantity": int(Decimal(line["quantity"]) * 1000), "discount": sen(line["discount"]),
                       "tax": sen(line["tax"]), "tax_code": line.get("tax_code"), "amount": sen(line["amount"])}
                      for o in orders for line in o["lines"]],
                     schema_overrides={"product_id": pl.String, "name": pl.String, "tax_code": pl.String}),
        pl.DataFrame([{**head(o), "method": p["method"], "amount": sen(p["amount"])}
                      for o in orders for p in o["payments"]]),
    )
    expected = expected_digests(orders)
    got = {(r["pos_store_id"], r["business_date"]): r for r in frames.summary.iter_rows(named=True)}
    assert set(got) == set(expected)
    for key, want in expected.items():
        assert got[key]["net_total"] == sen(want["gross"] - want["returns"])
        assert got[key]["order_count"] == want["sales"]
        paid = frames.payments.filter((pl.col("pos_store_id") == key[0]) & (pl.col("business_date") == key[1]))
        assert paid["amount"].sum() == got[key]["net_total"]
