"""The WSGI application: the three ESP services on one binding, plus /health (version, uptime,
topology and what the cluster holds) and the emulator's control endpoint /hpccemu/
(wsservices/control.py).

`/health` names the serving process (``pid``: ESP worker processes differ) and the one running
the DFU server (``dfu_server_pid``: null while a dead one is being restarted); its ``started``
and ``uptime_seconds`` are the server's, the same in every worker. `make_app(cluster)`
is what the server, the threaded test server and WSGI hosts use.
"""
from __future__ import annotations

import json
import os
import time

from werkzeug.wrappers import Request, Response

from wsservices import __version__
from wsservices.console import make_console
from wsservices.control import ROUTES, make_control
from wsservices.esp import pages
from wsservices.esp.binding import EspBinding
from wsservices.esp.guard import Guard
from wsservices.filespray import foreign
from wsservices.filespray.service import FileSpray
from wsservices.packageprocess.service import WsPackageProcess
from wsservices.roxie.wsecl import make_wsecl
from wsservices.wsdfu.service import WsDfu
from wsservices.xref.service import WsDFUXRef

SERVICE_CLASSES = (FileSpray, WsDfu, WsPackageProcess, WsDFUXRef)


def make_app(cluster, started: float | None = None) -> EspBinding:
    """`started` is when the server started (epoch seconds); ESP worker processes share it."""
    guard = Guard(cluster.settings.security)
    cluster.foreign_dali = foreign.connector(cluster.settings)
    services = [cls(cluster, guard) for cls in SERVICE_CLASSES]
    started = time.time() if started is None else started

    def health(request: Request) -> Response:
        body = {"status": "ok", "version": __version__, "started": _iso(started),
                "uptime_seconds": round(time.time() - started, 3), "pid": os.getpid(),
                "dfu_server_pid": cluster.dfu_server_pid(),
                "services": {s.name: {"version": s.version, "path": f"/{s.name}/"} for s in services},
                "counts": cluster.counts(), **cluster.summary()}
        return Response(json.dumps(body, indent=2, default=str), content_type="application/json")

    extra_routes = {"health": health, "hpccemu": make_control(cluster, guard), "wsecl": make_wsecl(cluster),
                    "console": make_console()}

    def front_page() -> str:
        return pages.root_page([(s.name, s.version) for s in services], _routes(extra_routes), DOCS)

    return EspBinding(services, max_request_bytes=cluster.settings.max_request_bytes,
                      extra_routes=extra_routes, root=front_page, guard=guard)


DOCS = [("HPCC Systems documentation", "https://hpccsystems.com/training/documentation/"),
        ("HPCC Systems platform source (ESP services: esp/scm, esp/services)",
         "https://github.com/hpcc-systems/HPCC-Platform")]


def _routes(extra_routes: dict) -> list[tuple[str, str, str]]:
    """(method, path, what it does) of every route that is not an ESP service, for '/'."""
    found = [("GET", "/health", "status, version, uptime, topology and counts (JSON)")]
    if "console" in extra_routes:
        found.append(("GET", "/console/", "the web console"))
    found.append(("GET", "/WsEcl/submit/query/<target>/<query>/json", "call a published Roxie query"))
    for name, (methods, handler) in sorted(ROUTES.items()):
        text = (handler.__doc__ or "").strip().splitlines()[0] if handler.__doc__ else ""
        found.append(("/".join(methods), f"/hpccemu/{name}", text))
    return found


def _iso(seconds: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))
