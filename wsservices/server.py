"""The HTTP server: werkzeug's threaded server with a read timeout and a bound on connections.

* ``read_timeout``: every socket read (and write) of a connection gives up after that many
  seconds; a request that stops half-way, or an idle kept-alive connection, is closed.
* ``max_connections``: at most that many connections are served at once; one more is answered
  ``503 Service Unavailable`` (ESP's reason phrase) and closed at once, without a thread.

Not emulated: ESP's own thread pool and its overall per-request deadline (a client that keeps
sending a byte just inside the timeout keeps its connection).
"""
from __future__ import annotations

import ipaddress
import socket
import threading

from werkzeug.serving import ThreadedWSGIServer, WSGIRequestHandler

_BUSY = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 32\r\n"
         b"Connection: close\r\n\r\nToo many connections; try again.")


class EspServer(ThreadedWSGIServer):
    """A ThreadedWSGIServer that refuses connections beyond `max_connections`."""

    def __init__(self, host: str, port: int, app, read_timeout: float, max_connections: int):
        handler = type("EspRequestHandler", (WSGIRequestHandler,), {"timeout": read_timeout})
        super().__init__(host, port, app, handler=handler)
        self._slots = threading.BoundedSemaphore(max_connections)

    def process_request(self, request, client_address):
        if not self._slots.acquire(blocking=False):
            try:
                request.settimeout(1)
                request.sendall(_BUSY)
            except OSError:
                pass
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()


def make_server(settings, app) -> EspServer:
    return EspServer(settings.host, settings.port, app, settings.read_timeout, settings.max_connections)


def exposure_warning(settings) -> str | None:
    """The start-up warning for a server reachable beyond this machine without authentication."""
    if settings.security.enabled or _is_loopback(settings.host):
        return None
    return (f"WARNING: listening on {settings.host} without authentication: anyone who can reach this "
            "port can read, change and delete every file, and reset the cluster. Set [security] "
            "htpasswd (or HPCCEMU_HTPASSWD), or listen on 127.0.0.1.")


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        try:
            return all(ipaddress.ip_address(info[4][0]).is_loopback
                       for info in socket.getaddrinfo(host, None))
        except (OSError, ValueError):
            return False
