"""`flowtui web`: the console in a browser, for whoever holds this run's token and for no other page.

textual-serve serves a page at ``/`` whose script opens a websocket at ``/ws``; each websocket drives
its own ``flowtui tui`` process, so whoever can open that websocket can do anything the console can
(post the books, point a stream elsewhere and sync its API key out). :class:`ConsoleServer` keeps
textual-serve's server as it is and puts one aiohttp middleware in front of every route:

- **the token**: every request carries this run's secret, either as ``?token=`` (the link printed at
  start, like Jupyter's) or as the cookie that an authenticated request sets (HttpOnly,
  SameSite=Strict); the page's script, its static files, downloads and the websocket ride on the
  cookie, since the websocket URL the page opens carries no token. Compared with
  :func:`hmac.compare_digest`; a wrong or missing token is a 403.
- **the origin**: a websocket, any request other than GET/HEAD, and any request that names an
  ``Origin`` at all must come from the server's own origin (``http://HOST:PORT`` it listens on; on
  loopback 127.0.0.1, localhost and [::1] are one machine; on a wildcard address the address the
  browser used). A page elsewhere (another site, or another port of this machine, which the
  cookie would not stop) is a 403, token or not.

The token never reaches a log: log records that contain it are redacted, and the spawned console
processes do not inherit ``$FLOWTUI_WEB_TOKEN``.
"""

from __future__ import annotations

import hmac
import inspect
import ipaddress
import logging
import re
import secrets
from urllib.parse import quote

import aiohttp_jinja2
import click
from aiohttp import web
from textual_serve.server import Server
from yarl import URL

from flowtui.engine.core.errors import InvalidInput

TOKEN_ENV = "FLOWTUI_WEB_TOKEN"
MIN_TOKEN_LENGTH = 16
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_.~-]+")
LOOPBACK_NAMES = frozenset({"127.0.0.1", "localhost", "::1"})
WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", ""})
SAFE_METHODS = frozenset({"GET", "HEAD"})

NO_TOKEN = "403 Forbidden: flowtui web needs this run's token; open the link it printed when it started (…/?token=…).\n"
FOREIGN_ORIGIN = "403 Forbidden: this request does not come from the flowtui web page (its Origin is not this server's).\n"


def new_token() -> str:
    return secrets.token_urlsafe(32)


def checked_token(token: str) -> str:
    """A token given with ``--token`` or ``$FLOWTUI_WEB_TOKEN``: long enough to guess never, and URL-safe."""
    if len(token) < MIN_TOKEN_LENGTH or not _TOKEN_SHAPE.fullmatch(token):
        raise InvalidInput(
            f"The web console's token must be at least {MIN_TOKEN_LENGTH} characters of letters, digits, '-', '_', "
            f"'.' or '~'. Leave --token and ${TOKEN_ENV} unset to get a random one.")
    return token


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def is_wildcard(host: str) -> bool:
    return host.strip("[]") in WILDCARD_HOSTS


def _origin_of(url: str) -> tuple[str, str, int | None] | None:
    """``(scheme, host, port)`` of an origin such as ``http://localhost:8000``; None for ``null`` or junk."""
    try:
        parsed = URL(url)
    except ValueError:
        return None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        return None
    return parsed.scheme, parsed.host.lower(), parsed.port


class _RedactToken(logging.Filter):
    """Log lines (aiohttp's access log prints each request's URL) never carry the token."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.token in message:
            record.msg, record.args = message.replace(self.token, "<token>"), ()
        return True


class ConsoleServer(Server):
    """textual-serve's :class:`Server`, open only to this run's token from this server's own page."""

    def __init__(self, command: str, *, token: str, host: str, port: int, token_given: bool = False) -> None:
        if not token:
            raise ValueError("the web console is never served without a token")
        super().__init__(command, host=host, port=port, title="flowtui")
        self.token = token
        self.token_given = token_given
        self.cookie_name = f"flowtui-web-{port}"  # cookies ignore ports: one name per port, so two consoles never mix

    # -- who may come in ------------------------------------------------------------------------

    def token_ok(self, offered: str | None) -> bool:
        if not offered:
            return False
        return hmac.compare_digest(offered.encode("utf-8", "surrogatepass"), self.token.encode("utf-8"))

    def own_origins(self, request: web.Request) -> set[tuple[str, str, int | None]]:
        """The origins this server is served at; the browser's own address when listening on every address."""
        if is_wildcard(self.host):
            names = {request.url.host or ""}
        elif is_loopback(self.host):
            names = set(LOOPBACK_NAMES) | {self.host.strip("[]")}
        else:
            names = {self.host.strip("[]")}
        return {("http", name.lower(), self.port) for name in names if name}

    def origin_ok(self, request: web.Request) -> bool:
        origin = request.headers.get("Origin")
        needs_origin = request.method not in SAFE_METHODS or request.headers.get("Upgrade", "").lower() == "websocket"
        if origin is None:
            return not needs_origin
        return _origin_of(origin) in self.own_origins(request)

    @web.middleware
    async def guard(self, request: web.Request, handler) -> web.StreamResponse:
        from_link = request.query.get("token")
        if not self.token_ok(from_link or request.cookies.get(self.cookie_name)):
            return web.Response(status=403, text=NO_TOKEN)
        if not self.origin_ok(request):
            return web.Response(status=403, text=FOREIGN_ORIGIN)
        response = await handler(request)
        if not response.prepared:  # a websocket or a download has sent its headers already
            response.headers["Referrer-Policy"] = "no-referrer"
            if from_link:
                response.set_cookie(self.cookie_name, self.token, httponly=True, samesite="Strict", path="/")
        return response

    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.append(self.guard)
        return app

    # -- the page: its URLs from the address the browser used --------------------------------------

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        """textual-serve's page, with its script and websocket URLs on the address the browser used.

        textual-serve writes them from the address it listens on: a page opened at localhost would
        open its websocket at 127.0.0.1, where the browser has no cookie (and at 0.0.0.0 nowhere).
        """
        context = await inspect.unwrap(Server.handle_index)(self, request)  # the handler under its @template
        router = request.app.router
        context["app_websocket_url"] = f"ws://{request.host}{router['websocket'].url_for()}"
        context["config"]["static"]["url"] = f"http://{request.host}{router['static'].url_for(filename='/')}".rstrip("/") + "/"
        return aiohttp_jinja2.render_template("app_index.html", request, context)

    # -- at start --------------------------------------------------------------------------------

    def link(self) -> str:
        host = "127.0.0.1" if is_wildcard(self.host) else self.host
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"
        token = "…" if self.token_given else quote(self.token, safe="")
        return f"http://{host}:{self.port}/?token={token}"

    def initialize_logging(self) -> None:
        super().initialize_logging()
        redact = _RedactToken(self.token)
        for handler in logging.getLogger().handlers:
            handler.addFilter(redact)

    async def on_startup(self, app: web.Application) -> None:
        click.echo("flowtui web: serving the Flow console. Open this link (anyone with its token can use the console):")
        click.echo(f"    {self.link()}")
        if self.token_given:
            click.echo(f"    with the token you gave (--token or ${TOKEN_ENV}) in place of …")
        click.echo("Press Ctrl+C to quit.")
