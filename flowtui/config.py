"""User configuration: ``keymap.toml`` in the flowtui config folder.

Every console action has a stable id (``streams.sync``, ``digests.post``...);
map ids to keys to change them::

    # ~/.config/flowtui/keymap.toml
    [keys]
    "streams.sync" = "f5"
    "digests.post" = "ctrl+p,P"     # several keys: comma-separated
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from flowtui.engine.core.errors import FlowError
from flowtui.engine.setup.secrets import config_dir


def keymap_path() -> Path:
    return config_dir() / "keymap.toml"


def load_keymap(path: Path | None = None) -> dict[str, str]:
    """Binding id -> key(s); an empty map when there is no file."""
    path = path or keymap_path()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise FlowError(f"Cannot read {path}: {exc}") from None
    keys = data.get("keys", {})
    if not isinstance(keys, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in keys.items()):
        raise FlowError(f"{path}: [keys] must map action ids to keys, e.g. \"streams.sync\" = \"f5\".")
    return dict(keys)
