"""The chart renderer heals: a killed or stopped Chromium costs one call at most, never the
process; charts drawn after a deadline are kept. And its browser reaches no network address.

Real Chromium throughout: the tests find the renderer's processes in /proc (children of this
test process, under kaleido's launcher) and send them SIGKILL or SIGSTOP.
"""

import asyncio
import contextlib
import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import kaleido
import plotly.graph_objects as go
import pytest

from kpis.review import charts as review_charts
from kpis.review.errors import ChartsUnavailable, Deadline, ExportTimeout
from tests.review_helpers import CountingServer, counting_server

LAUNCHER = "_unix_pipe_chromium_wrapper.py"  # choreographer's launcher: the group leader


def _stat(pid: int) -> tuple[int, str]:
    """(parent pid, state letter) from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return int(fields[1]), fields[0]


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                children.setdefault(_stat(int(entry.name))[0], []).append(int(entry.name))
            except OSError:
                continue  # gone meanwhile
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def renderer_chromium() -> list[int]:
    """Live Chromium processes this test process started for the charts (not Playwright's)."""
    pids = []
    for pid in _descendants(os.getpid()):
        try:
            if LAUNCHER not in Path(f"/proc/{pid}/cmdline").read_text():
                continue
        except OSError:
            continue
        for child in _descendants(pid):
            try:
                chromium = os.path.basename(os.readlink(f"/proc/{child}/exe")) == "chromium"
                if chromium and _stat(child)[1] not in ("Z", "X"):
                    pids.append(child)
            except OSError:
                continue
    return pids


def signal_all(pids: list[int], signum: int) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signum)


def alive(pids: list[int]) -> list[int]:
    live = []
    for pid in pids:
        try:
            if _stat(pid)[1] not in ("Z", "X"):
                live.append(pid)
        except OSError:
            pass
    return live


def figures(tag: str, count: int) -> list[tuple[go.Figure, int, int]]:
    """`count` charts of their own (a new tag: nothing cached), each naming itself."""
    return [
        (
            go.Figure(
                go.Scatter(x=list(range(40)), y=[(n * i) % 17 for i in range(40)]),
                layout={"title": {"text": f"{tag} chart {n}"}, "template": "none"},
            ),
            320,
            200,
        )
        for n in range(count)
    ]


def assert_drawn(svgs: list[str], tag: str, count: int) -> None:
    assert len(svgs) == count
    for n, svg in enumerate(svgs):
        assert svg.startswith("<svg") and f"{tag} chart {n}<" in svg


def warm() -> list[int]:
    """A running renderer; its Chromium processes."""
    review_charts.render_svgs(figures(f"warm {time.monotonic()}", 1), deadline=Deadline(90))
    pids = renderer_chromium()
    assert pids, "the renderer's Chromium was not found in /proc"
    return pids


class Call(threading.Thread):
    """render_svgs in a thread, so the test can act on the browser while it draws."""

    def __init__(self, charts: list[tuple[go.Figure, int, int]], seconds: float) -> None:
        super().__init__(daemon=True)
        self.charts, self.seconds = charts, seconds
        self.svgs: list[str] | None = None
        self.error: BaseException | None = None
        self.took = 0.0

    def run(self) -> None:
        began = time.monotonic()
        try:
            self.svgs = review_charts.render_svgs(self.charts, deadline=Deadline(self.seconds))
        except BaseException as error:
            self.error = error
        self.took = time.monotonic() - began


@pytest.fixture
def stopped() -> Iterator[list[int]]:
    """Processes a test stops: continued afterwards whatever happened (if still there)."""
    pids: list[int] = []
    try:
        yield pids
    finally:
        signal_all(pids, signal.SIGCONT)


def timed(label: str, began: float) -> float:
    took = time.monotonic() - began
    print(f"{label}: {took:.2f} s")
    return took


def test_a_browser_killed_between_exports_is_replaced_by_the_next_call() -> None:
    old = warm()
    launcher = review_charts.browser_pid()
    signal_all(old, signal.SIGKILL)
    began = time.monotonic()
    svgs = review_charts.render_svgs(figures("after kill", 3), deadline=Deadline(90))
    took = timed("next call after a kill between exports", began)
    assert_drawn(svgs, "after kill", 3)
    assert review_charts.browser_pid() not in (None, launcher)
    assert not alive(old) and renderer_chromium()
    assert took < 60


