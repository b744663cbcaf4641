"""The providers flowtui knows, and how to build a connector for a stream."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flowtui.connectors.base import Connector
from flowtui.connectors.file import FileConnector


class ProviderConfigError(ValueError):
    """Options given for a provider are missing or wrong; the message says which."""


@dataclass(frozen=True)
class Provider:
    name: str
    label: str
    #: turns command-line/form options into the stored config (no secrets in it)
    configure: Callable[[dict], dict]
    #: builds a connector from the stored config and the resolved secret
    connect: Callable[[dict, str | None], Connector]


def _file_config(options: dict) -> dict:
    raw = options.get("path")
    if not raw:
        raise ProviderConfigError("A file stream needs --path FILE_OR_DIR (NDJSON or CSV orders).")
    path = Path(raw).expanduser().resolve()
    if not path.exists():
        raise ProviderConfigError(f"{path} does not exist; create the folder or file first.")
    return {"path": str(path)}


def _file_connect(config: dict, _secret: str | None) -> Connector:
    return FileConnector(Path(config["path"]))


PROVIDERS: dict[str, Provider] = {
    "file": Provider("file", "Files (NDJSON / CSV)", _file_config, _file_connect),
}


def provider(name: str) -> Provider:
    try:
        return PROVIDERS[name]
    except KeyError:
        known = ", ".join(sorted(PROVIDERS))
        raise ProviderConfigError(f"Unknown provider {name!r}; available: {known}.") from None
