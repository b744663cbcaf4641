"""What every sandbox does to be served: HTTP from a daemon thread on 127.0.0.1, stopped cleanly, ``with``-able."""

from __future__ import annotations

import socket
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self


class Served:
    """Start and stop a sandbox's HTTP server. The sandbox sets ``HANDLER`` (its request handler, which finds the
    sandbox as ``server.sandbox``) and ``THREAD_NAME``, and calls :meth:`_init_serving` from its ``__init__``."""

    HANDLER: type[BaseHTTPRequestHandler]
    THREAD_NAME = "sandbox"

    def _init_serving(self) -> None:
        self.base_url: str | None = None
        self._lock = threading.RLock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._connections: set[socket.socket] = set()

    def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve in a daemon thread; returns the base URL."""
        if self._server is not None:
            return self.base_url or ""
        server = ThreadingHTTPServer((host, port), self.HANDLER)
        server.daemon_threads = True
        server.sandbox = self  # type: ignore[attr-defined]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name=self.THREAD_NAME, daemon=True)
        self._thread.start()
        self.base_url = f"http://{host}:{server.server_address[1]}"
        return self.base_url

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        with self._lock:
            connections, self._connections = list(self._connections), set()
        for connection in connections:  # keep-alive connections would otherwise still be answered
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> Self:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


class SandboxHandler(BaseHTTPRequestHandler):
    """Keep-alive HTTP/1.1, each connection known to its sandbox (so that ``stop`` can close it), no access log."""

    protocol_version = "HTTP/1.1"
    timeout = 60  # idle keep-alive connections

    def setup(self) -> None:
        super().setup()
        with self.server.sandbox._lock:  # type: ignore[attr-defined]
            self.server.sandbox._connections.add(self.connection)  # type: ignore[attr-defined]

    def finish(self) -> None:
        with self.server.sandbox._lock:  # type: ignore[attr-defined]
            self.server.sandbox._connections.discard(self.connection)  # type: ignore[attr-defined]
        try:
            super().finish()
        except OSError:
            pass

    def log_message(self, format, *args) -> None:  # quiet
        pass


def serve_until_interrupted(sandbox: Served, echo: Callable[[str], object] = print) -> None:
    """Keep a started sandbox serving in the foreground until Ctrl-C, then stop it."""
    sys.stdout.flush()
    try:
        while True:
            time.sleep(0.5)
    except KeyboardInterrupt:
        echo("Stopped.")
    finally:
        sandbox.stop()
