"""Versioned schema migrations, applied forward on open.

Each migration is a list of SQL statements run in one transaction. Never edit a
migration that has shipped: add a new one. Money is ``DECIMAL(18,2)``;
quantities ``DECIMAL(18,3)``; instants ``TIMESTAMPTZ`` (sessions run in UTC);
business dates ``DATE``. The SQL of each migration lives in
:mod:`flowtui.engine.storage.migrations`; this module says which text is which version.
"""

from __future__ import annotations

from dataclasses import dataclass

from flowtui.engine.storage.migrations.columns import MONEY, PRICE, QTY
from flowtui.engine.storage.migrations.v001_initial import INITIAL
from flowtui.engine.storage.migrations.v002_ledger import LEDGER
from flowtui.engine.storage.migrations.v003_v005 import ADJUSTMENTS, DAY_CLOSES, MINIPOS
from flowtui.engine.storage.migrations.v008_accounting import ACCOUNTING
from flowtui.engine.storage.migrations.v009_v013 import ARCHIVED_STREAMS, DATABASE_ID, OUTBOX, REJECTIONS
from flowtui.engine.storage.migrations.v014_shipping_tips import SHIPPING_TIPS

__all__ = ["MIGRATIONS", "MONEY", "PRICE", "QTY", "SCHEMA_VERSION", "Migration"]


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sql: str

    def statements(self) -> list[str]:
        return [part.strip() for part in self.sql.split(";\n") if part.strip()]


MIGRATIONS: list[Migration] = [
    Migration(1, "orders, streams, mappings and digests", INITIAL),
    Migration(2, "ledger: products, stock, documents, journal, history", LEDGER),
    Migration(3, "adjustments: document roles, digest versions", ADJUSTMENTS),
    Migration(4, "products: barcodes and tax for MiniPOS", MINIPOS),
    Migration(5, "day closes: a till's day ends before midnight", DAY_CLOSES),
    # The views themselves live in flowtui.engine.storage.views and are recreated after every migration run;
    # a change to a view ships as a new (possibly empty) migration so existing files pick it up.
    Migration(6, "query views for notebooks (docs/schema.md)", ""),
    Migration(7, "v_digests built from the listing's own SQL", ""),
    Migration(8, "accounting: corrections by side, tax codes, stock value, till closes kept, reversals", ACCOUNTING),
    Migration(9, "rejections: days they may belong to, resolution, dismissal", REJECTIONS),
    Migration(10, "streams can be removed (archived) and keep their books", ARCHIVED_STREAMS),
    Migration(12, "each database has its own id, under which its streams' API keys are kept", DATABASE_ID),
    Migration(13, "outbox: documents queued for destinations, sent exactly once", OUTBOX),
    Migration(14, "shipping and tips on orders, digests and documents, with their default accounts", SHIPPING_TIPS),
]

SCHEMA_VERSION = MIGRATIONS[-1].version
