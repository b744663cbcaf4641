"""A stream's stores and mappings: the POS stores it offers, and where each store, payment method and
posting category goes in the books (a location, an account). Taking a mapping away is
:mod:`flowtui.engine.setup.unmap`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from flowtui.engine.core.errors import InvalidInput
from flowtui.engine.core.names import natural_key
from flowtui.engine.ledger import books
from flowtui.engine.ledger.numbering import DEFAULT_INVOICE_FORMAT, validate_format
from flowtui.engine.setup import sql
from flowtui.engine.storage.database import Connection, run
from flowtui.engine.storage.rows import one, rows

if TYPE_CHECKING:
    from flowtui.engine.setup.streams import Stream


# -- stores -----------------------------------------------------------------------


@dataclass(frozen=True)
class StoreRow:
    pos_store_id: str
    name: str | None
    location: str | None
    orders: int


def store_order(name: str | None, pos_store_id: str) -> tuple:
    """Stores in the order people expect: by name (or id) naturally, ``Outlet 2`` before ``Outlet 10``."""
    return natural_key(name or pos_store_id), natural_key(pos_store_id)


def stores(con: Connection, stream: Stream) -> list[StoreRow]:
    found = [StoreRow(**r) for r in rows(con, sql.STORES, [stream.id])]
    return sorted(found, key=lambda s: store_order(s.name, s.pos_store_id))


def service_charge_codes(con: Connection, stream_id: int) -> dict[str, str]:
    """The tax code of each store's service charge, as the source says (stores it says nothing of left out)."""
    return {r["pos_store_id"]: r["service_charge_tax_code"] for r in rows(con, sql.SERVICE_CHARGE_CODES, [stream_id])}


def remember_stores(con: Connection, stream_id: int, offered: list, now: datetime) -> None:
    """Record stores the source offers (e.g. StoreHub's /stores): :class:`SourceStore` records.

    What the source says of a store (its name, the tax code of its service charge) wins over what
    was known; what it does not say is kept.
    """
    if not offered:
        return
    con.executemany(
        sql.REMEMBER_STORE,
        [(stream_id, s.id, s.name, now, s.service_charge_tax_code) for s in offered],
    )


# -- mappings ---------------------------------------------------------------------


def map_location(
    con: Connection,
    stream: Stream,
    pos_store_id: str,
    location_name: str,
    contact_name: str | None,
    number_format: str | None,
    now: datetime,
    credit_note_format: str | None = None,
) -> None:
    """Map a POS store to a location; moving it to another time zone re-dates its orders."""
    pos_store_id = pos_store_id.strip()
    if not pos_store_id:
        raise InvalidInput("Give the POS store id to map (see `flowtui stream stores`).")
    location = books.require_location(con, location_name)
    contact = books.require_contact(con, contact_name) if contact_name else None
    fmt = validate_format(number_format) if number_format else None
    cn_fmt = validate_format(credit_note_format) if credit_note_format else None
    before = _store_timezone(con, stream, pos_store_id)
    previous = one(con, sql.LOCATION_MAPPING, [stream.id, pos_store_id])
    if previous:
        contact_id = contact.id if contact else previous["contact_id"]
        fmt = fmt or previous["number_format"]
        cn_fmt = cn_fmt or previous["credit_note_format"]
    else:
        contact_id = contact.id if contact else books.require_contact(con, books.DEFAULT_CONTACT).id
    con.execute(sql.LOCATION_MAPPING_UPSERT, [stream.id, pos_store_id, location.id, contact_id, fmt, cn_fmt])
    con.execute(sql.STORE_SEEN, [stream.id, pos_store_id, now])
    if location.timezone != before:
        redate_store(con, stream.id, pos_store_id, location.timezone)


def _store_timezone(con: Connection, stream: Stream, pos_store_id: str) -> str:
    row = one(con, sql.STORE_LOCATION, [stream.id, pos_store_id])
    return row["timezone"] if row else books.default_timezone(con)


def redate_store(con: Connection, stream_id: int, pos_store_id: str, timezone: str) -> None:
    """Recompute business dates of a store's orders in ``timezone``; old and new days become dirty."""
    params = {"stream": stream_id, "store": pos_store_id, "tz": timezone}
    run(con, sql.STORE_DIRTY_DAYS, params)
    run(con, sql.STORE_REDATE_ORDERS, params)
    for child in ("order_lines", "order_payments"):
        run(con, sql.STORE_REDATE_CHILD.format(child=child), params)
    run(con, sql.STORE_DIRTY_DAYS, params)


def map_payment(con: Connection, stream: Stream, pos_method: str, account_code: str, force: bool = False) -> None:
    """A POS payment method -> the account its money goes to (an asset account unless ``force``)."""
    pos_method = pos_method.strip()
    if not pos_method:
        raise InvalidInput("Give the POS payment method to map, exactly as the POS names it.")
    account = books.check_account_type(books.require_account(con, account_code), books.PAYMENT_ACCOUNT_TYPES,
                                       f"payment method {pos_method!r}", force, " (cash, bank or clearing)")
    con.execute(sql.PAYMENT_MAPPING_UPSERT, [stream.id, pos_method, account.code])


def account_category(typed: str) -> str:
    category = typed.strip().lower().replace("-", "_")
    if category not in books.CATEGORY_TYPES:
        allowed = ", ".join(books.CATEGORY_TYPES)
        raise InvalidInput(f"Unknown account category {category!r}; use one of {allowed}.")
    return category


def map_account(con: Connection, stream: Stream, category: str, account_code: str, force: bool = False) -> None:
    """A posting category -> its account (of a type :data:`books.CATEGORY_TYPES` allows, unless ``force``)."""
    category = account_category(category)
    account = books.check_account_type(books.require_account(con, account_code), books.CATEGORY_TYPES[category],
                                       category.replace("_", " "), force)
    con.execute(sql.ACCOUNT_MAPPING_UPSERT, [stream.id, category, account.code])


@dataclass(frozen=True)
class Mappings:
    locations: list[dict]
    payments: list[dict]
    accounts: list[dict]


def mappings(con: Connection, stream: Stream) -> Mappings:
    """Every mapping of a stream, plus values seen in its orders that are not mapped yet."""
    locations = [
        {**r, "number_format": r["number_format"] or (DEFAULT_INVOICE_FORMAT if r["location"] else None),
         "mapped": r["location"] is not None}
        for r in rows(con, sql.LOCATION_MAPPINGS, {"s": stream.id})
    ]
    locations.sort(key=lambda r: store_order(r["store_name"], r["pos_store_id"]))
    payments = [{**r, "mapped": r["account"] is not None} for r in rows(con, sql.PAYMENT_MAPPINGS, {"s": stream.id})]
    defaults = {r["category"]: r["account_code"] for r in rows(con, sql.ACCOUNT_DEFAULTS)}
    mapped = {r["category"]: r["account_code"] for r in rows(con, sql.ACCOUNT_MAPPINGS, [stream.id])}
    accounts = []
    for category in books.CATEGORY_TYPES:  # those with an account, and those every posting needs
        code = mapped.get(category) or defaults.get(category)
        if code is None and category not in books.POSTING_CATEGORIES:
            continue
        source = "stream" if category in mapped else ("default" if code else None)
        accounts.append({"category": category, "account": code, "source": source, "mapped": code is not None})
    return Mappings(locations, payments, accounts)
