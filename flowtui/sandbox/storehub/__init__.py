"""A stand-in StoreHub server: generated data, the real API's answers, injectable faults (see :mod:`.server`)."""

from __future__ import annotations

from flowtui.sandbox.storehub.answers import FAULTS
from flowtui.sandbox.storehub.run import main, serve
from flowtui.sandbox.storehub.server import StoreHubSandbox

__all__ = ["FAULTS", "StoreHubSandbox", "main", "serve"]
