"""One XREF pass over a Thor cluster (dali/dfuXRefLib/dfuxreflib.cpp), as plain data.

* **Lost**: a registered file of the cluster with some part that has no copy left (neither
  primary nor mirror): Name, Cluster, Numparts, Partslost, Primarylost / Replicatedlost (only
  when not every copy is there), Modified, and a Part {Node, Num[, Replicate=1]} per missing copy.
* **Found**: a part set on disk (``<tail>._<p>_of_<N>`` in one directory, primary or mirror)
  that no logical file owns, with every part present: Partmask (client path, ``$P$`` for the
  part number), Numparts, Modified, Size, Part {Node…, RNode…, Num}.
* **Orphans**: such a set with parts missing, one entry for its primaries and one for its mirror
  copies (a single part's mask is expanded, as XREF does).
* **Directories**: per directory below the data base: Name, Num, Size, MaxSize/MaxIP,
  MinSize/MinIP, Skew (``+a%/-b%`` over the cluster's width).
* **Messages**: Errors and Warnings {File, Text}: part sizes that differ from the recorded size.

Not emulated: XREF of Roxie clusters, multi-cluster and crosslinked-file checks, directories
outside the cluster's data base, the ``FilterScopes`` option beyond a prefix match of scopes.
"""
from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

from ..dali.catalog import catalog
from ..datadir import CLIENT_DATA_BASE, CLIENT_MIRROR_BASE

_PART = re.compile(r"^(?P<tail>.+)\._(?P<p>\d+)_of_(?P<n>\d+)$")


