"""Secrets (API keys) live outside the database.

A stream's config holds only a *reference*: ``{"secret": "<key>"}`` for a value
kept in ``secrets.json`` (mode 0600) in the user config directory, or
``{"env": "VAR"}`` for one read from the environment at sync time. Values are
never printed; :func:`mask` shows the last four characters at most.
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import platformdirs

from flowtui.engine.errors import FlowError


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


@dataclass(frozen=True)
class SecretStore:
    path: Path

    @classmethod
    def default(cls) -> "SecretStore":
        return cls(config_dir() / "secrets.json")

    def _load(self) -> dict[str, str]:
        try:
            return json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            raise FlowError(f"Cannot read the secrets file {self.path}: {exc}") from None

    def put(self, key: str, value: str) -> dict:
        """Store ``value`` under ``key``; returns the reference to keep in config."""
        data = self._load()
        data[key] = value
        self._write(data)
        return {"secret": key}

    def delete(self, key: str) -> None:
        data = self._load()
        if data.pop(key, None) is not None:
            self._write(data)

    def get(self, key: str) -> str | None:
        return self._load().get(key)

    def _write(self, data: dict[str, str]) -> None:
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

    def resolve(self, reference: dict | None) -> str | None:
        """The secret a reference points at; a clear error when it is gone."""
        if not reference:
            return None
        if "env" in reference:
            value = os.environ.get(reference["env"])
            if not value:
                raise FlowError(f"The environment variable {reference['env']} holding the API key is not set.")
            return value
        value = self.get(reference["secret"])
        if value is None:
            raise FlowError(f"The API key is missing from {self.path}; set it again with `flowtui stream set`.")
        return value


def describe(reference: dict | None, store: SecretStore) -> str:
    """How a reference reads in listings: never the value itself."""
    if not reference:
        return ""
    if "env" in reference:
        return f"from ${reference['env']}"
    return mask(store.get(reference["secret"]))
