"""Printed documents: invoices, credit notes and digest reports as A4 PDFs, read back as text and as pixels.

The worked example is the café's day one (tests/integration/test_posting.py): invoice
KL-202610-0001 for 53.80 (Card 22.00 + Cash 31.80; SST 6% and 8%; service
charge 1.20 with 0.07 service tax; 13.99 rounded to 14.00) and credit note
CN-KL-202610-0001 for 3.70 the next day.

Posting those books takes a second or so, so each is built once per module and
every test gets its own copy of the database file (``day_one``, ``five_days``).
"""

from __future__ import annotations

import importlib.resources
import os
import shutil
import socket
import subprocess
import sys
import textwrap
import tomllib
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path

import pypdfium2
import pytest
from pypdf import PdfReader

from flowtui.cli import cli as root_cli
from flowtui.cli.commands import pdf_cmds
from flowtui.engine.core import clock, resources
from flowtui.engine.printing import documents as printing
from flowtui.engine.printing import render
from flowtui.engine.printing.render import PACKAGED_TEMPLATES, Renderer, SafeFetcher, TemplateProblem
from flowtui.engine.printing.report_views import document_view
from flowtui.engine.services.flow import Flow
from flowtui.engine.setup import company as company_mod
from flowtui.engine.setup.streams import StreamSettings
from flowtui.engine.storage.database import Database
from tests.cli_helpers import Cli, assert_clean_error
from tests.factories import order, write_ndjson
from tests.integration.test_posting import DAY_ONE, books, open_cafe, sync_and_map  # noqa: F401  (the café's books)

pdf_cmds.register(root_cli)  # idempotent; flowtui/cli/__init__.py registers it too
D = Decimal
MM = 72 / 25.4  # PDF points per millimetre
NOW = "2026-10-10T04:00:00Z"  # printed 2026-10-10 12:00 in Kuala Lumpur
ROOT = Path(__file__).resolve().parents[2]


# -- helpers ----------------------------------------------------------------------------------------


def pages_text(path: Path) -> list[str]:
    return [" ".join((page.extract_text() or "").split()) for page in PdfReader(str(path)).pages]


def squeezed(path: Path) -> str:
    """All text with every space and line break removed (long names wrap where they must)."""
    return "".join("".join(pages_text(path)).split())


def right_edges(path: Path, word: str, page: int = 0) -> list[float]:
    """Where each occurrence of ``word`` ends on the page (points from the left, in reading order)."""
    pdf = pypdfium2.PdfDocument(str(path))
    text = pdf[page].get_textpage()
    search = text.search(word, match_whole_word=True)
    edges = []
    while found := search.get_next():
        start, count = found
        edges.append(round(text.get_charbox(start + count - 1)[2], 1))
    assert edges, f"{word!r} is not on page {page + 1}"
    return edges


def spread(values: list[float]) -> float:
    return max(values) - min(values)


def page_image(path: Path, page: int = 0, scale: float = 2.0):
    pdf = pypdfium2.PdfDocument(str(path))
    width, height = pdf[page].get_size()
    image = pdf[page].render(scale=scale, grayscale=True).to_pil().convert("L")
    return image, (width, height)


def ink_in_margin(path: Path, strip_mm: float = 6.0, page: int = 0) -> int:
    """Dark pixels within ``strip_mm`` of any edge of the page: text or rules that ran off the page."""
    image, _ = page_image(path, page)
    w, h = image.size
    strip = int(strip_mm * MM * 2.0)
    pixels = image.load()
    dark = 0
    for y in range(h):
        row_in_strip = y < strip or y >= h - strip
        for x in range(w) if row_in_strip else list(range(strip)) + list(range(w - strip, w)):
            dark += pixels[x, y] < 160
    return dark


def dark_pixels(path: Path, page: int = 0) -> int:
    image, _ = page_image(path, page)
    return sum(image.histogram()[:160])  # a greyscale image: pixels darker than 160


# -- books built once per module; each test prints from its own copy -------------------------------------------


@contextmanager
def scratch_env(home: Path):
    """What conftest's autouse fixture gives a test, for a module-scoped fixture (which cannot use it)."""
    with pytest.MonkeyPatch.context() as mp:
        for var, sub in (("FLOWTUI_CONFIG_DIR", "config"), ("XDG_DATA_HOME", "xdg-data"),
                         ("XDG_CONFIG_HOME", "xdg-config")):
            mp.setenv(var, str(home / sub))
        mp.delenv("FLOWTUI_DB", raising=False)
        mp.setenv("FLOWTUI_NOW", NOW)
        yield


def posted_cafe(home: Path, orders: list[dict]) -> Flow:
    """tests/integration/test_posting.py's ``books`` café with ``orders`` synced from a file stream and posted."""
    orders_dir = home / "orders"
    orders_dir.mkdir()
    flow = open_cafe(Flow(Database.at(home / "flow.duckdb")), orders_dir)
    sync_and_map(flow, orders_dir, orders)
    flow.post(everything=True)
    return flow


def copy_of(source: Path, db_path: Path, monkeypatch) -> Flow:
    """The database at ``source`` (and its WAL, if any) copied to this test's ``db_path``."""
    monkeypatch.setenv("FLOWTUI_NOW", NOW)
    for f in source.parent.glob(source.name + "*"):
        shutil.copyfile(f, db_path.with_name(db_path.name + f.name[len(source.name):]))
    return Flow(Database.at(db_path))


