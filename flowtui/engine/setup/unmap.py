"""Taking mappings away: the mirror of ``flowtui map`` (:mod:`flowtui.engine.setup.streams`).

A digest's attention reasons are worked out from the mappings when it is read, so an unmapped
store, payment method or category shows on the stream's unposted days at once; what is posted keeps
what it was posted with.
"""

from __future__ import annotations

from flowtui.connectors.registry import provider
from flowtui.engine.core import names
from flowtui.engine.core.errors import InvalidInput, NotFound
from flowtui.engine.ledger import books
from flowtui.engine.setup import sql
from flowtui.engine.setup.mapping import account_category, redate_store
from flowtui.engine.setup.streams import Stream
from flowtui.engine.storage.database import Connection
from flowtui.engine.storage.rows import one, rows, the


def _one_of(typed: str, mapped: list[str], what: str, stream: Stream) -> str:
    """The mapped value ``typed`` means (exactly, else the one equal without case); a clear error when none."""
    try:
        return names.resolve(typed, mapped, what, f"`flowtui mappings {stream.name!r}`")
    except NotFound:
        raise NotFound(f"Stream {stream.name!r} has no mapping for {what} {typed.strip()!r}."
                       f"{names.did_you_mean(typed, mapped)} See `flowtui mappings {stream.name!r}`.") from None


def unmap_location(con: Connection, stream: Stream, pos_store_id: str) -> str:
    """Take a POS store's location mapping away (its days need attention again); returns the location it had.

    Refused for a till's own store, and for a store with posted documents: those keep their
    location, so the days they came from must too (map the store to another location instead).
    """
    home = provider(stream.provider).fixed_store(stream.config)
    mapped = [r["pos_store_id"] for r in rows(con, sql.MAPPED_STORES, [stream.id])]
    store = _one_of(pos_store_id, mapped, "POS store", stream)
    if home is not None and home[0] == store:
        raise InvalidInput(f"{stream.name!r} is a till: its store is its location. Move it with "
                           f"`flowtui stream set {stream.name!r} --location NAME`.")
    mapped_to = the(con, sql.STORE_LOCATION, [stream.id, store])
    location, timezone = mapped_to["name"], mapped_to["timezone"]
    posted = one(con, sql.CROSSING_STORE_FIRST_DOCUMENT, [stream.id, store])
    if posted:
        raise InvalidInput(
            f"POS store {store} of {stream.name!r} has posted documents at {location} (e.g. {posted['number']}); they "
            f"keep their location, and so must the days they came from. To send the store's sales elsewhere, "
            f"map it to another location with `flowtui map location {stream.name!r} {store} --location NAME`.")
    con.execute(sql.LOCATION_MAPPING_DELETE, [stream.id, store])
    if books.default_timezone(con) != timezone:  # an unmapped store's days are in the books' time zone
        redate_store(con, stream.id, store, books.default_timezone(con))
    return location


def unmap_payment(con: Connection, stream: Stream, pos_method: str) -> tuple[str, str | None]:
    """Take a payment method's mapping away: (the method as mapped, the books' account it falls back to, if any)."""
    mapped = [r["pos_method"] for r in rows(con, sql.MAPPED_PAYMENTS, [stream.id])]
    method = _one_of(pos_method, mapped, "payment method", stream)
    con.execute(sql.PAYMENT_MAPPING_DELETE, [stream.id, method])
    fallback = one(con, sql.PAYMENT_METHOD_ACCOUNT, [method])
    return method, (fallback["account_code"] if fallback else None)


def unmap_account(con: Connection, stream: Stream, category: str) -> tuple[str, str | None]:
    """Take a category's mapping away: (the category, the books' default account it falls back to, if any)."""
    category = account_category(category)
    if one(con, sql.ACCOUNT_MAPPING_EXISTS, [stream.id, category]) is None:
        raise NotFound(f"Stream {stream.name!r} has no mapping of its own for {category!r} (it uses the books' "
                       f"default); see `flowtui mappings {stream.name!r}`.")
    con.execute(sql.ACCOUNT_MAPPING_DELETE, [stream.id, category])
    fallback = one(con, sql.ACCOUNT_DEFAULT, [category])
    return category, (fallback["account_code"] if fallback else None)
