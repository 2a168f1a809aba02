"""A browser without JavaScript, for driving the app over HTTP on loopback: keeps its cookies,
sends forms with the CSRF token of the last form page it saw, follows no redirects, and can send
a request as htmx does. Standard library only (http.client), so scripts and tests share it.

    browser = Browser(port)
    browser.log_in("marketer", "race-demo")
    reply = browser.post("/plans/1/actuals/kpis/3/add/", {...}, htmx=True)

Every request opens its own connection (as a browser behind a load balancer may), times itself
and hands the seconds to `on_request`, if given.
"""

from __future__ import annotations

import http.client
import time
from collections.abc import Callable
from dataclasses import dataclass
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode

LOGIN_PATH = "/accounts/login/"


@dataclass
class Reply:
    status: int
    location: str
    headers: dict[str, str]  # lower-case names
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode(errors="replace")


class Forms(HTMLParser):
    """The fields each <form> of a page posts: its named inputs but files, in order."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "form":
            self.forms.append({})
        elif tag == "input" and self.forms and found.get("name") and found.get("type") != "file":
            self.forms[-1][found["name"] or ""] = found.get("value") or ""

    def having(self, name: str) -> dict[str, str]:
        return next(form for form in self.forms if name in form)


class Browser:
    """One person's browser on `127.0.0.1:port`; `port` may change (another server, same
    cookies: sessions live in the database, so any app server knows them)."""

    def __init__(
        self,
        port: int,
        *,
        timeout: float = 30,
        on_request: Callable[[float], None] | None = None,
    ) -> None:
        self.port = port
        self.timeout = timeout
        self.on_request = on_request
        self.cookies: dict[str, str] = {}
        self.token = ""

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def get(self, path: str, headers: dict[str, str] | None = None) -> Reply:
        reply = self.send("GET", path, b"", headers or {})
        if 'name="csrfmiddlewaretoken"' in reply.text:
            self.token = Forms(reply.text).having("csrfmiddlewaretoken")["csrfmiddlewaretoken"]
        return reply

    def post(self, path: str, fields: dict[str, str], *, htmx: bool = False) -> Reply:
        body = urlencode({"csrfmiddlewaretoken": self.token, **fields}).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Origin": self.origin}
        if htmx:
            headers |= {"HX-Request": "true", "X-CSRFToken": self.token}
        return self.send("POST", path, body, headers)

    def send(self, method: str, path: str, body: bytes, headers: dict[str, str]) -> Reply:
        """One request; connection errors (refused, reset, timed out) are raised as OSError or
        http.client.HTTPException."""
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        started = time.monotonic()
        try:
            connection.request(method, path, body or None, {**headers, "Cookie": cookie})
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
            if self.on_request is not None:
                self.on_request(time.monotonic() - started)
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        found = {name.lower(): value for name, value in response.getheaders()}
        return Reply(response.status, found.get("location", ""), found, data)

    def log_in(self, username: str, password: str) -> Reply:
        """Through the login form, then the page it leads to (whose forms hold the new token)."""
        self.get(LOGIN_PATH)
        reply = self.post(LOGIN_PATH, {"username": username, "password": password})
        if reply.status != 302 or "sessionid" not in self.cookies:
            raise AssertionError(f"login of {username}: {reply.status}")
        return self.get(reply.location)
