"""Small dialogs: an error, a yes/no question, a line of input. Each returns a typed value."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.validation import Validator
from textual.widget import Widget
from textual.widgets import Button, Input, Label, Static

T = TypeVar("T")


class MessageModal(ModalScreen[T]):
    """A dialog of a title, a message and what :meth:`buttons` adds below it (buttons, a hint)."""

    def __init__(self, title: str, message: str, classes: str = "modal") -> None:
        super().__init__(classes=classes)
        self.title_text, self.message = title, message

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.title_text, id="dialog-title", markup=False)
            yield Static(self.message, id="dialog-body", markup=False)
            yield from self.buttons()

    def buttons(self) -> Iterable[Widget]:
        return ()

    @staticmethod
    def row(*buttons: Button) -> Horizontal:
        return Horizontal(*buttons, id="dialog-buttons")


class ErrorModal(MessageModal[None]):
    """Something went wrong: say it plainly; any key closes it."""

    AUTO_FOCUS = "#close"  # (focused as the dialog comes up; also when it is closed before it is fully up)

    BINDINGS = [Binding("escape,enter", "dismiss_modal", "Close", id="modal.close")]

    def __init__(self, title: str, message: str) -> None:
        super().__init__(title, message, classes="modal error")

    def buttons(self) -> Iterable[Widget]:
        yield self.row(Button("Close", id="close", variant="error"))

    def on_button_pressed(self, _: Button.Pressed) -> None:
        self.dismiss(None)

    def action_dismiss_modal(self) -> None:
        self.dismiss(None)


class ConfirmModal(MessageModal[bool]):
    """A yes/no question: ``y``/enter confirms, ``n``/escape does not."""

    AUTO_FOCUS = "#yes"  # (focused as the dialog comes up; also when it is closed before it is fully up)

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="modal.yes"),
        Binding("n,escape", "answer(False)", "No", id="modal.no"),
    ]

    def __init__(self, title: str, message: str, yes: str = "Yes") -> None:
        super().__init__(title, message)
        self.yes = yes

    def buttons(self) -> Iterable[Widget]:
        yield self.row(Button(f"{self.yes} (y)", id="yes", variant="primary"), Button("No (n)", id="no"))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")

    def action_answer(self, answer: bool) -> None:
        self.dismiss(answer)


class PromptModal(ModalScreen[str | None]):
    """One line of input; enter returns it, escape returns None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="modal.cancel")]

    def __init__(self, title: str, placeholder: str = "", value: str = "",
                 validators: list[Validator] | None = None, password: bool = False) -> None:
        super().__init__(classes="modal")
        self.title_text, self.placeholder, self.value = title, placeholder, value
        self.validators, self.password = validators or [], password

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(self.title_text, id="dialog-title", markup=False)
            yield Input(self.value, placeholder=self.placeholder, validators=self.validators, password=self.password,
                        id="prompt")
            yield Static("", id="dialog-error", markup=False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.validation_result is not None and not event.validation_result.is_valid:
            self.query_one("#dialog-error", Static).update(" ".join(event.validation_result.failure_descriptions))
            return
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class UnsavedModal(MessageModal[str | None]):
    """Leaving a form with changes: ``s``/enter saves them ("save"), ``d`` drops them ("discard"), escape stays (None)."""

    AUTO_FOCUS = "#save"

    BINDINGS = [
        Binding("s", "answer('save')", "Save", id="modal.unsaved.save"),
        Binding("d", "answer('discard')", "Discard", id="modal.unsaved.discard"),
        Binding("escape", "answer(None)", "Stay", id="modal.unsaved.stay"),
    ]

    def buttons(self) -> Iterable[Widget]:
        yield self.row(Button("Save (s)", id="save", variant="primary"),
                       Button("Discard (d)", id="discard", variant="error"), Button("Stay (esc)", id="stay"))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None if event.button.id == "stay" else event.button.id)

    def action_answer(self, answer: str | None) -> None:
        self.dismiss(answer)
