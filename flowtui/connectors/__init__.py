"""Connectors: turn a source's data into canonical order JSON.

A connector never touches storage or the UI. It yields :class:`OrderBatch`
values and the engine lands them.
"""

from flowtui.connectors.base import Connector, OrderBatch, SourceError, SourceStore, Window

__all__ = ["Connector", "OrderBatch", "SourceError", "SourceStore", "Window"]
