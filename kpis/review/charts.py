"""Plotly figures as vector SVG for the review PDF (and PNG for its slides), drawn by kaleido
in Debian's Chromium.

One browser per process, kept between exports: starting it costs about two seconds, each image
after that a fraction of one. It runs on an asyncio loop in a thread of its own; a call hands
it the charts the cache lacks, each drawn as a task of its own in TABS tabs side by side, and
waits for them until its deadline. A finished chart goes into the cache (keyed by figure
content and image format) the moment it is done, even when the caller has given up: the next try finds it there,
and a chart still being drawn is waited for, not drawn twice. What goes into the cache is
already trimmed for print (`lighten_svg`, `trim_svg`): that work is done once per chart, not
once per export.

The browser heals. Before drawing, a call checks that Chromium still runs and answers a
DevTools command; a dead or unresponsive one (killed, crashed, stopped) is killed with its whole
process group and a fresh one started. A browser lost in the middle of a call is replaced and
the missing charts drawn once more, time permitting; otherwise the call fails with a message.
Locks are held for moments, never while waiting on the browser.

Chromium starts with every host name (IP addresses and its proxy's included) resolved to
nowhere and every request sent to a proxy that does not exist, so markup that slipped into a
chart cannot make it fetch anything.
"""

from __future__ import annotations

import asyncio
import atexit
import base64
import contextlib
import hashlib
import json
import logging
import os
import re
import signal
import threading
import time
import xml.etree.ElementTree as ET
from collections import Counter, OrderedDict
from collections.abc import Coroutine, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass
from functools import partial
from typing import Any, TypeVar

import kaleido
import plotly.graph_objects as go
import plotly.io as pio
from choreographer.browsers import BrowserClosedError, BrowserFailedError, Chromium
from choreographer.channels import ChannelClosedError
from choreographer.utils import get_browser_path

from kpis.review.errors import ChartsUnavailable, Deadline

logger = logging.getLogger(__name__)

_T = TypeVar("_T")

CACHE_SIZE = 256
TABS = 2  # browser tabs drawing charts side by side: one per core of the target machines
START_TIMEOUT = 30.0  # seconds a browser may take to start
CHART_TIMEOUT = 60.0  # kaleido gives up on a single chart after this; it frees the tab
PING_TIMEOUT = 5.0  # a browser that cannot answer a DevTools command in this long is hung
STALL_AFTER = 3.0  # while waiting: no chart finished for this long, so ask whether it answers
RETRY_AT_LEAST = 5.0  # a lost browser is replaced within the call only with this much time left
_BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "chrome")

# The browser may reach nothing but the files kaleido gives it (its page, plotly.js).
OFFLINE_FLAGS = (
    # Every host resolves to nothing: names, IP literals and the proxy's own address alike.
    "--host-resolver-rules=MAP * ~NOTFOUND",
    # Should a request get past that, it goes to a proxy that is not there, loopback too
    # (Chromium otherwise sends localhost and 127.0.0.1 straight past any proxy).
    "--proxy-server=127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
    # No update checks, time queries or other requests of the browser's own.
    "--disable-background-networking",
)


class _OfflineChromium(Chromium):
    """Chromium as choreographer starts it, plus OFFLINE_FLAGS (last, so they win)."""

    def get_cli(self) -> Sequence[str]:
        return [*super().get_cli(), *OFFLINE_FLAGS]


