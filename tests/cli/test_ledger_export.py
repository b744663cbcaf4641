"""`flowtui ledger export`: the journal as beancount or CSV, checked by beancount itself, as worked examples.

The clock is frozen at 2026-10-10T04:00:00Z (12:00 on 10 October in Kuala
Lumpur, UTC+8), so business days up to 9 October are over. The small book has
two posted days at "Kuala Lumpur" (store KL, no tax, everything paid in cash):

    1 Oct  A-1  KOPI 2 x 3.50 = 7.00     A-2  ROTI 1 x 4.20 = 4.20   -> invoice KL-202610-0001, 11.20
    2 Oct  A-3  TEH  3 x 2.80 = 8.40                                 -> invoice KL-202610-0002,  8.40

so Cash on Hand (1000) is debited 11.20 + 8.40 = 19.60 and Sales (4000) credited as much.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from collections import defaultdict
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from beancount import loader
from beancount.core import account as bc_account
from beancount.core import data as bc_data

from flowtui.engine.core.clock import now
from flowtui.engine.exports import ledger as ledger_export
from flowtui.engine.storage.database import Database
from tests.cli_helpers import Cli, assert_clean_error
from tests.factories import order, write_ndjson

NOW = "2026-10-10T04:00:00Z"
BEAN_CHECK = Path(sys.executable).parent / "bean-check"
HOSTILE = 'Tab\there "quoted" \\back\\slash\nsecond line\r\nthird ; not a comment'


@pytest.fixture(autouse=True)
def frozen_clock(_isolated_env, monkeypatch):
    monkeypatch.setenv("FLOWTUI_NOW", NOW)


@pytest.fixture
def small_book(cli, orders_dir):
    cli.ok("init", "--company", "Kedai Kopi Sdn Bhd")
    cli.ok("location", "add", "Kuala Lumpur")
    cli.ok("stream", "add", "Shop", "--provider", "file", "--path", orders_dir)
    cli.ok("map", "location", "Shop", "KL", "--location", "Kuala Lumpur", "--number-format", "KL-{yyyy}{mm}-{seq:04}")
    write_ndjson(orders_dir / "orders.ndjson", [
        order("A-1", "KL", "2026-10-01T03:00:00Z", [("KOPI", 2, "3.50")]),
        order("A-2", "KL", "2026-10-01T04:00:00Z", [("ROTI", 1, "4.20")]),
        order("A-3", "KL", "2026-10-02T03:00:00Z", [("TEH", 3, "2.80")]),
    ])
    cli.ok("sync", "Shop")
    cli.ok("post", "--all")
    return cli


def add_manual_entry(db_path: Path, day: str, memo: str, lines: list[tuple[str, str, str]]) -> None:
    """A journal entry with no document (as a manual or stock entry is): ``lines`` are (account, debit, credit)."""
    with Database.at(db_path).write() as con:
        entry = con.execute("INSERT INTO journal_entries (date, document_id, kind, memo, created_at) "
                            "VALUES (?, NULL, 'manual', ?, ?) RETURNING id", [day, memo, now()]).fetchall()[0][0]
        for n, (code, debit, credit) in enumerate(lines, 1):
            con.execute("INSERT INTO journal_lines (entry_id, line_no, account_code, debit, credit) "
                        "VALUES (?, ?, ?, ?, ?)", [entry, n, code, D(debit), D(credit)])


def export(cli: Cli, tmp_path: Path, fmt: str, *args) -> Path:
    target = tmp_path / f"ledger.{fmt}"
    cli.ok("ledger", "export", "--format", fmt, "-o", target, *args)
    return target


def load_beancount(path: Path):
    """Load with beancount's own loader and bean-check it; both must find nothing wrong."""
    entries, errors, options = loader.load_file(str(path))
    assert errors == [], errors
    checked = subprocess.run([str(BEAN_CHECK), str(path)], capture_output=True, text=True, timeout=120)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    return entries, options


def beancount_balances(entries) -> dict[str, D]:
    """Each account's code -> sum of its postings, from the loaded transactions (the code is in the open's metadata)."""
    codes = {e.account: e.meta["code"] for e in entries if isinstance(e, bc_data.Open)}
    sums: dict[str, D] = defaultdict(D)
    for e in entries:
        if isinstance(e, bc_data.Transaction):
            for p in e.postings:
                sums[codes[p.account]] += p.units.number
    return dict(sums)


def trial_balance(cli: Cli, *args) -> dict[str, D]:
    return {r["code"]: D(r["balance"]) for r in cli.json("ledger", "trial-balance", *args)["rows"]}


def csv_rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def csv_balances(rows: list[dict]) -> dict[str, D]:
    sums: dict[str, D] = defaultdict(D)
    for r in rows:
        sums[r["account_code"]] += D(r["debit"]) - D(r["credit"])
    return dict(sums)


