"""The MiniPOS source's declaration: the built-in till, one fixed store at one location."""

from __future__ import annotations

from collections.abc import Mapping

from flowtui.connectors.base import Connector
from flowtui.connectors.declaration import Option, Provider, ProviderConfigError


def _config(options: dict) -> dict:
    where = (options.get("location") or "").strip()
    if not where:
        raise ProviderConfigError("A MiniPOS stream needs --location NAME (where its till is; see `flowtui locations`).")
    return {"location": where}


def _connect(config: dict, _secrets: Mapping[str, str | None]) -> Connector:
    from flowtui.connectors.minipos.source import MiniPOSConnector

    return MiniPOSConnector(config["location"])


def _fixed_store(config: dict) -> tuple[str, str]:
    from flowtui.connectors.minipos.source import STORE_ID

    return STORE_ID, config["location"]


PROVIDER = Provider(
    "minipos", "MiniPOS (built-in till)", _connect,
    options=(Option("location", "Location", "the location whose till it is (see `flowtui locations`).",
                    required=True, kind="location", missing="Pick the location whose till it is."),),
    configure=_config, fixed_store=_fixed_store, auto_invoice=True, till=True, probe=False, asks_start_date=False,
    hint="The built-in till: no credentials. Its sales are rung up in flowtui (p on Streams opens it).",
    order=30,
    next_step="ring up sales in the console or with `flowtui minipos sell {name} --item SKU --pay Cash`",
)
