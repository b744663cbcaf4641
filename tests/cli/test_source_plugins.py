"""Sources are plug-ins: one package and its entry point, nothing in flowtui touched (docs/connectors.md).

The plug-ins here are written on the fly (tests/plugin_factory.py) into a folder put on PYTHONPATH of a
real ``flowtui`` process, the way an installed one is found.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from flowtui.connectors import registry
from flowtui.connectors.base import Window
from flowtui.connectors.declaration import Cursor, Option, Provider, ProviderConfigError, configure_declared
from flowtui.engine.core.errors import InvalidInput
from flowtui.engine.pipeline.sync import default_window, next_cursor
from flowtui.engine.setup.streams import Stream, StreamSettings
from tests.plugin_factory import TOKEN, acme_plugin, broken_plugin, wrong_plugin


def flowtui(tmp_path: Path, plugins: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(plugins), FLOWTUI_DB=str(tmp_path / "books.duckdb"),
               FLOWTUI_CONFIG_DIR=str(tmp_path / "config"), FLOWTUI_NOW="2026-10-10T04:00:00Z")
    env.pop("FLOWTUI_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "flowtui", *args], input=stdin, capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=120)


def test_a_source_installed_as_its_own_package_is_added_listed_and_synced(tmp_path):
    plugins = acme_plugin(tmp_path / "site")

    helped = flowtui(tmp_path, plugins, "stream", "add", "--help")
    assert helped.returncode == 0, helped.stderr
    assert "acme|file|minipos|shopify|storehub" in helped.stdout.replace("\n", " ").replace(" ", "")
    for flag in ("--shop-url", "--token -", "--token-env VARIABLE", "--region [asia|europe]"):
        assert flag in helped.stdout
    assert "acme streams: the shop's address" in " ".join(helped.stdout.split())
    assert "--api-key -" in helped.stdout and "--path PATH" in helped.stdout  # flowtui's own are still there

    added = flowtui(tmp_path, plugins, "stream", "add", "Acme Bangsar", "--provider", "acme",
                    "--shop-url", "https://kopi.acme.example", "--token", "-", stdin=TOKEN + "\n")
    assert added.returncode == 0, added.stderr
    assert "Added Acme POS stream 'Acme Bangsar'. Next: `flowtui sync 'Acme Bangsar'`." in added.stdout
    assert TOKEN not in added.stdout + added.stderr

    synced = flowtui(tmp_path, plugins, "sync", "Acme Bangsar")
    assert synced.returncode == 0, synced.stdout + synced.stderr  # the connector got its token from the secrets file

    listed = flowtui(tmp_path, plugins, "stream", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    [row] = [r for r in json.loads(listed.stdout) if r["name"] == "Acme Bangsar"]
    assert row["provider"] == "acme" and row["status"] == "ok" and row["credentials"] == "••••5678"
    assert row["cursor_date"] == "2026-10-10"  # an `updated since` source: the cursor is the day of the sync
    table = flowtui(tmp_path, plugins, "stream", "list")
    assert "Acme Bangsar" in table.stdout and "acme" in table.stdout

    secrets = (tmp_path / "config" / "secrets.json").read_text()
    assert ":stream:Acme Bangsar:token" in secrets and TOKEN in secrets  # kept as flowtui keeps an API key

    # the plug-in uninstalled: its stream stays in the books, listed; syncing it says why it cannot
    elsewhere = tmp_path / "nothing"
    elsewhere.mkdir()
    listed = flowtui(tmp_path, elsewhere, "stream", "list", "--json")
    assert listed.returncode == 0 and json.loads(listed.stdout)[0]["provider"] == "acme"
    synced = flowtui(tmp_path, elsewhere, "sync", "Acme Bangsar")
    assert synced.returncode == 1 and "Unknown provider 'acme'" in synced.stdout + synced.stderr


def test_a_broken_plugin_is_reported_and_skipped_and_flowtui_keeps_working(tmp_path):
    plugins = wrong_plugin(broken_plugin(tmp_path / "site"))
    assert flowtui(tmp_path, plugins, "stream", "add", "Shop", "--provider", "file", "--path", str(tmp_path)).returncode == 0

    listed = flowtui(tmp_path, plugins, "stream", "list")
    assert listed.returncode == 0, listed.stderr
    assert "Shop" in listed.stdout and "Traceback" not in listed.stderr
    assert ("warning: source plug-in broken (broken_pos:PROVIDER) was skipped: it failed to load: "
            "ModuleNotFoundError: No module named 'shopify_api_that_is_not_installed'") in listed.stderr
    assert "source plug-in wrong (wrong_pos:PROVIDER) was skipped: it names a dict, not a" in listed.stderr
    as_json = flowtui(tmp_path, plugins, "stream", "list", "--json")
    assert as_json.returncode == 0 and json.loads(as_json.stdout)[0]["name"] == "Shop"
    helped = flowtui(tmp_path, plugins, "stream", "add", "--help")
    assert "[file|minipos|shopify|storehub]" in helped.stdout.replace(" ", "").replace("\n", "")


# -- the declaration, in-process ----------------------------------------------------------------------


def _declared(**overrides) -> Provider:
    def connect(config, secrets):
        raise AssertionError("not connected in these tests")

    return Provider(**{"name": "shop", "label": "Shop", "connect": connect, **overrides})


def test_options_without_a_configure_of_their_own_are_checked_from_the_declaration():
    declared = _declared(options=(
        Option("shop_url", "Shop URL", "the shop's address.", required=True, kind="url"),
        Option("token", "Token", "the token.", required=True, secret=True),
        Option("region", "Region", "where.", choices=("asia", "europe"), default="asia"),
    ))
    config = declared.stored_config({"shop_url": " https://x.example ", "token": {"secret": "entry"}})
    assert config == {"shop_url": "https://x.example", "token": {"secret": "entry"}, "region": "asia"}
    with pytest.raises(ProviderConfigError, match=r"A Shop stream needs --shop-url \(the shop's address\)"):
        configure_declared(declared, {"token": {"env": "T"}})
    with pytest.raises(ProviderConfigError, match=r"needs its Token: --token - .* or --token-env VARIABLE"):
        declared.stored_config({"shop_url": "https://x.example"})
    with pytest.raises(ProviderConfigError, match="--region must be one of asia, europe, not 'mars'"):
        declared.stored_config({"shop_url": "https://x.example", "token": {"env": "T"}, "region": "mars"})
    with pytest.raises(ProviderConfigError, match="--shop-url must start with http:// or https://"):
        declared.stored_config({"shop_url": "ftp://x", "token": {"env": "T"}})


def test_a_declaration_says_what_is_wrong_with_it():
    assert _declared().problems() == []
    wrong = _declared(name="Shop!", options=(Option("grouping", "G", "g"), Option("a", "A", "a", kind="date"),
                                             Option("a", "A", "a", secret=True, choices=("x",))))
    problems = " | ".join(wrong.problems())
    for said in ("provider name 'Shop!'", "option 'a' is declared twice", "option name 'grouping' is not allowed",
                 "kind 'date'", "secret option 'a' can have neither choices nor a kind"):
        assert said in problems


def _stream(provider: str, cursor_date: date | None, start_date: date | None = None) -> Stream:
    return Stream(1, "S", provider, None, {}, True, False, "sku", start_date, 3, cursor_date, None)


@pytest.fixture
def cursors(monkeypatch):
    """Three providers, one per cursor kind, as the registry would have found them."""
    found = {kind.value: _declared(name=kind.value, cursor=kind) for kind in Cursor}
    monkeypatch.setattr(registry, "providers", lambda: found)


def test_the_window_a_sync_asks_for_comes_from_the_declared_cursor(cursors):
    today, cursor, start = date(2026, 10, 10), date(2026, 10, 8), date(2026, 9, 1)
    assert default_window(_stream("none", cursor, start), today) == Window(start, None)
    assert default_window(_stream("window", cursor, start), today) == Window(date(2026, 10, 5), date(2026, 10, 9))
    assert default_window(_stream("window", None), today) == Window(date(2026, 10, 9), date(2026, 10, 9))
    since = default_window(_stream("updated_since", cursor, start), today)
    assert since == Window(start, None, updated_since=date(2026, 10, 5))  # every business date; changed since
    assert next_cursor(_stream("updated_since", cursor), since, today) == today
    assert next_cursor(_stream("window", cursor), Window(date(2026, 10, 5), date(2026, 10, 9)), today) == date(2026, 10, 9)
    assert next_cursor(_stream("none", cursor), Window(start, None), today) is None


def test_flowtuis_own_sources_are_found_through_their_entry_points():
    registry.rediscover()
    assert list(registry.providers())[:3] == ["storehub", "file", "minipos"]  # the Connect screen offers StoreHub
    assert registry.skipped() == []
    from flowtui.connectors.storehub import client, provider

    assert provider.BASE_URL == client.BASE_URL  # the declaration's default is the client's address


def test_a_source_with_two_secrets_keeps_each_where_flowtui_keeps_an_api_key(flow, monkeypatch):
    handed: list[dict] = []

    def connect(config, secrets):
        handed.append(dict(secrets))
        return object()

    two = _declared(name="two", label="Two", connect=connect, options=(
        Option("shop", "Shop", "the shop.", required=True),
        Option("key", "Key", "the key.", required=True, secret=True),
        Option("signing_secret", "Signing secret", "the webhook secret.", secret=True),
    ))
    found = {**registry.providers(), "two": two}
    monkeypatch.setattr(registry, "providers", lambda: found)
    monkeypatch.setenv("SIGN", "sign-abcdefgh1234")
    flow.init()

    with pytest.raises(InvalidInput, match="Give either --signing-secret or --signing-secret-env, not both"):
        flow.add_stream("Two", "two", {"shop": "s", "key": "k", "signing_secret": "x", "signing_secret_env": "SIGN"},
                        StreamSettings())
    with pytest.raises(InvalidInput, match="A Two stream needs its Key"):
        flow.add_stream("Two", "two", {"shop": "s", "signing_secret": "never-kept"}, StreamSettings())
    assert not flow.secrets.path.exists()  # a refused stream keeps nothing

    added = flow.add_stream("Two", "two", {"shop": "s", "key": "key-0000567890", "signing_secret_env": "$SIGN"},
                            StreamSettings())
    entry = added.config["key"]["secret"]
    assert entry.endswith(":stream:Two:key") and added.config["signing_secret"] == {"env": "SIGN"}
    assert flow.credentials(added) == "Key ••••7890, Signing secret from $SIGN"
    flow.connector("Two")
    assert handed == [{"key": "key-0000567890", "signing_secret": "sign-abcdefgh1234"}]

    changed = flow.update_stream("Two", StreamSettings(), {"key": "key-1111122222"})
    assert changed.config["key"]["secret"] == entry and flow.secrets.get(entry) == "key-1111122222"  # replaced in place
