"""Security: secrets stay secret, SQL takes values only as parameters, POS text is shown as text."""

from __future__ import annotations

import ast
import logging
import re
from pathlib import Path

import pytest

from flowtui.connectors.storehub import client as storehub
from flowtui.engine.setup.streams import StreamSettings
from flowtui.sandbox.storehub import StoreHubSandbox
from tests.cli_helpers import Cli
from tests.factories import order, write_ndjson
from tests.integration.test_storehub_sync import END

ROOT = Path(__file__).resolve().parents[2] / "flowtui"
HOSTILE = [
    '<script>alert("x")</script>',
    "{{ 7 * 7 }} {% raw %}",
    "مرحبا بالعالم — שלום",
    "'; DROP TABLE orders; --",
    "x" * 600,
]


def test_the_api_key_never_reaches_a_log_an_error_or_the_database(flow, db_path, monkeypatch, caplog):
    monkeypatch.setenv("FLOWTUI_NOW", "2026-10-15T01:00:00Z")
    monkeypatch.setattr(storehub.PROCESS_LIMITER, "rate", None)
    caplog.set_level(logging.DEBUG)
    key = "sk_live_SUPERSECRET_0123456789"
    with StoreHubSandbox(seed=1, days=2, end_date=END, rate_limit=None, api_key=key) as box:
        box.start()
        flow.init()
        flow.add_stream("Shop", "storehub", {"account": box.account, "api_key": key, "base_url": box.base_url},
                        StreamSettings(start_date=box.start_date))
        flow.sync(["Shop"])
        cli = Cli(db_path)
        outputs = [cli(*args) for args in (("stream", "list", "--json"), ("stream", "list"), ("stream", "test", "Shop"),
                                          ("sync", "Shop", "--json"), ("mappings", "Shop", "--json"))]
    assert all(key not in r.out + r.err for r in outputs)
    assert key not in caplog.text
    assert key.encode() not in db_path.read_bytes()
    wal = db_path.with_name(db_path.name + ".wal")
    assert not wal.exists() or key.encode() not in wal.read_bytes()
    assert "••••" in [r for r in outputs if "credentials" in r.out][0].out


_SQL = re.compile(r"\bSELECT\b[\s\S]*\bFROM\b|INSERT INTO|DELETE FROM|\bUPDATE\s+\w+\s+SET\b|"
                  r"CREATE (OR REPLACE )?(TEMP )?(TABLE|VIEW)")
_INTERNAL = {"structure_json", "table", "column", "columns", "sequence", "where", "select", "cols", "sign", "name",
             "names", "f", "c", "n", "k", "expr", "col", "statement", "sql", "t", "child", "summary", "stamp",
             "order", "page", "totals",
             "rule", "reasons"}  # the attention rules: module constants (storage/digest_listing.py), never input


def _interpolations(node: ast.JoinedStr) -> list[str]:
    names = []
    for part in node.values:
        if isinstance(part, ast.FormattedValue):
            for sub in ast.walk(part.value):
                if isinstance(sub, ast.Name):
                    names.append(sub.id)
    return names


def test_sql_is_built_from_our_own_names_only():
    """Every f-string that looks like SQL interpolates constants or internal identifiers, never values."""
    offenders = []
    for path in ROOT.rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.JoinedStr):
                continue
            text = "".join(p.value for p in node.values if isinstance(p, ast.Constant) and isinstance(p.value, str))
            if not _SQL.search(text.upper()):
                continue
            for name in _interpolations(node):
                if not (name.isupper() or name.lstrip("_").isupper() or name in _INTERNAL or name.startswith("_")):
                    offenders.append(f"{path.relative_to(ROOT.parent)}:{node.lineno} interpolates {name}")
    assert offenders == []


@pytest.mark.parametrize("text", HOSTILE)
def test_pos_text_is_shown_and_posted_literally(flow, orders_dir, db_path, monkeypatch, text):
    monkeypatch.setenv("FLOWTUI_NOW", "2026-10-10T04:00:00Z")
    flow.init()
    flow.add_stream("pos", "file", {"path": str(orders_dir)}, StreamSettings())
    sale = order("A-1", "KL", "2026-10-01T03:00:00Z", [("SKU-1", 1, "3.50")])
    sale["lines"][0]["name"] = text
    sale["payments"][0]["method"] = text[:40]
    write_ndjson(orders_dir / "orders.ndjson", [sale])
    flow.sync(["pos"])
    flow.add_location("KL")
    flow.map_location("pos", "KL", "KL")
    flow.map_payment("pos", text[:40], "1000")
    cli = Cli(db_path)
    digest = cli.json("digest", "show", "1")
    assert digest["items"][0]["name"] == text and digest["payments"][0]["method"] == text[:40]
    assert text in cli.ok("digest", "show", "1").out
    [outcome] = flow.post(everything=True)
    shown = cli.json("invoice", "show", outcome.documents[0][1])
    assert shown["lines"][0]["description"] == text
    assert shown["payments"][0]["method"] == text[:40]
    assert cli.json("digests")[0]["status"] == "posted"  # nothing was run as SQL or a template
