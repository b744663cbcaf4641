"""Streams: connecting a source (its secrets kept in the secrets file), changing, testing and listing it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flowtui.connectors.registry import provider as stream_provider
from flowtui.engine.core import clock
from flowtui.engine.core.errors import InvalidInput
from flowtui.engine.ledger import books
from flowtui.engine.services.unit import Service
from flowtui.engine.setup import streams as streams_mod
from flowtui.engine.setup.secrets import SecretStore
from flowtui.engine.setup.secrets import describe as describe_secret
from flowtui.engine.setup.streams import StoreRow, Stream, StreamSettings, StreamStatus
from flowtui.engine.storage.database import Connection


@dataclass
class StreamsService(Service):
    """Streams and their secrets: an API key goes to ``secrets``, the stream keeps a reference to it."""

    secrets: SecretStore = field(default_factory=SecretStore.default)

    def add_stream(self, name: str, provider: str, options: dict, settings: StreamSettings,
                   force: bool = False) -> Stream:
        """Connect a stream. One reading what another stream reads is refused unless ``force`` (it would double-post).

        ``options["api_key"]`` (plain text) goes to the secrets file only if the stream is created.
        """
        options, key = _split_key(options)

        def change(con: Connection) -> Stream:
            given = {**options, "api_key": self._key_reference(con, name.strip(), None)} if key else options
            return streams_mod.add_stream(con, name, provider, given, settings, clock.now(), force)

        return self._change_stream(change, key)

    def update_stream(self, name: str, settings: StreamSettings, options: dict | None = None,
                      force: bool = False) -> Stream:
        """Change a stream's settings; a new ``api_key`` goes to the secrets file only if the change is made."""
        options, key = _split_key(options or {})

        def change(con: Connection) -> Stream:
            stream = streams_mod.require_active(streams_mod.require_stream(con, name))
            given = {**options, "api_key": self._key_reference(con, stream.name, stream.config.get("api_key"))} \
                if key else options
            return streams_mod.update_stream(con, stream.name, settings, given, force)

        return self._change_stream(change, key)

    def _key_reference(self, con: Connection, stream: str, current: dict | None) -> dict:
        return {"secret": self.secrets.entry_for(books.database_id(con), stream, current)}

    def _change_stream(self, change: Callable[[Connection], Stream], key: str | None) -> Stream:
        """One write adding or changing a stream; its new API key (if any) is written to the secrets file last.

        The key is kept only once the database change has been made and only if the stream refers to it:
        a refused change leaves the secrets file as it was. A secrets file that cannot be written rolls the
        change back; if the commit then fails, the entry is put back as it was (nothing is ever deleted
        that was there before).
        """
        written: tuple[str, str | None] | None = None
        try:
            with self._write() as con:
                stream = change(con)
                reference = stream.config.get("api_key") or {}
                if key and "secret" in reference:
                    written = reference["secret"], self.secrets.store(reference["secret"], key)
        except BaseException:
            if written is not None:
                self.secrets.restore(*written)
            raise
        return stream

    def stream_warnings(self, stream: Stream) -> list[str]:
        """What is risky about how a stream is set up (a key that would travel unencrypted), for the operator."""
        return stream_provider(stream.provider).warnings(stream.config)

    def remove_stream(self, name: str) -> Stream:
        """Archive a stream: its orders, digests and documents stay; it no longer syncs, posts or changes."""
        with self._write() as con:
            return streams_mod.archive_stream(con, name, clock.now())

    def connector(self, name: str):
        """The live connector of a stream (credentials resolved); no database is held while it is used."""
        with self.db.read() as con:
            stream = streams_mod.require_stream(con, name)
        secret = self.secrets.resolve(stream.config.get("api_key"))
        return stream_connector(stream, secret)

    def test_stream(self, name: str) -> str:
        return self.connector(name).test()

    def probe(self, provider: str, options: dict) -> tuple[str, list]:
        """Try a source before connecting it: (a one-line description, the stores it offers).

        ``options`` are those of :meth:`add_stream` with the API key in plain
        text; nothing is saved.
        """
        from flowtui.connectors.registry import ProviderConfigError
        from flowtui.connectors.registry import provider as get_provider

        try:
            chosen = get_provider(provider)
            config = chosen.configure({**options, "api_key": {"plain": True}} if options.get("api_key") else options)
            connector = chosen.connect(config, options.get("api_key"))
        except ProviderConfigError as exc:
            raise InvalidInput(str(exc)) from None
        return connector.test(), connector.stores()

    def credentials(self, stream: Stream) -> str:
        return describe_secret(stream.config.get("api_key"), self.secrets)

    def streams(self, include_archived: bool = False) -> list[StreamStatus]:
        """Streams in use (and removed ones with ``include_archived``) with their last sync."""
        with self.db.read() as con:
            return streams_mod.stream_statuses(con, include_archived)

    def stream_stores(self, name: str) -> list[StoreRow]:
        """Stores seen in the stream's orders, and those its source offers (asked live when it can list them)."""
        offered = self.connector(name).stores()
        with self._write() as con:
            stream = streams_mod.require_stream(con, name)
            if offered:
                streams_mod.remember_stores(con, stream.id, offered, clock.now())
            return streams_mod.stores(con, stream)


def _split_key(options: dict) -> tuple[dict, str | None]:
    """The options without the plain-text ``api_key`` (returned apart); ``api_key_env`` becomes a reference."""
    options = dict(options)
    key, env = (options.pop("api_key", None) or "").strip() or None, options.pop("api_key_env", None)
    if key and env:
        raise InvalidInput("Give either --api-key or --api-key-env, not both.")
    if env:
        options["api_key"] = {"env": env.strip().lstrip("$")}
    return options, key


def stream_connector(stream: Stream, secret: str | None):
    from flowtui.connectors.registry import ProviderConfigError

    try:
        return stream_provider(stream.provider).connect(stream.config, secret)
    except ProviderConfigError as exc:
        raise InvalidInput(str(exc)) from None
