"""The query surface (views, docs/schema.md), flowtui.notebook.connect and `flowtui export`.

Worked example: the demo's books have two streams and a month of days; every
view must agree with what the CLI says about them, the files `flowtui export`
writes must hold exactly the view's rows and money, and a database written at
an older schema must get the views when it is opened again.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
import time
import zipfile
from datetime import date
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import duckdb
import polars as pl
import pytest

from flowtui.engine.core.errors import DatabaseError
from flowtui.engine.storage.database import Database
from flowtui.engine.storage.schema import MIGRATIONS, SCHEMA_VERSION
from flowtui.engine.storage.views import BY_NAME, VIEW_NAMES
from flowtui.notebook import connect
from tests.cli_helpers import Cli, assert_clean_error

ROOT = Path(__file__).resolve().parents[2]
NOW = "2026-11-26T03:00:00Z"  # 11:00 in Kuala Lumpur: 2026-11-26 is today, still open
FIRST, LAST = date(2026, 11, 1), date(2026, 11, 10)
REQUIRED = ("v_orders", "v_order_lines", "v_payments", "v_digests", "v_invoices", "v_invoice_lines", "v_journal",
            "v_trial_balance", "v_stock")
PRODUCTS_CSV = """sku,name,price,cost,track_stock
KC-TUMBLER,Steel Tumbler 500ml,59.00,31.50,true
KC-BEANS-250,House Blend Beans 250g,42.00,18.20,true
KC-LATTE,Cafe Latte,11.00,3.10,false
KC-MUG,Kopi Mug,29.00,12.00,true
"""
_DEMO: dict[str, Path] = {}


def flowtui_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLOWTUI_")}
    return env | {"FLOWTUI_NOW": NOW, "FLOWTUI_LOCK_TIMEOUT": "20"} | extra


def demo_database(tmp_path_factory) -> Path:
    """The demo books (built once per test session by the real `flowtui demo`), plus a few products with stock."""
    if "path" not in _DEMO:
        folder = tmp_path_factory.mktemp("demo")
        path = folder / "flow.duckdb"
        env = flowtui_env(XDG_DATA_HOME=str(folder / "xdg"), FLOWTUI_CONFIG_DIR=str(folder / "config"))
        flowtui = [str(Path(sys.executable).with_name("flowtui")), "--db", str(path)]
        subprocess.run([*flowtui, "demo"], env=env, check=True, capture_output=True, timeout=120)
        (folder / "products.csv").write_text(PRODUCTS_CSV)
        subprocess.run([*flowtui, "products", "import", str(folder / "products.csv")], env=env, check=True,
                       capture_output=True, timeout=60)
        for sku, qty in (("KC-TUMBLER", "120"), ("KC-BEANS-250", "35"), ("KC-MUG", "400")):
            subprocess.run([*flowtui, "stock", "set", sku, qty, "--location", "Gurney Plaza"], env=env, check=True,
                           capture_output=True, timeout=60)
        _DEMO["path"] = path
    return _DEMO["path"]


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return demo_database(tmp_path_factory)


@pytest.fixture
def now(monkeypatch):
    monkeypatch.setenv("FLOWTUI_NOW", NOW)


def view_rows(path: Path, name: str, start: date | None = None, end: date | None = None) -> pl.DataFrame:
    con = connect(path, start=start, end=end, views=[name])
    try:
        return con.sql(f"SELECT * FROM {BY_NAME[name].name}").pl()
    finally:
        con.close()


# -- the views -----------------------------------------------------------------------------------


def test_every_view_answers_on_a_new_and_on_the_demo_database(tmp_path, demo, now):
    assert set(REQUIRED) <= set(VIEW_NAMES)
    Cli(tmp_path / "new.duckdb").ok("init")
    for path in (tmp_path / "new.duckdb", demo):
        con = duckdb.connect(str(path), read_only=True)
        try:
            present = {r[0] for r in con.execute("SELECT view_name FROM duckdb_views() WHERE NOT internal").fetchall()}
            assert set(VIEW_NAMES) <= present
            for name in VIEW_NAMES:
                con.execute(f"SELECT * FROM {BY_NAME[name].name}").fetchall()
        finally:
            con.close()


def test_digest_status_is_the_one_the_cli_shows_on_the_demo(demo, now):
    cli = {d["id"]: d for d in Cli(demo).json("digests")}
    views = {r["digest_id"]: r for r in view_rows(demo, "v_digests").iter_rows(named=True)}
    assert views.keys() == cli.keys()
    assert {d["status"] for d in cli.values()} >= {"open", "ready", "posted"}  # the comparison covers them
    for key, row in views.items():
        shown = cli[key]
        assert (row["status"], str(row["net_total"]), row["invoice_number"], row["business_date"].isoformat()) == (
            shown["status"], shown["amount"], shown["invoice_number"], shown["date"]), key


def test_a_closed_minipos_day_is_not_open_in_the_view_either(tmp_path, monkeypatch, now):
    cli = Cli(tmp_path / "till.duckdb")
    cli.ok("init")
    cli.ok("location", "add", "Kiosk")
    cli.ok("product", "add", "SKU1", "Kaya Toast", "--price", "4.50", "--cost", "1.20")
    cli.ok("stream", "add", "Till", "--provider", "minipos", "--location", "Kiosk", "--no-auto-invoice")
    cli.ok("minipos", "sell", "Till", "--item", "SKU1:2", "--pay", "Cash")

    def statuses():
        shown = {d["id"]: d["status"] for d in cli.json("digests")}
        seen = {r["digest_id"]: r["status"] for r in view_rows(cli.db, "v_digests").iter_rows(named=True)}
        return shown, seen

    shown, seen = statuses()
    assert shown == seen == {1: "open"}  # today, still trading
    cli.ok("minipos", "close", "Till")
    shown, seen = statuses()
    assert shown == seen == {1: "ready"}  # still today at the till, but the day is closed
    assert view_rows(cli.db, "v_digests")["closed"].to_list() == [True]


def test_views_come_back_when_an_older_database_is_opened(tmp_path, now):
    path = tmp_path / "old.duckdb"
    con = duckdb.connect(str(path))  # a file written before the views existed (schema 5), books initialised
    for migration in MIGRATIONS[:5]:
        for statement in migration.statements():
            con.execute(statement)
        con.execute("INSERT INTO schema_migrations VALUES (?, ?, now())", [migration.version, migration.name])
    con.execute("INSERT INTO settings VALUES ('initialised', '2026-10-01T00:00:00+00:00')")
    con.execute("INSERT INTO accounts VALUES ('1200', 'Inventory', 'asset', now())")
    con.close()

    snapshot = connect(path)  # a notebook opening it: upgraded first, then read
    try:
        assert snapshot.sql("SELECT schema_version FROM snapshot_info").fetchall() == [(SCHEMA_VERSION,)]
        assert {r[0] for r in snapshot.sql("SHOW TABLES").fetchall()} >= set(VIEW_NAMES)
    finally:
        snapshot.close()
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert con.execute("SELECT max(version) FROM schema_migrations").fetchall() == [(SCHEMA_VERSION,)]
        for name in VIEW_NAMES:
            con.execute(f"SELECT * FROM {BY_NAME[name].name} LIMIT 1").fetchall()
        # the accounts of later versions came with the upgrade, next to the ones the books had
        assert {r[0] for r in con.execute("SELECT code FROM accounts").fetchall()} == {
            "1200", "3200", "5100", "6100", "2200", "4200"}
    finally:
        con.close()


def _documented() -> dict[str, list[tuple[str, str]]]:
    text = (ROOT / "docs" / "schema.md").read_text()
    sections = re.split(r"^## ", text, flags=re.M)[1:]
    documented = {}
    for section in sections:
        title, _, body = section.partition("\n")
        rows = re.findall(r"^\| (\w+) \| ([^|]+?) \| .+\|$", body, flags=re.M)
        documented[title.strip()] = [(c, t) for c, t in rows if c != "column"]
    return documented


def test_docs_schema_describes_every_column_of_every_view(demo, now):
    documented = _documented()
    aliases = {"TIMESTAMPTZ": "TIMESTAMP WITH TIME ZONE"}
    con = duckdb.connect(str(demo), read_only=True)
    try:
        for name in VIEW_NAMES:
            actual = [(r[0], r[1]) for r in con.execute(f"DESCRIBE {BY_NAME[name].name}").fetchall()]
            assert [(c, aliases.get(t, t)) for c, t in documented.get(name, [])] == actual, name
    finally:
        con.close()


# -- flowtui.notebook.connect --------------------------------------------------------------------


def test_connect_takes_a_snapshot_and_lets_go_of_the_file(demo, now):
    con = connect(demo, start=FIRST, end=LAST)
    try:
        with Database.at(demo).write() as writer:  # the file is free: a writer gets in at once
            writer.execute("SELECT 1").fetchall()
        dates = con.sql("SELECT min(business_date), max(business_date) FROM v_orders").fetchall()[0]
        assert FIRST <= dates[0] and dates[1] <= LAST
        money = con.sql("SELECT typeof(net_total) FROM v_digests LIMIT 1").fetchall()
        assert money == [("DECIMAL(18,2)",)]
    finally:
        con.close()


def test_connect_waits_for_a_writer_in_another_process(demo, now):
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time, duckdb\n"
        f"con = duckdb.connect({str(demo)!r})\n"
        "print('holding', flush=True)\n"
        "time.sleep(1.5)\n"
        "con.close()\n")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        started = time.monotonic()
        con = connect(demo, views=["v_company"], lock_timeout=20)
        waited = time.monotonic() - started
        assert con.sql("SELECT count(*) FROM v_company").fetchall() == [(1,)]
        con.close()
        assert waited > 0.5  # it did wait for the writer rather than fail
    finally:
        holder.wait(timeout=30)


def test_connect_explains_a_missing_file_and_a_bad_range(tmp_path, now):
    with pytest.raises(DatabaseError, match="no flowtui database"):
        connect(tmp_path / "nope.duckdb")
    with pytest.raises(ValueError, match="after"):
        connect(tmp_path / "nope.duckdb", start="2026-11-10", end="2026-11-01")
    with pytest.raises(ValueError, match="Unknown view"):
        connect(tmp_path / "nope.duckdb", views=["orders"])


# -- flowtui export ------------------------------------------------------------------------------


def _view_total(demo: Path, name: str, column: str, start=FIRST, end=LAST) -> tuple[int, Decimal]:
    rows = view_rows(demo, name, start, end)
    return rows.height, sum(rows[column].to_list(), Decimal("0"))


def test_parquet_export_holds_the_views_rows_and_exact_money(tmp_path, demo, now):
    out = tmp_path / "out"
    result = Cli(demo).json("export", "--format", "parquet", "--to", out, "--from", FIRST, "--to", LAST)
    assert {r["view"] for r in result} == set(VIEW_NAMES)
    digests = pl.read_parquet(out / "v_digests.parquet")
    assert digests.schema["net_total"] == pl.Decimal(18, 2)
    count, total = _view_total(demo, "v_digests", "net_total")
    assert (digests.height, sum(digests["net_total"].to_list(), Decimal("0"))) == (count, total)
    assert count == 20 and total > 0  # ten days, two outlets of the file stream
    assert digests["business_date"].min() == FIRST and digests["business_date"].max() == LAST
    lines = pl.read_parquet(out / "v_order_lines.parquet")
    assert (lines.height, sum(lines["net_amount"].to_list(), Decimal("0"))) == _view_total(
        demo, "v_order_lines", "net_amount")
    whole = pl.read_parquet(out / "v_trial_balance.parquet")  # no date column: written whole
    assert whole.height == view_rows(demo, "v_trial_balance").height
    assert sum(whole["balance"].to_list(), Decimal("0")) == 0
    by_view = {r["view"]: r for r in result}
    assert by_view["v_digests"]["rows"] == count and by_view["v_digests"]["date_filtered"]
    assert not by_view["v_trial_balance"]["date_filtered"]


def test_csv_export_without_dates_writes_everything(tmp_path, demo, now):
    out = tmp_path / "csv"
    Cli(demo).ok("export", "--format", "csv", "--out", out, "--view", "v_payments", "--view", "v_invoices")
    assert sorted(p.name for p in out.iterdir()) == ["v_invoices.csv", "v_payments.csv"]
    with (out / "v_payments.csv").open(newline="") as handle:
        payments = list(csv.DictReader(handle))
    count, total = _view_total(demo, "v_payments", "net_amount", None, None)
    assert (len(payments), sum((Decimal(r["net_amount"]) for r in payments), Decimal("0"))) == (count, total)
    assert {r["business_date"][:7] for r in payments} >= {"2026-10", "2026-11"}


def _xlsx_sheet(path: Path, sheet: str) -> list[list[str]]:
    """The cell values of one sheet, as text (a minimal reader: XlsxWriter's shared strings and numbers)."""
    ns = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    with zipfile.ZipFile(path) as book:
        strings = [si.findtext("m:t", "", ns) for si in
                   ElementTree.fromstring(book.read("xl/sharedStrings.xml")).findall("m:si", ns)]
        workbook = ElementTree.fromstring(book.read("xl/workbook.xml"))
        rid = next(s.get(rel) for s in workbook.find("m:sheets", ns) if s.get("name") == sheet)
        rels = ElementTree.fromstring(book.read("xl/_rels/workbook.xml.rels"))
        target = next(r.get("Target") for r in rels if r.get("Id") == rid)
        root = ElementTree.fromstring(book.read(f"xl/{target}"))
    rows = []
    for row in root.find("m:sheetData", ns):
        values = []
        for cell in row:
            value = cell.findtext("m:v", "", ns)
            values.append(strings[int(value)] if cell.get("t") == "s" else value)
        rows.append(values)
    return rows


def test_xlsx_export_has_a_sheet_per_view_with_its_rows_and_total(tmp_path, demo, now):
    out = tmp_path / "xlsx"
    Cli(demo).ok("export", "--format", "xlsx", "--out", out, "--from", FIRST, "--to", LAST)
    rows = _xlsx_sheet(out / "flowtui.xlsx", "v_digests")
    header, body = rows[0], rows[1:]
    count, total = _view_total(demo, "v_digests", "net_total")
    column = header.index("net_total")
    assert len(body) == count
    assert sum((Decimal(r[column]) for r in body), Decimal("0")).quantize(Decimal("0.01")) == total


def test_export_refuses_bad_input_clearly(tmp_path, demo, now):
    cli = Cli(demo)
    assert_clean_error(cli("export", "--format", "pdf", "--out", tmp_path / "x"), code=2, says="parquet")
    assert_clean_error(cli("export", "--format", "csv"), code=2, says="--out DIR")
    (tmp_path / "a-file").write_text("")
    assert_clean_error(cli("export", "--format", "csv", "--out", tmp_path / "a-file" / "sub"),
                       says="Cannot create the folder")
    assert_clean_error(cli("export", "--format", "csv", "--out", tmp_path / "y", "--from", LAST, "--to", FIRST),
                       says="after")
    assert_clean_error(cli("export", "--format", "csv", "--out", tmp_path / "y", "--to", "2026-13-01"),
                       code=2, says="not a date")
    assert_clean_error(cli("export", "--format", "csv", "--out", tmp_path / "y", "--view", "orders"),
                       says="Unknown view")
    assert_clean_error(Cli(tmp_path / "missing.duckdb")("export", "--format", "csv", "--out", tmp_path / "z"),
                       says="no flowtui database")
    assert not (tmp_path / "y").exists() or not list((tmp_path / "y").iterdir())
