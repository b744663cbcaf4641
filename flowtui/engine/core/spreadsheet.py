"""Text in the files people open in a spreadsheet stays text: never a formula.

Excel, LibreOffice Calc and Google Sheets read a CSV cell whose text starts with
``=``, ``+``, ``-`` or ``@`` (in some, also a tab or a carriage return) as a
formula: a product named ``=HYPERLINK("http://x","click")`` or ``@SUM(A1)``
would run when the accountant opens the export (CSV or formula injection,
CWE-1236). As OWASP recommends, such a text cell is written with a single quote
in front (``'=HYPERLINK(...)``), which spreadsheets read as "this cell is text"
and do not show. Only text columns are touched: money, quantities, ids and dates
are numbers in the file, negative amounts included, and stay so. A program
reading the CSV sees the quote: it marks text that began with one of those
characters.

In an xlsx workbook a cell stored as a string is never a formula, so values are
kept exact there: the workbook is written with XlsxWriter's
``strings_to_formulas`` (and ``strings_to_urls``) off, so every text is stored as
a string (:data:`XLSX_OPTIONS`).
"""

from __future__ import annotations

#: how a text cell that a spreadsheet would take for a formula begins (OWASP's list)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: XlsxWriter ``Workbook`` options: text is stored as text, never turned into a formula or a link
XLSX_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False}


def as_text(value: str | None) -> str | None:
    """``value`` as a CSV text cell: ``"=1+1"`` -> ``"'=1+1"``, ``"Kopi O"`` stays; None stays None."""
    if value and value.startswith(FORMULA_START):
        return "'" + value
    return value


def as_text_sql(column: str) -> str:
    """:func:`as_text` in DuckDB SQL, for the VARCHAR column (quoted identifier) ``column``."""
    starts = ", ".join(f"chr({ord(c)})" for c in FORMULA_START)
    return f"CASE WHEN left({column}, 1) IN ({starts}) THEN chr(39) || {column} ELSE {column} END"
