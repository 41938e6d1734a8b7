"""Control routes for the emulated Roxie (JSON; see wsservices/control.py for the error shape):

* ``POST /hpccemu/roxie/publish`` ``{"target", "name", "files": [{"name", "opt"}], "keys": [...],
  "activate": true}`` -> ``{"QuerySet", "QueryId", "QueryName", "Activated"}``;
* ``POST /hpccemu/roxie/unpublish`` ``{"target", "query"}`` (an id or an alias) ->
  ``{"QuerySet", "QueryId"}``;
* ``GET /hpccemu/roxie/queries?target=roxie`` -> ``{"Queries": [{"QuerySet", "QueryId",
  "QueryName", "Activated", "Suspended", "SuspendedReason", "Files", "Keys", "Locks": [{"name",
  "mode"}]}]}`` (Locks: the Dali locks the loaded query holds on the files it resolves to);
* ``POST /hpccemu/roxie/reload`` ``{"target"}`` (optional): re-resolve now, as Roxie's
  ``control:reload`` does (e.g. after a Dali superfile changed);
* ``GET /hpccemu/roxie/state?target=roxie`` -> ``{"StateHash", "PackageSets": [{"id",
  "querySet", "active"}]}``: what Roxie's ``control:state`` (the hash) and
  ``control:queryPackageInfo`` (the loaded maps) report; both change only when Roxie has reloaded
  a package-map change (after ``roxie_reload_delay``), so "activate, then wait until Roxie
  reports the new map" polls this.

A real cluster publishes through WsWorkunits (WUPublishWorkunit), which is not emulated.
"""
from __future__ import annotations

from typing import Any

from wsservices.control import json_body, route


def _field(body: dict, name: str, kind: type, default: Any = None, required: bool = True) -> Any:
    if name not in body or body[name] is None:
        if required:
            raise ValueError(f"'{name}' is required")
        return default
    value = body[name]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ValueError(f"'{name}' must be a {_KIND_NAMES[kind]}")
    return value


_KIND_NAMES = {str: "string", bool: "boolean", list: "list", dict: "object"}


def _files(raw: list) -> list[tuple[str, bool]]:
    out = []
    for i, entry in enumerate(raw):
        if isinstance(entry, str):
            entry = {"name": entry}
        if not isinstance(entry, dict):
            raise ValueError(f"'files[{i}]' must be an object with 'name' and 'opt'")
        out.append((_field(entry, "name", str), _field(entry, "opt", bool, False, required=False)))
    return out


def _keys(raw: list) -> list[str]:
    if not all(isinstance(k, str) for k in raw):
        raise ValueError("'keys' must be a list of strings")
    return raw


@route("roxie/publish")
def publish(cluster, request) -> tuple[int, dict]:
    """Publish a Roxie query: {target, name, files, keys, activate}."""
    body = json_body(request)
    query = cluster.roxie.publish(_field(body, "target", str), _field(body, "name", str),
                                  _files(_field(body, "files", list)), _keys(_field(body, "keys", list)),
                                  _field(body, "activate", bool, True, required=False))
    return 200, {"QuerySet": query.query_set, "QueryId": query.id, "QueryName": query.name,
                 "Activated": query.activated}


@route("roxie/unpublish")
def unpublish(cluster, request) -> tuple[int, dict]:
    """Remove a published query: {target, query}."""
    body = json_body(request)
    gone = cluster.roxie.unpublish(_field(body, "target", str), _field(body, "query", str))
    return 200, {"QuerySet": gone.query_set, "QueryId": gone.id}


@route("roxie/queries", methods=("GET",))
def queries(cluster, request) -> tuple[int, dict]:
    """List the published queries (?target=roxie)."""
    target = request.args.get("target", "")
    out = []
    for q, loaded in cluster.roxie.queries(target):
        suspended = bool(loaded.suspended) if loaded is not None else False
        reason = (loaded.error or "") if loaded is not None else ""
        out.append({"QuerySet": q.query_set, "QueryId": q.id, "QueryName": q.name,
                    "Activated": q.activated, "Suspended": suspended, "SuspendedReason": reason,
                    "Files": [{"name": f.name, "opt": f.optional} for f in q.files],
                    "Keys": list(q.keys),
                    "Locks": [{"name": n, "mode": m} for n, m in cluster.roxie.locks(target, q.id)]})
    return 200, {"Queries": out}


@route("roxie/state", methods=("GET",))
def state(cluster, request) -> tuple[int, dict]:
    """The loaded package maps of one target and the state hash (?target=roxie)."""
    target = cluster.roxie.target_name(request.args.get("target", ""))
    state_hash, maps = cluster.roxie.package_info(target)
    return 200, {"StateHash": state_hash,
                 "PackageSets": [{"id": pmid, "querySet": target, "active": active} for pmid, active in maps]}


@route("roxie/reload")
def reload(cluster, request) -> tuple[int, dict]:
    """Reload the queries of one target or of all: {target}."""
    body = json_body(request)
    target = _field(body, "target", str, None, required=False)
    if target is not None:
        target = cluster.roxie.target_name(target)
    cluster.roxie.reload(target)
    return 200, {"Reloaded": target or "*"}
