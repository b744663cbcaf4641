"""The real `flowtui` binary in tmux, by keyboard alone, against the StoreHub sandbox over HTTP:
connect a stream, sync it, map a payment method, post, and see the invoice numbers."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from flowtui.sandbox.storehub import StoreHubSandbox

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]
NOW = "2026-10-15T04:00:00Z"
FLOWTUI = Path(sys.executable).with_name("flowtui")


class Terminal:
    """A tmux session of its own (own socket), driven like a person at an 80x24 terminal."""

    def __init__(self, command: str, env: dict, socket: str) -> None:
        self.socket = socket
        exports = " ".join(f"{k}={v!r}" for k, v in env.items())
        self._tmux("new-session", "-d", "-s", "e2e", "-x", "80", "-y", "24", f"env {exports} {command}")

    def _tmux(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True,
                              timeout=30).stdout

    def keys(self, *keys: str, pause: float = 0.15) -> None:
        for key in keys:
            self._tmux("send-keys", "-t", "e2e", key)
            time.sleep(pause)

    def type(self, text: str) -> None:
        self._tmux("send-keys", "-t", "e2e", "-l", text)
        time.sleep(0.2)

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", "e2e")

    def wait_for(self, pattern: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.screen()
            if re.search(pattern, text):
                return text
            time.sleep(0.2)
        raise AssertionError(f"never saw {pattern!r}; the screen was:\n{self.screen()}")

    def close(self) -> None:
        self._tmux("kill-server")


def test_connect_sync_map_post_by_keyboard(tmp_path, db_path):
    box = StoreHubSandbox(seed=3, days=2, end_date=date(2026, 10, 14))
    url = box.start()
    env = {"FLOWTUI_NOW": NOW, "FLOWTUI_CONFIG_DIR": str(tmp_path / "config"), "TERM": "xterm-256color"}
    term = Terminal(f"{FLOWTUI} --db {db_path}", env, socket=f"flowtui-e2e-{os.getpid()}")
    try:
        term.wait_for("No streams yet")
        # connect: name, account, key (masked), address, start date; test; create
        term.keys("n")
        term.wait_for("Stream name")
        term.type("Sandbox")
        term.keys("Tab")
        term.type(box.account)
        term.keys("Tab")
        term.type(box.api_key)
        term.keys("Tab")
        term.type(url)  # the default address is selected on focus: typing replaces it
        term.keys("Tab")
        term.type("2026-10-13")
        term.keys("C-t")
        screen = term.wait_for(r"4 store\(s\)")
        assert box.api_key not in screen
        term.keys("C-s")
        term.wait_for(r"Sandbox\s+storehub")
        # sync now, with its summary
        term.keys("s")
        term.wait_for(r"ok: [\d,]+ new", timeout=60)
        term.keys("Escape")
        # map the payment methods the sync found; all but Boost from another process meanwhile
        for method, account in (("CreditCard", "1020"), ("DebitCard", "1020"), ("DuitNow QR", "1030"),
                                ("GrabPay", "1030"), ("ShopeePay", "1030"), ("Touch 'n Go eWallet", "1030")):
            subprocess.run([str(FLOWTUI), "--db", str(db_path), "map", "payment", "Sandbox", method, "--account",
                            account], check=True, capture_output=True, env={**os.environ, **env})
        term.keys("m")
        term.wait_for("Locations")
        term.keys("p")
        term.wait_for(r"Boost.*not mapped")
        term.keys("Home", "Enter")  # Boost is the first payment method
        term.wait_for("1000")
        term.keys("Home", "Down", "Down", "Down", "Enter")  # 1000, 1010, 1020, 1030
        term.wait_for(r"Boost\s+1030")
        term.keys("Escape")
        # the digests: select the page, post it, see the invoice numbers
        term.keys("d")
        term.wait_for(r"rows 1-\d+ of \d+")
        term.keys("a", "p")
        term.wait_for(r"Post \d+ digest")
        term.keys("y")
        screen = term.wait_for(r"INV-202610-\d{5}", timeout=60)
        assert "refused" not in screen.lower() or "0 refused" in screen.lower()
    finally:
        term.close()
        box.stop()
