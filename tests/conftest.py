from __future__ import annotations

import pytest

from flowtui.engine.services.flow import Flow
from flowtui.engine.storage.database import Database


def pytest_configure(config):
    # pytest-textual-snapshot writes its failure report to the current directory: keep it out of the checkout's
    # files, in pytest's own (ignored) scratch folder; the summary prints where, --snapshot-report=PATH still chooses
    if config.getoption("--snapshot-report", None) == "snapshot_report.html":
        config.option.snapshot_report = str(config.rootpath / ".pytest_cache" / "snapshot_report.html")
    # syrupy counts the snapshots of tests that --lf did not re-run as unused, and fails a run whose tests all
    # passed: a re-run of the failed tests only warns (a full run still fails on a missing or an obsolete snapshot)
    if config.getoption("lf", False):
        config.option.warn_unused_snapshots = True


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path, monkeypatch):
    """No test touches the real user dirs or inherits a database path or frozen clock."""
    monkeypatch.setenv("FLOWTUI_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("FLOWTUI_LOCK_TIMEOUT", "10")
    monkeypatch.delenv("FLOWTUI_DB", raising=False)
    monkeypatch.delenv("FLOWTUI_NOW", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "flow.duckdb"


@pytest.fixture
def db(db_path):
    return Database.at(db_path)


@pytest.fixture
def flow(db):
    return Flow(db)


@pytest.fixture
def cli(db_path):
    """``cli("digests")`` runs ``flowtui --db DB digests`` in-process (tests/cli_helpers.py)."""
    from tests.cli_helpers import Cli

    return Cli(db_path)


@pytest.fixture
def orders_dir(tmp_path):
    folder = tmp_path / "orders"
    folder.mkdir()
    return folder
