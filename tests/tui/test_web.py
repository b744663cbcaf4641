"""`flowtui web` serves the console in a browser, on 127.0.0.1 by default."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_console_is_served_on_localhost(db_path):
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "flowtui", "--db", str(db_path), "web", "--port", str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=os.environ.copy())
    try:
        page = None
        for _ in range(100):
            try:
                page = httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert page is not None and page.status_code == 200
        assert "flowtui" in page.text
    finally:
        server.terminate()
        server.wait(timeout=10)