_TAG = re.compile(r"<[^<>]*>")  # a text node never holds a raw "<": it comes escaped
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
    on every element: a third less time drawing the charts into the PDF. Only tags change:
    a chart's text (a KPI named `x style="a:b"`) is left as typed.
    """
    return _TAG.sub(lambda tag: _STYLE_ATTRIBUTE.sub(_declarations_as_attributes, tag[0]), svg)


_EMPTY_WHEN_CHILDLESS = {"g", "defs", "clipPath"}
_URL_ID = re.compile(r"url\(#([^)]+)\)")
ET.register_namespace("xlink", "http://www.w3.org/1999/xlink")  # its usual prefix, not ns0


def _referenced_ids(root: ET.Element) -> set[str]:
    return {
        found
        for element in root.iter()
        for value in element.attrib.values()
        for found in _URL_ID.findall(value)
    }


def _trim(element: ET.Element, referenced: set[str]) -> None:
    """Bottom up: drop what draws nothing, then lift children out of groups without attributes."""
    kept: list[ET.Element] = []
    for child in element:
        child.tag = child.tag.rpartition("}")[2]  # every element is SVG; one xmlns on the root
        _trim(child, referenced)
        for name in [n for n in child.attrib if n == "class" or n.startswith("data-")]:
            del child.attrib[name]
        if child.tag in _EMPTY_WHEN_CHILDLESS and not len(child):
            continue
        if child.tag == "clipPath" and child.get("id") not in referenced:
            continue
        if child.tag == "path" and not child.get("d"):
            continue  # an axis line Plotly left without a shape
        if child.tag == "g" and not child.attrib:
            kept.extend(child)  # a bare group changes nothing for its children
            continue
        kept.append(child)
    if kept != list(element):
        element[:] = kept


def trim_svg(svg: str) -> str:
    """The same picture with the parts print does not use taken out.

    Plotly's SVG is made for a page that reacts: half of its elements are empty layers
    (hover, selections, other chart types), every element carries classes, and groups nest
    six deep. WeasyPrint walks every element of every chart on every page it paints, in
    Python, so each one dropped here is time saved in each export that shows the chart.
    Text, paths, their attributes and the clip paths in use stay as drawn.
    """
    root = ET.fromstring(svg)  # noqa: S314 -- our browser's own SVG: no DTD, text escaped
    _trim(root, _referenced_ids(root))
    root.tag = "svg"
    root.attrib.pop("class", None)
    root.set("xmlns", "http://www.w3.org/2000/svg")
    return ET.tostring(root, encoding="unicode")


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


def _not_started_message(path: str) -> str:
    return (
        f"The chart browser ({path}) did not start. Try again; if it keeps failing, "
        "check that Chromium runs on this server."
    )


def _lost_message(path: str) -> str:
    return (
        f"The chart browser ({path}) stopped unexpectedly while drawing the charts. "
        "A new one starts with the next try: try again; if it keeps failing, check that "
        "Chromium runs on this server (memory, /dev/shm)."
    )


@dataclass(frozen=True)
class _Chart:
    key: str
    figure: dict[str, Any]
    width: int
    height: int
    image_format: str = "svg"  # or "png", kept in the cache as base64 text
    scale: float = 1


def _chart(
    figure: go.Figure, width: int, height: int, *, image_format: str = "svg", scale: float = 1
) -> _Chart:
    payload = pio.to_json(figure, validate=False, engine="json")
    # The same figure as SVG and as PNG are two images: the format is part of the key.
    shape = f"{width}x{height}" if image_format == "svg" else f"{width}x{height}@{scale}"
    key = hashlib.sha256(f"{image_format}:{shape}:{payload}".encode()).hexdigest()
    return _Chart(key, json.loads(payload), width, height, image_format, scale)


_GONE = (BrowserClosedError, BrowserFailedError, ChannelClosedError)  # what a lost browser raises


def _quiet_once_gone(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """Kaleido's own tasks fail with the browser that went away; expected, not news."""
    if isinstance(context.get("exception"), _GONE):
        logger.debug("After the chart browser went: %s", context.get("message"))
        return
    loop.default_exception_handler(context)


class _Lost(Exception):
    """The browser died or hung while a call waited for its charts."""


def _read_error(task: asyncio.Task[Any]) -> None:
    if not task.cancelled():
        task.exception()


