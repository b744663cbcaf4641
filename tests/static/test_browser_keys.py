"""In ``flowtui web`` the browser keeps some keys for itself (ctrl+t a new tab, ctrl+n a window, ctrl+w closes the
tab, f5 reloads): every action bound to one of them has another key too."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from textual.binding import Binding

import flowtui.screens
from flowtui.app import FlowApp
from flowtui.screens.common.keys import BROWSER_KEYS


def bindings() -> list[tuple[str, Binding]]:
    found = [("FlowApp", binding) for binding in FlowApp.BINDINGS if isinstance(binding, Binding)]
    for module in pkgutil.walk_packages(flowtui.screens.__path__, "flowtui.screens."):
        loaded = importlib.import_module(module.name)
        for name, cls in inspect.getmembers(loaded, inspect.isclass):
            if cls.__module__ == loaded.__name__:
                found += [(name, b) for b in cls.__dict__.get("BINDINGS", []) if isinstance(b, Binding)]
    return found


def test_no_action_has_only_keys_a_browser_keeps():
    only_browser = [f"{owner}: {b.key} -> {b.action}" for owner, b in bindings()
                    if {key.strip() for key in b.key.split(",")} <= BROWSER_KEYS]
    assert only_browser == []


def test_the_screens_bindings_are_found():
    owners = {owner for owner, _ in bindings()}
    assert {"ConnectScreen", "DigestsScreen", "CheckoutScreen", "LocationModal"} <= owners