def _stamp(mtime: float) -> str:
    return datetime.fromtimestamp(mtime, timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def scan(cluster, group: str, filter_scopes: str = "") -> dict:
    """The XREF result of Thor cluster `group`: {"Lost", "Found", "Orphans", "Directories",
    "Messages": {"Errors", "Warnings"}}."""
    thor = cluster.environment.thor_cluster(group)
    files = catalog(cluster)
    datadir = cluster.datadir
    ip = {n.name: n.address for n in thor.nodes}
    owned, lost, errors = _registered(cluster, files, thor, ip)
    sets: dict[tuple[str, str, int], dict] = {}
    directories: dict[str, dict] = {}
    for node in thor.nodes:
        for mirror, base, client_base in ((False, datadir.node_data_dir(node), CLIENT_DATA_BASE),
                                          (True, datadir.node_mirror_dir(node), CLIENT_MIRROR_BASE)):
            if not base.is_dir():
                continue
            for path in sorted(base.rglob("*")):
                if not path.is_file() or path.name.endswith(".tmp"):
                    continue
                rel = path.parent.relative_to(base).as_posix()
                stat = path.stat()
                if not mirror:
                    _count_directory(directories, rel, node.address, stat.st_size)
                if path in owned:
                    continue
                m = _PART.match(path.name)
                if not m or not (1 <= int(m["p"]) <= int(m["n"])):
                    continue
                if filter_scopes and not rel.replace("/", "::").startswith(filter_scopes.strip().lower()):
                    continue
                entry = sets.setdefault((rel, m["tail"], int(m["n"])), {"primary": defaultdict(list),
                                                                        "replicate": defaultdict(list),
                                                                        "size": 0, "mtime": 0.0})
                entry["replicate" if mirror else "primary"][int(m["p"])].append(node.address)
                if not mirror:
                    entry["size"] += stat.st_size
                entry["mtime"] = max(entry["mtime"], stat.st_mtime)
    found, orphans = [], []
    for (rel, tail, n), entry in sorted(sets.items()):
        present = set(entry["primary"]) | set(entry["replicate"])
        if len(present) == n:
            found.append(_found(rel, tail, n, entry))
        else:
            orphans += _orphans(rel, tail, n, entry)
    return {"Lost": lost, "Found": found, "Orphans": orphans,
            "Directories": [_directory(name, d, thor.width) for name, d in sorted(directories.items())],
            "Messages": {"Errors": errors, "Warnings": []}}


def _registered(cluster, files, thor, ip: dict[str, str]):
    """(paths owned by any registered file, lost entries of this cluster, size errors)."""
    owned: set[Path] = set()
    lost, errors = [], []
    rows = cluster.store.query("SELECT name FROM logical_files WHERE is_superfile = 0 ORDER BY name")
    for (name,) in rows:
        info = files.get(name)
        if info is None:
            continue
        for group in info.clusters:
            primaries = files.part_paths(name, group, fallback=False)
            mirrors = dict((rec.number, path) for rec, path in files.part_paths(name, group, replicas=True))
            owned.update(p for _, p in primaries)
            owned.update(mirrors.values())
            if group != thor.group:
                continue
            missing_parts, parts, primary_num, replica_num = 0, [], 0, 0
            for rec, path in primaries:
                has_primary = path.is_file()
                mirror = mirrors.get(rec.number)
                has_mirror = mirror is not None and mirror.is_file()
                primary_num += has_primary
                replica_num += has_mirror
                for copy, there in ((path, has_primary), (mirror, has_mirror)):
                    if there and not info.is_compressed and rec.size is not None and copy.stat().st_size != rec.size:
                        kind = "primary" if copy is path else "replicate"
                        errors.append({"File": name, "Text": f"Part {rec.number}: {kind} size mismatch: recorded "
                                                             f"size {rec.size}, actual size {copy.stat().st_size}"})
                if not has_primary and not has_mirror:
                    missing_parts += 1
                    parts.append({"Node": ip.get(rec.node, rec.node), "Num": rec.number})
                    if rec.replica_node:
                        parts.append({"Node": ip.get(rec.replica_node, rec.replica_node), "Num": rec.number,
                                      "Replicate": 1})
            if missing_parts:
                entry = {"Name": name, "Cluster": group, "Numparts": len(primaries), "Partslost": missing_parts}
                if primary_num != len(primaries):
                    entry["Primarylost"] = len(primaries) - primary_num
                if mirrors and replica_num != len(primaries):
                    entry["Replicatedlost"] = len(primaries) - replica_num
                entry["Modified"] = info.modified
                entry["Parts"] = parts
                lost.append(entry)
    return owned, lost, errors


def _mask(base: str, rel: str, tail: str, n: int, only: int | None = None) -> str:
    folder = f"{base}/{rel}" if rel not in ("", ".") else base
    return f"{folder}/{tail}._{only if only else '$P$'}_of_{n}"


def _found(rel: str, tail: str, n: int, entry: dict) -> dict:
    parts = []
    for p in range(1, n + 1):
        part = {"Num": p}
        if entry["primary"].get(p):
            part["Node"] = list(entry["primary"][p])
        if entry["replicate"].get(p):
            part["RNode"] = list(entry["replicate"][p])
        parts.append(part)
    return {"Partmask": _mask(CLIENT_DATA_BASE, rel, tail, n), "Numparts": n,
            "Modified": _stamp(entry["mtime"]), "Size": entry["size"], "Parts": parts}


def _orphans(rel: str, tail: str, n: int, entry: dict) -> list[dict]:
    out = []
    for kind, base in (("primary", CLIENT_DATA_BASE), ("replicate", CLIENT_MIRROR_BASE)):
        have = entry[kind]
        if not have:
            continue
        only = next(iter(have)) if len(have) == 1 else None
        out.append({"Partmask": _mask(base, rel, tail, n, only), "Numparts": n, "Modified": _stamp(entry["mtime"]),
                    "Size": entry["size"],
                    "Parts": [{"Node": list(have[p]), "Num": p} for p in sorted(have)]})
    return out


def _count_directory(directories: dict, rel: str, address: str, size: int) -> None:
    name = f"{CLIENT_DATA_BASE}/{rel}" if rel not in ("", ".") else CLIENT_DATA_BASE
    d = directories.setdefault(name, {"num": 0, "size": 0, "per_node": defaultdict(int)})
    d["num"] += 1
    d["size"] += size
    d["per_node"][address] += size


def _directory(name: str, d: dict, width: int) -> dict:
    out = {"Name": name, "Num": d["num"], "Size": d["size"]}
    if d["size"]:
        per_node = dict(d["per_node"])
        max_ip = max(per_node, key=per_node.get)
        min_ip, min_size = (min(per_node, key=per_node.get), min(per_node.values())) \
            if len(per_node) >= width else ("", 0)
        out.update(MaxSize=per_node[max_ip], MaxIP=max_ip, MinSize=min_size, MinIP=min_ip)
        average = d["size"] // width if width else 0
        if average and min_size < per_node[max_ip]:
            plus, minus = per_node[max_ip] * 100 // average, min_size * 100 // average
            if plus > 100 or minus < 100:
                out["Skew"] = f"+{plus - 100}%/-{100 - minus}%"
    return out
