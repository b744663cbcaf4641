"""The storage boundary (docs/storage.md): SQL lives in each feature package's SQL module, and a statement
of another package that touches the ledger's tables is a named crossing.

A statement is recognised by its text: a string literal (or the literal parts of an f-string) that opens
with an SQL verb and goes on like SQL. Modules allowed to hold them: the SQL modules (``sql.py``,
``landing_sql.py``), the storage layer, and the few listed below that are not moved yet.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "flowtui" / "engine"

SQL_MODULES = {"sql.py", "landing_sql.py"}
# Not moved yet: each must still hold SQL, so that the list only shrinks (empty: every module has moved).
NOT_MOVED_YET: set[str] = set()

_STATEMENT = re.compile(r"^\s*\(?\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|WITH|COPY|DROP|ALTER)\b", re.IGNORECASE)
_SQL_BODY = re.compile(r"\b(FROM|INTO|SET|TABLE|VALUES|SELECT|TO)\b")
LEDGER_TABLES = re.compile(
    r"\b(documents|document_lines|document_payments|document_taxes|document_history|journal_entries|journal_lines"
    r"|postings|posted_orders|stock_movements|number_sequences)\b")


def _literal_text(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
    return None


def sql_literals(path: Path) -> list[tuple[int, str]]:
    """(line, text) of each string literal in ``path`` that is an SQL statement."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        text = _literal_text(node)
        if text and _STATEMENT.match(text) and _SQL_BODY.search(text):
            found.append((node.lineno, " ".join(text.split())[:80]))
    return found


def _relative(path: Path) -> str:
    return path.relative_to(ENGINE).as_posix()


def _may_hold_sql(path: Path) -> bool:
    return path.name in SQL_MODULES or path.relative_to(ENGINE).parts[0] == "storage" or _relative(path) in NOT_MOVED_YET


def test_the_check_recognises_a_statement(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        'a = con.execute("SELECT id FROM streams WHERE name = ?")\n'
        'b = f"""\n  UPDATE {table} SET x = 1"""\n'
        'c = "Select the rows you want"\n'
        'd = "Stream was removed"\n', encoding="utf-8")
    assert sorted(line for line, _ in sql_literals(sample)) == [1, 2]


def test_sql_lives_only_in_the_sql_modules():
    strays = [f"{_relative(path)}:{line}: {text}"
              for path in sorted(ENGINE.rglob("*.py")) if not _may_hold_sql(path)
              for line, text in sql_literals(path)]
    assert not strays, "SQL outside a package's SQL module (move it to that package's sql.py):\n" + "\n".join(strays)


def test_the_not_moved_list_only_shrinks():
    moved = [name for name in sorted(NOT_MOVED_YET) if not sql_literals(ENGINE / name)]
    assert not moved, f"no SQL left in {moved}: take them off NOT_MOVED_YET"


def test_a_statement_on_the_ledgers_tables_outside_the_ledger_is_a_listed_crossing():
    docs = (ROOT / "docs" / "storage.md").read_text(encoding="utf-8")
    unnamed, unlisted = [], []
    for package in ("pipeline", "setup", "minipos", "printing", "digests"):
        for module in (f"flowtui.engine.{package}.sql", "flowtui.engine.pipeline.landing_sql"):
            if package != "pipeline" and module.endswith("landing_sql"):
                continue
            for name, value in vars(importlib.import_module(module)).items():
                texts = value if isinstance(value, tuple) else (value,)
                if name.startswith("__") or not any(isinstance(t, str) and LEDGER_TABLES.search(t) for t in texts):
                    continue
                if not name.startswith("CROSSING_"):
                    unnamed.append(f"{module}.{name}")
                elif name not in docs:
                    unlisted.append(f"{module}.{name}")
    assert not unnamed, f"statements on the ledger's tables not named CROSSING_*: {unnamed}"
    assert not unlisted, f"crossings not listed in docs/storage.md: {unlisted}"
