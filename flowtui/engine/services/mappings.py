"""How a stream's stores, payment methods and categories map to the books' locations and accounts."""

from __future__ import annotations

from dataclasses import dataclass

from flowtui.engine.core import clock
from flowtui.engine.pipeline.sync import rebuild_pending
from flowtui.engine.services.unit import Service, active_stream
from flowtui.engine.setup import mapping, unmap
from flowtui.engine.setup import streams as streams_mod
from flowtui.engine.setup.mapping import Mappings


@dataclass
class MappingsService(Service):
    """Mapping and unmapping; (un)mapping a store rebuilds the digests of days waiting on it."""

    def map_location(self, stream: str, pos_store_id: str, location: str, contact: str | None = None,
                     number_format: str | None = None, credit_note_format: str | None = None) -> None:
        with self._write() as con:
            mapping.map_location(
                con, active_stream(con, stream), pos_store_id, location, contact, number_format,
                clock.now(), credit_note_format,
            )
        rebuild_pending(self.db)

    def map_payment(self, stream: str, pos_method: str, account: str, force: bool = False) -> None:
        """Map a POS payment method to an asset account (any account with ``force``)."""
        with self._write() as con:
            mapping.map_payment(con, active_stream(con, stream), pos_method, account, force)

    def map_account(self, stream: str, category: str, account: str, force: bool = False) -> None:
        """Map a category to an account of a type it allows (books.CATEGORY_TYPES; any with ``force``)."""
        with self._write() as con:
            mapping.map_account(con, active_stream(con, stream), category, account, force)

    def unmap_location(self, stream: str, pos_store_id: str) -> str:
        """Unmap a POS store (its unposted days need attention again); returns the location it had."""
        with self._write() as con:
            location = unmap.unmap_location(con, active_stream(con, stream), pos_store_id)
        rebuild_pending(self.db)
        return location

    def unmap_payment(self, stream: str, pos_method: str) -> tuple[str, str | None]:
        with self._write() as con:
            return unmap.unmap_payment(con, active_stream(con, stream), pos_method)

    def unmap_account(self, stream: str, category: str) -> tuple[str, str | None]:
        with self._write() as con:
            return unmap.unmap_account(con, active_stream(con, stream), category)

    def mappings(self, stream: str) -> Mappings:
        with self.db.read() as con:
            return mapping.mappings(con, streams_mod.require_stream(con, stream))
