"""The file connector (``provider = file``): NDJSON and CSV files into canonical order JSON.

Tests drive :class:`flowtui.connectors.file.reader.FileConnector` directly, and land
its output through ``Flow.sync`` where what matters is the end result.
"""

from __future__ import annotations

import csv
import itertools
import json
from decimal import Decimal as D
from pathlib import Path

import pytest

from flowtui.connectors.base import Window
from flowtui.connectors.file.reader import FileConnector, FileSourceError
from flowtui.engine.digests.store import DigestFilter
from flowtui.engine.setup.streams import StreamSettings
from tests.factories import order, write_ndjson

NOW = "2026-10-10T04:00:00Z"


@pytest.fixture(autouse=True)
def frozen_clock(_isolated_env, monkeypatch):
    monkeypatch.setenv("FLOWTUI_NOW", NOW)


def fetch_all(path: Path, batch_size: int | None = None):
    connector = FileConnector(path) if batch_size is None else FileConnector(path, batch_size=batch_size)
    return list(connector.fetch(Window()))


def refs_and_orders(batches):
    pairs = []
    for batch in batches:
        for i, item in enumerate(batch.orders):
            pairs.append((batch.ref(i), item))
    return pairs


def add_stream(flow, name: str, path: Path):
    flow.init()
    flow.add_stream(name, "file", {"path": str(path)}, StreamSettings())


def sync_one(flow, name: str):
    [outcome] = flow.sync([name])
    assert outcome.status != "failed", outcome.error
    return outcome


def digests_of(flow, name: str):
    return {(r.pos_store_id, r.date.isoformat()): r for r in flow.digests(DigestFilter(stream=name))}


# -- NDJSON ---------------------------------------------------------------------------------------


def test_ndjson_lines_are_passed_through_in_batches_with_file_line_refs(tmp_path):
    orders = [order(f"N-{i}", "KL", f"2026-10-01T0{i}:00:00Z", [("KOPI", i, "3.50")]) for i in range(1, 6)]
    path = write_ndjson(tmp_path / "sales.ndjson", orders)
    batches = fetch_all(path, batch_size=2)
    assert [len(b) for b in batches] == [1, 2, 2]  # the first batch is smaller: landing starts sooner
    assert [b.first_line for b in batches] == [1, 2, 4]
    assert all(b.source == "sales.ndjson" for b in batches)
    pairs = refs_and_orders(batches)
    assert [ref for ref, _ in pairs] == [f"sales.ndjson:{i}" for i in range(1, 6)]
    # untouched: the exact bytes of each line
    assert [item for _, item in pairs] == path.read_bytes().splitlines(keepends=True)
    assert [json.loads(item)["id"] for _, item in pairs] == ["N-1", "N-2", "N-3", "N-4", "N-5"]
    progress = [b.progress for b in batches]
    assert progress == sorted(progress) and progress[-1] == 1.0


