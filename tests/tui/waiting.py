"""Waiting for the state a test pictures, never for a delay: Pilot tests and snapshots pass on a busy machine.

``settle``: no worker pending or running (one that failed or was cancelled counts as done: what it shows is the
test's business), the messages their ends posted handled, twice in a row (a worker's callback may start another),
and no animation scheduled. ``still``: that, and the picture the same twice in a row (a table lays out its new
rows when it is next idle). Both give up after a generous bound, with what was still busy.
"""

from __future__ import annotations

import re
import time

from textual.worker import WorkerState

BOUND = 120.0  # seconds: far beyond what a quiet machine needs, for a busy one
_BUSY = (WorkerState.PENDING, WorkerState.RUNNING)


async def settle(pilot, bound: float = BOUND) -> None:
    deadline = time.monotonic() + bound
    calm = 0
    while calm < 2:
        await pilot.pause()
        busy = [w for w in pilot.app.workers if w.state in _BUSY]
        if not busy:
            calm += 1
            continue
        calm = 0
        if time.monotonic() > deadline:
            raise AssertionError(f"workers still busy after {bound:g} s: {busy}")
        await pilot.pause(0.01)
    await pilot.wait_for_scheduled_animations()


def _picture(pilot) -> str:
    return re.sub(r"terminal-\d+", "terminal", pilot.app.export_screenshot())


async def still(pilot, bound: float = BOUND) -> None:
    deadline = time.monotonic() + bound
    await settle(pilot, bound)
    before = _picture(pilot)
    while True:
        await settle(pilot, bound)
        now = _picture(pilot)
        if now == before:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"the screen kept changing for {bound:g} s")
        before = now


async def until(pilot, condition, bound: float = BOUND) -> None:
    """Until ``condition()`` holds (a timer in the app has fired, say), checking between pauses."""
    deadline = time.monotonic() + bound
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still not so after {bound:g} s")
        await pilot.pause(0.02)
