"""Streams (connected sales channels), their settings and their mappings."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime

from flowtui.connectors.registry import ProviderConfigError, SourceKey, provider
from flowtui.engine.core import clock, names
from flowtui.engine.core.errors import InvalidInput
from flowtui.engine.ledger import books
from flowtui.engine.setup import sql
from flowtui.engine.setup.mapping import map_location
from flowtui.engine.storage.database import Connection
from flowtui.engine.storage.rows import Row, named, rows

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


def _stream(row: Row) -> Stream:
    return Stream(**{**row, "config": json.loads(row["config"] or "{}")})


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
        sql.STREAM_INSERT,
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
        con.execute(sql.STREAM_UPDATE.format(column=column), [value, stream.id])  # column names are ours
    updated = require_stream(con, name)
    if options:
        _map_home(con, updated, clock.now())
    return updated


def set_cursor(con: Connection, stream_id: int, day: date) -> None:
    con.execute(sql.STREAM_SET_CURSOR, [day, stream_id])


def _names(con: Connection) -> list[str]:
    return [r["name"] for r in rows(con, sql.STREAM_NAMES)]


def require_stream(con: Connection, name: str) -> Stream:
    """The stream ``name`` means (whatever its case, removed ones too); a clear error naming the nearest ones."""
    return _stream(named(con, sql.STREAM_BY_NAME, name, lambda: _names(con), "stream", "`flowtui stream list --all`"))


def require_active(stream: Stream) -> Stream:
    """``stream``, unless it was removed: a removed stream's books can be read, but it syncs, posts and changes no more."""
    if stream.archived_at is not None:
        raise InvalidInput(f"Stream {stream.name!r} was removed on {stream.archived_at:%Y-%m-%d}: its digests and "
                           "documents stay readable, but it no longer syncs, posts or changes.")
    return stream


def all_streams(con: Connection, include_archived: bool = True) -> list[Stream]:
    return [_stream(r) for r in rows(con, sql.STREAMS_ALL if include_archived else sql.STREAMS_IN_USE)]


def archive_stream(con: Connection, name: str, now: datetime) -> Stream:
    """Remove a stream from use, keeping everything it brought into the books (orders, digests, documents)."""
    stream = require_stream(con, name)
    if stream.archived_at is not None:
        raise InvalidInput(f"Stream {stream.name!r} was already removed on {stream.archived_at:%Y-%m-%d}.")
    con.execute(sql.STREAM_ARCHIVE, [now, stream.id])
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
    #: the zone its times are shown in: a stream syncs for all its stores, so the books' zone (the one new
    #: locations get), not any one location's
    timezone: str = books.DEFAULT_TIMEZONE


def stream_statuses(con: Connection, include_archived: bool = False) -> list[StreamStatus]:
    """Every stream (in use, or removed ones too) with the outcome of its last sync run."""
    last = {row["stream_id"]: row for row in rows(con, sql.LAST_SYNC_RUNS)}
    zone = books.default_timezone(con)
    result = []
    for stream in all_streams(con, include_archived):
        run = last.get(stream.id, {"status": "new", "at": None, "error": None, "warnings": []})
        result.append(StreamStatus(stream, run["status"], run["at"], run["error"], list(run["warnings"] or []),
                                   zone))
    return result
