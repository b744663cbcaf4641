"""Streams (connected sales channels), their settings and their mappings."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime

from flowtui.connectors.registry import ProviderConfigError, SourceKey, provider
from flowtui.engine.core import clock, names
from flowtui.engine.core.errors import InvalidInput
from flowtui.engine.ledger import books
from flowtui.engine.ledger.numbering import DEFAULT_INVOICE_FORMAT, validate_format
from flowtui.engine.storage.database import Connection, run

GROUPINGS = ("sku", "all")


@dataclass(frozen=True)
class Stream:
    id: int
    name: str
    provider: str
    store_name: str | None
    config: dict
    auto_sync: bool
    auto_invoice: bool
    grouping: str
    start_date: date | None
    lookback_days: int
    cursor_date: date | None
    created_at: datetime
    archived_at: datetime | None = None  # removed: its books stay, it no longer syncs, posts or changes


@dataclass(frozen=True)
class StreamSettings:
    """Settings a user may change; ``None`` means leave as it is."""

    store_name: str | None = None
    auto_sync: bool | None = None
    auto_invoice: bool | None = None
    grouping: str | None = None
    start_date: date | None = None
    lookback_days: int | None = None

    def validated(self) -> StreamSettings:
        if self.grouping is not None and self.grouping not in GROUPINGS:
            raise InvalidInput(f"Grouping must be 'sku' or 'all', not {self.grouping!r}.")
        if self.lookback_days is not None and not 0 <= self.lookback_days <= 60:
            raise InvalidInput("Lookback days must be between 0 and 60.")
        return self


_COLUMNS = ("id, name, provider, store_name, config, auto_sync, auto_invoice, grouping, "
            "start_date, lookback_days, cursor_date, created_at, archived_at")


def _stream(row: tuple) -> Stream:
    values = list(row)
    values[4] = json.loads(values[4] or "{}")
    return Stream(*values)


def refuse_taken_name(con: Connection, name: str) -> None:
    """A new stream may not take an existing stream's name, in any case; a removed stream keeps its name."""
    clash = names.taken(name, _names(con))
    if clash is None:
        return
    existing = require_stream(con, clash)
    if existing.archived_at is not None:
        raise InvalidInput(f"The name {name.strip()!r} belongs to a stream removed on {existing.archived_at:%Y-%m-%d}"
                           f"{names.also_as(name, clash)}; its books keep the name. Pick another name.")
    raise InvalidInput(f"A stream named {name.strip()!r} already exists{names.also_as(name, clash)}; change it "
                       "with `flowtui stream set`.")


def add_stream(
    con: Connection, name: str, provider_name: str, options: dict, settings: StreamSettings, now: datetime,
    force: bool = False,
) -> Stream:
    """Connect a stream; one reading a source another stream reads is refused unless ``force``."""
    name = name.strip()
    if not name:
        raise InvalidInput("A stream needs a name.")
    refuse_taken_name(con, name)
    try:
        chosen = provider(provider_name)
        config = chosen.stored_config(options)
    except ProviderConfigError as exc:
        raise InvalidInput(str(exc)) from None
    if not force:
        refuse_same_source(con, name, provider_name, config)
    settings = settings.validated()
    con.execute(
        "INSERT INTO streams (name, provider, store_name, config, auto_sync, auto_invoice, grouping, "
        "start_date, lookback_days, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            name,
            provider_name,
            settings.store_name,
            json.dumps(config),
            True if settings.auto_sync is None else settings.auto_sync,
            chosen.auto_invoice if settings.auto_invoice is None else settings.auto_invoice,
            settings.grouping or "sku",
            settings.start_date,
            3 if settings.lookback_days is None else settings.lookback_days,
            now,
        ],
    )
    stream = require_stream(con, name)
    _map_home(con, stream, now)
    return stream


def _map_home(con: Connection, stream: Stream, now: datetime) -> None:
    """A source with one fixed store (the MiniPOS) has it mapped to its location from the start."""
    home = provider(stream.provider).fixed_store(stream.config)
    if home is not None:
        map_location(con, stream, home[0], home[1], None, None, now)


