"""Plotly figures as vector SVG for the review PDF, drawn by kaleido in Debian's Chromium.

One kaleido server per process: starting the browser costs about two seconds, each image
after that a fraction of one. An export sends all its missing charts in one request, drawn in
TABS tabs side by side. The server handles one request at a time and is not safe to call
from two threads at once, so a lock serialises every call. A call runs in a helper thread so a
stuck browser costs the caller its deadline, not its life. SVGs are cached by figure content:
an unchanged chart is not drawn twice.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import threading
import warnings
from collections import OrderedDict
from pathlib import Path
from typing import Any

import kaleido
import plotly.graph_objects as go
import plotly.io as pio
from choreographer.utils import get_browser_path

from kpis.review.errors import ChartsUnavailable, Deadline

# plotly passes its (empty) browser options on every call; with a server running they are moot.
warnings.filterwarnings("ignore", message="The kopts argument is ignored", category=UserWarning)

CACHE_SIZE = 256
TABS = 2  # browser tabs drawing charts side by side: one per core of the target machines
_BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "chrome")

_lock = threading.Lock()
_cache: OrderedDict[str, str] = OrderedDict()
_pending: threading.Thread | None = None  # a call that outlived its caller's deadline


_STYLE_ATTRIBUTE = re.compile(r' style="([^"]*)"')
_PROPERTY = re.compile(r"^[a-z-]+$")


def _declarations_as_attributes(match: re.Match[str]) -> str:
    attributes = []
    # Quotes inside the attribute come escaped; CSS takes single quotes just as well.
    for declaration in match.group(1).replace("&quot;", "'").split(";"):
        name, _, value = declaration.partition(":")
        name, value = name.strip(), value.strip()
        if not name and not value:
            continue  # the empty remainder after a trailing ";"
        if not _PROPERTY.match(name) or not value:
            return match.group(0)  # something unusual: leave the whole attribute alone
        attributes.append(f' {name}="{value}"')
    return "".join(attributes)


def lighten_svg(svg: str) -> str:
    """Plotly's inline `style="a: b; …"` as SVG presentation attributes `a="b"`.

    Same picture, but WeasyPrint reads attributes directly instead of running its CSS parser
    on every element: a third less time drawing the charts into the PDF.
    """
    return _STYLE_ATTRIBUTE.sub(_declarations_as_attributes, svg)


def browser_path() -> str | None:
    """The browser kaleido would start (BROWSER_PATH wins), if it exists and can run."""
    path = get_browser_path(_BROWSER_NAMES)
    if path and os.path.isfile(path) and os.access(path, os.X_OK):
        return path
    return None


NO_BROWSER_MESSAGE = (
    "The PDF's charts need Chromium, and none was found. Install it "
    "(apt-get install chromium) or point BROWSER_PATH at a Chrome or Chromium binary."
)


def _server_thread() -> threading.Thread | None:
    server = kaleido._global_server
    return getattr(server, "_thread", None) if server.is_running() else None


def _ensure_server(timeout: float) -> None:
    thread = _server_thread()
    if thread is not None and thread.is_alive():
        return
    if thread is not None:  # the browser died: forget it and start again
        kaleido.stop_sync_server(silence_warnings=True)
    kaleido.start_sync_server(n=TABS, mathjax=False, silence_warnings=True, timeout=timeout)


def shutdown() -> None:
    """Close the browser now, for commands: left to interpreter exit, it can die in the middle
    of a message and print a stack trace."""
    with _lock:
        if _server_thread() is not None:
            kaleido.stop_sync_server(silence_warnings=True)


def _key(fig: go.Figure, width: int, height: int) -> str:
    payload = pio.to_json(fig, validate=False, engine="json")
    return hashlib.sha256(f"{width}x{height}:{payload}".encode()).hexdigest()


def _draw(figures: list[tuple[go.Figure, int, int]], deadline: Deadline) -> list[str]:
    """Draw every figure in one call, so the browser's tabs share the work."""
    global _pending
    result: dict[str, Any] = {}
    folder = tempfile.mkdtemp(prefix="review-charts-")
    paths = [os.path.join(folder, f"{number}.svg") for number in range(len(figures))]

    def run() -> None:
        try:
            pio.write_images(
                fig=[fig for fig, _, _ in figures],
                file=paths,
                format="svg",
                width=[width for _, width, _ in figures],
                height=[height for _, _, height in figures],
                validate=False,
            )
            result["svgs"] = [Path(path).read_text(encoding="utf-8") for path in paths]
        except Exception as error:  # handed to the caller below
            result["error"] = error
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    worker = threading.Thread(target=run, name="review-chart", daemon=True)
    worker.start()
    # Wait in short steps so a browser that dies mid-call is noticed at once.
    while worker.is_alive() and deadline.remaining() > 0:
        worker.join(min(0.25, max(deadline.remaining(), 0.01)))
        thread = _server_thread()
        if worker.is_alive() and (thread is None or not thread.is_alive()):
            _pending = worker
            raise ChartsUnavailable(
                f"The chart browser ({browser_path()}) did not start or stopped unexpectedly. "
                "Try again; if it keeps failing, check that Chromium runs on this server."
            )
    if worker.is_alive():
        _pending = worker
        raise deadline.expired("drawing the charts")
    if "error" in result:
        raise ChartsUnavailable(f"A chart could not be drawn: {result['error']}") from result[
            "error"
        ]
    return [lighten_svg(svg) for svg in result["svgs"]]


def render_svgs(figures: list[tuple[go.Figure, int, int]], *, deadline: Deadline) -> list[str]:
    """SVG text for each (figure, width, height), in order; raises ChartsUnavailable/ExportTimeout."""
    global _pending
    if browser_path() is None:
        raise ChartsUnavailable(NO_BROWSER_MESSAGE)
    keys = [_key(fig, w, h) for fig, w, h in figures]
    if not _lock.acquire(timeout=max(deadline.remaining(), 0)):
        raise deadline.expired("waiting for another PDF to finish its charts")
    try:
        if _pending is not None:
            # A call from an earlier, timed-out export still owns the server; let it finish.
            _pending.join(max(deadline.remaining(), 0))
            if _pending.is_alive():
                raise deadline.expired("waiting for the chart browser")
            _pending = None
        missing = {
            key: figure for key, figure in zip(keys, figures, strict=True) if key not in _cache
        }
        if missing:
            deadline.check("drawing the charts")
            _ensure_server(timeout=max(deadline.remaining(), 1))
            drawn = _draw(list(missing.values()), deadline)
            _cache.update(zip(missing, drawn, strict=True))
        for key in keys:
            _cache.move_to_end(key)
        svgs = [_cache[key] for key in keys]
        while len(_cache) > max(CACHE_SIZE, len(keys)):
            _cache.popitem(last=False)
        return svgs
    finally:
        _lock.release()


def clear_cache() -> None:
    with _lock:
        _cache.clear()
