"""Landing canonical orders: idempotent, versioned, validating, dating by the location's calendar."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from flowtui.connectors.base import OrderBatch, Window
from flowtui.engine.pipeline import raw
from flowtui.engine.pipeline.landing import land_batch
from flowtui.engine.setup.streams import StreamSettings
from tests.factories import order

NOW = datetime(2026, 10, 20, tzinfo=UTC)


@pytest.fixture
def stream(flow, orders_dir):
    flow.init()
    return flow.add_stream("shop", "file", {"path": str(orders_dir)}, StreamSettings())


def land(db, orders, window=Window(), stream_id=1):
    batch = OrderBatch(orders=[o if isinstance(o, str) else json.dumps(o) for o in orders], source="test.ndjson")
    with db.write() as con:
        return land_batch(con, stream_id, batch, window=window, default_tz="Asia/Kuala_Lumpur",
                          sync_run_id=None, now=NOW)


def table(db, sql, params=None):
    with db.read() as con:
        return con.execute(sql, params or []).fetchall()


def test_a_batch_lands_orders_lines_payments_and_raw_payloads(db, stream):
    result = land(db, [
        order("A-1", "KL", "2026-10-01T03:00:00Z", [("KOPI", 2, "3.50"), ("ROTI", 1, "5.00")],
              pay=[("Cash", "5.00"), ("Card", None)]),
        order("A-2", "KL", "2026-10-01T04:00:00Z", [("KOPI", 1, "3.50")]),
    ])
    assert (result.new, result.changed, result.unchanged, result.rejected) == (2, 0, 0, 0)
    assert table(db, "SELECT order_id, total, version, business_date FROM orders ORDER BY order_id") == [
        ("A-1", pytest.approx(12), 1, date(2026, 10, 1)), ("A-2", pytest.approx(3.5), 1, date(2026, 10, 1))]
    assert table(db, "SELECT count(*) FROM order_lines") == [(3,)]
    assert table(db, "SELECT method, amount FROM order_payments WHERE order_id = 'A-1' ORDER BY seq") == [
        ("Cash", pytest.approx(5)), ("Card", pytest.approx(7))]
    with db.read() as con:
        assert raw.ref(con, 1, "A-2") == "test.ndjson:2"
        assert json.loads(raw.payload(con, 1, "A-2")) == json.loads(json.dumps(
            order("A-2", "KL", "2026-10-01T04:00:00Z", [("KOPI", 1, "3.50")])))


def test_landing_the_same_orders_twice_changes_nothing(db, stream):
    orders = [order(f"A-{i}", "KL", f"2026-10-0{i}T03:00:00Z", [("KOPI", i, "3.50")]) for i in range(1, 6)]
    land(db, orders)
    before = table(db, "SELECT * FROM orders ORDER BY order_id")
    raw_before = table(db, "SELECT count(*) FROM raw_orders")
    again = land(db, orders)
    assert (again.new, again.changed, again.unchanged) == (0, 0, 5)
    assert table(db, "SELECT * FROM orders ORDER BY order_id") == before
    assert table(db, "SELECT count(*) FROM raw_orders") == raw_before
    assert table(db, "SELECT count(*) FROM order_lines") == [(5,)]


def test_a_changed_order_replaces_the_old_version_and_keeps_it_for_audit(db, stream):
    sale = order("A-1", "KL", "2026-10-01T03:00:00Z", [("KOPI", 2, "3.50"), ("ROTI", 1, "5.00")])
    land(db, [sale])
    voided = {**sale, "status": "voided"}
    result = land(db, [voided])
    assert (result.new, result.changed) == (0, 1)
    assert table(db, "SELECT status, version FROM orders") == [("voided", 2)]
    assert table(db, "SELECT DISTINCT status FROM order_lines") == [("voided",)]
    assert table(db, "SELECT count(*) FROM order_lines") == [(2,)]
    assert table(db, "SELECT version FROM raw_orders ORDER BY version") == [(1,), (2,)]
    with db.read() as con:  # both versions are kept as they came
        assert json.loads(raw.payload(con, 1, "A-1", version=1))["status"] == "completed"
        assert json.loads(raw.payload(con, 1, "A-1"))["status"] == "voided"
    # the old version arriving again (an old file re-read) is stale: the void stands
    stale = land(db, [sale])
    assert (stale.stale, stale.changed) == (1, 0)
    assert table(db, "SELECT status, version FROM orders") == [("voided", 2)]


def test_the_last_of_several_versions_in_one_batch_wins(db, stream):
    sale = order("A-1", "KL", "2026-10-01T03:00:00Z", [("KOPI", 1, "3.50")])
    result = land(db, [sale, {**sale, "status": "voided"}])
    assert result.new == 1
    assert table(db, "SELECT status FROM orders") == [("voided",)]


def test_malformed_orders_are_rejected_with_reasons_and_the_rest_lands(db, stream):
    good = order("OK-1", "KL", "2026-10-01T03:00:00Z", [("KOPI", 1, "3.50")])
    no_total = order("BAD-1", "KL", "2026-10-01T03:00:00Z", [("KOPI", 1, "3.50")])
    del no_total["total"]
    bad_qty = order("BAD-2", "KL", "2026-10-01T03:00:00Z", [("KOPI", 1, "3.50")])
    bad_qty["lines"][0]["quantity"] = "abc"
    naive = order("BAD-3", "KL", "2026-10-01T03:00:00", [("KOPI", 1, "3.50")])
    wrong_sum = order("BAD-4", "KL", "2026-10-01T03:00:00Z", [("KOPI", 1, "3.50")], pay=[("Cash", "3.00")])
    result = land(db, [good, no_total, "{not json", bad_qty, naive, wrong_sum, "[1, 2]"])
    assert result.new == 1
    reasons = {r.ref: r.errors for r in result.rejections}
    assert reasons == {
        "test.ndjson:2": ("total: missing",),
        "test.ndjson:3": ("not valid JSON",),
        "test.ndjson:4": ('line 1 quantity: "abc" is not a number',),
        "test.ndjson:5": ('time: "2026-10-01T03:00:00" must be an ISO 8601 instant with a UTC offset, '
                          "e.g. 2026-10-01T03:15:00Z",),
        "test.ndjson:6": ("payments do not add up to the total: payments add up to 3.00, total is 3.50",),
        "test.ndjson:7": ("not a JSON object (got array)",),
    }
    assert table(db, "SELECT order_id FROM orders") == [("OK-1",)]
    stored = table(db, "SELECT order_key, business_date FROM order_rejections WHERE resolved_at IS NULL ORDER BY ref")
    assert ("BAD-2", date(2026, 10, 1)) in stored
    # landing the same bad data again records nothing new
    land(db, [good, no_total, "{not json", bad_qty, naive, wrong_sum, "[1, 2]"])
    assert table(db, "SELECT count(*) FROM order_rejections") == [(6,)]


def test_a_corrected_order_resolves_its_rejection(db, stream):
    bad = order("A-1", "KL", "2026-10-01T03:00:00Z", [("KOPI", 1, "3.50")], pay=[("Cash", "1.00")])
    land(db, [bad])
    assert table(db, "SELECT count(*) FROM order_rejections WHERE resolved_at IS NULL") == [(1,)]
    land(db, [order("A-1", "KL", "2026-10-01T03:00:00Z", [("KOPI", 1, "3.50")])])
    assert table(db, "SELECT count(*) FROM order_rejections WHERE resolved_at IS NULL") == [(0,)]


def test_every_arithmetic_rule_is_checked(db, stream):
    total_off = order("T-1", "KL", "2026-10-01T03:00:00Z", [("KOPI", 1, "3.50")])
    total_off["total"] = "3.60"
    total_off["payments"][0]["amount"] = "3.60"
    lines_off = order("T-2", "KL", "2026-10-01T03:00:00Z", [("KOPI", 1, "3.50")])
    lines_off["subtotal"] = "4.00"
    amount_off = order("T-3", "KL", "2026-10-01T03:00:00Z", [("KOPI", 1, "3.50")])
    amount_off["lines"][0]["amount"] = "3.00"
    three_decimals = order("T-4", "KL", "2026-10-01T03:00:00Z", [("KOPI", 1, "3.50")])
    three_decimals["tax"] = "0.001"
    negative = order("T-5", "KL", "2026-10-01T03:00:00Z", [("KOPI", 1, "3.50")])
    negative["lines"][0]["quantity"] = -1
    result = land(db, [total_off, lines_off, amount_off, three_decimals, negative])
    assert result.new == 0
    messages = {r.order_id: " ".join(r.errors) for r in result.rejections}
    assert messages["T-1"].startswith("total does not add up: subtotal - discount + service_charge + shipping "
                                      "+ tax + tip + rounding = 3.50, total is 3.60")
    assert "line amounts do not add up to the subtotal: lines add up to 3.50, subtotal is 4.00" in messages["T-2"]
    assert "does not equal quantity x unit_price - discount" in messages["T-3"]
    assert "at most 2 decimals" in messages["T-4"]
    assert "positive quantity" in messages["T-5"]


def test_shipping_and_a_tip_are_part_of_the_total_and_checked_like_any_amount(db, stream):
    shipped = order("S-1", "KL", "2026-10-01T03:00:00Z", [("KOPI", 2, "10.00")], tax_rate="0.06",
                    shipping="8.00", shipping_tax="0.48", tip="5.00")
    assert shipped["total"] == "34.68"  # 20.00 + 8.00 shipping + 1.68 tax (0.48 of it on shipping) + 5.00 tip
    tip_left_out = dict(shipped, id="S-2")
    del tip_left_out["tip"]
    negative = order("S-3", "KL", "2026-10-01T03:00:00Z", [("KOPI", 1, "3.50")], shipping="-1.00")
    three_decimals = order("S-4", "KL", "2026-10-01T03:00:00Z", [("KOPI", 1, "3.50")], tip="0.125")
    result = land(db, [shipped, tip_left_out, negative, three_decimals])
    assert result.new == 1
    messages = {r.order_id: " ".join(r.errors) for r in result.rejections}
    assert messages["S-2"].startswith("total does not add up: subtotal - discount + service_charge + shipping "
                                      "+ tax + tip + rounding = 29.68, total is 34.68")
    assert messages["S-3"] == 'shipping: "-1.00" must not be negative'
    assert messages["S-4"] == 'tip: "0.125" must be an amount with at most 2 decimals'


def test_defaults_fill_optional_fields(db, stream):
    minimal = {"id": "M-1", "store_id": "KL", "time": "2026-10-01T03:00:00Z", "total": "7.00",
               "lines": [{"sku": "KOPI", "quantity": 2, "unit_price": "3.50"}],
               "payments": [{"method": "Cash", "amount": 7}]}
    assert land(db, [minimal]).new == 1
    assert table(db, "SELECT number, type, status, subtotal, discount, tax FROM orders") == [
        ("M-1", "sale", "completed", pytest.approx(7), 0, 0)]
    assert table(db, "SELECT amount FROM order_lines") == [(pytest.approx(7),)]


def test_a_voided_order_is_checked_for_shape_only(db, stream):
    void = order("V-1", "KL", "2026-10-01T03:00:00Z", [("KOPI", 1, "3.50")], status="voided", pay=[])
    assert land(db, [void]).new == 1


def test_business_date_is_the_local_date_of_the_instant(db, stream):
    land(db, [
        order("LATE", "KL", "2026-10-01T15:59:59Z", [("KOPI", 1, "3.50")]),   # 23:59:59 in KL
        order("AFTER", "KL", "2026-10-01T16:00:00Z", [("KOPI", 1, "3.50")]),  # 00:00 on 2 Oct in KL
        order("OFFSET", "KL", "2026-10-02T07:30:00+08:00", [("KOPI", 1, "3.50")]),
    ])
    assert dict(table(db, "SELECT order_id, business_date FROM orders")) == {
        "LATE": date(2026, 10, 1), "AFTER": date(2026, 10, 2), "OFFSET": date(2026, 10, 2)}


def test_mapping_a_store_to_another_time_zone_re_dates_its_orders(flow, db, stream):
    land(db, [order("A-1", "LDN", "2026-10-01T20:00:00Z", [("TEA", 1, "3.00")])])
    assert table(db, "SELECT business_date FROM orders") == [(date(2026, 10, 2),)]
    flow.add_location("London", "Europe/London")
    flow.map_location("shop", "LDN", "London")
    assert table(db, "SELECT business_date FROM orders") == [(date(2026, 10, 1),)]
    assert table(db, "SELECT DISTINCT business_date FROM order_lines") == [(date(2026, 10, 1),)]
    assert table(db, "SELECT business_date FROM digests") == [(date(2026, 10, 1),)]


def test_only_orders_inside_the_window_land(db, stream):
    orders = [order(f"A-{d}", "KL", f"2026-10-{d:02d}T03:00:00Z", [("KOPI", 1, "3.50")]) for d in (1, 2, 3, 4)]
    result = land(db, orders, window=Window(date(2026, 10, 2), date(2026, 10, 3)))
    assert (result.new, result.skipped) == (2, 2)
    assert table(db, "SELECT order_id FROM orders ORDER BY 1") == [("A-2",), ("A-3",)]


def test_touched_days_are_marked_dirty_in_the_same_transaction(db, stream):
    land(db, [order("A-1", "KL", "2026-10-01T03:00:00Z", [("KOPI", 1, "3.50")]),
              order("B-1", "PG", "2026-10-02T03:00:00Z", [("KOPI", 1, "3.50")])])
    assert table(db, "SELECT pos_store_id, business_date FROM dirty_days ORDER BY 1") == [
        ("KL", date(2026, 10, 1)), ("PG", date(2026, 10, 2))]


def test_stores_seen_in_orders_are_remembered_with_their_names(db, stream):
    land(db, [order("A-1", "KL", "2026-10-01T03:00:00Z", [("KOPI", 1, "3.50")], store_name="KL Sentral")])
    assert table(db, "SELECT pos_store_id, name FROM stream_stores") == [("KL", "KL Sentral")]


def test_an_order_id_is_never_landed_twice_whatever_the_batching(db, stream):
    """Landing keeps (stream, order id) unique by itself: the same ids across and within batches."""
    first = [order(f"A-{i}", "KL", "2026-10-01T03:00:00Z", [("KOPI", 1, "3.50")]) for i in range(10)]
    second = [{**o, "status": "voided"} for o in first[::2]] + first[1::2] + [first[3], first[3]]
    land(db, first)
    land(db, second)
    land(db, first + second)
    assert table(db, "SELECT order_id FROM orders GROUP BY order_id HAVING count(*) > 1") == []
    assert table(db, "SELECT count(*) FROM orders") == [(10,)]
    assert table(db, "SELECT count(*) FROM order_lines") == [(10,)]
    assert table(db, "SELECT count(*) FILTER (WHERE status = 'voided') FROM orders") == [(5,)]


def test_batches_landed_together_keep_every_orders_raw_payload(db, stream):
    """Prepared batches gathered into one unit: each part starts on a fresh raw chunk, so positions still hold."""
    from flowtui.engine.pipeline.landing import PreparedBatch, prepare

    def batch(prefix, count):
        orders = [json.dumps(order(f"{prefix}-{i}", "KL", "2026-10-01T03:00:00Z", [("KOPI", 1, "3.50")]))
                  for i in range(count)]
        raws = [f'{{"source": "{prefix}", "n": {i}}}' for i in range(count)]
        return prepare(OrderBatch(orders=orders, refs=[f"{prefix}:{i}" for i in range(count)], raw=raws))

    first, second = batch("A", 1500), batch("B", 700)  # 1,500: the first part ends mid-chunk
    assert first.joinable(second)
    joined = PreparedBatch.join([first, second])
    with db.write() as con:
        result = land_batch(con, 1, joined, default_tz="Asia/Kuala_Lumpur", sync_run_id=None, now=NOW)
    assert result.new == 2200
    with db.read() as con:
        assert raw.payload(con, 1, "A-1499") == '{"source": "A", "n": 1499}'
        assert raw.payload(con, 1, "B-0") == '{"source": "B", "n": 0}'
        assert raw.payload(con, 1, "B-699") == '{"source": "B", "n": 699}'
        assert raw.ref(con, 1, "B-5") == "B:5"


def test_lines_of_a_file_are_not_joined_with_other_batches():
    from flowtui.engine.pipeline.landing import prepare

    lines = [json.dumps(order("A-1", "KL", "2026-10-01T03:00:00Z", [("KOPI", 1, "3.50")])) + "\n"]
    from_file = prepare(OrderBatch(orders=lines, source="a.ndjson"))
    with_refs = prepare(OrderBatch(orders=lines, refs=["x"]))
    assert not from_file.joinable(with_refs) and not with_refs.joinable(from_file)


def test_a_batch_is_handed_to_duckdb_in_pieces_so_every_thread_gets_a_share():
    """DuckDB scans a registered Arrow table one record batch per thread: a batch in one piece would be parsed
    on one core. The pieces are zero-copy slices holding the same rows, in order."""
    import pyarrow as pa

    from flowtui.engine.pipeline.landing import SCAN_PIECE, _in_pieces

    table = pa.table({"seq": pa.array(range(2 * SCAN_PIECE + 5), pa.int64())})
    pieces = _in_pieces(table)
    assert [b.num_rows for b in pieces.to_batches()] == [SCAN_PIECE, SCAN_PIECE, 5]
    assert pieces.equals(table)
