"""HTTP replies with a deadline for the whole reply, not only for each read.

httpx times each network operation (connect, one read, one write), never a
whole reply: a server that sends one byte every few seconds keeps a request
alive for as long as it likes (encode/httpx#1450; urllib3 documents the same).
:class:`DeadlineClient` bounds an exchange from asking to its last byte:

* a watchdog timer shuts the client's sockets when the deadline passes, so the
  read under way fails at once, whether it waits for the headers or is in the
  middle of the body (the sockets are learnt from httpcore's documented
  ``trace`` extension, which reports every connection it opens);
* the body is read in chunks and the clock checked between them, which also
  bounds transports without sockets (the mock transports of the tests);
* each read's own timeout never reaches past the deadline.

A client makes one request at a time (a connector asks one thing at a time
per account), so shutting all its sockets touches nothing else; an
idle keep-alive connection shut with them is simply opened again.
"""

from __future__ import annotations

import socket
import threading
import time
import weakref
from dataclasses import dataclass
from typing import Any

import httpx

_OPENED = ("connection.connect_tcp.complete", "connection.start_tls.complete")


class LateReply(Exception):
    """A reply did not end within its deadline."""


@dataclass(frozen=True)
class Reply:
    status_code: int
    headers: httpx.Headers
    content: bytes


class DeadlineClient:
    """An ``httpx.Client`` whose requests end within a deadline, headers and body together."""

    def __init__(self, client: httpx.Client) -> None:
        self.client = client
        self._sockets: weakref.WeakSet[socket.socket] = weakref.WeakSet()
        self._guard = threading.Lock()

    def __enter__(self) -> DeadlineClient:
        return self

    def __exit__(self, *exc) -> None:
        self.client.close()

    def get(self, path: str, params: dict | None, *, deadline: float, read_timeout: float) -> Reply:
        """The whole reply to one GET within ``deadline`` seconds; :class:`LateReply` otherwise.

        httpx's own errors (timeouts, dropped connections) pass through unchanged.
        """
        return self.send("GET", path, params, deadline=deadline, read_timeout=read_timeout)

    def send(self, method: str, path: str, params: dict | None = None, *, deadline: float, read_timeout: float,
             json: Any = None, content: bytes | None = None, headers: dict[str, str] | None = None) -> Reply:
        """The whole reply to one request (any method, a JSON or raw body) within ``deadline`` seconds."""
        ends = time.monotonic() + deadline
        cut = threading.Event()
        watchdog = threading.Timer(deadline, self._cut, args=(cut,))
        watchdog.daemon = True
        watchdog.start()
        try:
            with self.client.stream(method, path, params=params, json=json, content=content, headers=headers,
                                    timeout=httpx.Timeout(min(read_timeout, deadline)),
                                    extensions={"trace": self._trace}) as response:
                chunks = []
                for chunk in response.iter_bytes():
                    chunks.append(chunk)
                    if time.monotonic() > ends:
                        raise LateReply(deadline)
                reply = Reply(response.status_code, response.headers, b"".join(chunks))
        except httpx.TransportError:
            if cut.is_set():  # the watchdog shut the socket under the read
                raise LateReply(deadline) from None
            raise
        finally:
            watchdog.cancel()
        if cut.is_set():
            raise LateReply(deadline)
        return reply

    def _trace(self, event: str, info: dict) -> None:
        """httpcore reports each connection it opens (and each TLS layer on one): remember its socket."""
        if event not in _OPENED:
            return
        stream = info.get("return_value")
        sock = stream.get_extra_info("socket") if stream is not None else None
        if isinstance(sock, socket.socket):
            with self._guard:
                self._sockets.add(sock)

    def _cut(self, cut: threading.Event) -> None:
        cut.set()
        with self._guard:
            sockets = list(self._sockets)
        for sock in sockets:
            try:  # the plain socket's shutdown, under any TLS layer: the blocked read returns at once
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except OSError:
                pass  # already closed
