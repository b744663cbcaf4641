"""The Shopify source's declaration: a shop, its Admin API access token, the API version and address."""

from __future__ import annotations

import re
from collections.abc import Mapping

from flowtui.connectors.base import Connector
from flowtui.connectors.declaration import Cursor, Option, Provider, ProviderConfigError, SourceKey, plain_http_warning

#: the Admin API version asked for (client.API_VERSION, kept here too so that declaring does not load the client):
#: the newest stable one (quarterly releases, each supported for a year)
API_VERSION = "2026-10"
_DOMAIN = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(:\d+)?\Z")
_VERSION = re.compile(r"(\d{4}-(01|04|07|10)|unstable)\Z")


def _config(options: dict) -> dict:
    shop = (options.get("shop") or "").strip().lower()
    shop = re.sub(r"^https?://", "", shop).rstrip("/")
    if not shop:
        raise ProviderConfigError("A Shopify stream needs --shop (the shop's domain, e.g. kopi.myshopify.com).")
    if not _DOMAIN.match(shop):
        raise ProviderConfigError(f"--shop must be the shop's domain, e.g. kopi.myshopify.com, not {shop!r}.")
    if not options.get("access_token"):
        raise ProviderConfigError("A Shopify stream needs its Admin API access token: --access-token - (asked for, "
                                  "or read from standard input) or --access-token-env VARIABLE.")
    base_url = (options.get("base_url") or f"https://{shop}").strip().rstrip("/")
    if not base_url.startswith(("http://", "https://")):
        raise ProviderConfigError(f"--base-url must start with http:// or https://, not {base_url!r}.")
    version = (options.get("api_version") or API_VERSION).strip()
    if not _VERSION.match(version):
        raise ProviderConfigError(f"--api-version must be a Shopify API version such as {API_VERSION}, not {version!r}.")
    return {"shop": shop, "access_token": options["access_token"], "base_url": base_url, "api_version": version}


def _source(config: dict) -> SourceKey:
    return SourceKey(("shopify", config["shop"].strip().lower()), f"Shopify shop {config['shop']}")


def _warnings(config: dict) -> list[str]:
    return plain_http_warning(config.get("base_url"), config.get("access_token"), "the access token")


def _connect(config: dict, secrets: Mapping[str, str | None]) -> Connector:
    from flowtui.connectors.shopify.client import ShopifyConnector

    token = secrets.get("access_token")
    if not token:
        raise ProviderConfigError("The Shopify access token is missing; set it with "
                                  "`flowtui stream set NAME --access-token -`.")
    return ShopifyConnector(config["shop"], token, config.get("base_url") or f"https://{config['shop']}",
                            config.get("api_version") or API_VERSION)


PROVIDER = Provider(
    "shopify", "Shopify", _connect,
    options=(
        Option("shop", "Shop domain", "the shop's domain, e.g. kopi.myshopify.com.", required=True,
               placeholder="SHOP.myshopify.com", missing="Give the shop's domain."),
        Option("access_token", "Access token", "the Admin API access token (a custom app's, with read_orders and "
               "read_locations), kept in a 0600 file outside the database. Give `-` to type it at a hidden prompt "
               "or pipe it in.", required=True, secret=True, missing="Give the Admin API access token."),
        Option("base_url", "Base URL", "API address (default https://SHOP, the shop's own; a test server's address for tests).",
               kind="url"),
        Option("api_version", "API version", f"the Admin API version (default {API_VERSION}).", default=API_VERSION),
    ),
    configure=_config, source=_source, warnings=_warnings, cursor=Cursor.UPDATED_SINCE, order=40,
    hint="Create the token in Shopify admin: Settings > Apps > Develop apps (scopes read_orders, read_locations).",
)
