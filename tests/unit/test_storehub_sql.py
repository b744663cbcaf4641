"""StoreHub replies read in bulk by DuckDB land exactly what the transaction-by-transaction exact path lands."""

from __future__ import annotations

import json

import duckdb
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flowtui.connectors.storehub.bulk import NotAList, NotJSON, ReplyReader
from flowtui.connectors.storehub.mapping import canonical_json, to_canonical
from flowtui.engine.core.orders import structure_json

PRODUCTS = {"p1": {"sku": "NL-01", "name": "Nasi Lemak"}, "p2": {"sku": "", "name": None}, "p3": {"sku": 42}}


def _sale(**changes) -> dict:
    sale = {
        "refId": "r-1", "invoiceNumber": "INV-1", "storeId": "s1", "transactionType": "Sale",
        "transactionTime": "2026-10-01T16:10:00.000Z", "channel": "GrabFood",
        "serviceCharge": 1.9, "tax": 1.25, "roundedAmount": 0.0, "total": 22.15, "isCancelled": False,
        "items": [
            {"productId": "p1", "quantity": 2, "unitPrice": 7.5, "discount": 1.0, "tax": 0.84, "total": 14.84,
             "taxCode": "SV6", "name": "ignored: the product's name wins"},
            {"productId": "gone", "quantity": 1, "unitPrice": 5.0, "discount": 0, "tax": 0.30, "total": 5.30},
        ],
        "payments": [{"paymentMethod": "GrabPay", "amount": 22.15}],
    }
    sale.update(changes)
    return sale


amounts = st.decimals(min_value=0, max_value=10_000, places=2).map(float)
everyday_items = st.fixed_dictionaries({
    "productId": st.sampled_from(["p1", "p2", "p3", "gone", "收据"]),
    "quantity": st.integers(1, 50),
    "unitPrice": amounts,
    "taxCode": st.sampled_from(["SV6", "SR8", None]),
}).map(lambda item: {**item, "discount": 0, "tax": 0, "total": round(item["quantity"] * item["unitPrice"], 2)})


@st.composite
def transactions(draw):
    """Everyday transactions with one field now and then replaced by something unusual."""
    items = draw(st.lists(everyday_items, min_size=1, max_size=3))
    subtotal = round(sum(i["total"] for i in items), 2)
    service = draw(st.sampled_from([0, 0.5, 1.9]))
    sale = _sale(
        refId=draw(st.sampled_from(["r-1", "r-2", "", "réf 3"])),
        isCancelled=draw(st.sampled_from([False, True, "true", "yes", 1, None])),
        transactionType=draw(st.sampled_from(["Sale", "Return", "Refund"])), tax=0,
        transactionTime=draw(st.sampled_from(["2026-10-01T16:10:00.000Z", "2026-10-01T16:10:00", "2026-10-01 23:59:59+08:00",
                                              "9999-12-31T23:00:00Z", "2026-10-01T16:10:00+25:00"])),
        items=items, serviceCharge=service, total=round(subtotal + service, 2),
        payments=[{"paymentMethod": draw(st.sampled_from(["Cash", "GrabPay", " "])), "amount": round(subtotal + service, 2)}],
    )
    unusual = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=False, allow_infinity=False),
                        st.text(max_size=6), st.just("12.50"), st.just([]), st.just({}))
    for _ in range(draw(st.integers(0, 2))):
        where = draw(st.sampled_from(["order", "item", "payment"]))
        nested = sale.get("items" if where == "item" else "payments")
        target = nested[0] if where != "order" and isinstance(nested, list) and isinstance(nested[0], dict) else sale
        key = draw(st.sampled_from(sorted(target)))
        if draw(st.booleans()):
            target.pop(key)
        else:
            target[key] = draw(unusual)
    return sale


def _staged(canonical: list[str]) -> list:
    """What landing would read from canonical JSON (json_transform with the order structure)."""
    con = duckdb.connect()
    con.register("c", pa.table({"i": range(len(canonical)), "payload": canonical}))
    return [r[0] for r in con.execute(
        f"SELECT TRY(json_transform(payload, '{structure_json()}')) FROM c ORDER BY i").fetchall()]


@settings(max_examples=120, deadline=None)
@given(st.lists(transactions(), min_size=1, max_size=6))
def test_bulk_reading_lands_what_the_exact_path_lands(batch):
    with ReplyReader(PRODUCTS) as reader:
        table = reader.read(json.dumps(batch).encode())
    rows = table.to_pylist()
    assert len(rows) == len(batch)
    exact = [to_canonical(t, PRODUCTS) for t in batch]
    staged = _staged([canonical_json(order).decode() for order, _ in exact])
    for row, (order, error), expected, transaction in zip(rows, exact, staged, batch):
        if row["parsed"] is None:  # read by the exact path itself
            assert json.loads(row["payload"]) == json.loads(canonical_json(order)) and row["pre_error"] == error
        else:
            assert error is None
            assert row["parsed"] == expected, transaction
        assert json.loads(row["raw"]) == transaction


def test_everyday_transactions_are_read_in_bulk_in_reply_order():
    batch = [_sale(refId=f"r-{i}", invoiceNumber=f"INV-{i}") for i in range(50)]
    with ReplyReader(PRODUCTS) as reader:
        assert reader.stage(json.dumps(batch[:20]).encode()) == 20
        assert reader.stage(json.dumps(batch[20:]).encode()) == 30
        table = reader.take()
        assert reader.staged == 0
    rows = table.to_pylist()
    assert [r["parsed"]["id"] for r in rows] == [f"r-{i}" for i in range(50)]
    assert all(r["payload"] is None for r in rows)  # no canonical JSON needed
    first = rows[0]["parsed"]
    assert [(x["sku"], x["name"], str(x["amount"])) for x in first["lines"]] == [
        ("NL-01", "Nasi Lemak", "14.000000"), ("gone", None, "5.000000")]
    assert (str(first["subtotal"]), str(first["discount"])) == ("19.000000", "0.000000")
    assert rows[0]["ref"] == "storehub:s1:INV-0" and rows[0]["raw"].endswith("}\n")


def test_a_capped_reply_can_be_taken_back():
    with ReplyReader(PRODUCTS) as reader:
        reader.stage(json.dumps([_sale(refId="keep")]).encode())
        reader.stage(json.dumps([_sale(refId="drop"), _sale(refId="drop-2")]).encode())
        reader.unstage()
        assert reader.staged == 1
        assert [r["parsed"]["id"] for r in reader.take().to_pylist()] == ["keep"]


@pytest.mark.parametrize("content, error", [
    (b"<html>502 Bad Gateway</html>", NotJSON), (b"[{\"refId\": 1},", NotJSON), (b"\xff[]", NotJSON),
    (b'{"error": "nope"}', NotAList), (b"42", NotAList),
])
def test_replies_that_are_not_a_list_of_transactions(content, error):
    with ReplyReader(PRODUCTS) as reader, pytest.raises(error):
        reader.stage(content)


def test_an_empty_reply_reads_as_nothing():
    with ReplyReader(PRODUCTS) as reader:
        assert reader.stage(b" []") == 0
        assert reader.take().num_rows == 0