def update_stream(con: Connection, name: str, settings: StreamSettings, options: dict | None = None,
                  force: bool = False) -> Stream:
    """Change a stream's settings; a new source another stream reads is refused unless ``force``."""
    stream = require_active(require_stream(con, name))
    name = stream.name
    settings = settings.validated()
    changes = {k: v for k, v in settings.__dict__.items() if v is not None}
    if options:
        try:
            config = {**stream.config, **provider(stream.provider).stored_config({**stream.config, **options})}
        except ProviderConfigError as exc:
            raise InvalidInput(str(exc)) from None
        if not force and _source(stream.provider, config) != _source(stream.provider, stream.config):
            refuse_same_source(con, name, stream.provider, config)
        changes["config"] = json.dumps(config)
    for column, value in changes.items():
        con.execute(f"UPDATE streams SET {column} = ? WHERE id = ?", [value, stream.id])  # column names are ours
    updated = require_stream(con, name)
    if options:
        _map_home(con, updated, clock.now())
    return updated


def set_cursor(con: Connection, stream_id: int, day: date) -> None:
    con.execute("UPDATE streams SET cursor_date = ? WHERE id = ?", [day, stream_id])


def _names(con: Connection) -> list[str]:
    return [r[0] for r in con.execute("SELECT name FROM streams ORDER BY name").fetchall()]


def require_stream(con: Connection, name: str) -> Stream:
    """The stream ``name`` means (whatever its case, removed ones too); a clear error naming the nearest ones."""
    rows = con.execute(f"SELECT {_COLUMNS} FROM streams WHERE name = ?", [name.strip()]).fetchall()
    if not rows:
        stored = names.resolve(name, _names(con), "stream", "`flowtui stream list --all`")
        rows = con.execute(f"SELECT {_COLUMNS} FROM streams WHERE name = ?", [stored]).fetchall()
    return _stream(rows[0])


def require_active(stream: Stream) -> Stream:
    """``stream``, unless it was removed: a removed stream's books can be read, but it syncs, posts and changes no more."""
    if stream.archived_at is not None:
        raise InvalidInput(f"Stream {stream.name!r} was removed on {stream.archived_at:%Y-%m-%d}: its digests and "
                           "documents stay readable, but it no longer syncs, posts or changes.")
    return stream


def all_streams(con: Connection, include_archived: bool = True) -> list[Stream]:
    where = "" if include_archived else "WHERE archived_at IS NULL "
    return [_stream(r) for r in con.execute(f"SELECT {_COLUMNS} FROM streams {where}ORDER BY name").fetchall()]


def archive_stream(con: Connection, name: str, now: datetime) -> Stream:
    """Remove a stream from use, keeping everything it brought into the books (orders, digests, documents)."""
    stream = require_stream(con, name)
    if stream.archived_at is not None:
        raise InvalidInput(f"Stream {stream.name!r} was already removed on {stream.archived_at:%Y-%m-%d}.")
    con.execute("UPDATE streams SET archived_at = ? WHERE id = ?", [now, stream.id])
    return require_stream(con, stream.name)


# -- one source, one stream ----------------------------------------------------------


def _source(provider_name: str, config: dict) -> SourceKey | None:
    return provider(provider_name).source(config)


def refuse_same_source(con: Connection, name: str, provider_name: str, config: dict) -> None:
    """Two streams reading the same orders would land and post every order twice: refuse the second."""
    mine = _source(provider_name, config)
    if mine is None:
        return
    for other in all_streams(con):
        if other.name == name:
            continue
        theirs = _source(other.provider, other.config) if other.provider == provider_name else None
        if theirs is None or not mine.overlaps(theirs):
            continue
        removed = f" (removed on {other.archived_at:%Y-%m-%d}, its days already in the books)" if other.archived_at else ""
        same = "it" if mine.description == theirs.description else mine.description
        raise InvalidInput(
            f"Stream {other.name!r}{removed} already reads {theirs.description}; a second stream on {same} would "
            "land the same orders again and post them twice (double-posting). Use that stream, or add --force if "
            "they really read different orders.")


@dataclass(frozen=True)
class StreamStatus:
    stream: Stream
    status: str
    last_sync_at: datetime | None
    last_error: str | None
    warnings: list[str] = field(default_factory=list)


