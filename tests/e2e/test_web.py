"""`flowtui web` serves the console in a browser to whoever holds this run's token, from its own page only.

The server runs for real (``flowtui web`` in a subprocess, on 127.0.0.1 and a free port); the
clients are httpx for the page and aiohttp for the websocket, as a browser would send them: the
page is opened with the printed link, and its websocket carries the cookie that page load set and
the page's ``Origin``.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import httpx
import pytest
from aiohttp.test_utils import make_mocked_request

from flowtui.web import ConsoleServer
from tests.cli_helpers import assert_clean_error, invoke

TOKEN = "test-token-0123456789-abcdefghijklmnopqrstu"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _start(home: Path, port: int, *, token: str | None) -> tuple[subprocess.Popen, Path]:
    """``flowtui web`` on 127.0.0.1:port, its output in a file; returns once it answers."""
    env = {**os.environ, "FLOWTUI_CONFIG_DIR": str(home / "config"), "XDG_DATA_HOME": str(home / "data"),
           "XDG_CONFIG_HOME": str(home / "xdg-config")}
    env.pop("FLOWTUI_WEB_TOKEN", None)
    if token is not None:
        env["FLOWTUI_WEB_TOKEN"] = token
    log = home / "web.log"
    with log.open("w") as out:
        server = subprocess.Popen([sys.executable, "-m", "flowtui", "--db", str(home / "flow.duckdb"), "web",
                                   "--port", str(port)], stdout=out, stderr=subprocess.STDOUT, text=True, env=env)
    deadline = time.monotonic() + 120  # generous: a busy machine takes a while to start it
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
            return server, log
        except httpx.TransportError:
            assert server.poll() is None, log.read_text()
            time.sleep(0.1)
    server.terminate()
    raise AssertionError(f"flowtui web did not answer: {log.read_text()}")


def _stop(server: subprocess.Popen) -> None:
    server.terminate()
    server.wait(timeout=20)


@pytest.fixture(scope="module")
def console(tmp_path_factory):
    """`flowtui web --port PORT` with $FLOWTUI_WEB_TOKEN=TOKEN; yields its base URL on 127.0.0.1."""
    port = _free_port()
    server, _ = _start(tmp_path_factory.mktemp("web"), port, token=TOKEN)
    try:
        yield port
    finally:
        _stop(server)


# -- the page ------------------------------------------------------------------------------------

def test_the_page_needs_the_token(console):
    port = console
    refused = httpx.get(f"http://127.0.0.1:{port}/")
    assert refused.status_code == 403
    assert "token" in refused.text
    assert httpx.get(f"http://127.0.0.1:{port}/?token=wrong-{TOKEN}").status_code == 403
    assert httpx.get(f"http://127.0.0.1:{port}/static/js/textual.js").status_code == 403

    page = httpx.get(f"http://127.0.0.1:{port}/?token={TOKEN}")
    assert page.status_code == 200
    assert "flowtui" in page.text
    cookie = page.headers["set-cookie"]
    assert cookie.startswith(f"flowtui-web-{port}={TOKEN};")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert page.headers["referrer-policy"] == "no-referrer"

    # what the browser does next: the page's script and the page again, with the cookie alone
    with_cookie = {"Cookie": f"flowtui-web-{port}={TOKEN}"}
    assert httpx.get(f"http://127.0.0.1:{port}/static/js/textual.js", headers=with_cookie).status_code == 200
    assert httpx.get(f"http://127.0.0.1:{port}/", headers=with_cookie).status_code == 200
    assert httpx.get(f"http://127.0.0.1:{port}/", headers={"Cookie": f"flowtui-web-{port}=guess"}).status_code == 403


def test_the_page_opens_its_websocket_where_the_browser_is_with_no_token_in_it(console):
    port = console
    page = httpx.get(f"http://localhost:{port}/?token={TOKEN}").text
    websocket_url = re.search(r'data-session-websocket-url="([^"]*)"', page).group(1)
    assert websocket_url == f"ws://localhost:{port}/ws"  # the cookie set for localhost rides along
    assert f'src="http://localhost:{port}/static/js/textual.js"' in page


def test_a_change_from_another_origin_is_refused_even_with_the_token(console):
    port = console
    post = httpx.post(f"http://127.0.0.1:{port}/?token={TOKEN}", headers={"Origin": "http://evil.example"})
    assert post.status_code == 403
    assert "Origin" in post.text
    without_origin = httpx.post(f"http://127.0.0.1:{port}/?token={TOKEN}")
    assert without_origin.status_code == 403
    own = httpx.post(f"http://127.0.0.1:{port}/?token={TOKEN}", headers={"Origin": f"http://127.0.0.1:{port}"})
    assert own.status_code == 405  # let through to the router: the page has nothing to post to


# -- the websocket that drives the console ---------------------------------------------------------

async def _handshake(port: int, *, query: str = "", cookie: str | None = None, origin: str | None = None) -> int:
    """The HTTP status the websocket handshake ends with: 101 when the console would be driven."""
    headers = {}
    if cookie is not None:
        headers["Cookie"] = f"flowtui-web-{port}={cookie}"
    if origin is not None:
        headers["Origin"] = origin
    async with aiohttp.ClientSession() as session:
        try:
            async with session.ws_connect(f"ws://127.0.0.1:{port}/ws?width=80&height=24{query}", headers=headers,
                                          timeout=aiohttp.ClientWSTimeout(ws_close=5)) as websocket:
                assert not websocket.closed
                return 101
        except aiohttp.WSServerHandshakeError as refused:
            return refused.status


@pytest.mark.parametrize("origin_of", ["http://127.0.0.1:{port}", "http://localhost:{port}", "http://[::1]:{port}"])
async def test_the_websocket_opens_for_the_token_from_the_servers_own_page(console, origin_of):
    port = console
    assert await _handshake(port, cookie=TOKEN, origin=origin_of.format(port=port)) == 101
    assert await _handshake(port, query=f"&token={TOKEN}", origin=origin_of.format(port=port)) == 101


async def test_the_websocket_is_refused_without_the_token(console):
    port = console
    own = f"http://127.0.0.1:{port}"
    assert await _handshake(port, origin=own) == 403
    assert await _handshake(port, cookie="not-the-token-at-all", origin=own) == 403
    assert await _handshake(port, query="&token=", origin=own) == 403


@pytest.mark.parametrize("origin", [
    "http://evil.example",              # a page the operator visits
    "http://127.0.0.1:9",               # another service of this machine: same site, so the cookie would ride
    "https://127.0.0.1:{port}",         # not how the page is served
    "null",                             # a sandboxed frame or a file:// page
    None,                               # browsers always send one; a bare client proves nothing
])
async def test_the_websocket_is_refused_from_any_other_origin_even_with_the_token(console, origin):
    port = console
    origin = origin.format(port=port) if origin else origin
    assert await _handshake(port, cookie=TOKEN, origin=origin) == 403
    assert await _handshake(port, query=f"&token={TOKEN}", origin=origin) == 403


# -- the token at start: printed once, never logged --------------------------------------------------

def test_a_random_token_is_printed_once_in_the_link_and_never_logged(tmp_path):
    port = _free_port()
    server, log = _start(tmp_path, port, token=None)
    try:
        link = re.search(rf"http://127\.0\.0\.1:{port}/\?token=([A-Za-z0-9_-]+)", log.read_text())
        assert link, log.read_text()
        token = link.group(1)
        assert len(token) == 43  # secrets.token_urlsafe(32)
        assert httpx.get(link.group(0)).status_code == 200
        assert httpx.get(f"http://127.0.0.1:{port}/?token={TOKEN}").status_code == 403
        deadline = time.monotonic() + 60  # the access log lines of both requests (generous, for a busy machine)
        while time.monotonic() < deadline:
            if log.read_text().count("GET /") >= 3:
                break
            time.sleep(0.1)
    finally:
        _stop(server)
    output = log.read_text()
    assert "GET /?token=<token>" in output
    assert output.count(token) == 1, output


def test_a_token_given_is_never_printed(tmp_path):
    port = _free_port()
    server, log = _start(tmp_path, port, token=TOKEN)
    try:
        assert httpx.get(f"http://127.0.0.1:{port}/?token={TOKEN}").status_code == 200
    finally:
        _stop(server)
    output = log.read_text()
    assert f"http://127.0.0.1:{port}/?token=…" in output
    assert TOKEN not in output


# -- the command: no way round the token ---------------------------------------------------------------

@pytest.fixture
def served(monkeypatch):
    """``flowtui web`` in-process, stopping where it would serve: the servers it would have started."""
    started: list[ConsoleServer] = []
    monkeypatch.setattr(ConsoleServer, "serve", lambda self: started.append(self))
    return started


def test_listening_beyond_this_machine_warns_and_still_needs_the_token(db_path, served):
    result = invoke(["web", "--host", "0.0.0.0", "--port", "8123"], db_path)
    assert result.code == 0, result.err
    assert "Warning: serving on 0.0.0.0" in result.err and "token" in result.err
    [server] = served
    assert server.host == "0.0.0.0" and len(server.token) == 43 and not server.token_given
    assert server.link() == f"http://127.0.0.1:8123/?token={server.token}"

    no_token = invoke(["web", "--host", "0.0.0.0", "--no-token"], db_path)
    assert no_token.code == 2 and "No such option" in no_token.err
    assert len(served) == 1

    help_text = " ".join(invoke(["web", "--help"]).out.split())
    assert "?token=" in help_text and "FLOWTUI_WEB_TOKEN" in help_text and "no way to serve without the token" in help_text


def test_a_weak_token_is_refused(db_path, served):
    assert_clean_error(invoke(["web", "--token", "secret"], db_path), code=2, says="at least 16 characters")
    assert_clean_error(invoke(["web", "--token", "has spaces and is long enough"], db_path), code=2)
    assert_clean_error(invoke(["web", "--token", ""], db_path), code=2)
    assert served == []


def test_the_token_comes_from_the_environment_and_stays_out_of_the_consoles_it_starts(db_path, served, monkeypatch):
    monkeypatch.setenv("FLOWTUI_WEB_TOKEN", TOKEN)
    assert invoke(["web"], db_path).code == 0
    [server] = served
    assert server.token == TOKEN and server.token_given
    assert "FLOWTUI_WEB_TOKEN" not in os.environ


# -- whose origin is it: the rule on each kind of address ------------------------------------------------

def _request(host_header: str, origin: str | None):
    headers = {"Host": host_header, "Upgrade": "websocket", "Connection": "Upgrade"}
    if origin is not None:
        headers["Origin"] = origin
    return make_mocked_request("GET", "/ws", headers=headers)


def test_own_origins_on_each_kind_of_address():
    wildcard = ConsoleServer("true", token=TOKEN, host="0.0.0.0", port=8000)
    assert wildcard.origin_ok(_request("192.168.1.5:8000", "http://192.168.1.5:8000"))  # the address the browser used
    assert not wildcard.origin_ok(_request("192.168.1.5:8000", "http://evil.example"))
    assert not wildcard.origin_ok(_request("192.168.1.5:8000", "http://192.168.1.5:8001"))

    lan = ConsoleServer("true", token=TOKEN, host="192.168.1.5", port=8000)
    assert lan.origin_ok(_request("192.168.1.5:8000", "http://192.168.1.5:8000"))
    assert not lan.origin_ok(_request("192.168.1.5:8000", "http://127.0.0.1:8000"))  # not where it listens

    loopback = ConsoleServer("true", token=TOKEN, host="127.0.0.1", port=80)
    assert loopback.origin_ok(_request("localhost", "http://localhost"))  # port 80 is left out of the origin
    assert not loopback.origin_ok(_request("localhost", "http://localhost.evil.example"))
