"""CSV order files: one row per line item, the order's fields repeated; rows grouped by ``order_id`` into canonical JSON."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

from flowtui.connectors.base import (
    MAX_ORDER_BYTES,
    OrderBatch,
)
from flowtui.connectors.file.ndjson import megabytes
from flowtui.engine.core.orders import LINE_FIELDS, ORDER_FIELDS

#: A CSV's order columns: the canonical order's fields (its ``id`` is ``order_id``), its payments in one column.
ORDER_COLUMNS = (*(f for f in ORDER_FIELDS if f != "id"), "payments")
#: A CSV's line columns -> the line's fields; the ones an order has too are written ``line_...``.
LINE_COLUMNS = {(f"line_{f}" if f in ("discount", "tax", "amount") else f): f for f in LINE_FIELDS}
REQUIRED_CSV_COLUMNS = ("order_id", "store_id", "time", "total", "quantity", "unit_price")


def read_csv(file: Path, batch_size: int) -> Iterator[tuple[OrderBatch, int]]:
    """The file's orders, one entry per ``order_id`` (its rows grouped), in batches of ``batch_size``.

    Nothing is dropped: a row that cannot be read is an entry of its own with the reason; an order
    with a bad row is rejected whole, and the other orders of the file land; a file that cannot be
    read as orders at all (no required columns, a header that is not UTF-8) is one entry, the file.
    """
    name = file.name
    data = file.read_bytes()
    if not data.strip():
        return  # an empty file (perhaps still being written): no orders yet
    if csv.field_size_limit() <= MAX_ORDER_BYTES:  # (128 KB by default: a long value is not a broken row)
        csv.field_size_limit(MAX_ORDER_BYTES + 1)
    try:
        text, undecodable = data.decode("utf-8-sig"), False
    except UnicodeDecodeError:  # read on; rows with bytes that are not UTF-8 are rejected, the rest land
        text, undecodable = data.decode("utf-8-sig", errors="surrogateescape"), True
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [c or "" for c in (reader.fieldnames or [])]
    columns = [c.strip() for c in header]
    reader.fieldnames = columns
    id_column = "order_id" if "order_id" in columns else "id"
    missing = [c for c in REQUIRED_CSV_COLUMNS if c not in columns and not (c == "order_id" and "id" in columns)]
    if undecodable and any(_NOT_UTF8.search(c) for c in header):
        yield _whole_file(file, data, "not UTF-8 text (its header line has bytes that are not UTF-8): "
                                      "save it as UTF-8, then sync again"), len(data)
        return
    if missing:
        yield _whole_file(file, data, f"missing column(s) {', '.join(missing)}: no order in it can be read "
                                      "(see docs/orders.md); fix the file and sync again"), len(data)
        return

    groups: dict[str, list[tuple[int, int, dict]]] = {}
    loose: list[tuple[int, int, dict, str]] = []
    rows = iter(reader)
    end = reader.line_num  # the header's last line
    while True:
        try:
            row = next(rows)
        except StopIteration:
            break
        except csv.Error as exc:  # one row the csv module cannot read (the next rows still can be)
            after, end = end, reader.reader.line_num  # (the DictReader's own count stops at the last good row)
            why = (f"a value is more than the {megabytes(MAX_ORDER_BYTES)} limit for an order"
                   if "field larger than field limit" in str(exc) else f"cannot be read as CSV ({exc})")
            loose.append((after + 1, end, {}, why))
            continue
        after, end = end, reader.line_num  # the file's line numbers, blank lines included
        values = [v for v in row.values() if isinstance(v, str)]
        if not any(v.strip() for v in values):
            continue
        start = max(after + 1, end - sum(v.count("\n") for v in values))  # a value may hold line breaks
        key = (row.get(id_column) or "").strip()
        if key:
            groups.setdefault(key, []).append((start, end, row))
        else:
            loose.append((start, end, row, f"{id_column} is empty"))

    orders: list[str] = []
    refs: list[str] = []
    errors: list[str | None] = []
    for start, end, row, why in loose:
        orders.append(json.dumps(_clean(row), ensure_ascii=False) if row else f"{name}: line {start}")
        refs.append(_lines(name, start, end))
        errors.append(_row_error(start, end, row, undecodable) or why)
    for key, rows_of_order in groups.items():
        document, problem = _csv_order(key, [(end, row) for _, end, row in rows_of_order])
        problem = next((e for e in (_row_error(s, e, r, undecodable) for s, e, r in rows_of_order) if e), None) or problem
        text = json.dumps(document, ensure_ascii=False)
        if len(text) > MAX_ORDER_BYTES // 4 and len(encoded := text.encode("utf-8", "surrogatepass")) > MAX_ORDER_BYTES:
            text, problem = _csv_too_large(document, encoded)
        orders.append(text)
        refs.append(_lines(name, rows_of_order[0][0], rows_of_order[-1][1]))
        errors.append(problem)
    if undecodable:  # the payloads keep a mark where a byte was not UTF-8; the reason names the row
        orders = [_NOT_UTF8.sub("\ufffd", o) for o in orders]
    count = len(orders)
    for start in range(0, count, batch_size):
        end = start + batch_size
        batch = OrderBatch(refs=refs[start:end], orders=orders[start:end], errors=errors[start:end])
        if end >= count:
            batch.finished.append(name)
        yield batch, int(len(data) * min(1.0, end / max(1, count)))


_NOT_UTF8 = re.compile("[\udc80-\udcff]")  # a byte that was not UTF-8, as ``surrogateescape`` keeps it


def _csv_too_large(document: dict, encoded: bytes) -> tuple[str, str]:
    """A CSV order whose canonical JSON is over the limit: an entry standing for it (its id, store and time, its
    size and SHA-256), and the reason."""
    stand_in = {k: document[k] for k in ("id", "store_id", "time") if isinstance(document.get(k), str)}
    stand_in["too_large"] = {"bytes": len(encoded), "sha256": hashlib.sha256(encoded).hexdigest()}
    reason = (f"order is {len(encoded):,} bytes, more than the {megabytes(MAX_ORDER_BYTES)} limit "
              "(docs/orders.md): shorten it or split it, and sync again")
    return json.dumps(stand_in, ensure_ascii=False), reason


def _whole_file(file: Path, data: bytes, reason: str) -> OrderBatch:
    """A file that cannot be read as orders: one entry, the file, whose payload names its exact content."""
    summary = f"{file.name}: {len(data):,} bytes, sha256 {hashlib.sha256(data).hexdigest()}"
    return OrderBatch(orders=[summary], refs=[file.name], errors=[reason], finished=[file.name])


def _lines(name: str, first: int, last: int) -> str:
    return f"{name}:{first}" if first == last else f"{name}:{first}-{last}"


def _row_error(start: int, end: int, row: dict, undecodable: bool) -> str | None:
    """What makes a row unusable whatever its order says: bytes that are not UTF-8, a value over several lines."""
    for column, value in row.items():
        if not isinstance(value, str):
            continue
        if undecodable and _NOT_UTF8.search(value):
            return f"row {end}: {column} is not UTF-8 text: save the file as UTF-8"
        if "\n" in value or "\r" in value:
            return (f"row at lines {start}-{end}: {column} runs over several lines (is a quote left open? "
                    "it would swallow the rows below it)")
    return None


def _clean(row: dict) -> dict:
    return {k: v.strip() for k, v in row.items() if isinstance(k, str) and isinstance(v, str) and v.strip()}


def _csv_order(key: str, rows: list[tuple[int, dict]]) -> tuple[dict, str | None]:
    """A CSV order's rows as canonical JSON: its cells' text as it is (landing judges it), in the columns' order.

    (Not built as an :class:`~flowtui.engine.core.orders.Order`: its text, payments before lines, is what the
    orders already landed from CSV files were hashed as, so it must stay to the byte or every one would land again
    as changed.)
    """
    first = _clean(rows[0][1])
    document: dict = {"id": key}
    for column in ORDER_COLUMNS:
        if column in first and column != "payments":
            document[column] = first[column]
    error = None
    for row_no, row in rows[1:]:
        cleaned = _clean(row)
        for column in ORDER_COLUMNS:
            if cleaned.get(column) != first.get(column):
                error = (
                    f"row {row_no}: {column} is {cleaned.get(column)!r} but the order's first row "
                    f"says {first.get(column)!r} (order fields must repeat unchanged)"
                )
                break
        if error:
            break
    payments, payment_error = _parse_payments(first.get("payments", ""))
    document["payments"] = payments
    error = error or payment_error
    document["lines"] = [
        {target: cleaned[source] for source, target in LINE_COLUMNS.items() if source in cleaned}
        for cleaned in (_clean(row) for _, row in rows)
    ]
    return document, error


def _parse_payments(text: str) -> tuple[list[dict], str | None]:
    payments: list[dict] = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        method, sep, amount = part.rpartition(":")
        if not sep or not method.strip():
            return payments, f"payments: {part!r} is not METHOD:AMOUNT (e.g. Cash:10.00;Card:5.60)"
        payments.append({"method": method.strip(), "amount": amount.strip()})
    return payments, None
