"""One direction of dependency: engine never loads the UI; connectors never load storage or UI."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import flowtui.connectors
import flowtui.engine


def _modules(package) -> list[str]:
    return [m.name for m in pkgutil.walk_packages(package.__path__, package.__name__ + ".")]


def _loaded_after_import(module: str) -> set[str]:
    code = f"import sys, {module}; print('\\n'.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    return set(out.stdout.split())


@pytest.mark.parametrize("module", _modules(flowtui.engine))
def test_engine_modules_do_not_load_textual(module):
    loaded = _loaded_after_import(module)
    assert "textual" not in loaded
    assert "flowtui.screens" not in loaded and "flowtui.cli" not in loaded


@pytest.mark.parametrize("module", _modules(flowtui.connectors))
def test_connectors_do_not_load_storage_or_ui(module):
    loaded = _loaded_after_import(module)
    assert "flowtui.engine.storage.database" not in loaded
    assert "textual" not in loaded and "flowtui.cli" not in loaded
