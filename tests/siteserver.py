"""A real HTTP server on 127.0.0.1 serving a fixture news site, for crawl tests and benchmarks.

Pages are files under a directory (with `{{BASE}}` and `{{TODAY}}` filled in) or routes
added in code; some routes misbehave on purpose (slow, error status). Every request is
logged, so a test can count what the crawler fetched.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".xml": "application/xml",
    ".rss": "application/rss+xml",
    ".atom": "application/atom+xml",
    ".txt": "text/plain",
    ".json": "application/json",
}


@dataclass
class Route:
    body: bytes
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    conditional: bool = True  # answer If-None-Match / If-Modified-Since with 304


class FixtureSite:
    """A set of routes plus a log of the requests they received."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.queued: dict[str, list[Route]] = {}  # answered once each, before `routes`
        self.fallback: Callable[[str], Route | None] | None = None  # for paths not routed
        self.requests: list[str] = []
        self.base = ""
        self._lock = threading.Lock()

    def add(self, path: str, body: str | bytes, **options: object) -> None:
        data = body.encode() if isinstance(body, str) else body
        self.routes[path] = Route(body=data, **options)

    def add_directory(self, directory: Path) -> None:
        """Serve every file below `directory` at its relative path, templated."""
        for file in sorted(directory.rglob("*")):
            if file.is_file():
                path = "/" + file.relative_to(directory).as_posix()
                data = file.read_bytes()
                if file.suffix in (".xml", ".rss", ".atom", ".html", ".txt"):
                    data = self.fill(data)
                content_type = CONTENT_TYPES.get(file.suffix, "application/octet-stream")
                self.routes[path] = Route(body=data, content_type=content_type)

    def queue(self, path: str, *routes: Route) -> None:
        """Answer the next requests for `path` with these, in order (a 429, then...)."""
        self.queued.setdefault(path, []).extend(routes)

    def route(self, path: str) -> Route | None:
        with self._lock:
            if self.queued.get(path):
                return self.queued[path].pop(0)
        if path in self.routes:
            return self.routes[path]
        return self.fallback(path) if self.fallback else None

    def fill(self, data: bytes) -> bytes:
        today = datetime.now(UTC).strftime("%Y-%m-%d")
        return data.replace(b"{{BASE}}", self.base.encode()).replace(b"{{TODAY}}", today.encode())

    def log(self, path: str) -> None:
        with self._lock:
            self.requests.append(path)

    def hits(self) -> Counter[str]:
        with self._lock:
            return Counter(self.requests)


class _Handler(BaseHTTPRequestHandler):
    site: FixtureSite

    def do_GET(self) -> None:  # noqa: N802 (the http.server API)
        path = urlsplit(self.path).path  # query strings (utm_* and friends) do not matter
        self.site.log(path)
        route = self.site.route(path)
        if route is None:
            self._send(404, b"<html><body>Not found</body></html>", "text/html")
            return
        if route.delay:
            time.sleep(route.delay)
        etag = '"' + hashlib.md5(route.body).hexdigest() + '"'
        if route.conditional and route.status == 200 and self.headers.get("If-None-Match") == etag:
            self._send(304, b"", None, {"ETag": etag})
            return
        headers = {"ETag": etag, "Last-Modified": format_datetime(datetime.now(UTC), usegmt=True)}
        if not route.conditional:
            headers = {}
        self._send(route.status, route.body, route.content_type, {**headers, **route.headers})

    def _send(
        self, status: int, body: bytes, content_type: str | None, headers: dict | None = None
    ) -> None:
        try:
            self.send_response(status)
            if content_type:
                self.send_header("Content-Type", content_type)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the crawler gave up on a slow page: expected

    def log_message(self, format: str, *args: object) -> None:
        pass


class SiteServer:
    """Run a FixtureSite on a free port of 127.0.0.1 in a background thread.

    `keep_alive`: answer in HTTP/1.1 and keep each connection open for the next request,
    as real sites do (the benchmarks); by default every response closes its connection."""

    def __init__(self, site: FixtureSite, *, keep_alive: bool = False):
        protocol = "HTTP/1.1" if keep_alive else "HTTP/1.0"
        handler = type("Handler", (_Handler,), {"site": site, "protocol_version": protocol})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.site = site
        site.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        return self.site.base

    def __enter__(self) -> SiteServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
