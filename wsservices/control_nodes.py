"""Control routes for failure drills (JSON; see wsservices/control.py for the
error shape):

* ``GET /hpccemu/nodes`` -> ``{"Nodes": [{"Name", "Ip", "State"}]}`` (State online/offline);
* ``POST /hpccemu/nodes/offline`` ``{"node": name or ip}``: the node's folders become
  unreachable; ``POST /hpccemu/nodes/online``: they come back; ``POST /hpccemu/nodes/swap``:
  the node is replaced by an empty one. Each answers the new ``{"Nodes": [...]}``.
* ``POST /hpccemu/backupnode`` ``{"cluster": thor}``: backupnode over that cluster
  (engine/nodes/backupnode.py); answers its printed lines and counts.
"""
from __future__ import annotations

from wsservices.control import json_body, route
from wsservices.engine.nodes import failures


def _node(request) -> str:
    value = json_body(request).get("node")
    if not isinstance(value, str) or not value.strip():
        raise ValueError("'node' (a node name or address) is required")
    return value


@route("nodes", methods=("GET",))
def nodes(cluster, request) -> tuple[int, dict]:
    return 200, {"Nodes": failures.node_states(cluster)}


@route("nodes/offline")
def offline(cluster, request) -> tuple[int, dict]:
    failures.take_offline(cluster, _node(request))
    return 200, {"Nodes": failures.node_states(cluster)}


@route("nodes/online")
def online(cluster, request) -> tuple[int, dict]:
    failures.bring_online(cluster, _node(request))
    return 200, {"Nodes": failures.node_states(cluster)}


@route("nodes/swap")
def swap(cluster, request) -> tuple[int, dict]:
    failures.swap(cluster, _node(request))
    return 200, {"Nodes": failures.node_states(cluster)}


@route("backupnode")
def backupnode(cluster, request) -> tuple[int, dict]:
    """``{"cluster": thor}`` -> ``{"Lines": [...], "Files", "Parts", "Copied", "Errors"}``."""
    from wsservices.engine.nodes.backupnode import backupnode as run

    group = json_body(request).get("cluster")
    if not isinstance(group, str) or not group.strip():
        raise ValueError("'cluster' (a Thor cluster) is required")
    report = run(cluster, group.strip())
    return 200, {"Lines": report.lines, "Files": report.files, "Parts": report.parts,
                 "Copied": report.copied, "Errors": report.errors}
