"""The emulator's own control endpoint, `/hpccemu/...`: things a real cluster does through
services we do not emulate (publishing Roxie queries goes through WsWorkunits there) and things
only an emulator needs (reset between tests).

Requests and answers are JSON. Each route is a function `(cluster, request) -> (status, body)`
registered with `@route("name")` in one of `ROUTE_MODULES`, which `make_control` imports.
An error is `{"Exceptions": {"Source": "hpccemu", "Exception": [{"Code": c, "Message": m}]}}`
with HTTP 400 (bad request) or 404 (unknown route).

With authentication on, only the ``[security] admins`` may use it (others get 403; no
credentials, ESP's 401 from the binding); ``control = false`` switches it off (404 for every
route).
"""
from __future__ import annotations

import importlib
import json
from typing import Any, Callable

from werkzeug.wrappers import Request, Response

from wsservices.engine.errors import DomainError

Handler = Callable[[Any, Request], tuple[int, Any]]
ROUTES: dict[str, tuple[tuple[str, ...], Handler]] = {}
ROUTE_MODULES = ("wsservices.control_reset", "wsservices.roxie.control", "wsservices.control_nodes",
                 "wsservices.control_dafilesrv")


def route(name: str, methods: tuple[str, ...] = ("POST",)) -> Callable[[Handler], Handler]:
    """Register `handler` for `/hpccemu/<name>` (matched without regard to case)."""
    def register(handler: Handler) -> Handler:
        ROUTES[name.lower()] = (methods, handler)
        return handler
    return register


def error_body(code: int, message: str) -> dict:
    return {"Exceptions": {"Source": "hpccemu", "Exception": [{"Code": code, "Message": message}]}}


def json_body(request: Request) -> dict:
    """The request's JSON object (an empty body is `{}`); raises ValueError when it is not one."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    data = json.loads(raw)
    if not isinstance(data, dict):
        raise ValueError("the request body must be a JSON object")
    return data


def make_control(cluster, guard=None) -> Callable[[Request], Response]:
    """The handler `EspBinding` mounts as the extra route `hpccemu`."""
    for module in ROUTE_MODULES:
        importlib.import_module(module)

    def handle(request: Request) -> Response:
        if guard is not None and not guard.config.control:
            request.stream.read(1 << 20)  # read, so that the client gets the answer
            return _json(404, error_body(404, "The control endpoint is switched off ([security] control = false)."))
        if guard is not None and not guard.is_admin():
            request.stream.read(1 << 20)
            return _json(403, error_body(403, f"User {guard.user()} is not an administrator of this emulator."))
        name = request.path.lstrip("/").split("/", 1)[1].strip("/").lower() if "/" in request.path.lstrip("/") else ""
        entry = ROUTES.get(name)
        if entry is None:
            return _json(404, error_body(404, f"Unknown control route '{name}'. Known: {', '.join(sorted(ROUTES))}"))
        methods, handler = entry
        if request.method not in methods:
            return _json(405, error_body(405, f"Use {' or '.join(methods)} for /hpccemu/{name}"))
        try:
            status, body = handler(cluster, request)
        except DomainError as exc:
            status, body = 400, error_body(exc.code, exc.message)
        except ValueError as exc:
            status, body = 400, error_body(400, f"Bad request: {exc}")
        if isinstance(body, Response):   # a route that streams (dafilesrv's part reads)
            return body
        return _json(status, body)
    return handle


def _json(status: int, body: Any) -> Response:
    return Response(json.dumps(body, indent=2, default=str), status, content_type="application/json")
