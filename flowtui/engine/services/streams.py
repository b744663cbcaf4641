"""Streams: connecting a source (its secrets kept in the secrets file), changing, testing and listing it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from flowtui.connectors.registry import provider as stream_provider
from flowtui.engine.core import clock
from flowtui.engine.core.errors import InvalidInput
from flowtui.engine.ledger import books
from flowtui.engine.services.unit import Service
from flowtui.engine.setup import mapping
from flowtui.engine.setup import streams as streams_mod
from flowtui.engine.setup.mapping import StoreRow, store_order
from flowtui.engine.setup.secrets import SecretStore
from flowtui.engine.setup.secrets import describe_all as describe_secrets
from flowtui.engine.setup.streams import Stream, StreamSettings, StreamStatus
from flowtui.engine.storage.database import Connection


@dataclass
class StreamsService(Service):
    """Streams and their secrets: an API key goes to ``secrets``, the stream keeps a reference to it."""

    secrets: SecretStore = field(default_factory=SecretStore.default)

    def add_stream(self, name: str, provider: str, options: dict, settings: StreamSettings,
                   force: bool = False) -> Stream:
        """Connect a stream. One reading what another stream reads is refused unless ``force`` (it would double-post).

        The provider's secrets (``options["api_key"]``, plain text) go to the secrets file only if the stream
        is created.
        """
        options, plain = _split_secrets(options)

        def change(con: Connection) -> Stream:
            given = {**options, **{secret: self._key_reference(con, name.strip(), secret, None) for secret in plain}}
            return streams_mod.add_stream(con, name, provider, given, settings, clock.now(), force)

        return self._change_stream(change, plain)

    def update_stream(self, name: str, settings: StreamSettings, options: dict | None = None,
                      force: bool = False) -> Stream:
        """Change a stream's settings; a new secret (``api_key``) goes to the secrets file only if the change is made."""
        options, plain = _split_secrets(options or {})

        def change(con: Connection) -> Stream:
            stream = streams_mod.require_active(streams_mod.require_stream(con, name))
            given = {**options, **{secret: self._key_reference(con, stream.name, secret, stream.config.get(secret))
                                   for secret in plain}}
            return streams_mod.update_stream(con, stream.name, settings, given, force)

        return self._change_stream(change, plain)

    def _key_reference(self, con: Connection, stream: str, secret: str, current: dict | None) -> dict:
        return {"secret": self.secrets.entry_for(books.database_id(con), stream, current, secret)}

    def _change_stream(self, change: Callable[[Connection], Stream], plain: dict[str, str]) -> Stream:
        """One write adding or changing a stream; its new secrets (if any) are written to the secrets file last.

        A secret is kept only once the database change has been made and only if the stream refers to it:
        a refused change leaves the secrets file as it was. A secrets file that cannot be written rolls the
        change back; if the commit then fails, the entries are put back as they were (nothing is ever deleted
        that was there before).
        """
        written: list[tuple[str, str | None]] = []
        try:
            with self._write() as con:
                stream = change(con)
                for secret, value in plain.items():
                    reference = stream.config.get(secret) or {}
                    if "secret" in reference:
                        written.append((reference["secret"], self.secrets.store(reference["secret"], value)))
        except BaseException:
            for entry, previous in reversed(written):
                self.secrets.restore(entry, previous)
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
        return stream_connector(stream, self.secrets)

    def test_stream(self, name: str) -> str:
        return self.connector(name).test()

    def probe(self, provider: str, options: dict) -> tuple[str, list]:
        """Try a source before connecting it: (a one-line description, the stores it offers).

        ``options`` are those of :meth:`add_stream` with the secrets (the API key) in plain
        text; nothing is saved.
        """
        from flowtui.connectors.registry import ProviderConfigError
        from flowtui.connectors.registry import provider as get_provider

        try:
            chosen = get_provider(provider)
            given = {secret.name: {"plain": True} for secret in chosen.secrets if options.get(secret.name)}
            config = chosen.stored_config({**options, **given})
            connector = chosen.connect(config, {secret.name: options.get(secret.name) for secret in chosen.secrets})
        except ProviderConfigError as exc:
            raise InvalidInput(str(exc)) from None
        described = connector.test()
        return described, sorted(connector.stores(), key=lambda store: store_order(store.name, store.id))

    def credentials(self, stream: Stream) -> str:
        from flowtui.connectors.registry import ProviderConfigError

        try:
            secrets = stream_provider(stream.provider).secrets
        except ProviderConfigError:  # its source is no longer installed: its credentials say nothing now
            return ""
        return describe_secrets(stream.config, secrets, self.secrets)

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
                mapping.remember_stores(con, stream.id, offered, clock.now())
            return mapping.stores(con, stream)


def _split_secrets(options: dict) -> tuple[dict, dict[str, str]]:
    """The options without the plain-text secrets (returned apart, by name); ``<secret>_env`` becomes a reference.

    Secrets are the options any provider declares secret (an option name means the same kind of value in every
    provider: the registry refuses a plug-in that disagrees).
    """
    from flowtui.connectors.registry import providers

    options = dict(options)
    plain: dict[str, str] = {}
    secrets = {secret.name: secret for declared in providers().values() for secret in declared.secrets}
    for name, secret in secrets.items():
        value, env = (options.pop(name, None) or "").strip() or None, options.pop(secret.env_name, None)
        if value and env:
            raise InvalidInput(f"Give either {secret.flag} or {secret.flag}-env, not both.")
        if env:
            options[name] = {"env": env.strip().lstrip("$")}
        if value:
            plain[name] = value
    return options, plain


def stream_connector(stream: Stream, secrets: SecretStore):
    """The connector of ``stream``, its secrets resolved from ``secrets``."""
    from flowtui.connectors.registry import ProviderConfigError

    try:
        declared = stream_provider(stream.provider)
        return declared.connect(stream.config, secrets.resolve_all(stream.config, declared.secrets))
    except ProviderConfigError as exc:
        raise InvalidInput(str(exc)) from None
