"""Sync now: live progress, cancel with escape, a summary at the end."""

from __future__ import annotations

import threading
from typing import cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, ProgressBar, Static
from textual.worker import Worker, WorkerState

from flowtui.engine.core.errors import SyncCancelled
from flowtui.engine.pipeline.sync import SyncOutcome


class SyncModal(ModalScreen[object]):
    BINDINGS = [Binding("escape", "cancel", "Cancel / close", id="sync.cancel")]

    def __init__(self, stream: str) -> None:
        super().__init__(classes="modal")
        self.stream = stream
        self.cancelled = threading.Event()
        self.outcome: SyncOutcome | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(f"Syncing {self.stream}", id="dialog-title", markup=False)
            yield ProgressBar(total=1.0, show_eta=False, id="progress")
            yield Static("starting", id="note", markup=False)
            yield Static("", id="dialog-body", markup=False)
            with Horizontal(id="dialog-buttons"):
                yield Button("Cancel (esc)", id="close")

    def on_mount(self) -> None:
        self.run_worker(self._sync, thread=True, exit_on_error=False, name="sync")

    def _sync(self):
        flow = self.app.flow  # type: ignore[attr-defined]
        return flow.sync([self.stream], progress=self._progress)

    def _progress(self, _stream: str, share: float | None, note: str) -> None:
        if self.cancelled.is_set():
            raise SyncCancelled("cancelled by the operator")
        self.app.call_from_thread(self._show_progress, share, note)

    def _show_progress(self, share: float | None, note: str) -> None:
        if share is not None:
            self.query_one(ProgressBar).update(progress=share)
        self.query_one("#note", Static).update(note)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.SUCCESS:
            [self.outcome] = cast(list[SyncOutcome], event.worker.result)  # a finished sync's outcomes
            self._summarise(self.outcome)
        elif event.state == WorkerState.ERROR:
            self.query_one("#dialog-body", Static).update(f"Sync failed: {event.worker.error}")
            self._finished()
            event.stop()

    def _summarise(self, o) -> None:
        landing = o.landing
        lines = [f"{o.status}: {landing.new:,} new, {landing.changed:,} changed, "
                 f"{landing.unchanged + landing.stale:,} unchanged, {landing.rejected:,} rejected orders; "
                 f"{o.digests.created:,} digests created, {o.digests.updated:,} updated"]
        if o.error:
            lines.append(f"error: {o.error}")
        lines += [f"warning: {w}" for w in o.warnings[:3]]
        lines += [r.describe() for r in landing.rejections[:3]]
        if o.open_rejections:
            lines.append(f"{o.open_rejections:,} rejected or unreadable still open: their days need attention "
                         "(flowtui rejections)")
        if o.postings:
            posted = sum(p.status in ("posted", "adjusted") for p in o.postings)
            lines.append(f"auto invoice: {posted} digest(s) posted")
        self.query_one(ProgressBar).update(progress=1.0)
        self.query_one("#dialog-body", Static).update("\n".join(lines))
        self._finished()

    def _finished(self) -> None:
        self.query_one("#note", Static).update("done")
        button = self.query_one("#close", Button)
        button.label = "Close (esc)"
        button.focus()

    def on_button_pressed(self, _: Button.Pressed) -> None:
        self.action_cancel()

    def action_cancel(self) -> None:
        if self.outcome is None and not self.query_one("#note", Static).content == "done":
            self.cancelled.set()
            self.query_one("#note", Static).update("cancelling after the current batch...")
            return
        self.dismiss(self.outcome)
