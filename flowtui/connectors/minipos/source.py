"""The MiniPOS "connector": its orders are written by the till itself, so a sync fetches nothing.

A sync of a MiniPOS stream still matters: it builds the digests of the days
the till touched and, with auto invoice on, posts them.
"""

from __future__ import annotations

from collections.abc import Iterator

from flowtui.connectors.base import OrderBatch, SourceStore, Window

STORE_ID = "minipos"  # the one store of a MiniPOS stream


class MiniPOSConnector:
    provider = "minipos"

    def __init__(self, location: str) -> None:
        self.location = location

    def fetch(self, window: Window) -> Iterator[OrderBatch]:
        return iter(())

    def stores(self) -> list[SourceStore]:
        return [SourceStore(STORE_ID, self.location)]

    def test(self) -> str:
        return f"MiniPOS till at {self.location}: sales are rung up in flowtui, nothing to fetch."