class _Browser:
    """One kaleido (Chromium, TABS tabs) driven from an asyncio loop in a thread of its own."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.owner = os.getpid()
        self.loop = asyncio.new_event_loop()
        self.loop.set_exception_handler(_quiet_once_gone)
        self.thread = threading.Thread(target=self._run, name="review-chart-browser", daemon=True)
        self.kaleido: Any = None
        self.opening: asyncio.Task[Any] | None = None
        self.drawing: dict[str, Future[str]] = {}  # charts handed over and not finished yet
        self.progress = time.monotonic()  # when a chart last finished (or the browser started)
        self.stopped = False
        self.thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()
        tasks = asyncio.all_tasks(self.loop)
        for task in tasks:
            task.cancel()
        if tasks:
            self.loop.run_until_complete(asyncio.wait(tasks, timeout=5))
        self.loop.close()

    def _submit(self, work: Coroutine[Any, Any, _T]) -> Future[_T]:
        return asyncio.run_coroutine_threadsafe(work, self.loop)

    async def _open(self) -> None:
        self.opening = asyncio.current_task()
        self.kaleido = kaleido.Kaleido(
            n=TABS,
            mathjax=False,
            timeout=CHART_TIMEOUT,
            path=self.path,
            browser_cls=_OfflineChromium,
        )
        await self.kaleido.open()

    def open(self, timeout: float) -> None:
        self._submit(self._open()).result(timeout)
        self.progress = time.monotonic()

    def pid(self) -> int | None:
        """The launcher's process id; Chromium runs in its process group."""
        process = getattr(self.kaleido, "subprocess", None)
        return process.pid if process is not None else None

    def running(self) -> bool:
        pid = self.pid()
        if self.stopped or pid is None or not self.thread.is_alive():
            return False
        try:  # not Popen.poll(): kaleido's watchdog is waiting on the process in a thread
            with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
                return stat.read().rpartition(")")[2].split()[0] not in ("Z", "X")
        except OSError:
            return False

    async def _ping(self) -> bool:
        response = await self.kaleido.send_command("Browser.getVersion")
        return "result" in response

    def answers(self, timeout: float) -> bool:
        """Chromium runs and answers a DevTools command within `timeout` seconds."""
        if not self.running():
            return False
        try:
            return self._submit(self._ping()).result(timeout)
        except Exception:  # timed out, or the browser went away meanwhile
            return False

    async def _draw(self, chart: _Chart) -> str:
        task = asyncio.current_task()
        if task is not None:  # read its error even when nobody waits for the chart any more
            task.add_done_callback(_read_error)
        opts = {"format": chart.image_format, "width": chart.width, "height": chart.height}
        if chart.image_format != "svg":
            opts["scale"] = chart.scale
        image: bytes = await self.kaleido.calc_fig(chart.figure, opts=opts)
        if chart.image_format != "svg":
            return base64.b64encode(image).decode()
        return trim_svg(lighten_svg(image.decode()))

    def draw(self, charts: list[_Chart]) -> dict[str, Future[str]]:
        """A future SVG for each chart; charts already being drawn are joined, not redrawn,
        and charts finished since the caller looked in the cache come from there."""
        futures: dict[str, Future[str]] = {}
        new: list[tuple[str, Future[str]]] = []
        with _lock:
            for chart in charts:
                future = self.drawing.get(chart.key)
                if future is None and chart.key in _cache:
                    future = Future()
                    future.set_result(_cache[chart.key])
                elif future is None:
                    future = self._submit(self._draw(chart))
                    self.drawing[chart.key] = future
                    new.append((chart.key, future))
                    stats["drawn"] += 1
                futures[chart.key] = future
        for key, future in new:  # outside the lock: a finished future calls back at once
            future.add_done_callback(partial(self._drawn, key))
        return futures

    def _drawn(self, key: str, future: Future[str]) -> None:
        """Every finished chart goes into the cache, whether or not anyone still waits."""
        with _lock:
            if self.drawing.get(key) is future:
                del self.drawing[key]
            if future.cancelled() or future.exception() is not None:
                return
            self.progress = time.monotonic()
            _cache[key] = future.result()
            _cache.move_to_end(key)
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)

    def _kill_group(self) -> None:
        pid = self.pid()
        if pid is not None and self.owner == os.getpid():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pid, signal.SIGKILL)

    def close(self, timeout: float) -> None:
        """Close Chromium politely; kill it if that takes longer than `timeout`."""
        if self.kaleido is not None and self.running():
            with contextlib.suppress(Exception):
                self._submit(self.kaleido.close()).result(timeout)
        self.kill()

    def kill(self) -> None:
        """Kill Chromium's whole process group (stopped processes too), drop the charts in
        progress and end the loop. Returns at once; nothing here waits on the browser."""
        with _lock:
            if self.stopped:
                return
            self.stopped = True
            drawing = list(self.drawing.values())
            self.drawing.clear()
        self._kill_group()
        for future in drawing:
            future.cancel()

        async def finish() -> None:
            if self.opening is not None and not self.opening.done():
                # Given up on while starting: once Chromium's pid is known, kill it too.
                with contextlib.suppress(BaseException):
                    await asyncio.wait_for(asyncio.shield(self.opening), START_TIMEOUT)
                self._kill_group()
            if self.kaleido is not None:
                with contextlib.suppress(BaseException):  # kaleido cleans up its files
                    await asyncio.wait_for(self.kaleido.close(), 10)
            self.loop.stop()

        with contextlib.suppress(RuntimeError):  # the loop is already closed
            self.loop.call_soon_threadsafe(lambda: self.loop.create_task(finish()))


