"""A stand-in Bukku Accounting API with its own ledger (see :mod:`.server`)."""

from __future__ import annotations

from flowtui.sandbox.bukku.run import main, serve
from flowtui.sandbox.bukku.server import BukkuSandbox

__all__ = ["BukkuSandbox", "main", "serve"]