def stream_statuses(con: Connection, include_archived: bool = False) -> list[StreamStatus]:
    """Every stream (in use, or removed ones too) with the outcome of its last sync run."""
    last = {
        row[0]: row[1:]
        for row in con.execute(
            """
            SELECT stream_id, status, coalesce(finished_at, started_at), error, warnings
            FROM sync_runs
            QUALIFY row_number() OVER (PARTITION BY stream_id ORDER BY id DESC) = 1
            """
        ).fetchall()
    }
    result = []
    for stream in all_streams(con, include_archived):
        status, at, error, warnings = last.get(stream.id, ("new", None, None, []))
        result.append(StreamStatus(stream, status, at, error, list(warnings or [])))
    return result


# -- stores -----------------------------------------------------------------------


@dataclass(frozen=True)
class StoreRow:
    pos_store_id: str
    name: str | None
    location: str | None
    orders: int


def stores(con: Connection, stream: Stream) -> list[StoreRow]:
    rows = con.execute(
        """
        SELECT s.pos_store_id, s.name, l.name,
               (SELECT count(*) FROM orders o WHERE o.stream_id = s.stream_id AND o.pos_store_id = s.pos_store_id)
        FROM stream_stores s
        LEFT JOIN location_mappings m ON m.stream_id = s.stream_id AND m.pos_store_id = s.pos_store_id
        LEFT JOIN locations l ON l.id = m.location_id
        WHERE s.stream_id = ?
        ORDER BY s.pos_store_id
        """,
        [stream.id],
    ).fetchall()
    return [StoreRow(*r) for r in rows]


