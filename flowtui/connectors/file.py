"""The file stream (``provider = file``): canonical orders from NDJSON and CSV files.

``path`` is one file or a folder; a folder is read file by file in name
order (``*.ndjson``, ``*.jsonl``, ``*.json`` with one object per line, and
``*.csv``). Formats are documented in ``docs/orders.md``.

NDJSON lines pass through untouched (the engine validates them in bulk). CSV
has one row per line item with the order's fields repeated; rows are grouped
by ``order_id`` into canonical JSON here.
"""

from __future__ import annotations

import csv
import io
import os
import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from flowtui.connectors.base import Lines, OrderBatch, SourceError, SourceStore, Window

NDJSON_SUFFIXES = {".ndjson", ".jsonl", ".json"}
CSV_SUFFIXES = {".csv"}
DEFAULT_BATCH_SIZE = 500_000  # orders per unit of work: ~4 s of landing (holding the file), ~1.6 GB peak
FIRST_BATCH_SHARE = 5  # the first batch is a fifth of that: landing starts sooner, the rest is read meanwhile
BYTE_ORDER_MARK = b"\xef\xbb\xbf"

ORDER_COLUMNS = (
    "number", "store_id", "store_name", "time", "type", "status", "original_id",
    "original_number", "channel", "subtotal", "discount", "service_charge", "tax",
    "rounding", "total", "payments",
)
LINE_COLUMNS = {
    "sku": "sku",
    "product_id": "product_id",
    "name": "name",
    "quantity": "quantity",
    "unit_price": "unit_price",
    "line_discount": "discount",
    "line_tax": "tax",
    "tax_code": "tax_code",
    "line_amount": "amount",
}
REQUIRED_CSV_COLUMNS = ("order_id", "store_id", "time", "total", "quantity", "unit_price")


class FileSourceError(SourceError):
    """The stream's path cannot be read at all."""


@dataclass
class FileConnector:
    path: Path
    batch_size: int = DEFAULT_BATCH_SIZE
    provider: str = "file"

    def files(self) -> list[Path]:
        if not self.path.exists():
            raise FileSourceError(f"{self.path} does not exist (was it moved? fix it with `flowtui stream set --path`)")
        if not os.access(self.path, os.R_OK):
            raise FileSourceError(f"{self.path} cannot be read (permission denied)")
        if self.path.is_file():
            return [self.path]
        found = [
            p for p in self.path.iterdir()
            if p.is_file() and not p.name.startswith(".")
            and p.suffix.lower() in NDJSON_SUFFIXES | CSV_SUFFIXES
        ]
        return sorted(found, key=lambda p: p.name)

    def test(self) -> str:
        files = self.files()
        if not files:
            return f"{self.path}: no order files yet (*.ndjson, *.jsonl, *.json, *.csv)"
        size = sum(p.stat().st_size for p in files)
        return f"{self.path}: {len(files)} file(s), {size:,} bytes"

    def stores(self) -> list[SourceStore]:
        return []  # a file offers no store list; stores are learnt from the orders

    def fetch(self, window: Window) -> Iterator[OrderBatch]:
        files = self.files()
        total = sum(p.stat().st_size for p in files) or 1
        done = 0
        sizes = itertools.chain([max(1, self.batch_size // FIRST_BATCH_SHARE)], itertools.repeat(self.batch_size))
        for file in files:
            size = file.stat().st_size
            if file.suffix.lower() in CSV_SUFFIXES:
                batches = _read_csv(file, self.batch_size)
            else:
                batches = _read_ndjson(file, sizes)
            for batch, consumed in batches:
                batch.progress = min(1.0, (done + consumed) / total)
                yield batch
            done += size


def _read_ndjson(file: Path, sizes: Iterator[int]) -> Iterator[tuple[OrderBatch, int]]:
    """The file's lines, in batches of the next of ``sizes`` lines each, with the bytes read so far.

    A batch is read in one go (its size guessed from the lines so far) and cut at its last line:
    one buffer of whole lines (:class:`Lines`), never a Python object per line.
    """
    with file.open("rb") as handle:
        start, first_line, average = 0, 1, 1024  # bytes per line: learnt as the file is read
        for want in sizes:
            handle.seek(start)
            data = handle.read(want * average + 65536)
            first = 3 if start == 0 and data.startswith(BYTE_ORDER_MARK) else 0
            offsets, position = [first], first
            while True:
                find = data.find
                while len(offsets) <= want:
                    end = find(b"\n", position)
                    if end == -1:
                        break
                    position = end + 1
                    offsets.append(position)
                if len(offsets) > want:
                    break
                more = handle.read(max(65536, (want + 1 - len(offsets)) * average))
                if not more:
                    if position < len(data):  # the file's last line: same bytes as when more lines follow
                        data += b"\n"
                        offsets.append(len(data))
                    break
                data += more
            count = len(offsets) - 1
            if count == 0:
                return
            start += offsets[-1]
            yield OrderBatch(orders=Lines(data, offsets), source=file.name, first_line=first_line), start
            first_line += count
            average = max(1, (offsets[-1] - offsets[0]) // count)


def _read_csv(file: Path, batch_size: int) -> Iterator[tuple[OrderBatch, int]]:
    name = file.name
    try:
        text = file.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield OrderBatch(orders=[], warnings=[f"{name}: not UTF-8 text ({exc.reason}); file skipped"]), file.stat().st_size
        return
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = [c.strip() for c in reader.fieldnames or []]
    reader.fieldnames = columns
    id_column = "order_id" if "order_id" in columns else "id"
    missing = [c for c in REQUIRED_CSV_COLUMNS if c not in columns and not (c == "order_id" and "id" in columns)]
    if missing:
        warning = f"{name}: missing column(s) {', '.join(missing)}; file skipped (see docs/orders.md)"
        yield OrderBatch(orders=[], warnings=[warning]), file.stat().st_size
        return

    groups: dict[str, list[tuple[int, dict]]] = {}
    loose: list[tuple[int, dict]] = []
    for row in reader:
        row_no = reader.line_num  # the file's line number, blank lines included
        if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
            continue
        key = (row.get(id_column) or "").strip()
        if key:
            groups.setdefault(key, []).append((row_no, row))
        else:
            loose.append((row_no, row))

    orders: list[str] = []
    refs: list[str] = []
    errors: list[str | None] = []
    for row_no, row in loose:
        orders.append(json.dumps(_clean(row), ensure_ascii=False))
        refs.append(f"{name}:{row_no}")
        errors.append(f"{id_column} is empty")
    for key, rows in groups.items():
        document, error = _csv_order(key, rows)
        first, last = rows[0][0], rows[-1][0]
        orders.append(json.dumps(document, ensure_ascii=False))
        refs.append(f"{name}:{first}" if first == last else f"{name}:{first}-{last}")
        errors.append(error)
    for start in range(0, len(orders), batch_size):
        end = start + batch_size
        yield (
            OrderBatch(refs=refs[start:end], orders=orders[start:end], errors=errors[start:end]),
            int(file.stat().st_size * min(1.0, end / max(1, len(orders)))),
        )


def _clean(row: dict) -> dict:
    return {k: v.strip() for k, v in row.items() if isinstance(k, str) and isinstance(v, str) and v.strip()}


def _csv_order(key: str, rows: list[tuple[int, dict]]) -> tuple[dict, str | None]:
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
    payments = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        method, sep, amount = part.rpartition(":")
        if not sep or not method.strip():
            return payments, f"payments: {part!r} is not METHOD:AMOUNT (e.g. Cash:10.00;Card:5.60)"
        payments.append({"method": method.strip(), "amount": amount.strip()})
    return payments, None
