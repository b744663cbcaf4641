"""Exports opened in a spreadsheet never run a formula a source or a person wrote.

A file stream sells, on 1 Oct, one each of five items at 1.00 whose names a spreadsheet would run:
``=HYPERLINK("http://x","click")``, ``+1``, ``-2+3``, ``@SUM(A1)`` and ``<TAB>=1+1``, and 1 ``Kopi O`` at
3.50; on 2 Oct the Kopi O comes back (a return: its line counts -3.50). The products ``=HYPERLINK(...)``
and ``-2+3`` are in the books too, and a manual journal entry moves 5.00 from Cash to an account named
``@SUM(A1)`` with the memo ``=1+1``.

In CSV (``flowtui export`` and ``flowtui ledger export``) each such text has a ``'`` in front, as OWASP
recommends, and numbers stay numbers (the return's -3.50 too). In xlsx each is stored as a string, exactly
as written, and no cell holds a formula; money stays numeric, negative included.
"""

from __future__ import annotations

import csv
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import pytest

from flowtui.engine.core.spreadsheet import as_text
from flowtui.engine.printing.export import export_views
from flowtui.engine.setup.streams import StreamSettings
from tests.factories import order, write_ndjson

HYPERLINK = '=HYPERLINK("http://x","click")'
HOSTILE = [HYPERLINK, "+1", "-2+3", "@SUM(A1)", "\t=1+1"]
NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}


@pytest.fixture
def books(flow, orders_dir, monkeypatch):
    monkeypatch.setenv("FLOWTUI_NOW", "2026-10-10T04:00:00Z")
    flow.init()
    flow.add_location("KL Sentral")
    flow.add_stream("Shop", "file", {"path": str(orders_dir)}, StreamSettings())
    sale = order("S1", "KL", "2026-10-01T02:00:00Z", [(f"SKU{i}", 1, "1.00") for i in range(5)] + [("KOPI", 1, "3.50")])
    for line, name in zip(sale["lines"], HOSTILE + ["Kopi O"]):
        line["name"] = name
    write_ndjson(orders_dir / "orders.ndjson", [
        sale, order("R1", "KL", "2026-10-02T02:00:00Z", [("KOPI", 1, "3.50")], type="return", original_id="S1")])
    flow.sync(["Shop"])
    flow.add_product("H1", HYPERLINK, "1.00", "0.50")
    flow.add_product("H2", "-2+3", "1.00", "0.50")
    flow.add_account("1999", "@SUM(A1)", "asset")
    return flow


def read_csv(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_a_text_a_spreadsheet_would_run_gets_a_quote_in_front_and_nothing_else_changes():
    assert [as_text(v) for v in HOSTILE] == ["'" + v for v in HOSTILE]
    assert as_text("\r=1") == "'\r=1"
    assert [as_text(v) for v in ("Kopi O", "1+1", " =1", "", None, "'quoted")] == ["Kopi O", "1+1", " =1", "", None,
                                                                                   "'quoted"]


def test_csv_export_quotes_formula_text_and_keeps_numbers_numbers(books, tmp_path):
    export_views(books.db, "csv", tmp_path, views=["v_order_lines", "v_products"])
    lines = read_csv(tmp_path / "v_order_lines.csv")
    sold = {r["sku"]: r for r in lines if r["type"] == "sale"}
    assert [sold[f"SKU{i}"]["name"] for i in range(5)] == ["'" + name for name in HOSTILE]
    assert sold["KOPI"]["name"] == "Kopi O" and sold["SKU1"]["net_amount"] == "1.00"
    [returned] = [r for r in lines if r["type"] == "return"]
    assert (returned["net_amount"], returned["net_quantity"]) == ("-3.50", "-1.000")  # numbers, as they were
    names = {r["sku"]: r["name"] for r in read_csv(tmp_path / "v_products.csv")}
    assert names == {"H1": "'" + HYPERLINK, "H2": "'-2+3"}


def sheet(path: Path, name: str) -> list[list[tuple[str | None, str, bool]]]:
    """Each cell of a sheet as (its type, its value, whether it holds a formula)."""
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    with zipfile.ZipFile(path) as book:
        strings = ["".join(t.text or "" for t in si.iter(f"{{{NS['m']}}}t")) for si in
                   ElementTree.fromstring(book.read("xl/sharedStrings.xml")).findall("m:si", NS)]
        workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
        rid = next(s.get(rel) for s in workbook.find("m:sheets", NS) if s.get("name") == name)
        target = next(r.get("Target") for r in ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
                      if r.get("Id") == rid)
        root = ElementTree.fromstring(book.read(f"xl/{target}"))
    rows = []
    for row in root.find("m:sheetData", NS):
        cells = []
        for cell in row:
            value = cell.findtext("m:v", "", NS)
            kind = cell.get("t")
            cells.append((kind, strings[int(value)] if kind == "s" else value, cell.find("m:f", NS) is not None))
        rows.append(cells)
    return rows


def test_xlsx_export_stores_formula_text_as_text_exactly_and_money_as_numbers(books, tmp_path):
    export_views(books.db, "xlsx", tmp_path, views=["v_order_lines", "v_products"])
    rows = sheet(tmp_path / "flowtui.xlsx", "v_order_lines")
    assert not [cell for row in rows for cell in row if cell[2]], "a cell holds a formula"
    header = [value for _, value, _ in rows[0]]
    name, net_amount, kind = header.index("name"), header.index("net_amount"), header.index("type")
    names = [row[name] for row in rows[1:] if row[kind][1] == "sale"]
    assert names == [("s", value, False) for value in HOSTILE + ["Kopi O"]]
    [returned] = [row for row in rows[1:] if row[kind][1] == "return"]
    assert returned[net_amount][0] in (None, "n") and float(returned[net_amount][1]) == -3.5
    products = sheet(tmp_path / "flowtui.xlsx", "v_products")
    assert {(kind, value) for kind, value, formula in (row[1] for row in products[1:])} == {
        ("s", HYPERLINK), ("s", "-2+3")}


def test_ledger_csv_quotes_formula_text_and_keeps_amounts_as_written(books, tmp_path, cli):
    cli.ok("ledger", "entry", "add", "--date", "2026-10-03", "--memo", "=1+1", "--debit", "1999:5.00",
           "--credit", "1000:5.00")
    target = tmp_path / "ledger.csv"
    cli.ok("ledger", "export", "--format", "csv", "-o", target)
    [debit, credit] = read_csv(target)
    assert (debit["memo"], debit["account_code"], debit["account_name"], debit["debit"]) == (
        "'=1+1", "1999", "'@SUM(A1)", "5.00")
    assert (credit["account_code"], credit["credit"], credit["entry_kind"]) == ("1000", "5.00", "manual")
