"""Secrets (API keys) live outside the database.

A source declares its secrets (its options marked ``secret``; StoreHub's one is ``api_key``). A
stream's config holds, under each secret's name, only a *reference*: ``{"secret": "<entry>"}`` for a value
kept in ``secrets.json`` (mode 0600) in the user config directory, or
``{"env": "VAR"}`` for one read from the environment at sync time. Values are
never printed; :func:`mask` shows the last four characters at most.

One secrets file serves every database, so entries are named after the
database's own id as well as the stream (:func:`stream_key_name`): two
databases with a stream called "Shop" keep their own keys (``...:api_key``, and each further secret under its
own name). References written
before that (``stream:NAME:api_key``) resolve as they always did; setting the
key again moves the stream to an entry of its database's own, and the old
entry is left in place (another database may use it).
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

from flowtui.engine.core.errors import FlowError

if TYPE_CHECKING:
    from flowtui.connectors.declaration import Option


def config_dir() -> Path:
    override = os.environ.get("FLOWTUI_CONFIG_DIR")
    if override:
        return Path(override).expanduser()
    return Path(platformdirs.user_config_dir("flowtui", appauthor=False))


def mask(value: str | None) -> str:
    """``"sk_live_abcd1234"`` -> ``"••••1234"``; short values are fully hidden."""
    if not value:
        return ""
    return "••••" + (value[-4:] if len(value) >= 12 else "")


def database_prefix(database_id: str) -> str:
    return f"db:{database_id}:"


def stream_key_name(database_id: str, stream: str, secret: str = "api_key") -> str:
    """``db:<database id>:stream:<stream name>:api_key``: a stream's key (or its secret ``secret``), in its own
    books' name."""
    return f"{database_prefix(database_id)}stream:{stream}:{secret}"


@dataclass(frozen=True)
class SecretStore:
    path: Path

    @classmethod
    def default(cls) -> SecretStore:
        return cls(config_dir() / "secrets.json")

    def _load(self) -> dict[str, str]:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise FlowError(f"Cannot read the secrets file {self.path}: {exc}") from None

    def store(self, key: str, value: str) -> str | None:
        """Keep ``value`` under ``key``; returns the value it replaced (for :meth:`restore`)."""
        data = self._load()
        previous = data.get(key)
        data[key] = value
        self._write(data)
        return previous

    def restore(self, key: str, previous: str | None) -> None:
        """Put ``key`` back as it was before :meth:`store` (gone again if it was not there)."""
        data = self._load()
        if previous is None:
            if data.pop(key, None) is None:
                return
        else:
            data[key] = previous
        self._write(data)

    def entry_for(self, database_id: str, stream: str, current: dict | None, secret: str = "api_key") -> str:
        """The entry a stream's new API key (or its secret ``secret``) is kept under.

        The stream's own entry when it already has one under its database's id (the key is replaced in
        place); otherwise a new entry under that id that no one uses yet. So a new key never overwrites an
        entry another database may rely on: an old shared ``stream:NAME:api_key``, or the entry of a copy of
        this database (which has the same id) that already connected a stream of this name.
        """
        own = (current or {}).get("secret", "")
        if own.startswith(database_prefix(database_id)):
            return own
        name = stream_key_name(database_id, stream, secret)
        taken = self._load()
        candidate, n = name, 1
        while candidate in taken:
            n += 1
            candidate = f"{name}:{n}"
        return candidate

    def get(self, key: str) -> str | None:
        return self._load().get(key)

    def _write(self, data: dict[str, str]) -> None:
        try:
            self._replace(data)
        except OSError as exc:
            raise FlowError(f"Cannot write the secrets file {self.path}: {exc.strerror or exc}") from None

    def _replace(self, data: dict[str, str]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".secrets-", suffix=".tmp")
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=2, sort_keys=True)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
            os.chmod(self.path, 0o600)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise

    def resolve(self, reference: dict | None, label: str = "API key", flag: str = "--api-key") -> str | None:
        """The secret a reference points at; a clear error when it is gone (naming the secret and its flag)."""
        if not reference:
            return None
        if "env" in reference:
            value = os.environ.get(reference["env"])
            if not value:
                raise FlowError(f"The environment variable {reference['env']} holding the {label} is not set.")
            return value
        value = self.get(reference["secret"])
        if value is None:
            raise FlowError(f"The {label} is missing from {self.path}; set it again with "
                            f"`flowtui stream set NAME {flag} -`.")
        return value

    def resolve_all(self, config: dict, secrets: Iterable[Option]) -> dict[str, str | None]:
        """Each declared secret of a stream's config, by name (None when the stream has none)."""
        return {option.name: self.resolve(config.get(option.name), option.label, option.flag) for option in secrets}


def describe(reference: dict | None, store: SecretStore) -> str:
    """How a reference reads in listings: never the value itself."""
    if not reference:
        return ""
    if "env" in reference:
        return f"from ${reference['env']}"
    return mask(store.get(reference["secret"]))


def describe_all(config: dict, secrets: Iterable[Option], store: SecretStore) -> str:
    """A stream's credentials as listings show them: its one secret as :func:`describe` says it, or each by label."""
    secrets = list(secrets)
    said = [(option.label, describe(config.get(option.name), store)) for option in secrets]
    if len(said) == 1:
        return said[0][1]
    return ", ".join(f"{label} {text}" for label, text in said if text)
