"""Tax: the tax codes, which code each category's tax carries, and the tax report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flowtui.engine.core import clock
from flowtui.engine.ledger import products, taxes
from flowtui.engine.pipeline.sync import rebuild_pending
from flowtui.engine.services.unit import Service
from flowtui.engine.setup import mapping
from flowtui.engine.setup import streams as streams_mod


@dataclass
class TaxService(Service):
    """Tax codes, tax mappings and the tax report (its PDF is :class:`PrintingService`'s)."""

    def map_tax(self, stream: str, category: str, code: str) -> None:
        with self._write() as con:
            taxes.map_tax(con, streams_mod.require_stream(con, stream).id, category, code)
        rebuild_pending(self.db)

    def tax_mappings(self, stream: str) -> list[dict]:
        """What code each category's tax carries: the stream's mapping, and what its source says per store."""
        with self.db.read() as con:
            found = streams_mod.require_stream(con, stream)
            mapped = taxes.tax_mappings(con, found.id)
            stores = mapping.service_charge_codes(con, found.id)
        rows = [{"category": c, "store": None, "tax_code": mapped.get(c), "source": "mapping" if c in mapped else None}
                for c in taxes.TAX_CATEGORIES]
        rows += [{"category": "service_charge", "store": s, "tax_code": code, "source": "source"} for s, code in stores.items()]
        return rows

    def tax_codes(self) -> list[taxes.TaxCode]:
        with self._write() as con:
            return taxes.tax_codes(con)

    def add_tax_code(self, code: str, kind: str, rate, description: str | None = None) -> taxes.TaxCode:
        with self._write() as con:
            return taxes.add_tax_code(con, code, kind, products.parse_rate(rate), description, clock.now())

    def tax_report(self, start: date, end: date) -> taxes.TaxReport:
        with self.db.read() as con:
            return taxes.report(con, start, end)