def remember_stores(con: Connection, stream_id: int, offered: list, now: datetime) -> None:
    """Record stores the source offers (e.g. StoreHub's /stores): :class:`SourceStore` records.

    What the source says of a store (its name, the tax code of its service charge) wins over what
    was known; what it does not say is kept.
    """
    if not offered:
        return
    con.executemany(
        "INSERT INTO stream_stores (stream_id, pos_store_id, name, first_seen_at, service_charge_tax_code) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET name = coalesce(EXCLUDED.name, stream_stores.name), "
        "service_charge_tax_code = coalesce(EXCLUDED.service_charge_tax_code, stream_stores.service_charge_tax_code)",
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
    previous = con.execute(
        "SELECT contact_id, number_format, credit_note_format FROM location_mappings "
        "WHERE stream_id = ? AND pos_store_id = ?",
        [stream.id, pos_store_id],
    ).fetchall()
    if previous:
        contact_id = contact.id if contact else previous[0][0]
        fmt = fmt or previous[0][1]
        cn_fmt = cn_fmt or previous[0][2]
    else:
        contact_id = contact.id if contact else books.require_contact(con, books.DEFAULT_CONTACT).id
    con.execute(
        "INSERT INTO location_mappings (stream_id, pos_store_id, location_id, contact_id, number_format, "
        "credit_note_format) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET location_id = EXCLUDED.location_id, "
        "contact_id = EXCLUDED.contact_id, number_format = EXCLUDED.number_format, "
        "credit_note_format = EXCLUDED.credit_note_format",
        [stream.id, pos_store_id, location.id, contact_id, fmt, cn_fmt],
    )
    con.execute(
        "INSERT INTO stream_stores (stream_id, pos_store_id, first_seen_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
        [stream.id, pos_store_id, now],
    )
    if location.timezone != before:
        redate_store(con, stream.id, pos_store_id, location.timezone)


def _store_timezone(con: Connection, stream: Stream, pos_store_id: str) -> str:
    rows = con.execute(
        "SELECT l.timezone FROM location_mappings m JOIN locations l ON l.id = m.location_id "
        "WHERE m.stream_id = ? AND m.pos_store_id = ?",
        [stream.id, pos_store_id],
    ).fetchall()
    return rows[0][0] if rows else books.default_timezone(con)


def redate_store(con: Connection, stream_id: int, pos_store_id: str, timezone: str) -> None:
    """Recompute business dates of a store's orders in ``timezone``; old and new days become dirty."""
    params = {"stream": stream_id, "store": pos_store_id, "tz": timezone}
    where = "stream_id = $stream AND pos_store_id = $store"
    mark_dirty = (f"INSERT INTO dirty_days SELECT DISTINCT stream_id, pos_store_id, business_date FROM orders "
                  f"WHERE {where} ON CONFLICT DO NOTHING")
    run(con, mark_dirty, params)
    run(con, f"UPDATE orders SET business_date = (ordered_at AT TIME ZONE $tz)::DATE WHERE {where}", params)
    for child in ("order_lines", "order_payments"):
        run(
            con,
            f"""
            UPDATE {child} SET business_date = o.business_date
            FROM orders o
            WHERE {child}.stream_id = $stream AND {child}.pos_store_id = $store
              AND o.stream_id = {child}.stream_id AND o.order_id = {child}.order_id
              AND {child}.business_date <> o.business_date
            """,
            params,
        )
    run(con, mark_dirty, params)


def map_payment(con: Connection, stream: Stream, pos_method: str, account_code: str, force: bool = False) -> None:
    """A POS payment method -> the account its money goes to (an asset account unless ``force``)."""
    pos_method = pos_method.strip()
    if not pos_method:
        raise InvalidInput("Give the POS payment method to map, exactly as the POS names it.")
    account = books.check_account_type(books.require_account(con, account_code), books.PAYMENT_ACCOUNT_TYPES,
                                       f"payment method {pos_method!r}", force, " (cash, bank or clearing)")
    con.execute(
        "INSERT INTO payment_mappings VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET account_code = EXCLUDED.account_code",
        [stream.id, pos_method, account.code],
    )


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
    con.execute(
        "INSERT INTO account_mappings VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET account_code = EXCLUDED.account_code",
        [stream.id, category, account.code],
    )


@dataclass(frozen=True)
class Mappings:
    locations: list[dict]
    payments: list[dict]
    accounts: list[dict]


def mappings(con: Connection, stream: Stream) -> Mappings:
    """Every mapping of a stream, plus values seen in its orders that are not mapped yet."""
    locations = [
        {
            "pos_store_id": r[0],
            "store_name": r[1],
            "location": r[2],
            "timezone": r[3],
            "contact": r[4],
            "number_format": r[5] or (DEFAULT_INVOICE_FORMAT if r[2] else None),
            "mapped": r[2] is not None,
        }
        for r in con.execute(
            """
            WITH ids AS (
                SELECT pos_store_id FROM stream_stores WHERE stream_id = $s
                UNION SELECT pos_store_id FROM location_mappings WHERE stream_id = $s
            )
            SELECT i.pos_store_id, st.name, l.name, l.timezone, c.name, m.number_format
            FROM ids i
            LEFT JOIN stream_stores st ON st.stream_id = $s AND st.pos_store_id = i.pos_store_id
            LEFT JOIN location_mappings m ON m.stream_id = $s AND m.pos_store_id = i.pos_store_id
            LEFT JOIN locations l ON l.id = m.location_id
            LEFT JOIN contacts c ON c.id = m.contact_id
            ORDER BY i.pos_store_id
            """,
            {"s": stream.id},
        ).fetchall()
    ]
    payments = [
        {"pos_method": r[0], "account": r[1], "source": r[2], "mapped": r[1] is not None}
        for r in con.execute(
            """
            WITH seen AS (
                SELECT DISTINCT method FROM order_payments WHERE stream_id = $s
                UNION SELECT pos_method FROM payment_mappings WHERE stream_id = $s
            )
            SELECT seen.method,
                   coalesce(pm.account_code, g.account_code),
                   CASE WHEN pm.account_code IS NOT NULL THEN 'stream'
                        WHEN g.account_code IS NOT NULL THEN 'default' END
            FROM seen
            LEFT JOIN payment_mappings pm ON pm.stream_id = $s AND pm.pos_method = seen.method
            LEFT JOIN payment_methods g ON lower(g.name) = lower(seen.method)
            ORDER BY seen.method
            """,
            {"s": stream.id},
        ).fetchall()
    ]
    defaults = dict(con.execute("SELECT category, account_code FROM account_defaults").fetchall())
    mapped = dict(
        con.execute("SELECT category, account_code FROM account_mappings WHERE stream_id = ?", [stream.id]).fetchall()
    )
    accounts = []
    for category in books.CATEGORY_TYPES:  # those with an account, and those every posting needs
        code = mapped.get(category) or defaults.get(category)
        if code is None and category not in books.POSTING_CATEGORIES:
            continue
        source = "stream" if category in mapped else ("default" if code else None)
        accounts.append({"category": category, "account": code, "source": source, "mapped": code is not None})
    return Mappings(locations, payments, accounts)
