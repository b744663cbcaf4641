"""Where the files flowtui ships beside its code are: the PDF templates (``reports/``) and the notebooks (``notebooks/``).

They live at the top of the source tree, next to ``flowtui/``, and install as the packages ``flowtui.reports`` and
``flowtui.notebooks`` (``[tool.setuptools.package-dir]`` in pyproject.toml). :func:`shipped_folder` finds them both
ways: through the installed package when there is one, else in the checkout the code runs from
(``PYTHONPATH=. python -m flowtui``, no install).
"""

from __future__ import annotations

import importlib.resources
import os
from pathlib import Path

SHIPPED = ("reports", "notebooks")
CHECKOUT = Path(__file__).resolve().parents[3]  # flowtui/engine/core/resources.py -> the source tree


def shipped_folder(name: str) -> Path:
    """The folder ``name`` (``"reports"`` or ``"notebooks"``): installed as ``flowtui.<name>``, else the checkout's.

    Always a path; a folder that is in neither place is the checkout's path, which does not exist.
    """
    if name not in SHIPPED:
        raise ValueError(f"flowtui ships no folder {name!r} (only {', '.join(SHIPPED)})")
    try:
        installed = importlib.resources.files(f"flowtui.{name}")
    except ModuleNotFoundError:  # a checkout on the path, not installed
        return CHECKOUT / name
    return Path(os.path.realpath(str(installed)))


def in_checkout(folder: Path) -> bool:
    """Whether ``folder`` is one of the source tree's own (editable where it is), not a copy inside site-packages."""
    return (folder.parent / "pyproject.toml").is_file() and (folder.parent / "flowtui").is_dir()