def transactions(entries) -> list[bc_data.Transaction]:
    return [e for e in entries if isinstance(e, bc_data.Transaction)]


# -- beancount -------------------------------------------------------------------------------------

def test_a_small_book_exports_to_beancount_that_bean_check_accepts_with_the_trial_balance(small_book, tmp_path):
    cli = small_book
    result = cli.ok("ledger", "export", "--format", "beancount", "-o", tmp_path / "books.beancount")
    assert f"Wrote 2 journal entries (2026-10-01 to 2026-10-02) as beancount to {tmp_path / 'books.beancount'}" \
        in result.out
    entries, options = load_beancount(tmp_path / "books.beancount")
    assert options["operating_currency"] == ["MYR"]

    # the whole chart, under the root of each type, with its code and chart name
    opens = {e.account: e for e in entries if isinstance(e, bc_data.Open)}
    chart = cli.json("accounts")
    assert len(opens) == len(chart)
    roots = {"asset": "Assets", "liability": "Liabilities", "equity": "Equity", "income": "Income",
             "expense": "Expenses"}
    for acc in chart:
        name = next(a for a, e in opens.items() if e.meta["code"] == acc["code"])
        assert name.startswith(f"{roots[acc['type']]}:{acc['code']}-")
        assert opens[name].meta["name"] == acc["name"]
    assert "Assets:1000-Cash-on-Hand" in opens and opens["Assets:1000-Cash-on-Hand"].date == date(2026, 10, 1)
    assert "Equity:3000-Owners-Capital" in opens

    # one transaction per journal entry, on its date, naming its document
    txns = transactions(entries)
    assert [(t.date, t.meta["document"], t.narration, t.payee) for t in txns] == [
        (date(2026, 10, 1), "KL-202610-0001", "Invoice KL-202610-0001", "Cash Sales"),
        (date(2026, 10, 2), "KL-202610-0002", "Invoice KL-202610-0002", "Cash Sales"),
    ]
    journal_ids = sorted({r["entry"] for r in cli.json("ledger", "journal")})
    assert [t.meta["entry"] for t in txns] == journal_ids
    first = {p.account: p.units for p in txns[0].postings}
    assert str(first["Assets:1000-Cash-on-Hand"].number) == "11.20"  # 7.00 + 4.20, exact
    assert str(first["Income:4000-Sales"].number) == "-11.20"

    assert beancount_balances(entries) == trial_balance(cli) == {"1000": D("19.60"), "4000": D("-19.60")}


def test_from_to_brings_earlier_balances_forward_so_the_end_equals_the_trial_balance_then(small_book, tmp_path):
    cli = small_book
    add_manual_entry(cli.db, "2026-10-05", "Float topped up", [("1000", "50.00", "0.00"), ("3000", "0.00", "50.00")])
    path = export(cli, tmp_path, "beancount", "--from", "2026-10-02", "--to", "2026-10-04")
    entries, _ = load_beancount(path)
    txns = transactions(entries)
    opening, *rest = txns
    # 1 Oct is before the period: it comes in on 1 Oct as one entry; 5 Oct is after it and stays out
    assert opening.date == date(2026, 10, 1) and opening.meta["kind"] == "opening" and "entry" not in opening.meta
    assert {p.account: p.units.number for p in opening.postings} == {
        "Assets:1000-Cash-on-Hand": D("11.20"), "Income:4000-Sales": D("-11.20")}
    assert [t.meta["document"] for t in rest] == ["KL-202610-0002"]
    assert beancount_balances(entries) == trial_balance(cli, "--as-of", "2026-10-04") \
        == {"1000": D("19.60"), "4000": D("-19.60")}
    # bean-check itself proves the closing balances: one assertion per account on the day after --to
    assertions = {e.account: e.amount.number for e in entries if isinstance(e, bc_data.Balance)}
    assert {e.date for e in entries if isinstance(e, bc_data.Balance)} == {date(2026, 10, 5)}
    assert assertions == {"Assets:1000-Cash-on-Hand": D("19.60"), "Income:4000-Sales": D("-19.60")}

    whole = export(cli, tmp_path, "csv", "--to", "2026-10-05")
    assert csv_balances(csv_rows(whole)) == trial_balance(cli, "--as-of", "2026-10-05") \
        == {"1000": D("69.60"), "3000": D("-50.00"), "4000": D("-19.60")}


