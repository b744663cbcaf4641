"""The StoreHub source's declaration: an account, its API key, and the API's address."""

from __future__ import annotations

from collections.abc import Mapping

from flowtui.connectors.base import Connector
from flowtui.connectors.declaration import Option, Provider, ProviderConfigError, SourceKey, plain_http_warning

#: the API's address (client.BASE_URL, kept here too so that declaring the source does not load the client)
BASE_URL = "https://api.storehubhq.com"


def _config(options: dict) -> dict:
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


def _source(config: dict) -> SourceKey:
    base_url = config["base_url"].strip().rstrip("/").lower()
    account = config["account"].strip().lower()
    return SourceKey(("storehub", base_url, account), f"StoreHub account {config['account']} at {config['base_url']}")


def _warnings(config: dict) -> list[str]:
    return plain_http_warning(config.get("base_url"), config.get("api_key"), "the API key")


def _connect(config: dict, secrets: Mapping[str, str | None]) -> Connector:
    from flowtui.connectors.storehub.client import StoreHubConnector

    key = secrets.get("api_key")
    if not key:
        raise ProviderConfigError("The StoreHub API key is missing; set it with `flowtui stream set NAME --api-key -`.")
    return StoreHubConnector(config["account"], key, config["base_url"])


PROVIDER = Provider(
    "storehub", "StoreHub", _connect,
    options=(
        Option("account", "Account", "the StoreHub account name.", required=True, placeholder="StoreHub account name",
               missing="Give the StoreHub account name."),
        Option("api_key", "API key", "the API key, kept in a 0600 file outside the database. Give `-` to type it at "
               "a hidden prompt or pipe it in on standard input: a key written on the command line shows in the "
               "process list and the shell history.", required=True, secret=True, missing="Give the StoreHub API key."),
        Option("base_url", "Base URL", f"API address (default {BASE_URL}).", default=BASE_URL, kind="url"),
    ),
    configure=_config, source=_source, warnings=_warnings, order=10,
)