@pytest.fixture(scope="module")
def day_one_db(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("day-one")
    with scratch_env(home):
        flow = posted_cafe(home, DAY_ONE)
        with flow.db.write() as con:
            company_mod.update(con, clock.now(), address=["12 Jalan Sultan", "50000 Kuala Lumpur"],
                               registration_no="202401012345 (1234567-X)", sst_no="W10-1808-32000123",
                               tin="C12345678090")
    return flow.db.path


@pytest.fixture
def day_one(day_one_db, db_path, monkeypatch) -> Flow:
    """Day one (and the return on day two) posted, with the company details printed on documents."""
    return copy_of(day_one_db, db_path, monkeypatch)


EXTRA_DAYS = [order(f"D{d}", "KL", f"2026-10-0{d}T03:00:00Z", [("KOPI", d, "3.50")]) for d in (3, 4, 5)]


@pytest.fixture(scope="module")
def five_days_db(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("five-days")
    with scratch_env(home):
        return posted_cafe(home, DAY_ONE + EXTRA_DAYS).db.path


@pytest.fixture
def five_days(five_days_db, db_path, monkeypatch) -> Flow:
    """Day one, the return on day two, and one invoice a day from 3 to 5 Oct: five documents."""
    return copy_of(five_days_db, db_path, monkeypatch)


# -- the worked examples -----------------------------------------------------------------------------


def test_the_invoice_prints_every_figure_of_the_worked_example(day_one, db_path):
    path = printing.print_invoice(day_one, "KL-202610-0001")
    assert path == db_path.parent / "pdfs" / "KL-202610-0001.pdf"
    [text] = pages_text(path)
    for expected in [
        "Kopi & Co", "Registration No. 202401012345 (1234567-X)", "12 Jalan Sultan", "50000 Kuala Lumpur",
        "SST No. W10-1808-32000123", "TIN C12345678090",
        "Invoice KL-202610-0001", "BILL TO Cash Sales DATE 1 Oct 2026", "LOCATION KL Sentral",
        "SOURCE pos, business date 1 Oct 2026 DIGEST 1 (version 1)",
        "# SKU DESCRIPTION QTY UNIT PRICE DISCOUNT TAX AMOUNT MYR",
        "1 KOPI Kopi O 2 3.50 0.00 0.42 7.00",
        "2 MUG Enamel Mug 1 35.00 0.00 2.80 35.00",
        "3 MYSTERY Item MYSTERY 1 2.00 0.00 0.00 2.00",
        "4 ROTI Roti Bakar 1 5.00 0.00 0.30 5.00",
        "Subtotal 49.00 Discount 0.00 Service charge 1.20 Tax 3.59 Total before rounding 53.79 Rounding 0.01 "
        "Total MYR 53.80",
        "No tax code 3.20 0.07 T0.06 6% 12.00 0.72 T0.08 8% 35.00 2.80",  # service tax has no code: no rate
        "Card MYR 22.00 Cash MYR 31.80 Total paid MYR 53.80",
        "Credited by Credit note CN-KL-202610-0001 2 Oct 2026 MYR 3.70",
        "Printed 2026-10-10 12:00 (Asia/Kuala_Lumpur)", "Page 1 of 1",
    ]:
        assert expected in text, expected
    # the service charge and rounding are totals, not item lines
    assert "Service charge 1 " not in text
    history = day_one.invoice("KL-202610-0001").history
    assert [(h["event"], h["detail"]) for h in history][-1] == ("printed", str(path))


def test_amounts_are_right_aligned_in_their_columns(day_one, tmp_path):
    path = printing.print_invoice(day_one, "KL-202610-0001", tmp_path / "inv.pdf")
    # 35.00, 2.00 and 5.00 are unit prices too: the right-most of each is in the Amount column
    amounts = [max(right_edges(path, word)) for word in ("7.00", "35.00", "2.00", "5.00")]
    assert spread(amounts) < 0.5, amounts
    unit_prices = [right_edges(path, "3.50")[0]] + [min(right_edges(path, word)) for word in ("2.00", "5.00")]
    assert spread(unit_prices) < 0.5 and max(unit_prices) < min(amounts) - 40, (unit_prices, amounts)
    # the totals line up under the Amount column, the payments under their own
    totals = [max(right_edges(path, word)) for word in ("49.00", "1.20", "3.59", "53.79", "53.80")]
    assert spread(totals + amounts) < 0.5, (totals, amounts)
    payments = [right_edges(path, word)[0] for word in ("22.00", "31.80")] + [min(right_edges(path, "53.80"))]
    assert spread(payments) < 0.5 and max(payments) < min(amounts) - 40, payments


def test_the_credit_note_prints_its_refund_rounding_and_the_invoice_it_credits(day_one, tmp_path):
    path = printing.print_invoice(day_one, "CN-KL-202610-0001", tmp_path)
    assert path == tmp_path / "CN-KL-202610-0001.pdf"
    [text] = pages_text(path)
    for expected in [
        "Credit Note CN-KL-202610-0001", "DATE 2 Oct 2026", "1 KOPI Kopi O 1 3.50 0.00 0.21 3.50",
        "Total before rounding 3.71 Rounding -0.01 Total MYR 3.70", "T0.06 6% 3.50 0.21",
        "Refunded METHOD AMOUNT Cash MYR 3.70 Total refunded MYR 3.70",
        "Credits Invoice KL-202610-0001 1 Oct 2026 MYR 53.80",
    ]:
        assert expected in text, expected


def test_a_supplementary_invoice_says_what_it_adjusts(books, orders_dir, tmp_path):  # noqa: F811
    first = [order("S1", "KL", "2026-10-01T02:00:00Z", [("KOPI", 2, "3.50")])]
    sync_and_map(books, orders_dir, first)
    books.post(everything=True)
    write_ndjson(orders_dir / "orders.ndjson", first + [order("S9", "KL", "2026-10-01T09:00:00Z", [("KOPI", 1, "3.50")])])
    books.sync(["pos"])
    [outcome] = books.post(everything=True)
    assert outcome.documents == [("invoice", "KL-202610-0002")]
    [text] = pages_text(printing.print_invoice(books, "KL-202610-0002", tmp_path))
    assert "Supplementary Invoice KL-202610-0002" in text
    assert "1 KOPI Kopi O 1 3.50 0.00 0.00 3.50" in text
    assert "Adjusts Invoice KL-202610-0001 1 Oct 2026 MYR 7.00" in text
    assert "SOURCE pos, business date 1 Oct 2026 DIGEST 1 (version 2)" in text
    [report] = pages_text(printing.print_digest(books, 1, tmp_path / "day.pdf"))
    assert "DOCUMENTS Invoice KL-202610-0001 (MYR 7.00); Supplementary Invoice KL-202610-0002 (MYR 3.50)" in report
    assert "Net total MYR 10.50" in report


def test_all_sales_grouping_prints_one_line_without_a_sku_column(books, orders_dir, tmp_path):  # noqa: F811
    books.update_stream("pos", StreamSettings(grouping="all"))
    sync_and_map(books, orders_dir, DAY_ONE[:2])
    books.post(everything=True)
    [text] = pages_text(printing.print_invoice(books, "KL-202610-0001", tmp_path))
    assert "# DESCRIPTION QTY UNIT PRICE DISCOUNT TAX AMOUNT MYR 1 All Sales 1 47.00 0.00" in text
    assert "SKU" not in text


def test_discounts_print_on_their_line_and_in_the_totals(books, orders_dir, tmp_path):  # noqa: F811
    """2 Kopi O at 3.50 less 1.00 on the line = 6.00; 0.50 off the order: 5.50 to pay."""
    sync_and_map(books, orders_dir, [order("S1", "KL", "2026-10-01T02:00:00Z", [("KOPI", 2, "3.50", "1.00")],
                                           discount="0.50")])
    books.post(everything=True)
    [text] = pages_text(printing.print_invoice(books, "KL-202610-0001", tmp_path))
    assert "1 KOPI Kopi O 2 3.50 1.00 0.00 6.00" in text
    assert "Subtotal 6.00 Discount -0.50 Service charge 0.00 Tax 0.00 Total before rounding 5.50 Rounding 0.00 " \
           "Total MYR 5.50" in text
    assert "Cash MYR 5.50 Total paid MYR 5.50" in text


def test_shipping_and_tips_print_as_lines_of_the_totals_only_when_there_are_some(books, orders_dir, tmp_path):  # noqa: F811
    """A web order: 2 Kopi O (0.42 tax) + 8.00 shipping (0.48 tax) + a 5.00 tip = 20.90; the next day, a plain sale."""
    sync_and_map(books, orders_dir, [
        order("W1", "KL", "2026-10-01T02:00:00Z", [("KOPI", 2, "3.50", "0.00", "0.42")], shipping="8.00",
              shipping_tax="0.48", tip="5.00", pay=[("Card", None)]),
        order("W2", "KL", "2026-10-02T02:00:00Z", [("KOPI", 1, "3.50")])])
    books.post(everything=True)
    [text] = pages_text(printing.print_invoice(books, "KL-202610-0001", tmp_path))
    assert "Subtotal 7.00 Discount 0.00 Service charge 0.00 Shipping 8.00 Tax 0.90 Tips 5.00 " \
           "Total before rounding 20.90 Rounding 0.00 Total MYR 20.90" in text
    assert "1 KOPI Kopi O 2 3.50 0.00 0.42 7.00" in text
    assert "Shipping 1 " not in text and "Tips 1 " not in text  # totals, not item lines
    [plain] = pages_text(printing.print_invoice(books, "KL-202610-0002", tmp_path))
    assert "Service charge 0.00 Tax 0.00 Total before rounding 3.50" in plain
    assert "Shipping" not in plain and "Tips" not in plain
    [report] = pages_text(printing.print_digest(books, 1, tmp_path / "day.pdf"))
    assert "Shipping 8.00" in report and "Tips 5.00" in report
    [quiet] = pages_text(printing.print_digest(books, 2, tmp_path / "day2.pdf"))
    assert "Shipping" not in quiet and "Tips" not in quiet


# -- long documents ------------------------------------------------------------------------------------


def test_a_400_line_invoice_spans_pages_with_headers_and_page_numbers(books, orders_dir, tmp_path):  # noqa: F811
    """400 SKUs at four-figure prices: every line once, the header on every page, "Page x of y", thousands."""
    orders = [order(f"B{n:02d}", "KL", f"2026-10-01T{1 + n // 10:02d}:{n % 60:02d}:00Z",
                    [(f"P{n * 10 + i:03d}", 1 + i % 3, f"{2000 + n * 10 + i}.25") for i in range(10)],
                    tax_rate="0.06", pay=[("Card", None)])
              for n in range(40)]
    sync_and_map(books, orders_dir, orders)
    books.post(everything=True)
    path = printing.print_invoice(books, "KL-202610-0001", tmp_path)
    pages = pages_text(path)
    count = len(pages)
    assert count >= 5
    for n, text in enumerate(pages, 1):
        assert f"Page {n} of {count}" in text
        assert "# SKU DESCRIPTION QTY UNIT PRICE DISCOUNT TAX AMOUNT MYR" in text, f"no table header on page {n}"
        if n > 1:  # the running header names the company and the document (text extraction puts it last)
            assert "Kopi & Co Invoice KL-202610-0001 Printed" in text, text[-200:]
    everything = " ".join(pages)
    for k in range(400):
        assert everything.count(f" P{k:03d} Item P{k:03d} ") == 1, f"line P{k:03d}"
    total = sum(D(o["total"]) for o in orders)
    assert total > 1_000_000
    assert f"Total MYR {total:,.2f}" in pages[-1]
    assert "400 P399 Item P399 1 2,399.25 0.00 143.96 2,399.25" in everything  # 2,399.25 x 6% = 143.955
    for page in (0, count - 1):
        assert ink_in_margin(path, page=page) == 0


# -- safe rendering ----------------------------------------------------------------------------------------


HOSTILE_FILE = '<img src="file:///etc/passwd">'
HOSTILE_REMOTE = '<img src="http://127.0.0.1:9/pixel.png"><link rel="stylesheet" href="https://example.invalid/x.css">'


@pytest.fixture
def no_network(monkeypatch):
    """Any attempt to open a socket is recorded and fails."""
    attempts = []

    def refuse(self, address, *args):
        attempts.append(address)
        raise OSError("the tests allow no network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", lambda address, *a, **k: refuse(None, address))
    return attempts


@pytest.fixture
def fetches(monkeypatch):
    """Every URL WeasyPrint asks the fetcher for, in this process."""
    asked = []
    original = SafeFetcher.fetch

    def spy(self, url, headers=None):
        asked.append(url)
        return original(self, url, headers)

    monkeypatch.setattr(SafeFetcher, "fetch", spy)
    printing._SINGLE.clear()  # a fresh renderer: its stylesheet and fonts are fetched again, through the spy
    return asked


def test_hostile_names_print_literally_and_fetch_nothing(books, orders_dir, tmp_path, no_network, fetches):  # noqa: F811
    books.add_product("EVIL", HOSTILE_FILE, "1.00", "0.10")
    books.add_contact("<i>Guest</i> & co")
    line = order("H1", "KL", "2026-10-01T02:00:00Z", [("EVIL", 1, "1.00"), ("REMOTE", 1, "2.00"), ("LONG", 1, "3.00")])
    line["lines"][1]["name"] = HOSTILE_REMOTE
    line["lines"][2]["name"] = "W" * 300  # no space to break at: it must still wrap inside the page
    write_ndjson(orders_dir / "orders.ndjson", [line])
    books.sync(["pos"])
    books.map_location("pos", "KL", "KL Sentral", contact="<i>Guest</i> & co", number_format="KL-{seq:04}")
    with books.db.write() as con:
        company_mod.update(con, clock.now(), name='<b>Kopi</b> & Co <script>alert(1)</script>',
                           address=['<iframe src="file:///etc/shadow">'])
    books.post(everything=True)
    path = printing.print_invoice(books, "KL-0001", tmp_path)

    text = squeezed(path)
    for literal in (HOSTILE_FILE, HOSTILE_REMOTE, "<i>Guest</i>&co", "<b>Kopi</b>&Co<script>alert(1)</script>",
                    '<iframesrc="file:///etc/shadow">', "W" * 300):
        assert "".join(literal.split()) in text, literal
    assert "root:" not in text  # nothing of /etc/passwd
    assert fetches, "the spy saw the stylesheet and fonts being fetched"
    packaged = PACKAGED_TEMPLATES.as_uri()
    assert [url for url in fetches if not url.startswith(packaged + "/")] == []  # never asked for anything else
    assert no_network == []
    assert ink_in_margin(path) == 0


def test_the_fetcher_serves_the_template_folders_only(tmp_path, no_network):
    own = tmp_path / "mine"
    own.mkdir()
    (own / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    (own / "leak.txt").symlink_to("/etc/passwd")
    fetcher = SafeFetcher([own, PACKAGED_TEMPLATES])
    assert fetcher.fetch((own / "logo.svg").as_uri()).read().startswith(b"<svg")
    # the operator's folder lacks the fonts: the packaged ones are served in their place
    font = fetcher.fetch((own / "fonts" / "FiraSans-Regular.ttf").as_uri())
    assert font.read() == (PACKAGED_TEMPLATES / "fonts" / "FiraSans-Regular.ttf").read_bytes()
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"
    hostile = ["file:///etc/passwd", (own / "leak.txt").as_uri(), own.as_uri() + "/../../../../../../etc/passwd",
               "http://127.0.0.1:9/x.png", "https://example.invalid/x.css", "ftp://127.0.0.1/x",
               "file://example.invalid/etc/passwd", (PACKAGED_TEMPLATES / "missing.png").as_uri()]
    for url in hostile:
        with pytest.raises(ValueError, match="only files from its template folders"):
            fetcher.fetch(url)
    assert fetcher.refused == hostile
    assert all(not s.startswith("/etc") for s in fetcher.served)
    assert no_network == []


def test_a_hostile_template_fetches_nothing_outside_its_folder(day_one, tmp_path, no_network):
    own = tmp_path / "mine"
    own.mkdir()
    (own / "leak.png").symlink_to("/etc/passwd")
    (own / "invoice.html").write_text(
        '{% extends "layout.html" %}{% block body %}<p>Custom {{ doc.number }}</p>\n'
        '<img src="file:///etc/passwd"><img src="http://127.0.0.1:9/pixel.png"><img src="../../../../../../etc/passwd">'
        '<img src="leak.png"><link rel="stylesheet" href="https://example.invalid/x.css">'
        '<div style="background: url(\'file:///etc/shadow\')">x</div>{% endblock %}')
    renderer = Renderer(own)
    with day_one.db.read() as con:
        [(_, _, view)] = printing._document_views(con, ["KL-202610-0001"])
    data = render.render_document(view, {"name": "Kopi & Co", "address": [], "registration_no": None,
                                         "sst_no": None, "tin": None, "phone": None, "email": None,
                                         "currency": "MYR", "timezone": "Asia/Kuala_Lumpur"},
                                  "now", renderer=renderer)
    assert data.startswith(b"%PDF")
    outside = [u for u in renderer.fetcher.asked if not u.startswith((own.as_uri(), PACKAGED_TEMPLATES.as_uri()))]
    assert outside and set(outside) <= set(renderer.fetcher.refused)
    assert (own / "leak.png").as_uri() in renderer.fetcher.refused  # a symlink out of the folder is refused too
    assert all(Path(s).is_relative_to(own) or Path(s).is_relative_to(PACKAGED_TEMPLATES)
               for s in renderer.fetcher.served)
    assert no_network == []


ESCAPES = {  # each tries to run a shell command that leaves a marker file
    "lipsum": '{{ lipsum.__globals__["os"].popen("touch MARKER").read() }}',
    "range": '{{ range.__globals__["__builtins__"]["__import__"]("os").system("touch MARKER") }}',
    "class": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "filter": '{{ doc.number.__class__.__init__.__globals__ }}',
    "mutation": "{% set _ = doc.lines.append(1) %}{{ doc.lines }}",
}


@pytest.mark.parametrize("name", sorted(ESCAPES))
def test_a_template_cannot_reach_the_system(day_one, db_path, tmp_path, name):
    """An operator's template is run in Jinja2's sandbox: an escape is a clean template error and nothing runs."""
    own = tmp_path / "mine"
    own.mkdir()
    marker = tmp_path / "ran"
    payload = ESCAPES[name].replace("MARKER", str(marker))
    (own / "invoice.html").write_text(f'{{% extends "layout.html" %}}\n{{% block body %}}\n<p>{payload}</p>\n'
                                      '{% endblock %}\n')
    result = Cli(db_path)("invoice", "pdf", "KL-202610-0001", "-o", tmp_path / "a.pdf", "--template-dir", own)
    assert_clean_error(result, code=2, says=f"Template {own.resolve() / 'invoice.html'}, line 3:")
    assert ("unsafe" in result.err) or ("is undefined" in result.err), result.err
    assert not marker.exists() and not (tmp_path / "a.pdf").exists()


def test_the_sandbox_offers_only_range_and_dict():
    env = render.template_environment([PACKAGED_TEMPLATES])
    assert set(env.globals) == {"range", "dict"}
    assert env.from_string("{{ range(3) | list }} {{ dict(a=1)['a'] }}").render() == "[0, 1, 2] 1"


# -- the visual check --------------------------------------------------------------------------------------


def test_page_one_has_ink_and_nothing_runs_off_the_page(day_one, tmp_path):
    for number in ("KL-202610-0001", "CN-KL-202610-0001"):
        path = printing.print_invoice(day_one, number, tmp_path)
        image, (width, height) = page_image(path)
        assert (round(width / MM), round(height / MM)) == (210, 297)  # A4
        assert dark_pixels(path) > 5_000, "page 1 is blank"
        assert ink_in_margin(path) == 0, "something runs into the outer margin"
    digest = printing.print_digest(day_one, day_one.digests()[0].id, tmp_path)
    assert dark_pixels(digest) > 5_000 and ink_in_margin(digest) == 0


# -- the digest report ---------------------------------------------------------------------------------------


def test_the_digest_report_has_summary_payments_items_and_orders(day_one, tmp_path):
    digest = day_one.digests()[0]
    path = printing.print_digest(day_one, digest.id, tmp_path / "day.pdf")
    [text] = pages_text(path)
    for expected in [
        "Daily Sales Digest KL Sentral · 1 Oct 2026", "LOCATION KL Sentral (POS store KL) BUSINESS DATE 1 Oct 2026",
        "STATUS posted, invoice KL-202610-0001", "3 sale(s), 0 return(s)",
        "DOCUMENTS Invoice KL-202610-0001 (MYR 53.80)",
        "Gross sales 53.80 Returns 0.00 Net total MYR 53.80",
        "Discount 0.00 Service charge 1.20 Tax 3.59 Rounding 0.01",
        "Card 22.00 Cash 31.80 Total 53.80",
        "KOPI Item KOPI 2 3.50 0.00 0.42 7.00", "MUG Item MUG 1 35.00 0.00 2.80 35.00",
        "Items, excluding tax 3.52 49.00",
        "10:00 S1 sale 14.00 11:00 S2 sale 37.80 13:00 S4 sale 2.00",  # local times; the voided S3 is not counted
        "Net total (3 orders; returns negative) 53.80", "Cash counted by Checked by", "Page 1 of 1",
    ]:
        assert expected in text, expected
    returns_day = day_one.digests()[1]
    [text] = pages_text(printing.print_digest(day_one, returns_day.id, tmp_path))
    assert "Gross sales 0.00 Returns -3.70 Net total MYR -3.70" in text
    assert "10:00 R1 return -3.70" in text
    assert "DOCUMENTS Credit Note CN-KL-202610-0001 (MYR 3.70)" in text


def test_a_range_of_digests_prints_one_file_each_or_one_report(day_one, tmp_path):
    paths = printing.print_digests(day_one, start=date(2026, 10, 1), end=date(2026, 10, 2), target=tmp_path / "out")
    assert [p.name for p in paths] == ["digest-1-2026-10-01-KL_Sentral.pdf", "digest-2-2026-10-02-KL_Sentral.pdf"]
    [report] = printing.print_digests(day_one, start=date(2026, 10, 1), end=date(2026, 10, 2),
                                      target=tmp_path / "october.pdf")
    pages = pages_text(report)
    assert len(pages) == 2
    assert "1 Oct 2026" in pages[0] and "Page 1 of 2" in pages[0]
    assert "2 Oct 2026" in pages[1] and "Page 2 of 2" in pages[1]


# -- batches -------------------------------------------------------------------------------------------------------


def test_a_batch_prints_every_document_in_the_range_on_every_core(five_days, tmp_path):
    flow = five_days
    seen = []
    paths = printing.print_invoices(flow, start=date(2026, 10, 1), end=date(2026, 10, 5), target_dir=tmp_path,
                                    workers=2, progress=lambda done, total: seen.append((done, total)))
    numbers = ["KL-202610-0001", "CN-KL-202610-0001", "KL-202610-0002", "KL-202610-0003", "KL-202610-0004"]
    assert paths == [tmp_path / f"{n}.pdf" for n in numbers]
    assert sorted(seen) == [(k, 5) for k in range(1, 6)]
    assert "Total MYR 10.50" in pages_text(tmp_path / "KL-202610-0002.pdf")[0]  # 3 x 3.50 on 3 Oct
    assert "Total MYR 17.50" in pages_text(tmp_path / "KL-202610-0004.pdf")[0]  # 5 x 3.50 on 5 Oct
    for number, path in zip(numbers, paths):  # every file written is in its document's history
        assert [(h["event"], h["detail"]) for h in flow.invoice(number).history][-1] == ("printed", str(path))
    only_two = printing.print_invoices(flow, ["KL-202610-0003", "KL-202610-0004"], target_dir=tmp_path / "two")
    assert only_two == [tmp_path / "two" / "KL-202610-0003.pdf", tmp_path / "two" / "KL-202610-0004.pdf"]
    assert printing.print_invoices(flow, start=date(2026, 10, 6), end=date(2026, 10, 9), target_dir=tmp_path) == []


def test_a_batch_lets_go_of_the_database_while_it_prints(five_days, tmp_path):
    flow = Flow(Database.at(five_days.db.path, 0.5))  # a held file would fail the write below at once
    writes = []

    def write_while_printing(done, total):  # as a nightly sync would, between two files of the batch
        with flow.db.write() as con:
            writes.append(con.execute("SELECT count(*) FROM documents").fetchall()[0][0])

    paths = printing.print_invoices(flow, start=date(2026, 10, 1), end=date(2026, 10, 5), target_dir=tmp_path,
                                    workers=2, progress=write_while_printing)
    assert len(paths) == 5 and writes == [5] * 5


def test_a_broken_template_stops_a_batch_and_says_where(five_days, tmp_path):
    flow = five_days
    own = tmp_path / "mine"
    own.mkdir()
    (own / "invoice.html").write_text('{% extends "layout.html" %}\n{% block body %}\n{{ doc.no_such_value }}\n'
                                      '{% endblock %}\n')
    with pytest.raises(TemplateProblem, match=r"invoice\.html, line 3: .*no_such_value"):
        printing.print_invoices(flow, start=date(2026, 10, 1), end=date(2026, 10, 5), target_dir=tmp_path / "out",
                                template_dir=own, workers=2)


def test_a_batch_that_fails_half_way_records_every_file_it_wrote(five_days, tmp_path):
    """KL-202610-0003 cannot be printed: the batch stops, and what it did print is in the history."""
    own = tmp_path / "mine"
    own.mkdir()
    html = (PACKAGED_TEMPLATES / "invoice.html").read_text()
    (own / "invoice.html").write_text(html.replace(
        "{% block body %}", '{% block body %}{% if doc.number == "KL-202610-0003" %}{{ doc.no_such_value }}{% endif %}'))
    out = tmp_path / "out"
    with pytest.raises(TemplateProblem, match=r"invoice\.html, line \d+: .*no_such_value"):
        printing.print_invoices(five_days, start=date(2026, 10, 1), end=date(2026, 10, 5), target_dir=out,
                                template_dir=own, workers=2)
    written = sorted(out.glob("*.pdf"))
    assert written and out / "KL-202610-0003.pdf" not in written  # the two before it started first
    for path in written:
        assert [(h["event"], h["detail"]) for h in five_days.invoice(path.stem).history][-1] == ("printed", str(path))
    assert "printed" not in [h["event"] for h in five_days.invoice("KL-202610-0003").history]


# -- the command line ------------------------------------------------------------------------------------------------


def test_the_cli_prints_invoices_digests_and_sets_company_details(day_one, db_path, tmp_path):
    cli = Cli(db_path)
    out = cli.ok("invoice", "pdf", "KL-202610-0001", "-o", tmp_path / "one.pdf").out
    assert out.strip() == f"Printed KL-202610-0001 to {tmp_path / 'one.pdf'}"
    rows = cli.json("invoice", "pdf", "--from", "2026-10-01", "--to", "2026-10-02", "--location", "KL Sentral",
                    "-o", tmp_path / "all")
    assert [Path(r["path"]).name for r in rows] == ["KL-202610-0001.pdf", "CN-KL-202610-0001.pdf"]
    assert "Credit Note CN-KL-202610-0001" in pages_text(tmp_path / "all" / "CN-KL-202610-0001.pdf")[0]
    assert cli.ok("invoice", "show", "KL-202610-0001").out.count("printed:") == 2  # each print is in the history
    assert cli.ok("invoice", "show", "CN-KL-202610-0001").out.count("printed:") == 1
    assert cli.ok("invoice", "pdf", "--from", "2026-10-03", "--to", "2026-10-09", "-o", tmp_path / "none").out \
        == "Nothing to print.\n"
    default = cli.ok("invoice", "pdf", "CN-KL-202610-0001").out
    assert str(db_path.parent / "pdfs" / "CN-KL-202610-0001.pdf") in default

    assert cli.ok("digest", "pdf", "1", "-o", tmp_path / "d1.pdf").out == f"Printed digest 1 to {tmp_path / 'd1.pdf'}\n"
    assert "Daily Sales Digest" in pages_text(tmp_path / "d1.pdf")[0]
    out = cli.ok("digest", "pdf", "--from", "2026-10-01", "--to", "2026-10-02", "--stream", "pos", "-o", tmp_path / "d")
    assert out.out.count("Printed digest-") == 2 and len(list((tmp_path / "d").glob("digest-*.pdf"))) == 2

    cli.ok("company", "set", "--name", "Kopi & Co Sdn Bhd", "--address", "1 Jalan Ampang", "--sst-no", "B16-0000")
    shown = cli.json("company", "show")
    assert (shown["name"], shown["address"], shown["sst_no"]) == ("Kopi & Co Sdn Bhd", ["1 Jalan Ampang"], "B16-0000")
    cli.ok("invoice", "pdf", "KL-202610-0001", "-o", tmp_path / "again.pdf")
    assert "Kopi & Co Sdn Bhd" in pages_text(tmp_path / "again.pdf")[0]

    assert_clean_error(cli("invoice", "pdf", "NOPE-1"), says="No invoice or credit note numbered 'NOPE-1'")
    assert_clean_error(cli("invoice", "pdf", "A", "B", "-o", tmp_path / "x.pdf"), says="needs a folder")
    assert_clean_error(cli("digest", "pdf", "99"), says="No digest with id 99")
    assert_clean_error(cli("invoice", "pdf", "--from", "2026-10-01", "--location", "Nowhere", "-o", tmp_path),
                       says="No location named 'Nowhere'")
    assert_clean_error(cli("invoice", "pdf", "KL-202610-0001", "--from", "2026-10-01"), says="not both")


def test_custom_templates_from_the_option_the_setting_or_the_environment(day_one, db_path, tmp_path, monkeypatch):
    cli = Cli(db_path)
    own = tmp_path / "mine"
    cli.ok("company", "templates", own)
    assert (own / "invoice.html").is_file() and (own / "fonts" / "FiraSans-Regular.ttf").is_file()
    assert_clean_error(cli("company", "templates", own), says="--force")
    html = (own / "invoice.html").read_text().replace("Linked documents", "Related paperwork")
    (own / "invoice.html").write_text(html)
    (own / "fonts" / "FiraSans-Regular.ttf").unlink()  # missing files come from the packaged set

    cli.ok("invoice", "pdf", "KL-202610-0001", "-o", tmp_path / "a.pdf", "--template-dir", own)
    assert "Related paperwork" in pages_text(tmp_path / "a.pdf")[0]
    cli.ok("invoice", "pdf", "KL-202610-0001", "-o", tmp_path / "b.pdf")
    assert "Linked documents" in pages_text(tmp_path / "b.pdf")[0]

    cli.ok("company", "set", "--template-dir", own)
    assert cli.json("company", "show")["template_dir"] == str(own.resolve())
    cli.ok("invoice", "pdf", "KL-202610-0001", "-o", tmp_path / "c.pdf")
    assert "Related paperwork" in pages_text(tmp_path / "c.pdf")[0]
    cli.ok("company", "set", "--template-dir", "")
    monkeypatch.setenv("FLOWTUI_TEMPLATE_DIR", str(own))
    cli.ok("invoice", "pdf", "KL-202610-0001", "-o", tmp_path / "d.pdf")
    assert "Related paperwork" in pages_text(tmp_path / "d.pdf")[0]


def test_a_broken_template_is_a_clear_error_naming_the_file_and_line(day_one, db_path, tmp_path):
    cli = Cli(db_path)
    own = tmp_path / "mine"
    own.mkdir()
    (own / "invoice.html").write_text('{% extends "layout.html" %}\n{% block body %}\n{% if %}\n{% endblock %}\n')
    result = cli("invoice", "pdf", "KL-202610-0001", "--template-dir", own)
    assert_clean_error(result, code=2, says=f"Template {own.resolve() / 'invoice.html'}, line 3:")
    assert_clean_error(cli("company", "set", "--template-dir", own), code=2, says="invoice.html, line 3")
    (own / "invoice.html").write_text('{% extends "layout.html" %}\n{% block body %}\n<p>\n{{ doc.totl }}</p>\n'
                                      '{% endblock %}\n')
    result = cli("invoice", "pdf", "KL-202610-0001", "--template-dir", own)
    assert_clean_error(result, code=2, says="invoice.html, line 4: 'dict object' has no attribute 'totl'")
    assert_clean_error(cli("invoice", "pdf", "KL-202610-0001", "--template-dir", tmp_path / "nowhere"))
    # a batch stops the same way, before a worker starts
    result = cli("invoice", "pdf", "--from", "2026-10-01", "--to", "2026-10-02", "-o", tmp_path / "out",
                 "--template-dir", own)
    assert_clean_error(result, code=2, says="invoice.html, line 4")
    assert not (db_path.parent / "pdfs" / "KL-202610-0001.pdf").exists()
    assert not list(tmp_path.rglob("*.pdf"))


# -- the console's print action -----------------------------------------------------------------------------------


def test_the_console_print_action_returns_where_the_file_went(day_one, db_path):
    """What the console's ``p`` calls (tests/tui/test_print_action.py presses it)."""
    path = day_one.invoice_pdf("KL-202610-0001")
    assert path == db_path.parent / "pdfs" / "KL-202610-0001.pdf" and path.is_file()
    assert [h["event"] for h in day_one.invoice("KL-202610-0001").history][-1] == "printed"
    digest = day_one.digest_pdf(1, db_path.parent / "day.pdf")
    assert digest == db_path.parent / "day.pdf" and "Daily Sales Digest" in pages_text(digest)[0]


# -- formatting ----------------------------------------------------------------------------------------------------


def test_money_has_thousands_separators_and_two_decimals():
    assert render.money(D("1234567.5")) == "1,234,567.50"
    assert render.money(D("-0.001")) == "0.00"
    assert render.money(D("-1234.5")) == "-1,234.50"
    assert render.price(D("3.3333")) == "3.3333" and render.price(D("1000.5000")) == "1,000.50"
    assert render.quantity(D("2.000")) == "2" and render.quantity(D("1.250")) == "1.25"
    assert render.percent(D("0.06")) == "6%" and render.percent(D("0.0825")) == "8.25%"
    assert render.long_date(date(2026, 10, 1)) == "1 Oct 2026"


def test_views_keep_money_exact(day_one):
    view = document_view(day_one.invoice("KL-202610-0001"))
    money = [view[k] for k in ("subtotal", "discount", "service_charge", "tax", "total_before_rounding", "rounding",
                               "total", "paid")]
    assert all(isinstance(v, Decimal) for v in money)
    assert view["total_before_rounding"] + view["rounding"] == view["total"] == view["paid"] == D("53.80")



# -- packaging ------------------------------------------------------------------------------------------------------


def test_the_templates_and_fonts_ship_in_the_package():
    """reports/ installs as flowtui.reports; every file in it must match pyproject's package-data globs."""
    assert PACKAGED_TEMPLATES == Path(os.path.realpath(str(importlib.resources.files("flowtui.reports"))))
    shipped = {p.relative_to(PACKAGED_TEMPLATES).as_posix() for p in render.packaged_files()}
    assert {"invoice.html", "digest.html", "layout.html", "macros.html", "base.css", "README.md",
            "fonts/FiraSans-Regular.ttf", "fonts/FiraSans-Bold.ttf", "fonts/OFL.txt"} <= shipped
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert config["package-dir"]["flowtui.reports"] == "reports" and "flowtui.reports" in config["packages"]
    globs = config["package-data"]["flowtui.reports"]
    assert "__init__.py" not in shipped  # (python, not a template: `company templates` leaves it out)
    unshipped = [name for name in shipped
                 if not any(Path(name).match(g) and name.count("/") == g.count("/") for g in globs)]
    assert unshipped == [], f"add these to [tool.setuptools.package-data] in pyproject.toml: {unshipped}"


def installed_copy(tmp_path: Path) -> Path:
    """flowtui laid out as a (non-editable) install puts it: setuptools' build_py of a copy of the source."""
    source = tmp_path / "source"
    for name in ("flowtui", "reports", "notebooks"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    subprocess.run([sys.executable, "-c", "import setuptools; setuptools.setup()", "-q", "build_py", "-d",
                    str(tmp_path / "lib")], cwd=source, capture_output=True, check=True, timeout=240)
    return tmp_path / "lib"


@pytest.mark.parametrize("layout", ["checkout", "installed"])
def test_the_templates_are_found_and_print_from_a_checkout_and_from_an_install(day_one, tmp_path, layout):
    """PYTHONPATH=<checkout> (nothing installed), or flowtui as installed: the same templates print the invoice."""
    # -S: site-packages is on the path only as a folder of libraries; its .pth files (this checkout's editable
    # install among them) are not run, so flowtui comes from the folder on PYTHONPATH and from nowhere else.
    home = ROOT if layout == "checkout" else installed_copy(tmp_path)
    libraries = [p for p in sys.path if p.endswith("site-packages")]
    code = textwrap.dedent("""
        import importlib.util, sys
        import flowtui
        from flowtui.engine.printing import documents, render
        from flowtui.engine.services.flow import Flow
        from flowtui.engine.storage.database import Database
        print(flowtui.__file__)
        print(importlib.util.find_spec("flowtui.reports") is not None)
        print(render.PACKAGED_TEMPLATES)
        print(documents.print_invoice(Flow(Database.at(sys.argv[1])), "KL-202610-0001", sys.argv[2]))
    """)
    target = tmp_path / "out" / "invoice.pdf"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(home), *libraries])}
    done = subprocess.run([sys.executable, "-S", "-c", code, str(day_one.db.path), str(target)], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr
    module, installed, templates, printed = done.stdout.split()
    assert Path(module) == home / "flowtui" / "__init__.py"
    if layout == "checkout":
        assert installed == "False" and Path(templates) == ROOT / "reports"
    else:
        assert installed == "True" and Path(templates) == home / "flowtui" / "reports"
    assert Path(printed) == target and "KL-202610-0001" in squeezed(target)


def test_the_shipped_folders_are_found_installed_or_not(monkeypatch, tmp_path):
    assert resources.shipped_folder("reports") == PACKAGED_TEMPLATES and (PACKAGED_TEMPLATES / "invoice.html").is_file()
    assert (resources.shipped_folder("notebooks") / "daily_sales.ipynb").is_file()

    def not_installed(name):
        raise ModuleNotFoundError(f"No module named {name!r}")

    monkeypatch.setattr(resources.importlib.resources, "files", not_installed)
    assert resources.shipped_folder("reports") == ROOT / "reports"
    assert resources.shipped_folder("notebooks") == ROOT / "notebooks"
    assert resources.in_checkout(ROOT / "notebooks") and not resources.in_checkout(tmp_path / "notebooks")
    with pytest.raises(ValueError):
        resources.shipped_folder("tests")


def test_documents_embed_the_bundled_font(day_one, tmp_path):
    path = printing.print_invoice(day_one, "KL-202610-0001", tmp_path)
    fonts = {str(font["/BaseFont"]) for page in PdfReader(str(path)).pages
             for font in page["/Resources"]["/Font"].get_object().values()}
    assert fonts and all("Flow-Sans" in f or "FlowSans" in f or "FiraSans" in f for f in fonts), fonts
