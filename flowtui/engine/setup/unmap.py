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
from flowtui.engine.setup.streams import Stream, account_category, redate_store
from flowtui.engine.storage.database import Connection


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
    mapped = [r[0] for r in con.execute(
        "SELECT pos_store_id FROM location_mappings WHERE stream_id = ? ORDER BY 1", [stream.id]).fetchall()]
    store = _one_of(pos_store_id, mapped, "POS store", stream)
    if home is not None and home[0] == store:
        raise InvalidInput(f"{stream.name!r} is a till: its store is its location. Move it with "
                           f"`flowtui stream set {stream.name!r} --location NAME`.")
    location, timezone = con.execute(
        "SELECT l.name, l.timezone FROM location_mappings m JOIN locations l ON l.id = m.location_id "
        "WHERE m.stream_id = ? AND m.pos_store_id = ?", [stream.id, store]).fetchall()[0]
    posted = con.execute(
        "SELECT d.number FROM documents d JOIN digests g ON g.id = d.digest_id "
        "WHERE g.stream_id = ? AND g.pos_store_id = ? ORDER BY d.id LIMIT 1", [stream.id, store]).fetchall()
    if posted:
        raise InvalidInput(
            f"POS store {store} of {stream.name!r} has posted documents at {location} (e.g. {posted[0][0]}); they "
            f"keep their location, and so must the days they came from. To send the store's sales elsewhere, "
            f"map it to another location with `flowtui map location {stream.name!r} {store} --location NAME`.")
    con.execute("DELETE FROM location_mappings WHERE stream_id = ? AND pos_store_id = ?", [stream.id, store])
    if books.default_timezone(con) != timezone:  # an unmapped store's days are in the books' time zone
        redate_store(con, stream.id, store, books.default_timezone(con))
    return location


def unmap_payment(con: Connection, stream: Stream, pos_method: str) -> tuple[str, str | None]:
    """Take a payment method's mapping away: (the method as mapped, the books' account it falls back to, if any)."""
    mapped = [r[0] for r in con.execute(
        "SELECT pos_method FROM payment_mappings WHERE stream_id = ? ORDER BY 1", [stream.id]).fetchall()]
    method = _one_of(pos_method, mapped, "payment method", stream)
    con.execute("DELETE FROM payment_mappings WHERE stream_id = ? AND pos_method = ?", [stream.id, method])
    fallback = con.execute("SELECT account_code FROM payment_methods WHERE lower(name) = lower(?)", [method]).fetchall()
    return method, (fallback[0][0] if fallback else None)


def unmap_account(con: Connection, stream: Stream, category: str) -> tuple[str, str | None]:
    """Take a category's mapping away: (the category, the books' default account it falls back to, if any)."""
    category = account_category(category)
    if not con.execute("SELECT 1 FROM account_mappings WHERE stream_id = ? AND category = ?",
                       [stream.id, category]).fetchall():
        raise NotFound(f"Stream {stream.name!r} has no mapping of its own for {category!r} (it uses the books' "
                       f"default); see `flowtui mappings {stream.name!r}`.")
    con.execute("DELETE FROM account_mappings WHERE stream_id = ? AND category = ?", [stream.id, category])
    fallback = con.execute("SELECT account_code FROM account_defaults WHERE category = ?", [category]).fetchall()
    return category, (fallback[0][0] if fallback else None)
