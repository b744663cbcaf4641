"""A footer that is rebuilt only when the keys it shows change.

Textual's ``Footer`` rebuilds all its key widgets whenever its screen reports
that the bindings changed — for instance on coming back from a dialog, when
they are usually just what they were. Rebuilding ~20 keys costs ~10 ms, on the
way to showing what the dialog asked for.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer


class SteadyFooter(Footer):
    """``Footer`` that skips rebuilding when its screen's shown keys are what it already shows."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._shown: tuple | None = None

    def _keys(self) -> tuple:
        """Everything about the screen's keys that the footer draws."""
        app = self.app
        return (self.compact, self.show_command_palette, tuple(
            (binding.key, app.get_key_display(binding), binding.description, binding.action, binding.show,
             binding.group, enabled, tooltip)
            for _, binding, enabled, tooltip in self.screen.active_bindings.values()
        ))

    def compose(self) -> ComposeResult:
        shown = 0
        for widget in super().compose():
            shown += 1
            yield widget
        self._shown = self._keys() if shown else None

    def bindings_changed(self, screen: Screen) -> None:
        if self._shown is not None and self.is_attached and screen is self.screen and self._keys() == self._shown:
            return
        super().bindings_changed(screen)
