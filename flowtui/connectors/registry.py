"""The providers flowtui knows, and how to build a connector for a stream."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from flowtui.connectors.base import Connector, SourceError
from flowtui.connectors.file.reader import FileConnector


class ProviderConfigError(SourceError):
    """Options given for a provider are missing or wrong; the message says which."""


@dataclass(frozen=True)
class SourceKey:
    """What a stream reads, to tell when two streams would read the same orders (and post them twice).

    ``parts`` go from the widest to the narrowest (provider, service, account; or provider and the path's
    parts): two streams overlap when one's parts begin with the other's (the same account, or a file in a
    folder another stream reads). ``description`` says it for people.
    """

    parts: tuple[str, ...]
    description: str

    def overlaps(self, other: SourceKey) -> bool:
        shorter = min(len(self.parts), len(other.parts))
        return self.parts[:shorter] == other.parts[:shorter]


@dataclass(frozen=True)
class Provider:
    name: str
    label: str
    #: turns command-line/form options into the stored config (no secrets in it)
    configure: Callable[[dict], dict]
    #: builds a connector from the stored config and the resolved secret
    connect: Callable[[dict, str | None], Connector]
    #: (store id, location name) to map when the stream is created, for sources with one fixed store
    home: Callable[[dict], tuple[str, str] | None] = lambda _config: None
    #: does it take credentials (the Connect screen asks only when it does)
    needs_secret: bool = False
    #: post ready digests after each sync unless told otherwise (a till's close is its review)
    auto_invoice: bool = False
    #: what the stored config reads (None: nothing another stream could read too, like a till)
    source: Callable[[dict], SourceKey | None] = lambda _config: None
    #: what is risky about a stored config, said to the operator when the stream is added or changed
    warnings: Callable[[dict], list[str]] = lambda _config: []


def _file_config(options: dict) -> dict:
    raw = options.get("path")
    if not raw:
        raise ProviderConfigError("A file stream needs --path FILE_OR_DIR (NDJSON or CSV orders).")
    path = Path(raw).expanduser().resolve()
    if not path.exists():
        raise ProviderConfigError(f"{path} does not exist; create the folder or file first.")
    return {"path": str(path)}


def _file_source(config: dict) -> SourceKey:
    path = Path(config["path"]).expanduser().resolve()
    return SourceKey(("file", *path.parts), str(path))


def _file_connect(config: dict, _secret: str | None) -> Connector:
    return FileConnector(Path(config["path"]))


def _storehub_config(options: dict) -> dict:
    from flowtui.connectors.storehub.client import BASE_URL

    account = (options.get("account") or "").strip()
    if not account:
        raise ProviderConfigError("A StoreHub stream needs --account (the StoreHub account name).")
    if not options.get("api_key"):
        raise ProviderConfigError("A StoreHub stream needs its API key: --api-key - (asked for, or read from "
                                  "standard input) or --api-key-env VARIABLE.")
    base_url = (options.get("base_url") or BASE_URL).strip().rstrip("/")
    if not base_url.startswith(("http://", "https://")):
        raise ProviderConfigError(f"--base-url must start with http:// or https://, not {base_url!r}.")
    return {"account": account, "api_key": options["api_key"], "base_url": base_url}


def _storehub_source(config: dict) -> SourceKey:
    base_url = config["base_url"].strip().rstrip("/").lower()
    account = config["account"].strip().lower()
    return SourceKey(("storehub", base_url, account), f"StoreHub account {config['account']} at {config['base_url']}")


def _storehub_warnings(config: dict) -> list[str]:
    """A key sent over plain http:// to another machine can be read by anyone on the way (this machine is fine)."""
    parts = urlsplit(config.get("base_url") or "")
    if not config.get("api_key") or parts.scheme.lower() != "http" or _loopback(parts.hostname or ""):
        return []
    return [f"the API key would travel unencrypted over plain http:// to {parts.hostname}: anyone on the way can "
            "read it. Use an https:// address (plain http:// is only safe to this machine: 127.0.0.1, localhost)."]


def _loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _storehub_connect(config: dict, secret: str | None) -> Connector:
    from flowtui.connectors.storehub.client import StoreHubConnector

    if not secret:
        raise ProviderConfigError("The StoreHub API key is missing; set it with `flowtui stream set NAME --api-key -`.")
    return StoreHubConnector(config["account"], secret, config["base_url"])


def _minipos_config(options: dict) -> dict:
    where = (options.get("location") or "").strip()
    if not where:
        raise ProviderConfigError("A MiniPOS stream needs --location NAME (where its till is; see `flowtui locations`).")
    return {"location": where}


def _minipos_connect(config: dict, _secret: str | None) -> Connector:
    from flowtui.connectors.minipos.source import MiniPOSConnector

    return MiniPOSConnector(config["location"])


def _minipos_home(config: dict) -> tuple[str, str]:
    from flowtui.connectors.minipos.source import STORE_ID

    return STORE_ID, config["location"]


PROVIDERS: dict[str, Provider] = {
    "file": Provider("file", "Files (NDJSON / CSV)", _file_config, _file_connect, source=_file_source),
    "storehub": Provider("storehub", "StoreHub", _storehub_config, _storehub_connect, needs_secret=True,
                         source=_storehub_source, warnings=_storehub_warnings),
    "minipos": Provider("minipos", "MiniPOS (built-in till)", _minipos_config, _minipos_connect, _minipos_home,
                       auto_invoice=True),
}


def provider(name: str) -> Provider:
    try:
        return PROVIDERS[name]
    except KeyError:
        known = ", ".join(sorted(PROVIDERS))
        raise ProviderConfigError(f"Unknown provider {name!r}; available: {known}.") from None
