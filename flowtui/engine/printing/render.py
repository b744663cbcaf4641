"""Documents and digests to PDF: Jinja2 HTML templates, printed by WeasyPrint.

Safe by construction:

* Jinja2 autoescapes everything and runs with ``StrictUndefined``: a product
  called ``<img src="file:///etc/passwd">`` prints as those characters, and a
  template naming a value that does not exist is an error naming the template
  and line, never a silently blank field.
* Templates run in Jinja2's immutable sandbox (:func:`template_environment`):
  no ``__globals__``, ``__class__`` or other underscore attribute, no changing
  the values given to it, and no globals but ``range`` and ``dict``. An
  operator's ``--template-dir`` is code flowtui runs; ``{{ lipsum.__globals__
  ["os"].popen("id").read() }}`` is a template error, never a command.
* WeasyPrint fetches through :class:`SafeFetcher`, which serves files from the
  template folders only (the operator's own folder, then the packaged
  ``reports/``, installed as ``flowtui.reports``) and ``data:`` URLs; anything else — ``file://``
  elsewhere, ``http(s)://``, ``ftp://`` — is refused and recorded, so nothing
  outside the templates is ever read and nothing goes over the network.

Fast where it matters: a :class:`Renderer` compiles the templates, parses the
stylesheet and loads the fonts once, then renders many documents. Batches
(:func:`render_batch`) run one renderer per core in a process pool.
"""

from __future__ import annotations

import mimetypes
import os
import threading
import traceback
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import jinja2
import jinja2.sandbox
import weasyprint
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from flowtui.engine.core.errors import FlowError
from flowtui.engine.core.formats import money, price, quantity
from flowtui.engine.core.resources import shipped_folder

PACKAGED_TEMPLATES = shipped_folder("reports")  # installed as flowtui.reports, or the checkout's reports/
STYLESHEET = "base.css"
TEMPLATES = {"document": "invoice.html", "digest": "digest.html", "tax": "tax_report.html"}


class TemplateProblem(FlowError):
    """A template that does not parse, names a value that does not exist, or cannot be found."""

    exit_code = 2


# -- formatting (Jinja filters) ---------------------------------------------------------


def long_date(value: date | None) -> str:
    return "" if value is None else f"{value.day} {value:%b %Y}"


def percent(rate) -> str:
    if rate is None:
        return ""
    text = f"{Decimal(rate) * 100:.2f}".rstrip("0").rstrip(".")
    return f"{text}%"


FILTERS: dict[str, Callable] = {"money": money, "price": price, "qty": quantity, "long_date": long_date,
                                "percent": percent}


#: the only globals a template sees (``range`` is the sandbox's bounded one); Jinja2's ``lipsum``, ``cycler``,
#: ``joiner`` and ``namespace`` are left out: the printed documents need none of them
TEMPLATE_GLOBALS = ("range", "dict")


def template_environment(dirs: Sequence[Path]) -> jinja2.Environment:
    """The one way templates are loaded: sandboxed, autoescaped, strict about undefined values, with our filters."""
    env = jinja2.sandbox.ImmutableSandboxedEnvironment(
        loader=jinja2.FileSystemLoader([str(d) for d in dirs]),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    )
    env.globals = {name: env.globals[name] for name in TEMPLATE_GLOBALS}
    env.filters.update(FILTERS)
    return env


# -- the URL fetcher --------------------------------------------------------------------


def _inside(path: Path, root: Path) -> bool:
    return path == root or path.is_relative_to(root)


class SafeFetcher(URLFetcher):
    """Serves the template folders and ``data:`` URLs; refuses and records everything else.

    ``asked`` lists every URL WeasyPrint asked for, ``served`` the files read,
    ``refused`` the URLs turned down. A relative URL in the operator's folder
    that is not there falls back to the same path in the packaged folder (so
    a customised ``base.css`` still finds the bundled fonts).
    """

    def __init__(self, roots: Sequence[Path]) -> None:
        super().__init__(timeout=1, allowed_protocols=("file", "data"), allow_redirects=False)
        self.roots = [Path(os.path.realpath(r)) for r in roots]
        self.asked: list[str] = []
        self.served: list[str] = []
        self.refused: list[str] = []

    def locate(self, url: str) -> Path | None:
        """The file a ``file:`` URL names, if it is inside a template folder (symlinks and ``..`` resolved)."""
        parts = urlsplit(url)
        if parts.scheme.lower() != "file" or parts.netloc not in ("", "localhost"):
            return None
        wanted = Path(os.path.realpath(url2pathname(unquote(parts.path))))
        for root in self.roots:
            if _inside(wanted, root):
                relative = wanted.relative_to(root)
                for candidate_root in self.roots:
                    candidate = Path(os.path.realpath(candidate_root / relative))
                    if _inside(candidate, candidate_root) and candidate.is_file():
                        return candidate
                return None
        return None

    def fetch(self, url, headers=None):
        self.asked.append(url)
        if url.split(":", 1)[0].lower() == "data":  # inline data: nothing is read or fetched
            return super().fetch(url, headers)
        path = self.locate(url)
        if path is None:
            self.refused.append(url)
            raise ValueError(f"flowtui prints only files from its template folders, not {url[:200]}")
        self.served.append(str(path))
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(), {"Content-Type": kind})


