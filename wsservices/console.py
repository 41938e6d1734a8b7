"""The web console at `/console/`: ECL Watch's data-handling pages (Landing Zones, Logical Files,
DFU Workunits, Package Maps, Roxie Queries), written for this project as plain HTML, CSS and
JavaScript modules shipped in the package (`wsservices/static/console/`).

This module only serves those files (GET/HEAD, fixed list read at start-up, so no path from a
client ever reaches the file system). The pages talk to the emulator as ECL Watch talks to ESP:
POST `/<Service>/<Method>.json` with a JSON body, plus `UploadFile`/`DownloadFile`, WsEcl, and the
emulator's `/hpccemu/roxie/queries` (real clusters list queries through WsWorkunits, not emulated).
Not emulated: ECL Watch itself (its layout, its other pages, its login).
"""
from __future__ import annotations

import mimetypes
from pathlib import Path

from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

STATIC_DIR = Path(__file__).resolve().parent / "static" / "console"
MOUNT = "console"
TYPES = {".html": "text/html; charset=UTF-8", ".css": "text/css; charset=UTF-8",
         ".js": "text/javascript; charset=UTF-8", ".png": "image/png", ".svg": "image/svg+xml"}


def console_files(root: Path = STATIC_DIR) -> dict[str, Path]:
    """Every servable file under `root`, by its URL path relative to `/console/`."""
    return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*"))
            if p.is_file() and p.suffix in TYPES}


def make_console(root: Path = STATIC_DIR):
    """The handler `EspBinding` mounts as the extra route `console`."""
    files = console_files(root)

    def handle(request: Request) -> Response:
        rest = request.path.lstrip("/").split("/", 1)
        if len(rest) == 1:                       # /console -> /console/, as ESP does for /Svc
            return redirect(f"/{rest[0]}/", 302)
        if request.method not in ("GET", "HEAD"):
            return Response(f"Use GET for /{MOUNT}/ pages", 405, {"Allow": "GET, HEAD"},
                            content_type="text/plain; charset=UTF-8")
        name = rest[1] or "index.html"
        path = files.get(name)
        if path is None:
            return Response(f"No console page {name!r}", 404, content_type="text/plain; charset=UTF-8")
        kind = TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return Response(path.read_bytes(), 200, {"Cache-Control": "no-cache"}, content_type=kind)

    return handle
