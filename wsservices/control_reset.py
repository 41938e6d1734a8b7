"""Control route ``POST /hpccemu/reset``: empty the emulated cluster, keep the server running.

Answers ``{"Reset": true, "Tables": [...], "PathsRemoved": n, "Engines": [...]}`` (see
`wsservices.engine.reset`). Used by `hpccemu.pytest_plugin` when the tests run against an
external server (``--hpccemu-url``) and by anyone resetting a shared emulator between runs.
"""
from __future__ import annotations

from wsservices.control import route
from wsservices.engine.reset import reset


@route("reset")
def reset_cluster(cluster, request) -> tuple[int, dict]:
    """Empty the whole emulated cluster, keeping the server running."""
    done = reset(cluster)
    return 200, {"Reset": True, "Tables": done["tables"], "PathsRemoved": done["paths_removed"],
                 "Engines": done["engines"]}