# -- the renderer -----------------------------------------------------------------------


def _template_problem(exc: Exception, dirs: Sequence[Path]) -> TemplateProblem:
    """A clear message naming the template file and line."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        where = exc.filename or exc.name or "a template"
        return TemplateProblem(f"Template {where}, line {exc.lineno}: {exc.message}")
    if isinstance(exc, jinja2.TemplateNotFound):
        return TemplateProblem(f"Template {exc.name} was not found in {', '.join(map(str, dirs))}.")
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if any(str(f.filename).startswith(str(d)) for d in dirs)]
    where = f"Template {frames[-1].filename}, line {frames[-1].lineno}" if frames else "A template"
    detail = str(exc) or type(exc).__name__
    if isinstance(exc, jinja2.UndefinedError):
        detail = f"{detail} (a value the template uses does not exist; see reports/README.md for the names)"
    return TemplateProblem(f"{where}: {detail}")


class Renderer:
    """Templates compiled, stylesheet parsed and fonts loaded once; then one PDF per call.

    ``template_dir`` (optional) is searched before the packaged templates, file
    by file: a folder holding only ``invoice.html`` uses the packaged
    ``digest.html``, ``base.css`` and fonts.
    """

    def __init__(self, template_dir: str | os.PathLike[str] | None = None) -> None:
        self.dirs = ([Path(os.path.realpath(template_dir))] if template_dir else []) + [PACKAGED_TEMPLATES]
        self.env = template_environment(self.dirs)
        self.fetcher = SafeFetcher(self.dirs)
        self.fonts = FontConfiguration()
        sheet = next(d / STYLESHEET for d in self.dirs if (d / STYLESHEET).is_file())
        self.stylesheet = weasyprint.CSS(url=sheet.as_uri(), url_fetcher=self.fetcher, font_config=self.fonts)
        self.base_url = self.dirs[0].as_uri() + "/"
        self._lock = threading.Lock()  # one render at a time per renderer (fontconfig state is shared)
        self.check()

    def check(self) -> None:
        """Compile every template now, so a syntax error is reported before anything is printed."""
        _compile_all(self.env, self.dirs)

    def template(self, name: str) -> jinja2.Template:
        try:
            return self.env.get_template(name)
        except jinja2.TemplateError as exc:
            raise _template_problem(exc, self.dirs) from None

    def html(self, name: str, context: dict) -> str:
        template = self.template(name)
        try:
            return template.render(**context)
        except Exception as exc:  # an error inside the template: say which file and line
            raise _template_problem(exc, self.dirs) from None

    def pdf(self, html: str) -> bytes:
        with self._lock:
            document = weasyprint.HTML(string=html, base_url=self.base_url, url_fetcher=self.fetcher)
            return document.write_pdf(stylesheets=[self.stylesheet], font_config=self.fonts)

    def document(self, view: dict, company: dict, printed: str) -> bytes:
        return self.pdf(self.html(TEMPLATES["document"], {"doc": view, "company": company, "printed": printed}))

    def digest(self, views: list[dict], company: dict, printed: str) -> bytes:
        return self.pdf(self.html(TEMPLATES["digest"], {"digests": views, "company": company, "printed": printed}))

    def tax_report(self, report, company: dict, printed: str) -> bytes:
        return self.pdf(self.html(TEMPLATES["tax"], {"report": report, "company": company, "printed": printed}))


def render_document(view: dict, company: dict, printed: str, *, template_dir=None,
                    renderer: Renderer | None = None) -> bytes:
    """One invoice / credit note (a view from :func:`flowtui.engine.printing.report_views.document_view`) as PDF bytes."""
    return (renderer or Renderer(template_dir)).document(view, company, printed)


def render_digest(views: list[dict], company: dict, printed: str, *, template_dir=None,
                  renderer: Renderer | None = None) -> bytes:
    """One or more digests (views from :func:`~flowtui.engine.printing.report_views.digest_view`) in one PDF."""
    return (renderer or Renderer(template_dir)).digest(views, company, printed)


# -- batches: one renderer per core ----------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """One file to print: ``kind`` is ``document`` (a view) or ``digest`` (a list of views)."""

    kind: str
    view: dict | list
    target: Path
    key: str = ""


_WORKER: Renderer | None = None


def _start_worker(template_dir: str | None, company: dict, printed: str) -> None:
    global _WORKER, _COMPANY, _PRINTED
    _WORKER = Renderer(template_dir)
    _COMPANY, _PRINTED = company, printed


_COMPANY: dict = {}
_PRINTED = ""


def write_atomically(target: Path, data: bytes) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.part")
    partial.write_bytes(data)
    os.replace(partial, target)
    return target


def run_job(job: Job, renderer: Renderer, company: dict, printed: str) -> Path:
    if job.kind == "document":
        assert isinstance(job.view, dict), "a document job holds one view"
        data = renderer.document(job.view, company, printed)
    else:
        data = renderer.digest(job.view if isinstance(job.view, list) else [job.view], company, printed)
    return write_atomically(job.target, data)


def _worker_job(job: Job) -> Path:
    assert _WORKER is not None, "worker not started"
    return run_job(job, _WORKER, _COMPANY, _PRINTED)


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def _pool_context():
    import multiprocessing as mp

    if "forkserver" in mp.get_all_start_methods():
        # Workers fork from a small single-threaded server that has already imported WeasyPrint:
        # safe beside the caller's threads (a progress bar, the console) and quick to start.
        ctx = mp.get_context("forkserver")
        ctx.set_forkserver_preload(["flowtui.engine.printing.render"])
        return ctx
    return mp.get_context("spawn")


def render_batch(jobs: Sequence[Job], *, company: dict, printed: str, template_dir=None, workers: int | None = None,
                 progress: Callable[[int, int], None] | None = None,
                 done: Callable[[Job, Path], None] | None = None) -> list[Path]:
    """Print every job; with more than a couple of jobs and more than one core, in a process pool.

    Returns the paths in the order of ``jobs``. ``done(job, path)`` and
    ``progress(done, total)`` are called as each file is written (also when a
    later job fails), and the first failure is raised once the pool has stopped.
    """
    total = len(jobs)
    workers = min(workers or default_workers(), total)
    results: dict[int, Path] = {}
    if workers <= 1 or total < 3:
        renderer = Renderer(template_dir)
        for i, job in enumerate(jobs):
            results[i] = run_job(job, renderer, company, printed)
            if done:
                done(job, results[i])
            if progress:
                progress(i + 1, total)
        return [results[i] for i in range(total)]
    _check_templates(template_dir)
    failure: BaseException | None = None

    def harvest(finished) -> None:
        nonlocal failure
        for future in finished:
            i = pending.pop(future)
            try:
                results[i] = future.result()
            except BaseException as exc:  # the first failure stops the batch
                failure = failure or exc
                continue
            if done:
                done(jobs[i], results[i])
            if progress:
                progress(len(results), total)

    with ProcessPoolExecutor(max_workers=workers, mp_context=_pool_context(), initializer=_start_worker,
                             initargs=(str(template_dir) if template_dir else None, company, printed)) as pool:
        pending = {pool.submit(_worker_job, job): i for i, job in enumerate(jobs)}
        while pending and failure is None:
            harvest(wait(pending, return_when=FIRST_COMPLETED).done)
        if failure is not None:
            for future in pending:
                future.cancel()
            harvest(wait(pending).done)  # the jobs already running finish: report the files they wrote
            raise failure
    return [results[i] for i in range(total)]


def _check_templates(template_dir) -> None:
    """Compile the templates in this process first: a broken one fails fast, before any worker starts."""
    dirs = ([Path(os.path.realpath(template_dir))] if template_dir else []) + [PACKAGED_TEMPLATES]
    _compile_all(template_environment(dirs), dirs)


def _compile_all(env: jinja2.Environment, dirs: Sequence[Path]) -> None:
    names = set(TEMPLATES.values()) | set(env.list_templates(filter_func=lambda n: n.endswith(".html")))
    for name in sorted(names):
        try:
            env.get_template(name)
        except jinja2.TemplateError as exc:
            raise _template_problem(exc, dirs) from None


def check_templates(template_dir: str | os.PathLike[str] | None) -> list[str]:
    """Problems with the templates a folder would print with (empty when they all compile)."""
    try:
        _check_templates(template_dir)
    except TemplateProblem as exc:
        return [str(exc)]
    return []


def packaged_files() -> Iterable[Path]:
    """The packaged templates, stylesheet and fonts (what ``flowtui company templates DIR`` copies)."""
    return sorted(p for p in PACKAGED_TEMPLATES.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts and p.name != "__init__.py")