@pytest.mark.parametrize("batch_size", [2, 3, 50])
@pytest.mark.parametrize("ending", ["\n", "\r\n", ""])
@pytest.mark.parametrize("bom", [False, True])
def test_ndjson_batches_are_read_in_one_go_and_cut_at_whole_lines(tmp_path, batch_size, ending, bom):
    """A batch is read as one buffer whose size is guessed from the lines so far: lines much longer or
    shorter than the guess, blank lines, CRLF and a last line without its newline all come out whole."""
    lines = [json.dumps(order(f"S-{i}", "KL", "2026-10-01T03:00:00Z", [("KOPI", i, "3.50")]))
             + " " * (70_000 if i % 4 == 0 else 0) for i in range(1, 12)]
    lines[5] = ""  # a blank line is an entry too (skipped when landing, counted in refs)
    newline = "\r\n" if ending == "\r\n" else "\n"
    text = newline.join(lines) + ending
    path = tmp_path / "blocks.ndjson"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    batches = fetch_all(path, batch_size=batch_size)
    first = max(1, batch_size // 5)
    assert [len(b) for b in batches][:2] == [first, min(batch_size, len(lines) - first)]
    assert sum(len(b) for b in batches) == len(lines)
    assert [b.first_line for b in batches] == list(itertools.accumulate([1] + [len(b) for b in batches[:-1]]))
    expected = [(line + newline).encode() for line in lines[:-1]] + [(lines[-1] + (ending or "\n")).encode()]
    assert [item for _, item in refs_and_orders(batches)] == expected
    assert batches[-1].progress == 1.0


def test_ndjson_byte_order_mark_on_the_first_line_is_dropped(tmp_path, flow):
    a = order("B-1", "KL", "2026-10-01T03:00:00Z", [("KOPI", 1, "3.50")])
    b = order("B-2", "KL", "2026-10-01T04:00:00Z", [("TEH", 1, "2.80")])
    path = tmp_path / "bom.ndjson"
    path.write_bytes(b"\xef\xbb\xbf" + (json.dumps(a) + "\n" + json.dumps(b) + "\n").encode())
    [batch] = fetch_all(path)
    assert batch.orders[0] == (json.dumps(a) + "\n").encode()
    assert batch.orders[1] == (json.dumps(b) + "\n").encode()

    add_stream(flow, "Files", path)
    outcome = sync_one(flow, "Files")
    assert (outcome.landing.new, outcome.landing.rejected) == (2, 0)
    assert digests_of(flow, "Files")[("KL", "2026-10-01")].amount == D("3.50") + D("2.80")


def test_ndjson_blank_lines_are_skipped_but_still_counted_in_refs(tmp_path, flow):
    good1 = json.dumps(order("K-1", "KL", "2026-10-01T03:00:00Z", [("KOPI", 1, "3.50")]))
    good2 = json.dumps(order("K-2", "KL", "2026-10-01T04:00:00Z", [("KOPI", 2, "3.50")]))
    bad = order("K-3", "KL", "2026-10-01T05:00:00Z", [("KOPI", 1, "3.50")])
    bad["lines"][0]["quantity"] = "-1"
    path = tmp_path / "gaps.ndjson"
    path.write_text("\n".join([good1, "", "   ", good2, "\t", json.dumps(bad), ""]) + "\n", encoding="utf-8")
    add_stream(flow, "Files", path)
    outcome = sync_one(flow, "Files")
    assert (outcome.landing.new, outcome.landing.rejected) == (2, 1)
    [rejection] = outcome.landing.rejections
    assert rejection.ref == "gaps.ndjson:6"
    assert rejection.order_id == "K-3"
    assert rejection.describe() == ('gaps.ndjson:6: order K-3 rejected: line 1 quantity: "-1" must be a positive '
                                    'quantity with at most 3 decimals')
    assert digests_of(flow, "Files")[("KL", "2026-10-01")].amount == D("10.50")


def test_ndjson_windows_line_endings_land(tmp_path, flow):
    a = order("W-1", "KL", "2026-10-01T03:00:00Z", [("KOPI", 1, "3.50")])
    b = order("W-2", "KL", "2026-10-01T04:00:00Z", [("KOPI", 1, "3.50")])
    path = tmp_path / "crlf.ndjson"
    path.write_bytes((json.dumps(a) + "\r\n" + json.dumps(b) + "\r\n").encode())
    add_stream(flow, "Files", path)
    outcome = sync_one(flow, "Files")
    assert (outcome.landing.new, outcome.landing.rejected) == (2, 0)
    assert digests_of(flow, "Files")[("KL", "2026-10-01")].amount == D("7.00")


def test_ndjson_line_that_is_not_utf8_is_rejected_with_its_ref(tmp_path, flow):
    good = order("U-1", "KL", "2026-10-01T03:00:00Z", [("KOPI", 1, "3.50")])
    bad = json.dumps(order("U-2", "KL", "2026-10-01T04:00:00Z", [("KOPI", 1, "3.50")], name="Caf\u00e9"),
                     ensure_ascii=False)
    path = tmp_path / "mixed.ndjson"
    path.write_bytes((json.dumps(good) + "\n").encode() + bad.encode("latin-1") + b"\n")
    add_stream(flow, "Files", path)
    outcome = sync_one(flow, "Files")
    assert (outcome.landing.new, outcome.landing.rejected) == (1, 1)
    [rejection] = outcome.landing.rejections
    assert rejection.ref == "mixed.ndjson:2"
    assert "not UTF-8" in rejection.describe()


# -- files and folders ----------------------------------------------------------------------------


def test_folder_is_read_in_name_order_and_other_files_are_ignored(tmp_path):
    folder = tmp_path / "drop"
    folder.mkdir()
    line = json.dumps(order("F-1", "KL", "2026-10-01T03:00:00Z", [("KOPI", 1, "3.50")])) + "\n"
    for name in ("c.jsonl", "a.ndjson", "b.csv", "d.json", ".hidden.ndjson"):
        (folder / name).write_text(
            line if not name.endswith(".csv") else
            "order_id,store_id,time,total,payments,sku,quantity,unit_price\n"
            "F-2,KL,2026-10-01T03:00:00Z,3.50,Cash:3.50,KOPI,1,3.50\n",
            encoding="utf-8")
    for name in ("notes.txt", "README.md", "orders.ndjson.bak", "orders.xlsx"):
        (folder / name).write_text(line, encoding="utf-8")
    (folder / "sub.ndjson").mkdir()  # a folder, even with a matching name, is not read
    (folder / "sub.ndjson" / "inner.ndjson").write_text(line, encoding="utf-8")

    connector = FileConnector(folder)
    assert [p.name for p in connector.files()] == ["a.ndjson", "b.csv", "c.jsonl", "d.json"]
    pairs = refs_and_orders(connector.fetch(Window()))
    assert [ref for ref, _ in pairs] == ["a.ndjson:1", "b.csv:2", "c.jsonl:1", "d.json:1"]
    assert "4 file(s)" in connector.test()


def test_a_later_file_in_name_order_wins(tmp_path, flow):
    folder = tmp_path / "drop"
    folder.mkdir()
    write_ndjson(folder / "2026-10-02.ndjson", [order("X-1", "KL", "2026-10-01T03:00:00Z", [("KOPI", 2, "3.50")])])
    write_ndjson(folder / "2026-10-01.ndjson", [order("X-1", "KL", "2026-10-01T03:00:00Z", [("KOPI", 1, "3.50")])])
    add_stream(flow, "Files", folder)
    sync_one(flow, "Files")
    # the 1 October file is read first, then replaced by the 2 October one: 2 x 3.50
    assert digests_of(flow, "Files")[("KL", "2026-10-01")].amount == D("7.00")
    again = sync_one(flow, "Files")
    assert (again.landing.new, again.landing.changed) == (0, 0)
    assert digests_of(flow, "Files")[("KL", "2026-10-01")].amount == D("7.00")


def test_a_single_file_path_is_read_and_a_missing_path_is_an_error(tmp_path):
    path = write_ndjson(tmp_path / "one.ndjson", [order("S-1", "KL", "2026-10-01T03:00:00Z", [("KOPI", 1, "3.50")])])
    assert FileConnector(path).files() == [path]
    assert [ref for ref, _ in refs_and_orders(fetch_all(path))] == ["one.ndjson:1"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert FileConnector(empty).files() == []
    assert "no order files" in FileConnector(empty).test()
    assert fetch_all(empty) == []
    with pytest.raises(FileSourceError, match="does not exist"):
        FileConnector(tmp_path / "missing").files()
    with pytest.raises(FileSourceError):
        fetch_all(tmp_path / "missing")


# -- CSV ------------------------------------------------------------------------------------------

DOC_CSV = (
    "order_id,number,store_id,time,type,total,tax,payments,sku,name,quantity,unit_price,line_tax,tax_code,line_amount\n"
    "KL-1001,1001,KL,2026-10-01T03:15:00Z,sale,31.80,1.80,Cash:20.00;Card:11.80,KOPI,Kopi O,2,10.00,1.20,SV6,20.00\n"
    "KL-1001,1001,KL,2026-10-01T03:15:00Z,sale,31.80,1.80,Cash:20.00;Card:11.80,ROTI,Roti Bakar,1,10.00,0.60,SV6,"
    "10.00\n"
    "KL-1002,,KL,2026-10-01T04:00:00Z,,5.60,,Cash:5.60,TEH,,2,2.80,,,\n"
)


def test_csv_rows_are_grouped_by_order_id_into_canonical_json(tmp_path):
    path = tmp_path / "orders.csv"
    path.write_text(DOC_CSV, encoding="utf-8")
    [batch] = fetch_all(path)
    assert batch.refs == ["orders.csv:2-3", "orders.csv:4"]
    assert batch.errors == [None, None]
    first, second = (json.loads(o) for o in batch.orders)
    assert first == {
        "id": "KL-1001", "number": "1001", "store_id": "KL", "time": "2026-10-01T03:15:00Z", "type": "sale",
        "tax": "1.80", "total": "31.80",
        "payments": [{"method": "Cash", "amount": "20.00"}, {"method": "Card", "amount": "11.80"}],
        "lines": [
            {"sku": "KOPI", "name": "Kopi O", "quantity": "2", "unit_price": "10.00", "tax": "1.20",
             "tax_code": "SV6", "amount": "20.00"},
            {"sku": "ROTI", "name": "Roti Bakar", "quantity": "1", "unit_price": "10.00", "tax": "0.60",
             "tax_code": "SV6", "amount": "10.00"},
        ],
    }
    # empty cells mean "not given"
    assert second == {"id": "KL-1002", "store_id": "KL", "time": "2026-10-01T04:00:00Z", "total": "5.60",
                      "payments": [{"method": "Cash", "amount": "5.60"}],
                      "lines": [{"sku": "TEH", "quantity": "2", "unit_price": "2.80"}]}


def test_csv_lands_the_documented_example(tmp_path, flow):
    path = tmp_path / "orders.csv"
    path.write_text(DOC_CSV, encoding="utf-8")
    add_stream(flow, "Files", path)
    outcome = sync_one(flow, "Files")
    assert (outcome.landing.new, outcome.landing.rejected) == (2, 0)
    row = digests_of(flow, "Files")[("KL", "2026-10-01")]
    assert row.amount == D("31.80") + D("5.60")
    detail = flow.digest(row.id)
    assert detail.payments == [("Card", D("11.80")), ("Cash", D("25.60"))]  # 20.00 + 5.60
    assert [(i.sku, i.quantity, i.amount) for i in detail.items] == [
        ("KOPI", 2, D("20.00")), ("ROTI", 1, D("10.00")), ("TEH", 2, D("5.60"))]
    assert detail.summary["tax"] == D("1.80")
    assert detail.taxes == [("", D("5.60"), D("0.00")), ("SV6", D("30.00"), D("1.80"))]


def test_csv_id_column_header_whitespace_bom_and_blank_rows(tmp_path):
    path = tmp_path / "alias.csv"
    text = (" id , store_id ,time,total,payments,sku,quantity,unit_price,extra\n"
            "A-1,KL,2026-10-01T03:00:00Z,3.50,Cash:3.50,KOPI,1,3.50,ignored\n"
            ",,,,,,,,\n"
            "A-2,KL,2026-10-01T04:00:00Z,7.00,Card:7.00,KOPI,2,3.50,\n")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    [batch] = fetch_all(path)
    docs = [json.loads(o) for o in batch.orders]
    assert [d["id"] for d in docs] == ["A-1", "A-2"]
    assert batch.errors == [None, None]
    assert docs[0]["lines"] == [{"sku": "KOPI", "quantity": "1", "unit_price": "3.50"}]
    assert "extra" not in docs[0] and "extra" not in docs[0]["lines"][0]
    assert docs[1]["payments"] == [{"method": "Card", "amount": "7.00"}]


def test_csv_order_rows_need_not_be_adjacent(tmp_path):
    path = tmp_path / "interleaved.csv"
    path.write_text(
        "order_id,store_id,time,total,payments,sku,quantity,unit_price\n"
        "A-1,KL,2026-10-01T03:00:00Z,6.30,Cash:6.30,KOPI,1,3.50\n"
        "A-2,KL,2026-10-01T04:00:00Z,2.80,Cash:2.80,TEH,1,2.80\n"
        "A-1,KL,2026-10-01T03:00:00Z,6.30,Cash:6.30,TEH,1,2.80\n",
        encoding="utf-8")
    [batch] = fetch_all(path)
    docs = {json.loads(o)["id"]: (json.loads(o), ref) for o, ref in zip(batch.orders, batch.refs)}
    assert [line["sku"] for line in docs["A-1"][0]["lines"]] == ["KOPI", "TEH"]
    assert docs["A-1"][1] == "interleaved.csv:2-4"
    assert docs["A-2"][1] == "interleaved.csv:3"


def test_csv_inconsistent_order_fields_give_an_error_entry(tmp_path, flow):
    path = tmp_path / "odd.csv"
    path.write_text(
        "order_id,store_id,time,total,payments,sku,quantity,unit_price\n"
        "A-1,KL,2026-10-01T03:00:00Z,6.30,Cash:6.30,KOPI,1,3.50\n"
        "A-1,KL,2026-10-01T03:00:00Z,6.40,Cash:6.30,TEH,1,2.80\n"
        "A-2,KL,2026-10-01T04:00:00Z,2.80,Cash:2.80,TEH,1,2.80\n",
        encoding="utf-8")
    [batch] = fetch_all(path)
    errors = dict(zip(batch.refs, batch.errors))
    assert errors["odd.csv:4"] is None
    assert errors["odd.csv:2-3"] == ("row 3: total is '6.40' but the order's first row says '6.30' "
                                     "(order fields must repeat unchanged)")

    add_stream(flow, "Files", path)
    outcome = sync_one(flow, "Files")
    assert (outcome.landing.new, outcome.landing.rejected) == (1, 1)
    [rejection] = outcome.landing.rejections
    assert (rejection.ref, rejection.order_id) == ("odd.csv:2-3", "A-1")
    assert "total is '6.40'" in rejection.describe()
    row = digests_of(flow, "Files")[("KL", "2026-10-01")]
    assert row.amount == D("2.80")
    assert row.status == "needs_attention"


def test_csv_bad_payments_and_empty_order_id_give_error_entries(tmp_path):
    path = tmp_path / "pay.csv"
    path.write_text(
        "order_id,store_id,time,total,payments,sku,quantity,unit_price\n"
        "A-1,KL,2026-10-01T03:00:00Z,3.50,Cash3.50,KOPI,1,3.50\n"
        ",KL,2026-10-01T04:00:00Z,2.80,Cash:2.80,TEH,1,2.80\n"
        "A-3,KL,2026-10-01T05:00:00Z,8.30,Cash:3.50; E-wallet : 2.80 ;QR:DuitNow:2.00,KOPI,1,3.50\n",
        encoding="utf-8")
    [batch] = fetch_all(path)
    by_ref = {ref: (json.loads(o), err) for ref, o, err in zip(batch.refs, batch.orders, batch.errors)}
    assert by_ref["pay.csv:2"][1] == "payments: 'Cash3.50' is not METHOD:AMOUNT (e.g. Cash:10.00;Card:5.60)"
    assert by_ref["pay.csv:3"][1] == "order_id is empty"
    doc, err = by_ref["pay.csv:4"]
    assert err is None
    # the amount is after the last colon, so a method name may hold one
    assert doc["payments"] == [{"method": "Cash", "amount": "3.50"}, {"method": "E-wallet", "amount": "2.80"},
                               {"method": "QR:DuitNow", "amount": "2.00"}]


def test_csv_missing_required_columns_is_one_rejection_holding_the_days(tmp_path, flow):
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "a.csv").write_text(
        "order_id,store_id,time,payments,sku,qty,unit_price\n"
        "A-1,KL,2026-10-01T03:00:00Z,Cash:3.50,KOPI,1,3.50\n", encoding="utf-8")
    write_ndjson(folder / "b.ndjson", [order("B-1", "KL", "2026-10-01T03:00:00Z", [("KOPI", 1, "3.50")])])
    [whole] = fetch_all(folder / "a.csv")
    assert whole.refs == ["a.csv"] and whole.finished == ["a.csv"]
    assert whole.errors == ["missing column(s) total, quantity: no order in it can be read (see docs/orders.md); "
                            "fix the file and sync again"]

    add_stream(flow, "Files", folder)
    outcome = flow.sync(["Files"])[0]
    assert (outcome.status, outcome.landing.new, outcome.landing.rejected, outcome.open_rejections) == \
        ("warning", 1, 1, 1)
    assert outcome.landing.rejections[0].describe().startswith("a.csv: file could not be read: missing column(s)")
    # nothing says which day A-1 was: the file holds every day this sync read (only 1 October here)
    day = digests_of(flow, "Files")[("KL", "2026-10-01")]
    assert (day.amount, day.status) == (D("3.50"), "needs_attention")
    [rejection] = flow.rejections()
    assert (rejection.ref, rejection.file, rejection.lines, rejection.days) == ("a.csv", "a.csv", None, "2026-10-01")


def test_csv_rows_that_are_not_utf8_reject_their_order_and_the_rest_lands(tmp_path, flow):
    path = tmp_path / "latin.csv"
    path.write_bytes(
        "order_id,store_id,time,total,payments,sku,name,quantity,unit_price\n"
        "A-1,KL,2026-10-01T03:00:00Z,3.50,Cash:3.50,KOPI,Caf\u00e9,1,3.50\n"
        "A-2,KL,2026-10-01T04:00:00Z,2.80,Cash:2.80,TEH,Teh,1,2.80\n".encode("latin-1"))
    [batch] = fetch_all(path)
    errors = dict(zip(batch.refs, batch.errors))
    assert errors == {"latin.csv:2": "row 2: name is not UTF-8 text: save the file as UTF-8", "latin.csv:3": None}
    assert "Caf\ufffd" in batch.orders[0]  # the payload marks the byte it could not read

    add_stream(flow, "Files", path)
    outcome = flow.sync(["Files"])[0]
    assert (outcome.status, outcome.landing.new, outcome.landing.rejected) == ("warning", 1, 1)
    assert outcome.landing.rejections[0].order_id == "A-1"
    day = digests_of(flow, "Files")[("KL", "2026-10-01")]
    assert (day.amount, day.status) == (D("2.80"), "needs_attention")


def test_csv_whose_header_is_not_utf8_is_one_unreadable_file(tmp_path, flow):
    path = tmp_path / "wide.csv"
    path.write_bytes("order_id,store_id,time,total,quantity,unit_price\n".encode("utf-16"))
    [batch] = fetch_all(path)
    assert batch.refs == ["wide.csv"]
    assert batch.errors[0].startswith("not UTF-8 text (its header line has bytes that are not UTF-8)")


def test_csv_refs_are_file_lines_even_after_a_blank_line(tmp_path):
    path = tmp_path / "gappy.csv"
    path.write_text(
        "order_id,store_id,time,total,payments,sku,quantity,unit_price\n"  # line 1
        "A-1,KL,2026-10-01T03:00:00Z,3.50,Cash:3.50,KOPI,1,3.50\n"  # line 2
        "\n"  # line 3
        "A-2,KL,2026-10-01T04:00:00Z,6.30,Cash:6.30,KOPI,1,3.50\n"  # line 4
        "A-2,KL,2026-10-01T04:00:00Z,6.40,Cash:6.30,TEH,1,2.80\n",  # line 5
        encoding="utf-8")
    [batch] = fetch_all(path)
    errors = dict(zip(batch.refs, batch.errors))
    assert set(errors) == {"gappy.csv:2", "gappy.csv:4-5"}
    assert errors["gappy.csv:4-5"].startswith("row 5: total is '6.40'")


# -- CSV and NDJSON land the same ------------------------------------------------------------------
#
# KL, 2026-10-01:
#   S-1 sale  KOPI 2 x 3.50 = 7.00 (tax 0.42); ROTI 1 x 4.20 - 0.20 line discount = 4.00 (tax 0.24)
#       subtotal 11.00, service charge 1.10, tax 0.66, rounding -0.01 -> total 12.75; Cash 10.00 + Card 2.75
#   S-2 sale  TEH 3 x 2.80 = 8.40, order discount 0.40 -> total 8.00; E-wallet 8.00
#   S-3 return of S-1: KOPI 1 x 3.50 (tax 0.21) -> 3.71; Cash refund
#   S-4 voided MILO 1 x 3.00


def equivalence_orders() -> list[dict]:
    return [
        order("S-1", "KL", "2026-10-01T02:00:00Z",
              [("KOPI", 2, "3.50", "0.00", "0.42"), ("ROTI", 1, "4.20", "0.20", "0.24")],
              service_charge="1.10", rounding="-0.01", pay=[("Cash", "10.00"), ("Card", None)], number="1001"),
        order("S-2", "KL", "2026-10-01T04:00:00Z", [("TEH", 3, "2.80")], discount="0.40", pay=[("E-wallet", None)]),
        order("S-3", "KL", "2026-10-01T06:00:00Z", [("KOPI", 1, "3.50", "0.00", "0.21")], type="return",
              original_id="S-1"),
        order("S-4", "KL", "2026-10-01T07:00:00Z", [("MILO", 1, "3.00")], status="voided"),
    ]


CSV_COLUMNS = ["order_id", "number", "store_id", "time", "type", "status", "original_id", "subtotal", "discount",
               "service_charge", "tax", "rounding", "total", "payments", "sku", "name", "quantity", "unit_price",
               "line_discount", "line_tax", "tax_code", "line_amount"]


def write_csv(path: Path, orders: list[dict]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, CSV_COLUMNS)
        writer.writeheader()
        for o in orders:
            payments = ";".join(f"{p['method']}:{p['amount']}" for p in o["payments"])
            for line in o["lines"]:
                writer.writerow({
                    "order_id": o["id"], "number": o["number"], "store_id": o["store_id"], "time": o["time"],
                    "type": o["type"], "status": o["status"], "original_id": o.get("original_id", ""),
                    "subtotal": o["subtotal"], "discount": o["discount"], "service_charge": o["service_charge"],
                    "tax": o["tax"], "rounding": o["rounding"], "total": o["total"], "payments": payments,
                    "sku": line["sku"], "name": line["name"], "quantity": line["quantity"],
                    "unit_price": line["unit_price"], "line_discount": line["discount"], "line_tax": line["tax"],
                    "tax_code": line.get("tax_code", ""), "line_amount": line["amount"],
                })
    return path


def test_csv_lands_the_same_totals_as_the_equivalent_ndjson(tmp_path, flow):
    ndjson_dir, csv_dir = tmp_path / "nd", tmp_path / "csv"
    ndjson_dir.mkdir()
    csv_dir.mkdir()
    write_ndjson(ndjson_dir / "sales.ndjson", equivalence_orders())
    write_csv(csv_dir / "sales.csv", equivalence_orders())
    add_stream(flow, "As NDJSON", ndjson_dir)
    flow.add_stream("As CSV", "file", {"path": str(csv_dir)}, StreamSettings())
    outcomes = {o.stream: o for o in flow.sync(["As NDJSON", "As CSV"])}
    for o in outcomes.values():
        assert (o.status, o.landing.new, o.landing.rejected) == ("ok", 4, 0)

    details = {}
    for name in ("As NDJSON", "As CSV"):
        [row] = flow.digests(DigestFilter(stream=name))
        assert (row.pos_store_id, row.date.isoformat(), row.order_count, row.return_count) == \
            ("KL", "2026-10-01", 2, 1)
        details[name] = flow.digest(row.id)

    expected_summary = {
        "gross_sales": D("12.75") + D("8.00"),
        "returns": D("3.71"),
        "discount": D("0.40"),
        "service_charge": D("1.10"),
        "shipping": D("0.00"),
        "tax": D("0.66") - D("0.21"),
        "tips": D("0.00"),
        "rounding": D("-0.01"),
        "net_total": D("12.75") + D("8.00") - D("3.71"),
    }
    expected_payments = [("Card", D("2.75")), ("Cash", D("10.00") - D("3.71")), ("E-wallet", D("8.00"))]
    expected_items = [("KOPI", D("1"), D("3.50"), D("3.50")), ("ROTI", D("1"), D("4.00"), D("4.00")),
                      ("TEH", D("3"), D("2.80"), D("8.40"))]
    for name, detail in details.items():
        assert detail.summary == expected_summary, name
        assert detail.row.amount == D("17.04")
        assert detail.payments == expected_payments, name
        assert sum(a for _, a in detail.payments) == detail.summary["net_total"]
        assert [(i.sku, i.quantity, i.unit_price, i.amount) for i in detail.items] == expected_items, name
        assert [(o.id, o.number, o.type, o.total) for o in detail.orders] == [
            ("S-1", "1001", "sale", D("12.75")), ("S-2", "S-2", "sale", D("8.00")),
            ("S-3", "S-3", "return", D("3.71"))], name
    assert details["As CSV"].taxes == details["As NDJSON"].taxes

    # and a second sync of the CSV is as idempotent as the NDJSON one
    [again] = flow.sync(["As CSV"])
    assert (again.landing.new, again.landing.changed, again.landing.unchanged) == (0, 0, 4)
