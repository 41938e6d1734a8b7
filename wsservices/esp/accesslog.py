"""The access log: one line per request, and optionally the bodies (ESP's trace levels).

`AccessLog(app, bodies=False)` wraps the WSGI app. When the response has been sent it logs, on
the ``hpccemu.access`` logger at INFO, the client address, method, path, the call (SOAP or JSON
``Service.Method``, or the method of a URL), the HTTP status, the ESP exception code when the
answer carries one, and the time taken::

    127.0.0.1 POST /WsDfu/ WsDfu.DFUInfo (SOAP) 200 Exception 20038 3.1 ms

The ESP layer tells it what the call and the exception were through `note()` (a context
variable, so the threaded server keeps requests apart). With ``bodies=True`` (``hpccemu serve
--log-requests``) it also logs each request and response body, cut after `BODY_LIMIT` bytes, with
passwords masked (``Authorization`` headers are never logged), much as ESP's ``logLevel`` 10 does.
Bodies are copied as the app reads and writes them, so uploads and downloads still stream.

Not emulated: ESP's own log format and file (``esp.log``), and its per-service trace settings.
"""
from __future__ import annotations

import contextvars
import logging
import re
import time
from typing import Any, Iterable

log = logging.getLogger("hpccemu.access")
BODY_LIMIT = 4096
_current: contextvars.ContextVar[dict | None] = contextvars.ContextVar("hpccemu_access", default=None)

_SECRET = r"[\w:.-]*(?:password|passwd|pwd)[\w.-]*"
_MASKS = [
    # <Password>x</Password>, <wsse:Password Type="...">x</wsse:Password>
    (re.compile(rf"(<({_SECRET})\b[^>]*>)[^<]*(</\2>)", re.I), r"\1****\3"),
    # "password": "x"
    (re.compile(rf'("{_SECRET}"\s*:\s*)"(?:[^"\\]|\\.)*"', re.I), r'\1"****"'),
    # password=x in a query string or a form body
    (re.compile(rf"(?<![\w])({_SECRET}=)[^&\s]*", re.I), r"\1****"),
]


def note(*, call: str | None = None, kind: str | None = None, exception: int | None = None) -> None:
    """Record what the current request is (``call``: "Service.Method", ``kind``: "SOAP", "JSON",
    ...) or that it answered an ESP exception; does nothing outside `AccessLog`."""
    record = _current.get()
    if record is None:
        return
    if call is not None:
        record["call"] = call
    if kind is not None:
        record["kind"] = kind
    if exception is not None and record.get("exception") is None:
        record["exception"] = exception


def mask(text: str) -> str:
    """`text` with the values of password-like fields replaced by ``****``."""
    for pattern, repl in _MASKS:
        text = pattern.sub(repl, text)
    return text


def _shown(data: bytes, total: int) -> str:
    text = mask(data[:BODY_LIMIT].decode("utf-8", "replace"))
    return text + (f" ... [{total - BODY_LIMIT} more bytes]" if total > BODY_LIMIT else "")


class _TeeInput:
    """wsgi.input that keeps the first `BODY_LIMIT` bytes read and counts the rest."""

    def __init__(self, stream):
        self.stream = stream
        self.head = bytearray()
        self.total = 0

    def _keep(self, data: bytes) -> bytes:
        self.total += len(data)
        if len(self.head) < BODY_LIMIT:
            self.head += data[:BODY_LIMIT - len(self.head)]
        return data

    def read(self, *args) -> bytes:
        return self._keep(self.stream.read(*args))

    def readline(self, *args) -> bytes:
        return self._keep(self.stream.readline(*args))

    def readlines(self, *args) -> list[bytes]:
        return [self._keep(line) for line in self.stream.readlines(*args)]

    def __iter__(self):
        return (self._keep(chunk) for chunk in self.stream)


class AccessLog:
    """WSGI middleware writing the access log (see the module docstring)."""

    def __init__(self, app, bodies: bool = False):
        self.app = app
        self.bodies = bodies

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        record: dict[str, Any] = {"status": 0}
        token = _current.set(record)
        tee = None
        if self.bodies:
            tee = environ["wsgi.input"] = _TeeInput(environ["wsgi.input"])

        def start(status, headers, exc_info=None):
            record["status"] = int(status.split(" ", 1)[0])
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        try:
            body = self.app(environ, start)
        finally:
            _current.reset(token)
        return _Logged(body, self, environ, record, started, tee)

    def write(self, environ, record: dict, started: float, tee, sent: bytes, sent_total: int) -> None:
        path = environ.get("PATH_INFO", "")
        query = environ.get("QUERY_STRING", "")
        target = path + ("?" + mask(query) if query else "")
        parts = [environ.get("REMOTE_ADDR", "-"), environ.get("REQUEST_METHOD", "-"), target]
        if record.get("call"):
            parts.append(record["call"] + (f" ({record['kind']})" if record.get("kind") else ""))
        parts.append(str(record["status"]))
        if record.get("exception") is not None:
            parts.append(f"Exception {record['exception']}")
        parts.append(f"{(time.perf_counter() - started) * 1000:.1f} ms")
        log.info(" ".join(parts))
        if tee is not None:
            log.info("request body (%d bytes): %s", tee.total, _shown(bytes(tee.head), tee.total))
            log.info("response body (%d bytes): %s", sent_total, _shown(sent, sent_total))


class _Logged:
    """The response iterable: passes the body through, then logs when the server closes it."""

    def __init__(self, body: Iterable[bytes], owner: AccessLog, environ, record, started, tee):
        self.body, self.owner, self.environ = body, owner, environ
        self.record, self.started, self.tee = record, started, tee
        self.head = bytearray()
        self.total = 0

    def __iter__(self):
        for chunk in self.body:
            if self.tee is not None:
                self.total += len(chunk)
                if len(self.head) < BODY_LIMIT:
                    self.head += chunk[:BODY_LIMIT - len(self.head)]
            yield chunk

    def close(self) -> None:
        try:
            close = getattr(self.body, "close", None)
            if close is not None:
                close()
        finally:
            self.owner.write(self.environ, self.record, self.started, self.tee, bytes(self.head), self.total)
