"""DFUXRefArrayAction on a generated XREF result (dali/dfuXRefLib/XRefFilesNode.cpp):
Attach a found file (register its parts as a logical file), Delete found or orphan parts, and
DeleteLogical a lost file (its metadata only: surviving parts become orphans, as in HPCC).

Each returns (done, error text); the entry leaves the stored result once done. The logical name
of an attached file comes from its part mask: the directory below the data base gives the
scopes, the mask's tail the name (``/var/lib/HPCCSystems/hpcc-data/thor/a/b/c._$P$_of_2`` ->
``a::b::c``). Not emulated: re-attaching into a scope that no longer maps one-to-one to a path.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..dali.catalog import catalog
from ..dali.files import NewLogicalFile, PartRecord
from ..dali.intents import Switch
from ..datadir import CLIENT_DATA_BASE, CLIENT_MIRROR_BASE
from ..errors import DomainError, InvalidArgument

_MASK = re.compile(r"^(?P<dir>.*)/(?P<tail>[^/]+)\._(?:\$P\$|\d+)_of_(?P<n>\d+)$")


def _entry(result: dict, branch: str, key: str, value: str) -> dict | None:
    return next((e for e in result.get(branch, []) if e.get(key) == value), None)


def _node_name(cluster, address: str) -> str | None:
    return next((n.name for n in cluster.environment.nodes if address in (n.address, n.name)), None)


def _copies(cluster, mask: str, parts: list[dict]) -> list[tuple[str, Path]]:
    """(node, real path) of every copy of an entry's parts: Node holds the copy the mask's
    directory names (data or mirror), RNode a mirror copy."""
    m = _MASK.match(mask)
    if m is None:
        raise InvalidArgument(f"Invalid part mask {mask}")
    mirror_mask = m["dir"].startswith(CLIENT_MIRROR_BASE)
    rel = m["dir"][len(CLIENT_MIRROR_BASE if mirror_mask else CLIENT_DATA_BASE):].strip("/")
    out = []
    for part in parts:
        for key, mirror in (("Node", mirror_mask), ("RNode", True)):
            for address in part.get(key, []):
                node = _node_name(cluster, address)
                if node is None:
                    continue
                root = cluster.datadir.node_mirror_dir(node) if mirror else cluster.datadir.node_data_dir(node)
                folder = root.joinpath(*rel.split("/")) if rel else root
                out.append((node, folder / f"{m['tail']}._{part['Num']}_of_{m['n']}"))
    return out


def remove_physical(cluster, result: dict, branch: str, mask: str) -> tuple[bool, str]:
    """Delete the parts of a found or orphan entry."""
    entry = _entry(result, branch, "Partmask", mask)
    if entry is None:
        return False, f"Could not find {mask} in the XREF result"
    paths = [path for _, path in _copies(cluster, mask, entry["Parts"])]
    catalog(cluster).intents.switch(Switch(removals=paths), f"xref delete {mask}")
    result[branch].remove(entry)
    return True, ""


def attach(cluster, result: dict, mask: str, group: str) -> tuple[bool, str]:
    """Register a found entry as a logical file on `group`, its parts where they are."""
    entry = _entry(result, "Found", "Partmask", mask)
    if entry is None:
        return False, f"Could not find {mask} in the XREF result"
    m = _MASK.match(mask)
    rel = m["dir"][len(CLIENT_DATA_BASE):].strip("/")
    name = "::".join([*filter(None, rel.split("/")), m["tail"]])
    files = catalog(cluster)
    if files.exists(name):
        return False, f"Logical file {name} already exists"
    parts = []
    for part in entry["Parts"]:
        primary = _copies(cluster, mask, [{"Node": part.get("Node", [])[:1], "Num": part["Num"]}])
        mirror = _copies(cluster, mask, [{"RNode": part.get("RNode", [])[:1], "Num": part["Num"]}])
        if not primary:
            return False, f"Part {part['Num']} has no primary copy to attach"
        node, path = primary[0]
        parts.append(PartRecord(part["Num"], node, path.stat().st_size,
                                replica_node=mirror[0][0] if mirror else None))
    files.create(NewLogicalFile(name=name, group=group, directory=m["dir"],
                                part_mask=f"{m['tail']}._$P$_of_{m['n']}", parts=parts, attrs={}))
    result["Found"].remove(entry)
    return True, ""


def remove_logical(cluster, result: dict, name: str, remove_from_superfiles: bool = False) -> tuple[bool, str]:
    """DeleteLogical (canRemoveLogicalFile, then RemoveLogical): superfile owners refuse it
    unless `remove_from_superfiles`, which takes it out of them first."""
    files = catalog(cluster)
    if not files.exists(name):
        return False, f"Logical file {name} not found"
    owners = files.owners_of(name)
    if owners and not remove_from_superfiles:
        return False, f"Cannot remove logical file {name} as owned by SuperFile(s)"
    try:
        for owner in owners:
            files.superfiles.remove(owner, [name])
        files.delete(name, keep_parts=True)
    except DomainError as exc:
        return False, exc.message
    entry = _entry(result, "Lost", "Name", files_name(name, result))
    if entry is not None:
        result["Lost"].remove(entry)
    return True, ""


def files_name(name: str, result: dict) -> str:
    """The name as the result lists it (names are compared without regard to case)."""
    return next((e["Name"] for e in result.get("Lost", []) if e["Name"].lower() == name.lower()), name)


def clean_directories(cluster, group: str) -> None:
    """removeEmptyDirectories: remove every empty folder below the cluster's data and mirror
    bases (the bases stay)."""
    thor = cluster.environment.thor_cluster(group)
    for node in thor.nodes:
        if cluster.datadir.is_offline(node):
            continue
        for base in (cluster.datadir.node_data_dir(node), cluster.datadir.node_mirror_dir(node)):
            if not base.is_dir():
                continue
            for folder in sorted((p for p in base.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True):
                if not any(folder.iterdir()):
                    folder.rmdir()
