"""The footer: the keys an operator needs first, however narrow the terminal; the rest as room allows.

Textual's ``Footer`` lays every shown key out in one row and lets those past the
right edge fall off, so at 80 columns a screen's most used keys (and help) could be
the ones cut. :class:`SteadyFooter` chooses what it shows by width:

* always the escape key (Back, Cancel, Close: whatever escape does there) and ``?`` Help;
* always the screen's most used keys, named by binding id in its ``FOOTER_KEYS``
  (``FOOTER_KEYS = ("digests.open", "digests.post", "digests.filter")``);
* then the key of the command palette, on the right, if there is room for it;
* then the other shown keys, in order, as long as they fit; those left out stay in
  help (``?``) and in the command palette (``ctrl+p``).

It chooses again when the terminal is resized. And it is rebuilt only when what it
shows changes: Textual's ``Footer`` rebuilds all its key widgets whenever its screen
reports that the bindings changed — for instance on coming back from a dialog, when
they are usually just what they were. Rebuilding ~20 keys costs ~10 ms, on the way
to showing what the dialog asked for.
"""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

HELP_ID = "app.help"
ALWAYS_KEYS = ("escape",)  # whatever escape does where you are, it is shown
Shown = tuple[Binding, bool, str]  # a binding, whether it is enabled, its tooltip


def footer_keys(screen: Screen) -> tuple[str, ...]:
    """The binding ids of the keys ``screen`` wants shown whatever the width (its ``FOOTER_KEYS``)."""
    return tuple(getattr(screen, "FOOTER_KEYS", ()))


class SteadyFooter(Footer):
    """``Footer`` that shows escape, help and the screen's ``FOOTER_KEYS`` first, the other keys as they fit."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._shown: tuple | None = None

    # -- what to show ----------------------------------------------------------------------------
    def _candidates(self) -> list[Shown]:
        """The screen's shown keys, one per action (its first key), in the screen's order."""
        seen: set[str] = set()
        found: list[Shown] = []
        for _, binding, enabled, tooltip in self.screen.active_bindings.values():
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            found.append((binding, enabled, tooltip))
        return found

    def _width(self, binding: Binding) -> int:
        """Columns one key takes in this footer: ``" esc Back "``, or ``"esc Back "`` when compact."""
        key, description = self.app.get_key_display(binding), binding.description
        return len(key) + len(description) + (2 if self.compact else 3)

    def _palette_width(self) -> int:
        if not (self.show_command_palette and self.app.ENABLE_COMMAND_PALETTE):
            return 0
        active = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
        if active is None:
            return 0
        return self._width(active.binding) + 2  # its border and right padding

    def choose(self, width: int | None = None) -> tuple[list[Shown], bool]:
        """The keys shown at ``width`` columns (the footer's own by default), in the order they are drawn, and
        whether the command palette's key is shown too (not when the keys that must show need its room)."""
        room = self.size.width if width is None else width
        candidates = self._candidates()
        primary = footer_keys(self.screen)

        def always(binding: Binding) -> bool:
            return any(key.strip() in ALWAYS_KEYS for key in binding.key.split(","))

        def must(binding: Binding) -> bool:
            return binding.id == HELP_ID or binding.id in primary or always(binding)

        chosen = {id(binding) for binding, _, _ in candidates if must(binding)}
        room -= sum(self._width(binding) for binding, _, _ in candidates if id(binding) in chosen)
        palette = self._palette_width()
        with_palette = bool(palette) and palette <= room
        room -= palette if with_palette else 0
        for binding, _, _ in candidates:
            if id(binding) not in chosen and self._width(binding) <= room:
                chosen.add(id(binding))
                room -= self._width(binding)
            elif id(binding) not in chosen:
                room = -1  # keep the order: nothing after a key that did not fit

        def place(item: Shown) -> tuple[int, int]:
            binding = item[0]
            if binding.id == HELP_ID:
                return 3, 0
            if binding.id in primary:
                return 1, primary.index(binding.id)
            return (0, 0) if always(binding) else (2, 0)

        return sorted((item for item in candidates if id(item[0]) in chosen), key=place), with_palette

    def _keys(self) -> tuple:
        """Everything about the keys shown that the footer draws."""
        app = self.app
        shown, with_palette = self.choose()
        return (self.compact, with_palette, tuple(
            (binding.key, app.get_key_display(binding), binding.description, binding.action, enabled, tooltip)
            for binding, enabled, tooltip in shown))

    # -- drawing ---------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        shown, with_palette = self.choose()
        for binding, enabled, tooltip in shown:
            yield FooterKey(binding.key, self.app.get_key_display(binding), binding.description, binding.action,
                            disabled=not enabled, tooltip=tooltip).data_bind(compact=Footer.compact)
        if with_palette:
            active = self.screen.active_bindings.get(self.app.COMMAND_PALETTE_BINDING)
            if active is not None:
                binding = active.binding
                yield FooterKey(binding.key, self.app.get_key_display(binding), binding.description,
                                binding.action, classes="-command-palette", disabled=not active.enabled,
                                tooltip=binding.tooltip or binding.description)
        self._shown = self._keys()

    def bindings_changed(self, screen: Screen) -> None:
        if self._shown is not None and self.is_attached and screen is self.screen and self._keys() == self._shown:
            return
        super().bindings_changed(screen)

    def on_resize(self, _: events.Resize) -> None:
        if self._shown is not None and self._keys() != self._shown:
            self.call_after_refresh(self.recompose)