def test_a_browser_killed_mid_call_is_replaced_and_the_call_finishes() -> None:
    old = warm()
    launcher = review_charts.browser_pid()
    replaced = review_charts.stats["replaced"]
    charts = figures("mid kill", 30)
    keys = [review_charts._chart(*chart).key for chart in charts]
    call = Call(charts, seconds=90)
    call.start()
    began = time.monotonic()
    while not any(key in review_charts._cache for key in keys):  # drawing is under way
        assert time.monotonic() - began < 30
        time.sleep(0.02)
    signal_all(old, signal.SIGKILL)
    killed = time.monotonic()
    call.join(120)
    timed("call whose browser was killed mid-way, from the kill", killed)
    assert not call.is_alive()
    # The browser was replaced once and the same call drew the rest (the retry).
    assert call.error is None, call.error
    assert call.svgs is not None
    assert_drawn(call.svgs, "mid kill", 30)
    assert review_charts.stats["replaced"] == replaced + 1
    assert review_charts.browser_pid() not in (None, launcher) and not alive(old)
    began = time.monotonic()
    assert_drawn(review_charts.render_svgs(figures("next", 2), deadline=Deadline(30)), "next", 2)
    assert timed("the next call", began) < 30


def test_a_browser_killed_with_no_time_left_to_retry_fails_the_call_with_a_message() -> None:
    old = warm()
    charts = figures("no retry", 30)
    keys = [review_charts._chart(*chart).key for chart in charts]
    call = Call(charts, seconds=4.5)  # under RETRY_AT_LEAST once the kill lands
    call.start()
    began = time.monotonic()
    while not any(key in review_charts._cache for key in keys):
        assert time.monotonic() - began < 4
        time.sleep(0.02)
    signal_all(old, signal.SIGKILL)
    call.join(30)
    print(f"call killed {time.monotonic() - began:.2f} s in, deadline 4.5 s: {call.took:.2f} s")
    assert not call.is_alive()
    assert isinstance(call.error, ChartsUnavailable), call.error
    print(f"message: {call.error}")
    assert str(call.error).startswith("The chart browser (")
    assert "stopped unexpectedly while drawing the charts" in str(call.error)
    assert call.took < 4.5
    began = time.monotonic()
    svgs = review_charts.render_svgs(charts, deadline=Deadline(90))
    timed("the same charts next, in a new browser", began)
    assert_drawn(svgs, "no retry", 30)


def test_a_browser_that_keeps_dying_fails_the_call_with_a_message_then_recovers() -> None:
    warm()
    stop = threading.Event()

    def keep_killing() -> None:  # every Chromium the renderer starts, as soon as it is seen
        while not stop.is_set():
            signal_all(renderer_chromium(), signal.SIGKILL)
            time.sleep(0.05)

    killer = threading.Thread(target=keep_killing, daemon=True)
    killer.start()
    began = time.monotonic()
    try:
        with pytest.raises(ChartsUnavailable) as caught:
            review_charts.render_svgs(figures("doomed", 8), deadline=Deadline(60))
        timed("call with a browser killed over and over", began)
    finally:
        stop.set()
        killer.join(10)
    message = str(caught.value)
    print(f"message: {message}")
    assert "The chart browser (" in message and (
        "stopped unexpectedly" in message or "did not start" in message
    )
    assert "Try again" in message or "try again" in message
    assert time.monotonic() - began < 60
    began = time.monotonic()
    svgs = review_charts.render_svgs(figures("recovered", 3), deadline=Deadline(90))
    timed("next call once the killing stopped", began)
    assert_drawn(svgs, "recovered", 3)


def test_a_stopped_browser_ends_the_call_at_its_deadline_and_is_replaced(
    stopped: list[int],
) -> None:
    old = warm()
    launcher = review_charts.browser_pid()
    stopped.extend(old)
    signal_all(old, signal.SIGSTOP)
    began = time.monotonic()
    with pytest.raises(ExportTimeout, match="took longer than 4 seconds"):
        review_charts.render_svgs(figures("hung", 6), deadline=Deadline(4))
    took = timed("call into a stopped browser, deadline 4 s", began)
    assert 3.9 < took < 9
    # Still stopped: the next call finds it does not answer, kills it and starts another.
    began = time.monotonic()
    svgs = review_charts.render_svgs(figures("hung", 6), deadline=Deadline(90))
    timed("next call, browser still stopped (ping, kill, restart, draw)", began)
    assert_drawn(svgs, "hung", 6)
    assert review_charts.browser_pid() not in (None, launcher)
    deadline = time.monotonic() + 10
    while alive(old) and time.monotonic() < deadline:  # SIGKILL reaches stopped processes
        time.sleep(0.1)
    assert not alive(old)


