"""Screens by name, imported when first opened (so the console starts fast)."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from textual.screen import Screen


def _lazy(module: str, cls: str) -> Callable[..., Screen]:
    def make(**kwargs) -> Screen:
        return getattr(import_module(f"flowtui.screens.{module}"), cls)(**kwargs)

    return make


SCREENS: dict[str, Callable[..., Screen]] = {
    "streams": _lazy("streams", "StreamsScreen"),
    "connect": _lazy("connect", "ConnectScreen"),
    "settings": _lazy("stream_settings", "StreamSettingsScreen"),
    "mappings": _lazy("mappings", "MappingsScreen"),
    "digests": _lazy("digests", "DigestsScreen"),
    "digest": _lazy("digest_detail", "DigestDetailScreen"),
    "invoices": _lazy("invoices", "InvoicesScreen"),
    "invoice": _lazy("invoice_detail", "InvoiceDetailScreen"),
    "ledger": _lazy("ledger", "LedgerScreen"),
    "till": _lazy("minipos.checkout", "CheckoutScreen"),
    "till-day": _lazy("minipos.till_day", "TillDayScreen"),
}
