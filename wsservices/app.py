"""The WSGI application: the three ESP services on one binding, plus /health and the
emulator's control endpoint /hpccemu/ (wsservices/control.py).

`make_app(cluster)` is what the server, the threaded test server and WSGI hosts use.
"""
from __future__ import annotations

import json

from werkzeug.wrappers import Request, Response

from wsservices.console import make_console
from wsservices.control import make_control
from wsservices.esp.binding import EspBinding
from wsservices.esp.guard import Guard
from wsservices.filespray.service import FileSpray
from wsservices.packageprocess.service import WsPackageProcess
from wsservices.roxie.wsecl import make_wsecl
from wsservices.wsdfu.service import WsDfu
from wsservices.xref.service import WsDFUXRef

SERVICE_CLASSES = (FileSpray, WsDfu, WsPackageProcess, WsDFUXRef)


def make_app(cluster) -> EspBinding:
    guard = Guard(cluster.settings.security)
    services = [cls(cluster, guard) for cls in SERVICE_CLASSES]

    def health(request: Request) -> Response:
        body = {"status": "ok",
                "services": {s.name: {"version": s.version, "path": f"/{s.name}/"} for s in services},
                **cluster.summary()}
        return Response(json.dumps(body, indent=2, default=str), content_type="application/json")

    return EspBinding(services, max_request_bytes=cluster.settings.max_request_bytes,
                      extra_routes={"health": health, "hpccemu": make_control(cluster, guard),
                                    "wsecl": make_wsecl(cluster), "console": make_console()}, guard=guard)
