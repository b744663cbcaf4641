"""Sync now: live progress, cancel with escape, a summary at the end that says how it ended.

A sync ends done, failed or cancelled, and the dialog says which: the bar fills only when it is done.
Cancelling (escape) stops it at the next batch; what landed before stays, and the dialog says how much.
While it runs, ``ctrl+q`` asks first (the app's quit asks :meth:`SyncModal.ask_before_quitting`): quitting
cuts it short in the same way, recorded as "the console was closed during the sync", and the console
closes once the engine has written that down. Should the console go away under a running sync all the
same, the sync notices at its next batch and records the same words, never an internal error.
"""

from __future__ import annotations

import threading
from typing import cast

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Label, ProgressBar, Static
from textual.worker import Worker, WorkerState

from flowtui.engine.core.errors import SyncCancelled
from flowtui.engine.core.statuses import SyncStatus
from flowtui.engine.pipeline.sync import SyncOutcome
from flowtui.screens.common.modals import ConfirmModal

STOPPED = "the operator stopped it"  # escape
CLOSED = "the console was closed during the sync"  # ctrl+q (or the console gone)


class SyncProgressed(Message):
    """How far the sync is (posted from its thread)."""

    def __init__(self, share: float | None, note: str) -> None:
        super().__init__()
        self.share, self.note = share, note


class SyncModal(ModalScreen[object]):
    BINDINGS = [Binding("escape", "cancel", "Cancel / close", id="sync.cancel")]

    def __init__(self, stream: str) -> None:
        super().__init__(classes="modal")
        self.stream = stream
        self.cancelled = threading.Event()
        self.why: str | None = None  # why it is being cancelled (set before ``cancelled``)
        self.outcome: SyncOutcome | None = None
        self.ended: str | None = None  # done | failed | cancelled, once it is over
        self.quitting = self._asking = False

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label(f"Syncing {self.stream}", id="dialog-title", markup=False)
            yield ProgressBar(total=1.0, show_eta=False, id="progress")
            yield Static("starting", id="note", markup=False)
            yield Static("", id="dialog-body", markup=False)
            with Horizontal(id="dialog-buttons"):
                yield Button("Cancel (esc)", id="close")

    def on_mount(self) -> None:
        self.app.quit_guards.append(self.ask_before_quitting)  # type: ignore[attr-defined]
        self.run_worker(self._sync, thread=True, exit_on_error=False, name="sync")

    def _sync(self):
        flow = self.app.flow  # type: ignore[attr-defined]
        return flow.sync([self.stream], progress=self._progress)

    # -- in the sync's thread --------------------------------------------------------------------
    def _progress(self, _stream: str, share: float | None, note: str) -> None:
        if not self.cancelled.is_set() and self._console_gone():
            self._cancel(CLOSED)
        if self.cancelled.is_set():
            raise SyncCancelled(self.why or STOPPED)
        self.post_message(SyncProgressed(share, note))

    def _console_gone(self) -> bool:
        try:
            app = self.app
            return app.return_code is not None or not app.is_running or not self.is_attached
        except RuntimeError:  # (textual's NoActiveAppError among them) no app any more
            return True

    def _cancel(self, why: str) -> None:
        self.why = why
        self.cancelled.set()

    # -- on the console ------------------------------------------------------------------------
    def on_sync_progressed(self, message: SyncProgressed) -> None:
        if self.ended is None and not self.cancelled.is_set():
            if message.share is not None:
                self.query_one(ProgressBar).update(progress=message.share)
            self.query_one("#note", Static).update(message.note)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.SUCCESS:
            [self.outcome] = cast(list[SyncOutcome], event.worker.result)  # a finished sync's outcomes
            self._summarise(self.outcome)
        elif event.state == WorkerState.ERROR:
            self.query_one("#dialog-body", Static).update(f"Sync failed: {event.worker.error}")
            self._end(SyncStatus.FAILED)
            event.stop()

    def _summarise(self, o: SyncOutcome) -> None:
        landing = o.landing
        if o.status == SyncStatus.CANCELLED:
            lines = [f"Cancelled: {landing.kept:,} order(s) kept, landed before the cancel ({landing.new:,} new, "
                     f"{landing.changed:,} changed); {o.digests.created:,} digests created, "
                     f"{o.digests.updated:,} updated. The next sync reads the rest."]
        elif o.status == SyncStatus.FAILED:
            lines = [f"Sync failed: {o.error}"]
            if landing.kept:
                lines.append(f"{landing.kept:,} order(s) landed before it failed are kept.")
        else:
            lines = [f"{o.status}: {landing.new:,} new, {landing.changed:,} changed, "
                     f"{landing.unchanged + landing.stale:,} unchanged, {landing.rejected:,} rejected orders; "
                     f"{o.digests.created:,} digests created, {o.digests.updated:,} updated"]
        lines += [f"warning: {w}" for w in o.warnings[:3]]
        lines += [r.describe() for r in landing.rejections[:3]]
        if o.open_rejections:
            lines.append(f"{o.open_rejections:,} rejected or unreadable still open: their days need attention "
                         "(Digests, F2)")
        if o.postings:
            posted = sum(p.status in ("posted", "adjusted") for p in o.postings)
            lines.append(f"auto invoice: {posted} digest(s) posted")
        if o.status in (SyncStatus.OK, SyncStatus.WARNING):
            self.query_one(ProgressBar).update(progress=1.0)
        self.query_one("#dialog-body", Static).update("\n".join(lines))
        self._end({SyncStatus.FAILED: SyncStatus.FAILED, SyncStatus.CANCELLED: SyncStatus.CANCELLED}.get(
            o.status, "done"))

    def _end(self, how: str) -> None:
        self.ended = how
        self._unregister()
        self.query_one("#dialog-title", Label).update(f"Sync of {self.stream}: {how}")
        self.query_one("#note", Static).update(how)
        if self.quitting:  # the engine has written down why it stopped: now the console closes
            self.app.exit()
            return
        button = self.query_one("#close", Button)
        button.label = "Close (esc)"
        button.focus()

    def _unregister(self) -> None:
        guards = self.app.quit_guards  # type: ignore[attr-defined]
        if self.ask_before_quitting in guards:
            guards.remove(self.ask_before_quitting)

    def on_unmount(self) -> None:
        self._unregister()

    def on_button_pressed(self, _: Button.Pressed) -> None:
        self.action_cancel()

    def action_cancel(self) -> None:
        if self.ended is None:
            if not self.cancelled.is_set():
                self._cancel(STOPPED)
                self.query_one("#note", Static).update("cancelling after the current batch...")
            return
        self.dismiss(self.outcome)

    # -- ctrl+q while it runs ------------------------------------------------------------------
    def ask_before_quitting(self) -> bool:
        """The app's quit asks first: True when this sync takes it over (asks, or is already stopping to quit);
        False lets the console quit now (a second ctrl+q while it stops: the sync then stops on its own)."""
        if self.ended is not None or self.quitting:
            return False
        if not self._asking:
            self._asking = True
            self.app.push_screen(ConfirmModal(
                "Quit while syncing?",
                f"A sync of {self.stream} is running. Quit now and cut it short? The orders landed so far are "
                "kept and the next sync reads the rest.\n\ny quits (once the sync has stopped), n stays.",
                yes="Quit"), self._quit_answered)
        return True

    def _quit_answered(self, quit_now: bool | None) -> None:
        self._asking = False
        if not quit_now:
            return
        if self.ended is not None:  # it ended meanwhile
            self.app.exit()
            return
        self.quitting = True
        self._cancel(CLOSED)
        self.query_one("#note", Static).update("stopping the sync, then closing the console…")
