"""Products and stock: the catalogue, importing it, and stock on hand per location."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flowtui.engine.core import clock
from flowtui.engine.ledger import products
from flowtui.engine.ledger.products import StockRow  # by name: the method `products` hides the module in the class
from flowtui.engine.services.unit import Service


@dataclass
class ProductsService(Service):
    """The product catalogue and stock on hand."""

    def add_product(self, sku: str, name: str, price, cost, track_stock: bool = False,
                    income_account: str | None = None, barcode: str | None = None, tax_code: str | None = None,
                    tax_rate=None) -> products.Product:
        with self._write() as con:
            return products.add_product(con, sku, name, price, cost, track_stock, income_account, clock.now(),
                                        barcode, tax_code, tax_rate)

    def import_products(self, path: Path) -> products.ImportResult:
        with self._write() as con:
            return products.import_products(con, path, clock.now())

    def products(self) -> list[products.Product]:
        with self.db.read() as con:
            return products.products(con)

    def stock(self, location: str | None = None) -> list[StockRow]:
        with self.db.read() as con:
            return products.stock(con, location)

    def set_stock(self, sku: str, quantity, location: str, on: date | None = None) -> StockRow:
        """Stock on hand at the end of ``on`` (default today); the difference is booked to Inventory."""
        with self._write() as con:
            return products.set_stock(con, sku, quantity, location, clock.now(), on)
