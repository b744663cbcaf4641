"""Digests: the listing (whole, or a page at a time for the console), one digest's detail, an order in it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flowtui.engine.core import clock
from flowtui.engine.core.errors import InvalidInput
from flowtui.engine.core.records import DigestDetail, DigestPage, DigestRow, digest_row
from flowtui.engine.digests import browse, filters
from flowtui.engine.digests import detail as digest_detail
from flowtui.engine.digests.store import DIGEST_STATUSES, DigestFilter, listing_page, pending_days, query_digests
from flowtui.engine.ledger import books, sequences
from flowtui.engine.services.unit import Service


@dataclass
class DigestsService(Service):
    """Reading digests; building them is the sync's (:class:`PipelineService`)."""

    def digests(self, flt: DigestFilter = DigestFilter()) -> list[DigestRow]:
        if flt.status is not None and flt.status not in DIGEST_STATUSES:
            raise InvalidInput(f"Status must be one of {', '.join(DIGEST_STATUSES)}, not {flt.status!r}.")
        with self.db.read() as con:
            flt = filters.resolve_filter(con, flt)
            frame = query_digests(con, flt, now=clock.now(), default_tz=books.default_timezone(con))
        return [digest_row(r) for r in frame.iter_rows(named=True)]

    def digest(self, digest_id: int) -> DigestDetail:
        with self.db.read() as con:
            return digest_detail.read(con, digest_id, now=clock.now())

    def digest_page(self, flt: DigestFilter = DigestFilter(), *, sort: str = "date", descending: bool = False,
                    offset: int = 0, limit: int = 200,
                    on_read: Callable[[DigestPage], object] | None = None) -> DigestPage:
        """One page of a digest listing, with how many there are in all and their total.

        ``on_read(page)``, if given, gets the page as soon as it is read, while the file is
        still being let go (~5 ms): a console can start drawing it. It must not block.
        """
        if flt.status is not None and flt.status not in DIGEST_STATUSES:
            raise InvalidInput(f"Status must be one of {', '.join(DIGEST_STATUSES)}, not {flt.status!r}.")
        with self.db.read() as con:
            flt = filters.resolve_filter(con, flt)
            found = listing_page(con, flt, now=clock.now(), default_tz=books.default_timezone(con), sort=sort,
                                 descending=descending, limit=limit, offset=offset)
            page = DigestPage([digest_row(r) for r in found.rows], found.total, found.amount, offset)
            if on_read is not None:
                on_read(page)
        return page

    def order(self, digest_id: int, order_id: str) -> browse.OrderDetail:
        with self.db.read() as con:
            return browse.digest_order(con, digest_id, order_id)

    def next_number(self, fmt: str, day: date | None = None) -> str:
        with self.db.read() as con:
            return sequences.preview(con, fmt, day or clock.today_in(books.default_timezone(con)))

    def pending_days(self) -> int:
        with self.db.read() as con:
            return pending_days(con)
