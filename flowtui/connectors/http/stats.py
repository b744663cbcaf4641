"""Request statistics a caller can read: how many requests, retries and waits, how many bytes, how long."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field, fields


@dataclass
class RequestStats:
    """Figures of the requests made through one client (or several sharing it), thread-safe.

    ``parent`` also receives every figure: a connector's own statistics can roll up into process-wide ones.
    """

    requests: int = 0  # requests sent (each attempt counts)
    retries: int = 0  # attempts after the first, over all requests
    waits: int = 0  # pauses taken: backoff, Retry-After, rate limit
    waited: float = 0.0  # seconds paused, all causes
    bytes: int = 0  # reply bodies received
    seconds: float = 0.0  # seconds spent in HTTP exchanges, from asking to the reply's last byte
    read_seconds: float = 0.0  # seconds spent turning replies into values
    parent: RequestStats | None = field(default=None, repr=False, compare=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def add(self, **figures: float) -> None:
        """Add to the named figures (``stats.add(requests=1, bytes=512)``), here and in the parent."""
        with self._lock:
            for name, value in figures.items():
                setattr(self, name, getattr(self, name) + value)
        if self.parent is not None:
            self.parent.add(**figures)

    def wait(self, seconds: float) -> None:
        """Count a pause (nothing for a pause of no time)."""
        if seconds > 0:
            self.add(waits=1, waited=seconds)

    def snapshot(self) -> dict[str, float]:
        """The figures as a plain dict (what a benchmark or a progress line prints)."""
        with self._lock:
            return {f.name: getattr(self, f.name) for f in fields(self) if f.compare}
