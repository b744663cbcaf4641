"""The keys that work on a screen, as help (``?``) and the command palette (ctrl+p) list them.

Three groups, in this order: the screen's own keys (flowtui's bindings, each with an id, on the screen or on
one of its widgets), the app's global keys (help, F1-F4, quit), then the generic keys of the widgets (a
table's cursor keys, a field's editing keys: Textual's own bindings, which have no id).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from textual.app import App
from textual.binding import Binding
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import Input

#: keys a browser keeps for itself: in ``flowtui web`` they never reach the console, so none may be the only key
#: of an action (tests/static/test_browser_keys.py)
BROWSER_KEYS = frozenset({"ctrl+t", "ctrl+n", "ctrl+w", "f5", "ctrl+shift+t", "ctrl+shift+n", "ctrl+shift+w"})


class KeyGroup(IntEnum):
    SCREEN = 0
    APP = 1
    GENERIC = 2


@dataclass(frozen=True)
class KeyRow:
    keys: str  # as shown: "enter, d"
    description: str
    binding_id: str
    action: str
    node: DOMNode  # where the action runs
    group: KeyGroup


def key_rows(app: App, screen: Screen) -> list[KeyRow]:
    """Every described key active on ``screen`` (its focused widget, the screen, the app), grouped as above."""
    found: dict[tuple[int, str], tuple[list[str], Binding, DOMNode]] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        if not binding.description or binding.system:
            continue
        shown = binding.key_display or app.get_key_display(binding)
        keys, _, _ = found.setdefault((id(active.node), binding.action), ([], binding, active.node))
        if shown not in keys:
            keys.append(shown)
    nodes = list(dict.fromkeys(node for _, _, node in found.values()))  # the focused widget first, the app last
    rows = []
    for keys, binding, node in found.values():
        group = KeyGroup.APP if node is app else KeyGroup.SCREEN if binding.id else KeyGroup.GENERIC
        rows.append(KeyRow(", ".join(keys), binding.description, binding.id or "", binding.action, node, group))
    # the screen's own keys first, then its widgets' (a table's Columns), each in the order declared
    return sorted(rows, key=lambda row: (row.group, row.node is not screen, nodes.index(row.node),
                                         _declared(row.node, row.action)))


def _declared(node: DOMNode, action: str) -> int:
    """Where ``action`` comes in ``node``'s BINDINGS: help lists a screen's keys in the order it declares them."""
    actions = [binding.action for _, binding in node._bindings]
    return actions.index(action) if action in actions else len(actions)


class NoQuestionMarkInput(Input):
    """A field that never holds a ``?`` (the till's scan line, a date, an amount): there ``?`` opens help.

    ``?`` is a priority key of the app, so it opens help wherever the focus is, except in a field that takes it as
    text: Textual leaves a key to a focused field that says it consumes it. Free-text fields (names, addresses,
    secrets, the palette's search) keep ``?`` as a character; ctrl+p then "Help" reaches help from them.
    """

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return character != "?" and super().check_consume_key(key, character)