_lock = threading.RLock()  # guards _cache, _browser and each browser's `drawing`: moments only
_start_lock = threading.Lock()  # one caller at a time checks, starts or replaces the browser
_cache: OrderedDict[str, str] = OrderedDict()
_browser: _Browser | None = None
stats: Counter[str] = Counter()  # charts "drawn", browsers "started" and "replaced"


def _forget_after_fork() -> None:
    """A forked child has no browser thread: it starts its own and leaves the parent's be."""
    global _lock, _start_lock, _browser
    _lock, _start_lock, _browser = threading.RLock(), threading.Lock(), None


os.register_at_fork(after_in_child=_forget_after_fork)


def _retire(browser: _Browser, why: str) -> None:
    global _browser
    with _lock:
        if _browser is browser:
            _browser = None
    if not browser.stopped:
        logger.warning("Replacing the chart browser (pid %s): %s", browser.pid(), why)
        stats["replaced"] += 1
    browser.kill()


def _start(path: str, deadline: Deadline) -> _Browser:
    global _browser
    browser = _Browser(path)
    timeout = min(START_TIMEOUT, max(deadline.remaining(), 0))
    try:
        browser.open(timeout)
    except Exception as error:
        browser.kill()
        if isinstance(error, TimeoutError) and timeout < START_TIMEOUT:  # the caller's time
            raise deadline.expired("starting the chart browser") from error
        raise ChartsUnavailable(_not_started_message(path)) from error
    stats["started"] += 1
    with _lock:
        _browser = browser
    return browser


def _ready_browser(path: str, deadline: Deadline) -> _Browser:
    """The running browser if it answers, else a fresh one (the old one killed)."""
    if not _start_lock.acquire(timeout=max(deadline.remaining(), 0)):
        raise deadline.expired("waiting for the chart browser")
    try:
        browser = _browser
        if browser is not None:
            patience = min(PING_TIMEOUT, deadline.remaining())
            if not browser.answers(patience):
                if browser.running() and patience < PING_TIMEOUT:
                    raise deadline.expired("waiting for the chart browser")  # not its fault
                _retire(browser, "it is gone or does not answer")
                browser = None
        return browser or _start(path, deadline)
    finally:
        _start_lock.release()


def _lost(browser: _Browser, error: BaseException | None) -> bool:
    """Did this chart fail because the browser went away? (It may take a moment to exit.)"""
    if isinstance(error, (*_GONE, asyncio.CancelledError)):
        return True
    for _ in range(10):
        if not browser.running():
            return True
        time.sleep(0.1)
    return False