def test_a_browser_stopped_then_continued_keeps_serving_and_its_late_charts_count(
    stopped: list[int],
) -> None:
    old = warm()
    launcher = review_charts.browser_pid()
    drawn = review_charts.stats["drawn"]
    stopped.extend(old)
    signal_all(old, signal.SIGSTOP)
    began = time.monotonic()
    with pytest.raises(ExportTimeout):
        review_charts.render_svgs(figures("paused", 6), deadline=Deadline(3))
    timed("call into a stopped browser, deadline 3 s", began)
    signal_all(old, signal.SIGCONT)
    began = time.monotonic()
    svgs = review_charts.render_svgs(figures("paused", 6), deadline=Deadline(60))
    timed("same charts once continued", began)
    assert_drawn(svgs, "paused", 6)
    assert review_charts.browser_pid() == launcher  # it was only paused: kept
    assert review_charts.stats["drawn"] == drawn + 6  # the late charts were not drawn twice


def test_charts_drawn_after_a_deadline_serve_the_next_call() -> None:
    warm()
    charts = figures("too many", 16)
    drawn = review_charts.stats["drawn"]
    began = time.monotonic()
    with pytest.raises(ExportTimeout, match="while drawing the charts"):
        review_charts.render_svgs(charts, deadline=Deadline(0.4))
    timed("16 charts with a 0.4 s deadline", began)
    keys = [review_charts._chart(*chart).key for chart in charts]
    cached = sum(key in review_charts._cache for key in keys)
    print(f"charts cached when the deadline passed: {cached} of 16")
    assert cached < 16  # the deadline really was too short
    wait_until = time.monotonic() + 60
    while not all(key in review_charts._cache for key in keys):  # drawn on, after the caller
        assert time.monotonic() < wait_until
        time.sleep(0.1)
    began = time.monotonic()
    svgs = review_charts.render_svgs(charts, deadline=Deadline(0.5))
    timed("the same 16 charts again, deadline 0.5 s", began)
    assert_drawn(svgs, "too many", 16)
    assert review_charts.stats["drawn"] == drawn + 16  # each drawn once, the late ones kept


def test_a_retry_right_after_the_deadline_joins_the_charts_still_being_drawn() -> None:
    warm()
    charts = figures("joined", 12)
    drawn = review_charts.stats["drawn"]
    with pytest.raises(ExportTimeout):
        review_charts.render_svgs(charts, deadline=Deadline(0.3))
    began = time.monotonic()
    svgs = review_charts.render_svgs(charts, deadline=Deadline(60))
    timed("retry of 12 charts right after a 0.3 s deadline", began)
    assert_drawn(svgs, "joined", 12)
    assert review_charts.stats["drawn"] == drawn + 12


def _hostile_figure(server: CountingServer) -> go.Figure:
    """Markup that makes a browser fetch, put straight into a figure (nothing escaped)."""
    origin = server.origin
    return go.Figure(
        go.Bar(
            x=[1, 2],
            y=[f'<span style="fill:url({origin}/tick#x)">Tick</span>', "b"],
            orientation="h",
            name=f'<span style="fill:url({origin}/legend#x)">Legend</span>',
        ),
        layout={
            "title": {
                "text": f'<span style="fill:url({origin}/title#x)">Revenue</span>'
                f' <a href="{origin}/link">x</a>'
            },
            "showlegend": True,
            "template": "none",
        },
    )


def test_the_renderers_browser_reaches_no_network_address() -> None:
    warm()
    review_charts.clear_cache()
    with counting_server() as server:
        figure = _hostile_figure(server)
        svg = review_charts.render_svgs([(figure, 400, 300)], deadline=Deadline(60))[0]
        time.sleep(1)  # a fetch the drawing started would have arrived by now
    assert f"url({server.origin}/title#x)" in svg  # the markup did reach the browser
    assert server.paths == []
    launcher = review_charts.browser_pid()
    assert launcher is not None
    main = [
        pid
        for pid in renderer_chromium()
        if "--type=" not in Path(f"/proc/{pid}/cmdline").read_text()
    ]
    assert len(main) == 1
    args = Path(f"/proc/{main[0]}/cmdline").read_text().split("\0")
    assert "--host-resolver-rules=MAP * ~NOTFOUND" in args
    assert "--proxy-bypass-list=<-loopback>" in args


def test_the_same_markup_does_reach_the_listener_from_a_browser_started_as_usual() -> None:
    """Guard for the test above: without the flags, Chromium fetches what the markup names."""

    async def draw(figure: Any) -> bytes:
        async with kaleido.Kaleido(n=1, mathjax=False) as browser:
            svg: bytes = await browser.calc_fig(
                figure, opts={"format": "svg", "width": 400, "height": 300}
            )
            await asyncio.sleep(1)
            return svg

    with counting_server() as server:
        figure = _hostile_figure(server).to_dict()
        # A thread of its own: Playwright may have left an event loop running in this one.
        drawing = threading.Thread(target=lambda: asyncio.run(draw(figure)), daemon=True)
        drawing.start()
        drawing.join(90)
    assert not drawing.is_alive()
    assert "/title" in server.paths and "/tick" in server.paths
