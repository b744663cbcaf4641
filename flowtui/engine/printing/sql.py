"""The printing package's SQL: what documents and digests are printed with, and the export's wrappers.

The views exported are the notebook views (:mod:`flowtui.engine.storage.views`). A statement that
reads the ledger's tables (``documents``...) is a *crossing*, named ``CROSSING_*`` and listed in
docs/storage.md.

A ``{name}`` in a statement is one of our own fragments filled in by the caller (never user input).
"""

from __future__ import annotations

# -- documents and digests (documents.py) ------------------------------------------------------
# Each tax code's nominal rate as its products declare it (one rate among them all), for codes without one.
DECLARED_RATES = ("SELECT tax_code, min(tax_rate) AS rate FROM products "
                  "WHERE tax_code IS NOT NULL AND coalesce(tax_rate, 0) > 0 "
                  "GROUP BY tax_code HAVING count(DISTINCT tax_rate) = 1")
DIGEST_DATE = "SELECT business_date FROM digests WHERE id = ?"
LOCATION_ZONES = "SELECT name, timezone FROM locations"
# A printed digest lists the documents posted from it.
CROSSING_DIGEST_DOCUMENTS = "SELECT kind, role, number, total FROM documents WHERE digest_id = ? ORDER BY id"

# -- export (export.py) ------------------------------------------------------------------------
EXPORT_COLUMNS = "SELECT {columns} FROM ({select})"  # a view's query with its columns rewritten
EXPORT_COUNT = "SELECT count(*) AS n FROM ({select})"
EXPORT_COPY = "COPY ({select}) TO ? ({options})"  # the view's query to a file: returns the rows written
PARQUET_OPTIONS = "FORMAT parquet, COMPRESSION zstd"
CSV_OPTIONS = "FORMAT csv, HEADER true"