def _collect(
    browser: _Browser, futures: dict[str, Future[str]], deadline: Deadline
) -> dict[str, str]:
    """Wait for the charts until the deadline; raises _Lost when the browser dies or hangs."""
    keys = {future: key for key, future in futures.items()}
    pending = set(keys)
    svgs: dict[str, str] = {}
    while pending:
        remaining = deadline.remaining()
        if remaining <= 0:
            raise deadline.expired("drawing the charts")
        done, pending = wait(pending, timeout=min(remaining, 0.25), return_when=FIRST_COMPLETED)
        for future in done:
            if future.cancelled():  # the browser was retired meanwhile
                raise _Lost
            error = future.exception()
            if error is not None:
                if _lost(browser, error):
                    raise _Lost
                why = str(error) or type(error).__name__
                raise ChartsUnavailable(f"A chart could not be drawn: {why}") from error
            svgs[keys[future]] = future.result()
        if pending and not browser.running():
            raise _Lost
        if pending and time.monotonic() - browser.progress > STALL_AFTER:
            patience = min(PING_TIMEOUT, deadline.remaining())
            if browser.answers(patience):
                browser.progress = time.monotonic()  # busy, not stuck
            elif patience >= PING_TIMEOUT or not browser.running():
                raise _Lost
    return svgs


def render_svgs(figures: list[tuple[go.Figure, int, int]], *, deadline: Deadline) -> list[str]:
    """SVG text for each (figure, width, height), in order; raises ChartsUnavailable/ExportTimeout."""
    return _render([_chart(figure, width, height) for figure, width, height in figures], deadline)


def render_pngs(
    figures: list[tuple[go.Figure, int, int]], *, deadline: Deadline, scale: float = 2
) -> list[bytes]:
    """A PNG for each (figure, width, height), `scale` pixels a CSS pixel, for the slides;
    the same browser and cache as the SVGs, each image cached under its own format."""
    charts = [
        _chart(figure, width, height, image_format="png", scale=scale)
        for figure, width, height in figures
    ]
    return [base64.b64decode(image) for image in _render(charts, deadline)]


def _render(charts: list[_Chart], deadline: Deadline) -> list[str]:
    path = browser_path()
    if path is None:
        raise ChartsUnavailable(NO_BROWSER_MESSAGE)
    images: dict[str, str] = {}
    with _lock:
        for chart in charts:
            if chart.key in _cache:
                _cache.move_to_end(chart.key)
                images[chart.key] = _cache[chart.key]
    missing = list({c.key: c for c in charts if c.key not in images}.values())
    for attempt in (1, 2):
        if not missing:
            break
        deadline.check("drawing the charts")
        browser = _ready_browser(path, deadline)
        try:
            images.update(_collect(browser, browser.draw(missing), deadline))
            break
        except _Lost:
            _retire(browser, "it stopped or hung while drawing")
            if attempt == 2 or deadline.remaining() < RETRY_AT_LEAST:
                raise ChartsUnavailable(_lost_message(path)) from None
            with _lock:  # charts finished before it went are in the cache
                images.update({c.key: _cache[c.key] for c in missing if c.key in _cache})
            missing = [c for c in missing if c.key not in images]
            logger.warning("Drawing %d charts again in a new browser", len(missing))
    return [images[chart.key] for chart in charts]


def browser_pid() -> int | None:
    """The running chart browser's launcher process (Chromium runs in its group), or None."""
    browser = _browser
    return browser.pid() if browser is not None and browser.running() else None


def shutdown() -> None:
    """Close the browser now, for commands and at exit: left to the interpreter's end, it can
    die in the middle of a message and print a stack trace."""
    global _browser
    locked = _start_lock.acquire(timeout=10)  # at exit, a thread may be stuck starting one
    try:
        browser, _browser = _browser, None
        if browser is not None and browser.owner == os.getpid():
            browser.close(timeout=5)
    finally:
        if locked:
            _start_lock.release()


atexit.register(shutdown)


def clear_cache() -> None:
    with _lock:
        _cache.clear()
