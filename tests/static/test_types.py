"""flowtui/ type-checks clean (mypy, configured in pyproject's [tool.mypy])."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_mypy_finds_nothing():
    # about 15 s of CPU from a clean clone (its cache, .mypy_cache, is ignored by git); the bound is for a busy machine
    result = subprocess.run([sys.executable, "-m", "mypy", "flowtui"], cwd=ROOT, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
