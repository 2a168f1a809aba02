"""Helpers for the review PDF tests: read a PDF's text and count requests to a local server."""

import functools
import io
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pypdf


@functools.lru_cache(maxsize=32)
def _pdftotext(pdf: bytes, mode: str) -> str:
    """poppler's pdftotext (fast, and not our own code) in `-layout` or `-raw` mode."""
    return subprocess.run(
        ["pdftotext", mode, "-enc", "UTF-8", "-", "-"],
        input=pdf,
        capture_output=True,
        check=True,
    ).stdout.decode()


def pdf_pages(pdf: bytes) -> list[str]:
    """The text of each page, laid out as on the page."""
    pages = _pdftotext(pdf, "-layout").split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def page_count(pdf: bytes) -> int:
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def pdf_reading_order(pdf: bytes) -> str:
    """The whole text in the order it was written, whitespace collapsed: a wrapped table cell
    stays in one piece, which the page layout would interleave with its neighbours."""
    return " ".join(_pdftotext(pdf, "-raw").split())


def pdf_text(pdf: bytes) -> str:
    # pypdf may break a line anywhere; compare with whitespace collapsed.
    return " ".join(" ".join(pdf_pages(pdf)).split())


@dataclass
class CountingServer:
    port: int = 0
    paths: list[str] = field(default_factory=list)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@contextmanager
def counting_server() -> Iterator[CountingServer]:
    """A real HTTP server on 127.0.0.1 that records every request made to it."""
    record = CountingServer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            record.paths.append(self.path)
            body = b"body { background: red }"
            self.send_response(200)
            self.send_header("Content-Type", "text/css")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    record.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield record
    finally:
        server.shutdown()
        server.server_close()
