"""Source plug-ins made on the fly: a package and its ``*.dist-info`` (METADATA, entry_points.txt) in a folder.

Put the folder on ``PYTHONPATH`` (a subprocess) or ``sys.path`` (in-process, then
``registry.rediscover()``) and flowtui finds the plug-in the way it finds an installed one: through the
entry point group ``flowtui.providers``. Nothing in flowtui's own code is touched.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from tests.factories import order

TOKEN = "acme-token-5678"
#: one canonical order the Acme source hands over (docs/orders.md)
ACME_ORDER = order("A-1", "ACME-1", "2026-10-08T03:00:00Z", [("KOPI", 2, "3.50")])

ACME_SOURCE = '''
"""Acme POS: a source written outside flowtui, declared once."""

import json

from flowtui.connectors.base import OrderBatch, SourceStore
from flowtui.connectors.declaration import Cursor, Option, Provider, ProviderConfigError

ORDER = {order!r}


class AcmeConnector:
    provider = "acme"

    def __init__(self, shop_url, token):
        self.shop_url, self.token = shop_url, token

    def fetch(self, window):
        yield OrderBatch(orders=[json.dumps(ORDER)], refs=["acme:A-1"], stores=self.stores())

    def stores(self):
        return [SourceStore("ACME-1", "Acme Bangsar")]

    def test(self):
        return f"Acme shop at {{self.shop_url}}: 1 store"


def connect(config, secrets):
    if secrets.get("token") != {token!r}:
        raise ProviderConfigError("Acme refused the token; set it with `flowtui stream set NAME --token -`.")
    return AcmeConnector(config["shop_url"], secrets["token"])


PROVIDER = Provider(
    "acme", "Acme POS", connect,
    options=(
        Option("shop_url", "Shop URL", "the shop's address, e.g. https://kopi.acme.example.", required=True,
               kind="url", placeholder="https://SHOP.acme.example"),
        Option("token", "Access token", "the shop's access token (`-`: asked for, or read from stdin).",
               required=True, secret=True),
        Option("region", "Region", "the Acme region the shop is in.", choices=("asia", "europe"), default="asia"),
    ),
    cursor=Cursor.UPDATED_SINCE,
    hint="Acme POS shops: the token is under Settings > API.",
)
'''


def write_distribution(root: Path, package: str, source: str, entry_points: dict[str, str]) -> Path:
    """``root/package/__init__.py`` holding ``source``, and ``root/<package>-1.0.dist-info`` naming its entry points."""
    (root / package).mkdir(parents=True)
    (root / package / "__init__.py").write_text(textwrap.dedent(source), encoding="utf-8")
    info = root / f"{package}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {package.replace('_', '-')}\nVersion: 1.0\n",
                                   encoding="utf-8")
    lines = "".join(f"{name} = {target}\n" for name, target in entry_points.items())
    (info / "entry_points.txt").write_text(f"[flowtui.providers]\n{lines}", encoding="utf-8")
    return root


def acme_plugin(root: Path) -> Path:
    """A working source plug-in, ``acme``: a URL, a secret token, a choice; one store, one order."""
    source = ACME_SOURCE.format(order=json.loads(json.dumps(ACME_ORDER)), token=TOKEN)
    return write_distribution(root, "acme_pos", source, {"acme": "acme_pos:PROVIDER"})


def broken_plugin(root: Path) -> Path:
    """A plug-in whose package cannot be imported (a dependency it needs is not installed)."""
    return write_distribution(root, "broken_pos", "import shopify_api_that_is_not_installed\n",
                              {"broken": "broken_pos:PROVIDER"})


def wrong_plugin(root: Path) -> Path:
    """A plug-in that loads but names something that is not a Provider."""
    return write_distribution(root, "wrong_pos", "PROVIDER = {'name': 'wrong'}\n", {"wrong": "wrong_pos:PROVIDER"})