def test_an_entry_without_a_document_exports_with_its_memo(small_book, tmp_path):
    cli = small_book
    add_manual_entry(cli.db, "2026-10-03", "Owner's float", [("1000", "100.00", "0.00"), ("3000", "0.00", "100.00")])
    entries, _ = load_beancount(export(cli, tmp_path, "beancount"))
    manual = [t for t in transactions(entries) if t.meta["kind"] == "manual"]
    assert len(manual) == 1
    assert manual[0].narration == "Owner's float" and manual[0].payee is None and "document" not in manual[0].meta
    assert manual[0].date == date(2026, 10, 3)
    assert beancount_balances(entries) == trial_balance(cli)


def test_hostile_account_names_and_memos_do_not_break_the_file(small_book, tmp_path):
    cli = small_book
    cli.ok("account", "add", "10.01", HOSTILE, "--type", "asset")
    cli.ok("account", "add", "10-01", "Tab here quoted back slash, second line; third not a comment", "--type",
           "asset")  # cleans up alike
    cli.ok("account", "add", "ä7", "Ünïcode café 現金", "--type", "expense")
    add_manual_entry(cli.db, "2026-10-03", HOSTILE, [("10.01", "5.00", "0.00"), ("10-01", "1.00", "0.00"),
                                                     ("ä7", "0.25", "0.00"), ("1000", "0.00", "6.25")])
    entries, _ = load_beancount(export(cli, tmp_path, "beancount"))
    opens = {e.meta["code"]: e for e in entries if isinstance(e, bc_data.Open)}
    assert opens["10.01"].meta["name"] == HOSTILE.replace("\r\n", "\n")  # the chart name comes back whole
    assert opens["10.01"].account != opens["10-01"].account  # kept apart
    assert {opens["10.01"].account, opens["10-01"].account} == {
        "Assets:10-01-Tab-here-quoted-back-slash-second-line-third-not-a-comment",
        "Assets:10-01-Tab-here-quoted-back-slash-second-line-third-not-a-comment-2"}
    assert opens["ä7"].account == "Expenses:Ä7-Ünïcode-café-現金"
    manual = next(t for t in transactions(entries) if t.meta["kind"] == "manual")
    assert manual.narration == HOSTILE.replace("\r\n", "\n")
    assert beancount_balances(entries) == trial_balance(cli)

    rows = csv_rows(export(cli, tmp_path, "csv"))
    hostile = [r for r in rows if r["entry_kind"] == "manual"]
    assert {r["memo"] for r in hostile} == {HOSTILE}
    assert {r["account_name"] for r in hostile if r["account_code"] == "10.01"} == {HOSTILE}


def test_standard_output_gets_the_same_text(small_book, tmp_path):
    cli = small_book
    path = export(cli, tmp_path, "beancount")
    assert cli.ok("ledger", "export", "--format", "beancount", "-o", "-").out == path.read_text(encoding="utf-8")


# -- csv ---------------------------------------------------------------------------------------------

def test_csv_has_one_row_per_journal_line_and_ties_to_the_trial_balance(small_book, tmp_path):
    cli = small_book
    path = export(cli, tmp_path, "csv")
    assert path.read_text(encoding="utf-8").splitlines()[0] == (
        "date,entry_id,document_number,document_kind,entry_kind,memo,account_code,account_name,account_type,"
        "debit,credit")
    rows = csv_rows(path)
    journal = cli.json("ledger", "journal")
    assert [(r["date"], int(r["entry_id"]), r["document_number"], r["account_code"], r["debit"], r["credit"])
            for r in rows] == [(j["date"], j["entry"], j["document"], j["account"], j["debit"], j["credit"])
                               for j in journal]
    assert rows[0] == {"date": "2026-10-01", "entry_id": str(journal[0]["entry"]), "document_number": "KL-202610-0001",
                       "document_kind": "invoice", "entry_kind": "sale", "memo": "Invoice KL-202610-0001",
                       "account_code": "1000", "account_name": "Cash on Hand", "account_type": "asset",
                       "debit": "11.20", "credit": "0.00"}
    assert sum(D(r["debit"]) for r in rows) == sum(D(r["credit"]) for r in rows) == D("19.60")
    assert csv_balances(rows) == trial_balance(cli)


def test_csv_from_starts_with_the_balances_brought_forward(small_book, tmp_path):
    cli = small_book
    rows = csv_rows(export(cli, tmp_path, "csv", "--from", "2026-10-02"))
    opening = [r for r in rows if r["entry_kind"] == "opening"]
    assert [(r["date"], r["entry_id"], r["account_code"], r["debit"], r["credit"]) for r in opening] == [
        ("2026-10-01", "", "1000", "11.20", "0.00"), ("2026-10-01", "", "4000", "0.00", "11.20")]
    assert {r["document_number"] for r in rows if r["entry_kind"] != "opening"} == {"KL-202610-0002"}
    assert csv_balances(rows) == trial_balance(cli, "--as-of", "2026-10-02")


# -- refusals ----------------------------------------------------------------------------------------

