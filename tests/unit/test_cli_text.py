r"""The command line prints what sources and people wrote as text, never as terminal controls; JSON stays exact.

A file stream named ``Shop<ESC>[2J`` (clear the screen) reads one file:

1. order ``A<ESC>]0;pwned<BEL>`` (retitles the terminal) at POS store ``KL<CSI>2J`` (the one-byte C1 CSI: clear
   the screen again), whose store is named ``Shop<RLO>evil`` (a bidi override turns what follows around):
   1 ``KOPI<DEL>`` at 3.50, paid by ``Cash<ESC>[31m`` (red from here on);
2. order ``B<ESC>]0;pwned<BEL><CSI>2J``, whose total (99.99) does not add up: rejected, and ``sync`` says so,
   quoting its id.

Printed for people, each such character shows as an escape (``\x1b``, ``\x9b``, ``\u202e``, ``\x7f``); in
``--json`` every value is exactly what the source sent.
"""

from __future__ import annotations

import ast
import re
import time
from pathlib import Path

import pytest

import flowtui
from flowtui.cli.commands.digest_cmds import _progress_bar
from flowtui.cli.output import safe, safe_text, to_json
from tests.factories import order, write_ndjson

ESC, BEL, CSI, DEL, RLO = "\x1b", "\x07", "\x9b", "\x7f", "\u202e"
STREAM = f"Shop{ESC}[2J"
A = f"A{ESC}]0;pwned{BEL}"
B = f"B{ESC}]0;pwned{BEL}{CSI}2J"
STORE, STORE_NAME, SKU, METHOD = f"KL{CSI}2J", f"Shop{RLO}evil", f"KOPI{DEL}", f"Cash{ESC}[31m"
#: what a terminal acts on: C0 controls but the line breaks and tabs, DEL, C1 controls, bidi controls
UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture
def books(cli, orders_dir, monkeypatch):
    monkeypatch.setenv("FLOWTUI_NOW", "2026-10-10T04:00:00Z")
    cli.ok("init")
    cli.ok("stream", "add", STREAM, "--provider", "file", "--path", orders_dir)
    bad = order(B, "KL", "2026-10-01T03:00:00Z", [("KOPI", 1, "3.50")])
    bad["total"] = "99.99"
    write_ndjson(orders_dir / "a.ndjson", [
        order(A, STORE, "2026-10-01T02:00:00Z", [(SKU, 1, "3.50")], pay=[(METHOD, None)], store_name=STORE_NAME),
        bad,
    ])
    return cli


def no_controls(*texts: str) -> None:
    found = [match.group() for text in texts for match in UNSAFE.finditer(text)]
    assert not found, f"terminal controls reached the terminal: {found!r}"


def test_sync_shows_a_hostile_order_id_and_stream_name_as_escapes(books):
    result = books("sync")
    assert result.code == 3  # it ran, and left the rejected order open
    no_controls(result.out, result.err)
    assert "Shop\\x1b[2J: warning" in result.out
    assert "order B\\x1b]0;pwned\\x07\\x9b2J rejected: total does not add up" in result.err


def test_sync_json_carries_the_exact_values_with_the_controls_as_json_escapes(books):
    result = books("sync", "--json")
    no_controls(result.out)  # C0 controls, DEL, C1 and bidi controls all as \uXXXX
    [outcome] = result.json()
    assert outcome["stream"] == STREAM and outcome["rejections"][0]["order_id"] == B


def test_listings_and_the_digest_show_names_ids_and_methods_as_escapes_and_json_exactly(books):
    books("sync")
    for args in (["digests"], ["stream", "list"], ["mappings", STREAM], ["rejections"], ["digest", "show", "2"]):
        result = books.ok(*args)
        no_controls(result.out, result.err)
    shown = books.ok("digest", "show", "2").out
    for escaped in ("Shop\\x1b[2J / KL\\x9b2J / 2026-10-01", "Cash\\x1b[31m", "KOPI\\x7f", "A\\x1b]0;pwned\\x07"):
        assert escaped in shown
    assert "Shop\\u202eevil" in books.ok("mappings", STREAM).out
    detail = books.json("digest", "show", "2")
    assert (detail["stream"], detail["pos_store_id"]) == (STREAM, STORE)
    assert [p["method"] for p in detail["payments"]] == [METHOD]
    assert [i["sku"] for i in detail["items"]] == [SKU]
    assert [o["id"] for o in detail["orders"]] == [A]
    assert [s["store_name"] for s in books.json("mappings", STREAM)["locations"]] == [STORE_NAME]
    assert [r["order_id"] for r in books.json("rejections")] == [B]


def test_an_error_quoting_what_was_typed_shows_it_as_escapes(books):
    result = books("ledger", "entry", "add", "--date", "2026-10-01", "--memo", "typo",
                   "--debit", f"9{ESC}]0;x{BEL}:1.00", "--credit", "1000:1.00")
    assert result.code != 0
    no_controls(result.out, result.err)
    assert "No account with code 9\\x1b]0;x\\x07" in result.err


def test_what_is_made_safe_and_what_is_kept():
    assert safe(f"A{ESC}]0;x{BEL}") == "A\\x1b]0;x\\x07"
    assert safe(f"{CSI}2J {DEL} {RLO}abc\u2066") == "\\x9b2J \\x7f \\u202eabc\\u2066"
    assert safe("one\ntwo\tthree\r") == "one\\ntwo\\tthree\\r"  # a value is one line of a table
    assert safe("Kopi [/] Susu · مرحبا — שלום") == "Kopi [/] Susu · مرحبا — שלום"  # text as it is
    assert safe(None) == ""
    assert safe_text(f"line one\n\tline {ESC}[2J two") == "line one\n\tline \\x1b[2J two"  # a message keeps its lines
    value = {"id": f"A{ESC}]0;x{BEL}{CSI}{DEL}{RLO}\u2069\n", "n": 1}
    text = to_json(value)
    assert '"A\\u001b]0;x\\u0007\\u009b\\u007f\\u202e\\u2069\\n"' in text
    import json

    assert json.loads(text) == value


def test_the_sync_progress_bar_shows_a_stream_named_like_markup_as_written(capfd):
    with _progress_bar(True) as report:  # (Rich read the name as markup: "[/]" raised MarkupError)
        report("Kopi [/] Susu", 0.5, f"reading {A}")
        time.sleep(0.2)
    assert f"{ESC}]0;" not in capfd.readouterr().err


def test_every_line_the_cli_prints_goes_through_output():
    """The rule behind the tests above: the CLI modules print with ``output.echo`` / ``output.table``, never with
    ``click.echo`` (``tui_cmds`` prints only the --host the operator typed)."""
    cli = Path(flowtui.__file__).parent / "cli"
    direct = []
    for path in sorted(cli.rglob("*.py")):
        if path.name in ("output.py", "tui_cmds.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Attribute) and node.attr in ("echo", "secho")
                    and isinstance(node.value, ast.Name) and node.value.id == "click"):
                direct.append(f"{path.name}:{node.lineno}")
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
                direct.append(f"{path.name}:{node.lineno} print")
    assert not direct, direct
