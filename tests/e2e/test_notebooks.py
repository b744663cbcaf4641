"""The notebooks in notebooks/: committed without outputs, and run top to bottom against the demo books.

Each notebook is executed by nbclient in a real kernel, with the database path
and the date range given the way `flowtui notebook` gives them (FLOWTUI_DB,
FLOWTUI_FROM, FLOWTUI_TO read by the tagged "parameters" cell); any error in
any cell fails the test. One run happens while another process keeps taking
the database for writing, as the nightly sync would.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from decimal import Decimal
from pathlib import Path

import pytest

from flowtui.cli.commands import notebook_cmds
from flowtui.engine.core import resources
from tests.cli.test_views_export import NOW, demo_database, flowtui_env
from tests.cli_helpers import Cli, assert_clean_error

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
EXPECTED = ("daily_sales", "ledger_checks", "products", "sync_health")
FROM, TO = "2026-11-01", "2026-11-25"

nbformat = pytest.importorskip("nbformat")


def notebook_paths() -> list[Path]:
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def execute(path: Path, db: Path, cwd: Path, **env: str):
    """Run every cell of the notebook at ``path`` in a fresh kernel; return the executed notebook."""
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    kernel_env = flowtui_env(FLOWTUI_DB=str(db), FLOWTUI_FROM=FROM, FLOWTUI_TO=TO, **env)
    client = NotebookClient(notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(cwd)}})
    client.execute(env=kernel_env)
    return notebook


def tagged(notebook, tag: str) -> str:
    cells = [c for c in notebook.cells if tag in c.metadata.get("tags", [])]
    assert len(cells) == 1, f"one cell tagged {tag!r}"
    return "".join(o.get("text", "") for o in cells[0].outputs if o.output_type == "stream")


def text_outputs(notebook) -> str:
    parts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", "") + output.get("data", {}).get("text/plain", ""))
    return "\n".join(parts)


# -- as committed ----------------------------------------------------------------------------------


def test_the_notebooks_are_committed_without_outputs_and_with_parameters():
    assert tuple(p.stem for p in notebook_paths()) == EXPECTED
    for path in notebook_paths():
        notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
        code = [c for c in notebook.cells if c.cell_type == "code"]
        assert all(c.outputs == [] and c.execution_count is None for c in code), f"{path.name} has outputs"
        assert "parameters" in code[0].metadata.get("tags", []), f"{path.name}: parameters come first"
        assert {"DB_PATH", "START", "END", "FLOWTUI_DB"} <= set(re.findall(r"\w+", code[0].source))
        assert notebook.cells[0].cell_type == "markdown", f"{path.name} starts with its narrative"
        assert any("alt.Chart" in c.source for c in code), f"{path.name} has a chart"


# -- executed ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    return demo_database(tmp_path_factory)


@pytest.fixture(scope="module")
def executed(demo, tmp_path_factory):
    """Every notebook, executed once against the demo books (shared by the tests below)."""
    cwd = tmp_path_factory.mktemp("kernel")
    return {path.stem: execute(path, demo, cwd) for path in notebook_paths()}


@pytest.mark.slow
@pytest.mark.parametrize("name", EXPECTED)
def test_the_notebook_runs_top_to_bottom(executed, name):
    notebook = executed[name]
    errors = [o for c in notebook.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []
    charts = [o for c in notebook.cells for o in c.get("outputs", [])
              if "alt.Chart" in o.get("data", {}).get("text/plain", "")]
    assert charts, "its charts were drawn"


@pytest.mark.slow
def test_daily_sales_agrees_with_the_cli(executed, demo, monkeypatch):
    monkeypatch.setenv("FLOWTUI_NOW", NOW)
    digests = Cli(demo).json("digests", "--from", FROM, "--to", TO)
    expected = sum((Decimal(d["amount"]) for d in digests), Decimal("0"))
    headline = tagged(executed["daily_sales"], "headline")
    found = re.search(rf"Net sales {FROM} to {TO}: ([\d,]+\.\d\d) MYR \(([\d,]+) sales", headline)
    assert found, headline
    assert Decimal(found.group(1).replace(",", "")) == expected
    assert int(found.group(2).replace(",", "")) == sum(d["order_count"] for d in digests)


@pytest.mark.slow
def test_products_and_ledger_checks_find_what_the_books_hold(executed):
    products = text_outputs(executed["products"])
    assert "3 SKU(s) in stock; 3 sold in the period" in products  # the fixture's stocked SKUs sell at Gurney Plaza
    assert "KC-TUMBLER" in products
    ledger = text_outputs(executed["ledger_checks"])
    assert re.search(r"\d+ digests from 2026-11-01 to 2026-11-25; 0 with a difference", ledger), ledger
    assert "SV6" in ledger and "ST10" in ledger  # the tax codes an SST return needs


WRITER = """
import pathlib, sys, time
from flowtui.engine.storage.database import Database
db, stop = Database.at(sys.argv[1], lock_timeout=30), pathlib.Path(sys.argv[2])
deadline, holds = time.monotonic() + 60, 0
while not stop.exists() and time.monotonic() < deadline:
    with db.write() as con:  # a unit of work that keeps the file busy, as a sync landing orders does
        con.execute("SELECT count(*) FROM orders").fetchall()
        time.sleep(0.4)
    holds += 1
    print(holds, flush=True)
    time.sleep(0.1)
