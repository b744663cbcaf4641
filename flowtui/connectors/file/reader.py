"""The file stream (``provider = file``): canonical orders from NDJSON and CSV files.

``path`` is one file or a folder; a folder is read file by file in name
order (``*.ndjson``, ``*.jsonl``, ``*.json`` with one object per line, and
``*.csv``). Formats are documented in ``docs/orders.md``.

NDJSON lines pass through untouched (the engine validates them in bulk). CSV
has one row per line item with the order's fields repeated; rows are grouped
by ``order_id`` into canonical JSON (:mod:`.csv_orders`); NDJSON is cut into batches by :mod:`.ndjson`.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from flowtui.connectors.base import (
    OrderBatch,
    SourceError,
    SourceStore,
    Window,
)
from flowtui.connectors.file.csv_orders import read_csv
from flowtui.connectors.file.ndjson import read_ndjson

NDJSON_SUFFIXES = {".ndjson", ".jsonl", ".json"}
CSV_SUFFIXES = {".csv"}
DEFAULT_BATCH_SIZE = 500_000  # orders per unit of work, or BATCH_BYTES of them if that comes first
FIRST_BATCH_SHARE = 5  # the first batch is a fifth of that: landing starts sooner, the rest is read meanwhile


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
                batches = read_csv(file, self.batch_size)
            else:
                batches = read_ndjson(file, sizes)
            finished = False
            for batch, consumed in batches:
                batch.progress = min(1.0, (done + consumed) / total)
                finished = finished or file.name in batch.finished
                yield batch
            done += size
            if not finished:  # nothing in it (or it changed as it was read): still, it was read to its end
                yield OrderBatch(orders=[], finished=[file.name], progress=min(1.0, done / total))
