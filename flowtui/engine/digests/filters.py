"""Filters as people type them (``--stream``, ``--location``): resolved to the names stored, before any query.

The listing SQL (:mod:`flowtui.engine.storage.digest_listing`) compares names exactly; a typed name is turned
into the stored one here (any case), and one that matches nothing is an error naming the nearest.
"""

from __future__ import annotations

from flowtui.engine.core import names
from flowtui.engine.core.errors import NotFound
from flowtui.engine.digests import sql
from flowtui.engine.digests.store import DigestFilter
from flowtui.engine.ledger import books
from flowtui.engine.setup.streams import require_stream
from flowtui.engine.storage.database import Connection
from flowtui.engine.storage.rows import rows


def store_ids(con: Connection) -> list[str]:
    return [r["pos_store_id"] for r in rows(con, sql.STORE_IDS)]


def resolve_location_filter(con: Connection, typed: str) -> str:
    """A ``--location`` filter that may be a location's name or a POS store id, as stored."""
    typed = typed.strip()
    places = books.names_in(con, "locations")
    ids = store_ids(con)
    if typed in places or typed in ids:
        return typed
    try:
        return names.resolve(typed, places, "location", "`flowtui locations`")
    except NotFound:
        pass
    try:
        return names.resolve(typed, ids, "POS store", "`flowtui stream stores STREAM`")
    except NotFound:
        raise NotFound(f"No location or POS store named {typed!r}.{names.did_you_mean(typed, places + ids)} "
                       "See `flowtui locations`.") from None


def resolve_filter(con: Connection, flt: DigestFilter) -> DigestFilter:
    """``flt`` with its stream and location as stored (typed in any case); an unknown one is an error."""
    stream = require_stream(con, flt.stream).name if flt.stream else flt.stream
    location = resolve_location_filter(con, flt.location) if flt.location else flt.location
    if (stream, location) == (flt.stream, flt.location):
        return flt
    return DigestFilter(stream=stream, location=location, start=flt.start, end=flt.end, status=flt.status, ids=flt.ids)