"""


@pytest.mark.slow
def test_a_notebook_runs_while_another_process_writes(demo, tmp_path):
    """A real `flowtui sync` and a process that holds the file for writing most of the time run meanwhile."""
    stop = tmp_path / "stop"
    sync = subprocess.Popen([str(Path(sys.executable).with_name("flowtui")), "--db", str(demo), "sync", "Demo POS"],
                            env=flowtui_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(demo), str(stop)], env=flowtui_env(),
                              stdout=subprocess.PIPE, text=True)
    try:
        assert writer.stdout.readline().strip() == "1"  # it has had the file before the notebook starts
        notebook = execute(NOTEBOOKS / "ledger_checks.ipynb", demo, tmp_path)
    finally:
        stop.touch()
        writer.wait(timeout=60)
        sync_out, sync_err = sync.communicate(timeout=120)
    assert writer.returncode == 0 and sync.returncode == 0, sync_err
    assert int(writer.stdout.read().split()[-1]) >= 3  # it kept writing while the notebook ran
    assert "0 with a difference" in text_outputs(notebook)


# -- flowtui notebook --------------------------------------------------------------------------------


def test_flowtui_notebook_says_how_to_install_jupyter(tmp_path, monkeypatch):
    monkeypatch.setattr(notebook_cmds, "jupyter_lab_installed", lambda: False)
    result = Cli(tmp_path / "flow.duckdb")("notebook")
    assert_clean_error(result, says="pip install 'flowtui[notebooks]'")


def test_flowtui_notebook_opens_jupyter_lab_on_the_notebooks_with_the_database(tmp_path, monkeypatch):
    db = tmp_path / "flow.duckdb"
    Cli(db).ok("init")
    launched = {}

    class FakeLab:
        def __init__(self, command, env):
            launched.update(command=command, env=env)

        def wait(self):
            return 0

    monkeypatch.setattr(notebook_cmds, "jupyter_lab_installed", lambda: True)
    monkeypatch.setattr(notebook_cmds.subprocess, "Popen", FakeLab)
    Cli(db).ok("notebook", "--no-browser")
    assert launched["env"]["FLOWTUI_DB"] == str(db.resolve())
    assert launched["command"][1:3] == ["-m", "jupyterlab"]
    assert f"--ServerApp.root_dir={NOTEBOOKS}" in launched["command"] and "--no-browser" in launched["command"]
    assert_clean_error(Cli(db)("notebook", "--dir", tmp_path / "nowhere"), says="no folder")
    assert_clean_error(Cli(tmp_path / "missing.duckdb")("notebook"), says="no flowtui database")


def test_an_installed_flowtui_opens_a_copy_of_its_notebooks(tmp_path, monkeypatch):
    """No checkout around: the packaged notebooks are copied to the user data dir once, never overwritten."""
    monkeypatch.setattr(notebook_cmds, "project_notebooks", lambda: tmp_path / "site-packages" / "notebooks")
    monkeypatch.setattr(notebook_cmds, "_packaged_notebooks", lambda: notebook_paths())
    monkeypatch.setattr(notebook_cmds, "user_notebooks", lambda: tmp_path / "data" / "notebooks")
    folder = notebook_cmds.notebooks_folder(None)
    assert folder == tmp_path / "data" / "notebooks"
    assert sorted(p.name for p in folder.iterdir()) == [f"{name}.ipynb" for name in EXPECTED]
    (folder / "daily_sales.ipynb").write_text("my edits")
    assert notebook_cmds.notebooks_folder(None) == folder
    assert (folder / "daily_sales.ipynb").read_text() == "my edits"
    monkeypatch.setattr(notebook_cmds, "_packaged_notebooks", lambda: [])
    (tmp_path / "elsewhere").mkdir()
    assert notebook_cmds.notebooks_folder(tmp_path / "elsewhere") == (tmp_path / "elsewhere").resolve()
    with pytest.raises(notebook_cmds.click.ClickException, match="--dir"):
        notebook_cmds.notebooks_folder(None)


def test_the_notebooks_ship_in_the_package_and_a_checkout_finds_its_own_installed_or_not(monkeypatch):
    """notebooks/ installs as flowtui.notebooks; a checkout opens its own notebooks/ whether installed or not."""
    config = tomllib.loads((NOTEBOOKS.parent / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert config["package-dir"]["flowtui.notebooks"] == "notebooks" and "flowtui.notebooks" in config["packages"]
    globs = config["package-data"]["flowtui.notebooks"]
    shipped = sorted(p.name for p in NOTEBOOKS.iterdir() if p.is_file() and p.name != "__init__.py")
    assert [name for name in shipped if not any(Path(name).match(g) for g in globs)] == []
    assert [p.name for p in notebook_cmds._packaged_notebooks()] == shipped
    assert notebook_cmds.notebooks_folder(None) == NOTEBOOKS

    def not_installed(name):
        raise ModuleNotFoundError(f"No module named {name!r}")

    monkeypatch.setattr(resources.importlib.resources, "files", not_installed)
    assert notebook_cmds.notebooks_folder(None) == NOTEBOOKS
    assert [p.name for p in notebook_cmds._packaged_notebooks()] == shipped
