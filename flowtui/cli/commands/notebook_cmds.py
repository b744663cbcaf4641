"""flowtui notebook (Jupyter Lab on the accountants' notebooks) and flowtui export (the views as files)."""

from __future__ import annotations

import importlib.util
import os
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import click

from flowtui.cli.context import pass_context, read_only
from flowtui.cli.output import echo, emit_json
from flowtui.cli.params import DATE, json_option
from flowtui.engine.core.errors import DatabaseError
from flowtui.engine.core.resources import in_checkout, shipped_folder
from flowtui.engine.storage.database import default_db_path

_DATE_LIKE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
INSTALL_HINT = ("pip install 'flowtui[notebooks]' (in a checkout: .venv/bin/pip install -e '.[notebooks]')")


def project_notebooks() -> Path:
    """The ``notebooks/`` folder flowtui ships: the checkout's, or installed as ``flowtui.notebooks``."""
    return shipped_folder("notebooks")


def user_notebooks() -> Path:
    """Where an installed flowtui puts its own copy of the notebooks (next to the default database)."""
    return default_db_path().parent / "notebooks"


def notebooks_folder(explicit: Path | None) -> Path:
    """``--dir``; else the checkout's ``notebooks/``; else a copy of the packaged notebooks in the user data dir.

    The packaged ones are copied (never overwriting one already there) because
    a notebook is edited and saved, which it must not be inside site-packages.
    """
    if explicit is not None:
        folder = explicit.expanduser().resolve()
        if not folder.is_dir():
            raise click.ClickException(f"There is no folder {folder}.")
        return folder
    checkout = project_notebooks()
    if checkout.is_dir() and in_checkout(checkout):  # a checkout, not site-packages
        return checkout
    packaged = _packaged_notebooks()
    if packaged:
        target = user_notebooks()
        target.mkdir(parents=True, exist_ok=True)
        for item in packaged:
            if not (target / item.name).exists():
                (target / item.name).write_bytes(item.read_bytes())
        return target
    raise click.ClickException("This flowtui has no notebooks folder; pass one with --dir "
                               "(the notebooks are in the notebooks/ folder of the flowtui source).")


def _packaged_notebooks() -> list[Path]:
    folder = shipped_folder("notebooks")
    if not folder.is_dir():
        return []
    return sorted(item for item in folder.iterdir() if item.name.endswith((".ipynb", ".md")))


def jupyter_lab_installed() -> bool:
    return importlib.util.find_spec("jupyterlab") is not None


def split_to(values: tuple[str, ...]) -> tuple[Path | None, date | None]:
    """``--to`` as the issue spells it: a YYYY-MM-DD value is the last date, anything else the folder."""
    folders = [v for v in values if not _DATE_LIKE.match(v.strip())]
    dates = [DATE.convert(v, None, None) for v in values if _DATE_LIKE.match(v.strip())]
    if len(folders) > 1:
        raise click.UsageError(f"--to names two folders ({', '.join(folders)}); give one folder (--out DIR).")
    if len(dates) > 1:
        raise click.UsageError("--to gives two last dates; give one.")
    return (Path(folders[0]) if folders else None), (dates[0] if dates else None)


@click.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.option("--dir", "folder", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder of notebooks to open (default: the checkout's notebooks/; an installed flowtui "
                   "uses a copy of the notebooks it ships, in the user data dir, else needs --dir).")
@click.argument("jupyter_args", nargs=-1, type=click.UNPROCESSED)
@pass_context
def notebook(ctx, folder, jupyter_args):
    """Open Jupyter Lab on the notebooks, reading this database.

    The notebooks get the database path in FLOWTUI_DB and read a snapshot of
    it (flowtui.notebook.connect), so the console and the nightly sync keep
    working meanwhile. Other options go to Jupyter (e.g. --no-browser --port 8890).
    Needs the notebooks extra: pip install 'flowtui[notebooks]'.
    """
    db = ctx.flow.db
    if not jupyter_lab_installed():
        raise click.ClickException(f"Jupyter Lab is not installed in this environment ({sys.prefix}). "
                                   f"Install the notebooks extra: {INSTALL_HINT}.")
    folder = notebooks_folder(folder)
    if not db.path.exists():
        raise DatabaseError(f"There is no flowtui database at {db.path}. Point --db (or FLOWTUI_DB) at one, "
                            "or build one with `flowtui demo`.")
    env = dict(os.environ, FLOWTUI_DB=str(db.path.resolve()))
    if ctx.lock_timeout is not None:
        env["FLOWTUI_LOCK_TIMEOUT"] = str(ctx.lock_timeout)
    command = [sys.executable, "-m", "jupyterlab", f"--ServerApp.root_dir={folder}", *jupyter_args]
    echo(f"Jupyter Lab on {folder}, reading {db.path} (ctrl+c twice to stop).", err=True)
    process = subprocess.Popen(command, env=env)
    try:
        code = process.wait()
    except KeyboardInterrupt:  # Jupyter handles ctrl+c itself; wait for it to shut down
        code = process.wait()
    if code:
        raise SystemExit(code)


@click.command()
@click.option("--format", "fmt", type=click.Choice(["parquet", "csv", "xlsx"]), required=True,
              help="parquet and csv: one file per view; xlsx: one workbook, one sheet per view.")
@click.option("--out", "--dir", "folder", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="Folder to write into (created if missing; files of the same name are replaced).")
@click.option("--from", "start", type=DATE, help="First date (views that have a date).")
@click.option("--to", "to", multiple=True, metavar="YYYY-MM-DD|DIR",
              help="Last date (views that have a date). A value that is not a date is taken as the folder, "
                   "so `--to DIR --from D --to D` works too.")
@click.option("--view", "views", multiple=True, metavar="NAME", help="Only this view (repeatable; default all).")
@json_option
@read_only
@pass_context
def export(ctx, fmt, folder, start, to, views, as_json):
    """Write the documented views (docs/schema.md) as parquet, csv or xlsx files.

    --from/--to limit the views that have a date (orders, payments, digests,
    invoices, journal…); trial balance, stock, products, streams and sync
    runs are written whole.
    """
    to_folder, end = split_to(to)
    if folder is not None and to_folder is not None:
        raise click.UsageError(f"Two folders given (--out {folder} and --to {to_folder}); give one.")
    folder = folder or to_folder
    if folder is None:
        raise click.UsageError("Say where to write the files: --out DIR.")
    result = ctx.flow.export_views(fmt, folder, start=start, end=end, views=list(views))
    if as_json:
        emit_json([{"view": v.view, "rows": v.rows, "path": str(v.path), "date_filtered": v.filtered}
                   for v in result.views])
        return
    from flowtui.cli.output import table

    table(["VIEW", "ROWS", "FILE"], [[v.view, f"{v.rows:,}", v.path.name if fmt != "xlsx" else f"{v.path.name} "
                                      f"(sheet {v.view})"] for v in result.views], right={1})
    echo(f"\nWrote {len(result.views)} view(s) to {result.folder}"
         + (f" ({start or '…'} to {end or '…'} where a view has a date)." if start or end else "."))


def register(cli: click.Group) -> None:
    """Add the commands of this module to ``cli``."""
    cli.add_command(notebook)
    cli.add_command(export)