def test_bad_arguments_are_refused_cleanly(small_book, tmp_path):
    cli = small_book
    assert_clean_error(cli("ledger", "export", "--format", "csv", "--from", "2026-10-05", "--to", "2026-10-01",
                           "-o", tmp_path / "x.csv"), code=2, says="--from 2026-10-05 is after --to 2026-10-01")
    assert_clean_error(cli("ledger", "export", "--format", "xml", "-o", tmp_path / "x.xml"), code=2, says="'xml'")
    assert_clean_error(cli("ledger", "export", "--format", "csv"), code=2, says="-o")
    assert_clean_error(cli("ledger", "export", "--format", "csv", "--from", "1 Oct", "-o", tmp_path / "x.csv"),
                       code=2, says="YYYY-MM-DD")
    assert_clean_error(cli("ledger", "export", "--format", "csv", "-o", tmp_path), code=2, says="is a folder")
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert_clean_error(cli("ledger", "export", "--format", "csv", "-o", blocker / "x.csv"), code=2,
                       says="Cannot create the folder")
    assert not list(tmp_path.glob("*.csv")) and not list(tmp_path.glob(".*.part"))


def test_a_database_that_does_not_exist_is_not_created(tmp_path):
    missing = tmp_path / "nope.duckdb"
    assert_clean_error(Cli(missing)("ledger", "export", "--format", "csv", "-o", tmp_path / "x.csv"), code=2,
                       says="There is no flowtui database")
    assert not missing.exists()


def test_a_book_with_no_entries_still_opens_its_chart(cli, tmp_path):
    cli.ok("init")
    result = cli.ok("ledger", "export", "--format", "beancount", "-o", tmp_path / "empty.beancount")
    assert "Wrote 0 journal entries as beancount" in result.out
    entries, _ = load_beancount(tmp_path / "empty.beancount")
    assert len([e for e in entries if isinstance(e, bc_data.Open)]) == len(cli.json("accounts"))
    assert not transactions(entries)


# -- the pure pieces ---------------------------------------------------------------------------------

@pytest.mark.parametrize("code, name", [
    ("1000", "Cash on Hand"), ("a-1", "lower case"), ("-", "---"), ("現金", "現金"), ("½", "half"),
    ("9", ""), ("x y", 'quote " and \\ back\nslash'), ("ß", "straße"),
])
def test_every_name_is_one_beancount_accepts(code, name):
    names = ledger_export.beancount_names([ledger_export.Account(code, name, "asset")])
    assert bc_account.is_valid(names[code]) and names[code].startswith("Assets:")


def test_quote_round_trips_through_the_beancount_parser(tmp_path):
    path = tmp_path / "q.beancount"
    path.write_text(f'2026-01-01 open Assets:Cash\n2026-01-01 * {ledger_export.quote(HOSTILE + chr(1))}\n'
                    "  Assets:Cash  0.00 MYR\n", encoding="utf-8")
    entries, errors, _ = loader.load_file(str(path))
    assert errors == []
    assert transactions(entries)[0].narration == HOSTILE.replace("\r\n", "\n") + " "


# -- the demo books ----------------------------------------------------------------------------------

@pytest.mark.slow
def test_the_demo_books_export_to_beancount_and_csv_equal_to_the_trial_balance(db_path, tmp_path, monkeypatch):
    monkeypatch.setenv("FLOWTUI_NOW", "2026-10-20T06:00:00Z")
    cli = Cli(db_path)
    cli.ok("demo")
    journal = cli.json("ledger", "journal")
    tb = trial_balance(cli)
    assert len(tb) > 5

    entries, _ = load_beancount(export(cli, tmp_path, "beancount"))
    assert beancount_balances(entries) == tb
    txns = transactions(entries)
    assert len(txns) == len({j["entry"] for j in journal})
    by_entry = {j["entry"]: j for j in journal}
    for t in txns:
        assert t.date.isoformat() == by_entry[t.meta["entry"]]["date"]
        assert t.meta["document"] == by_entry[t.meta["entry"]]["document"]
        assert t.meta["document"] in t.narration

    rows = csv_rows(export(cli, tmp_path, "csv"))
    assert len(rows) == len(journal)
    assert sum(D(r["debit"]) for r in rows) == sum(D(r["credit"]) for r in rows)
    assert csv_balances(rows) == tb

    for start, end in (("2026-10-01", "2026-10-10"), ("2026-10-11", "2026-10-11")):
        entries, _ = load_beancount(export(cli, tmp_path, "beancount", "--from", start, "--to", end))
        assert beancount_balances(entries) == trial_balance(cli, "--as-of", end)
        assert csv_balances(csv_rows(export(cli, tmp_path, "csv", "--from", start, "--to", end))) \
            == trial_balance(cli, "--as-of", end)
