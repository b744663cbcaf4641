"""The file source's declaration: NDJSON and CSV orders from a file or a folder of them."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from flowtui.connectors.base import Connector
from flowtui.connectors.declaration import Cursor, Option, Provider, ProviderConfigError, SourceKey


def _config(options: dict) -> dict:
    raw = options.get("path")
    if not raw:
        raise ProviderConfigError("A file stream needs --path FILE_OR_DIR (NDJSON or CSV orders).")
    path = Path(raw).expanduser().resolve()
    if not path.exists():
        raise ProviderConfigError(f"{path} does not exist; create the folder or file first.")
    return {"path": str(path)}


def _source(config: dict) -> SourceKey:
    path = Path(config["path"]).expanduser().resolve()
    return SourceKey(("file", *path.parts), str(path))


def _connect(config: dict, _secrets: Mapping[str, str | None]) -> Connector:
    from flowtui.connectors.file.reader import FileConnector

    return FileConnector(Path(config["path"]))


PROVIDER = Provider(
    "file", "Files (NDJSON / CSV)", _connect,
    options=(Option("path", "Path", "an NDJSON/CSV file or a folder of them.", required=True, kind="path",
                    placeholder="folder or file of orders", missing="Give the folder or file holding the orders."),),
    configure=_config, cursor=Cursor.NONE, source=_source, asks_start_date=False, order=20,
    hint="NDJSON or CSV order files, or a folder of them.",
)
