"""What every console screen shares: the engine, workers for anything slow, clean errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from textual.message import Message
from textual.screen import Screen
from textual.worker import Worker, WorkerState

if TYPE_CHECKING:
    from flowtui.app import FlowApp
    from flowtui.engine.services.flow import Flow


class ModeEntered(Message, bubble=False):
    """Posted to the screen on top of a mode that F1-F4 come back to: what it shows may have changed meanwhile."""


class FlowScreen(Screen):
    """A screen that talks to the engine only through workers (never on the UI thread)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.opened_as: tuple[str, dict[str, Any]] | None = None  # (name, arguments) when the app opened it by name
        self._done: dict[Worker, Callable[[Any], object] | None] = {}

    @property
    def flow(self) -> Flow:
        return self.flowapp.flow

    @property
    def flowapp(self) -> FlowApp:
        return self.app  # type: ignore[return-value]

    def run_engine(self, job: Callable[[], Any], done: Callable[[Any], object] | None = None, *,
                   name: str = "engine", exclusive: bool = True) -> Worker:
        """Run ``job`` in a thread; ``done(result)`` runs back on the UI; errors become the error modal."""
        worker = self.run_worker(job, name=name, group=name, thread=True, exclusive=exclusive, exit_on_error=False)
        self._done[worker] = done
        return worker

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker not in self._done:
            return
        if event.state == WorkerState.SUCCESS:
            callback = self._done.pop(event.worker)
            if callback is not None:
                callback(event.worker.result)
        elif event.state in (WorkerState.ERROR, WorkerState.CANCELLED):
            self._done.pop(event.worker, None)
            if event.state == WorkerState.ERROR:
                self.flowapp.show_error(event.worker.error)
                event.stop()
