"""What every connector yields, and the protocol it follows."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from flowtui.engine.core.errors import SourceError as SourceError  # re-exported: sources raise it from here

#: The most an order may take: one NDJSON line, or the canonical JSON of one CSV order (1 MB, documented in
#: docs/orders.md). A bigger one is rejected with its size, read past in pieces, never held whole.
MAX_ORDER_BYTES = 1 << 20
#: The most source text one batch holds (and one unit of work lands), however few orders that is: lines of
#: ~40 KB would otherwise make a batch of 500,000 orders 20 GB. Ordinary orders (~600 bytes) fill a batch by
#: count first (500,000 are ~300 MB), so landing them is unchanged: smaller budgets mean more units of work,
#: and landing 1M orders took 10.2 s at 192 MB and 11.5 s at 128 MB instead of ~9.5 s (peaks 1.45 and 1.05 GB
#: instead of 1.6 GB). 780 MB of ~40 KB orders peaks at 2.7 GB (2.3 GB at 192 MB, 1.3 GB at 64 MB).
BATCH_BYTES = 320 << 20


@dataclass(frozen=True)
class Window:
    """Business dates to fetch, inclusive; ``None`` means open-ended.

    ``updated_since`` is set for sources whose cursor is ``updated since``: fetch the orders changed on or after
    that day (whatever their business date; landing keeps those inside ``start``..``end``).
    """

    start: date | None = None
    end: date | None = None
    updated_since: date | None = None

    def contains(self, day: date) -> bool:
        return (self.start is None or day >= self.start) and (self.end is None or day <= self.end)


@dataclass(frozen=True)
class SourceStore:
    """A store (outlet) the source offers, for location mapping."""

    id: str
    name: str | None = None
    service_charge_tax_code: str | None = None  # the tax code the source puts on the store's service charge


@dataclass(frozen=True)
class ShortDay:
    """A store's day the source could not hand over whole (StoreHub's 5,000 cap, even asked for that day alone).

    ``day`` is the store's local calendar date; ``reason`` says what happened, in the user's words. The
    engine holds the day open (``needs_attention``, ``reconcile`` fails) until a later sync reads it whole or
    someone dismisses it on the record.
    """

    store_id: str
    day: date
    reason: str


class Lines(Sequence[bytes]):
    """A file's lines as they were read: one buffer, and where each line starts (and the last ends).

    Line ``i`` is ``data[offsets[i]:offsets[i + 1]]``, its newline included. A batch of lines kept this
    way is one Python object, not one per line, and lands without being copied again.
    """

    __slots__ = ("data", "offsets")

    def __init__(self, data: bytes, offsets: list[int]) -> None:
        self.data = data
        self.offsets = offsets

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self.data[self.offsets[index]:self.offsets[index + 1]]


@dataclass
class OrderBatch:
    """A bundle of orders from one source, in source order.

    ``orders`` holds canonical order JSON (``bytes`` or ``str``), one per
    order; blank entries are skipped. Where each came from is either
    ``refs[i]`` or, for line-oriented files, ``f"{source}:{first_line + i}"``.
    ``raw`` holds the source payload when it is not the canonical JSON itself
    (e.g. a StoreHub transaction); it is kept for audit. ``errors`` marks
    entries the connector already knows are unusable (inconsistent CSV rows)
    with the reason. ``progress`` is the share of the source read so far
    (0..1) when the connector can tell. ``warnings`` are problems with the
    source as a whole. ``stores`` lists the stores the source offers
    (StoreHub's /stores), for location mapping. ``finished`` names the files
    this batch finished reading: every entry of theirs has been handed over,
    so a rejection of theirs that was not met again is no longer in them.
    ``short_days`` are store-days the source handed over only in part.

    An entry that cannot be read at all (a line that is not JSON, a CSV file
    without its columns) is still handed over, with its reason in ``errors``:
    nothing is dropped silently. A whole file is one entry whose ref is the
    file's name.

    A source that reads its orders in bulk (StoreHub's replies, inside DuckDB)
    hands them over as ``columns`` instead of ``orders``: an Arrow table with
    ``ref, payload, raw, pre_error, parsed``, where ``parsed`` holds the
    canonical order's typed columns (``orders.structure_type()``) and
    ``payload`` its JSON only where ``parsed`` is NULL.
    """

    orders: Sequence[bytes | str]  # a list, or a file's Lines
    refs: list[str] | None = None
    source: str | None = None
    first_line: int = 1
    raw: list[bytes | str] | None = None
    errors: list[str | None] | None = None
    progress: float | None = None
    warnings: list[str] = field(default_factory=list)
    stores: list[SourceStore] = field(default_factory=list)  # stores the source offers, when it says
    finished: list[str] = field(default_factory=list)  # files read to their end with this batch
    short_days: list[ShortDay] = field(default_factory=list)  # store-days known to be incomplete
    columns: Any = None  # a pyarrow.Table when the source read its orders in bulk (see below)

    def __len__(self) -> int:
        return len(self.orders) if self.columns is None else self.columns.num_rows

    @property
    def nbytes(self) -> int:
        """The source text it holds, about (what bounds a batch besides its count)."""
        if self.columns is not None:
            return self.columns.nbytes
        if isinstance(self.orders, Lines):
            return self.orders.offsets[-1] - self.orders.offsets[0]
        return sum(map(len, self.orders))

    def ref(self, index: int) -> str:
        if self.refs is not None:
            return self.refs[index]
        return f"{self.source}:{self.first_line + index}"


class Connector(Protocol):
    """A source of orders for one stream."""

    provider: str

    def fetch(self, window: Window) -> Iterator[OrderBatch]:
        """Yield the orders of ``window`` (a connector may yield more; landing filters)."""
        ...

    def stores(self) -> list[SourceStore]:
        """Stores the source offers (may be empty when the source cannot list them)."""
        ...

    def test(self) -> str:
        """Check the source can be read; return a one-line description or raise."""
        ...
