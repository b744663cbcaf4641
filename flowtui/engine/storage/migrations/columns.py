"""Column types every migration writes: money ``DECIMAL(18,2)``, quantities ``DECIMAL(18,3)``, prices ``DECIMAL(18,4)``."""

from __future__ import annotations

MONEY = "DECIMAL(18,2)"
QTY = "DECIMAL(18,3)"
PRICE = "DECIMAL(18,4)"
