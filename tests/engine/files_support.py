"""Shared helpers for the file-catalogue tests: opening a real cluster and writing files with real
part files (the `cluster` and `cat` fixtures are in conftest.py)."""
from __future__ import annotations

import struct

from wsservices.engine.cluster import Cluster
from wsservices.engine.config import load_settings
from wsservices.engine.environment import Environment
from wsservices.engine.dali.files import FileCatalog, NewLogicalFile, PartRecord

PEOPLE_ECL = "RECORD\n  string10 name;\n  integer4 id;\nEND;\n"


TWO_CLUSTERS = {"thor": [{"name": "mythor", "nodes": 3},
                         {"name": "thor2", "nodes": 2, "replicate": True}]}


def open_cluster(root, topology: dict | None = None) -> Cluster:
    overrides = {"data_dir": str(root), "dfu_workers": 1}
    if topology is not None:
        overrides["environment"] = Environment.from_mapping(topology)
    return Cluster.open(load_settings(env={}, overrides=overrides))


def make_file(cat: FileCatalog, name: str, blobs: list[bytes] | bytes = b"0123456789",
              group: str = "mythor", replicate: bool = False, overwrite: bool = False,
              **attrs) -> list[PartRecord]:
    """Write real part files on the group's nodes and register the file."""
    if isinstance(blobs, bytes):
        blobs = [blobs]
    thor = cat.cluster.environment.thor_cluster(group)
    parts = []
    for i, data in enumerate(blobs):
        node = thor.node_for_part(i).name
        replica = thor.replica_node_for_part(i).name if replicate else None
        path = cat.datadir.part_path(node, name, i + 1, len(blobs))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        if replica:
            mirror = cat.datadir.part_path(replica, name, i + 1, len(blobs), mirror=True)
            mirror.parent.mkdir(parents=True, exist_ok=True)
            mirror.write_bytes(data)
        parts.append(PartRecord(i + 1, node, len(data), replica_node=replica))
    cat.create(NewLogicalFile(name, group, "", "", parts, dict(attrs)), overwrite=overwrite)
    return parts


def people_rows(count: int, start: int = 0) -> bytes:
    """``count`` rows of PEOPLE_ECL: name ``n<i>`` padded to 10, id ``i``."""
    return b"".join(f"n{i:<9}".encode() + struct.pack("<i", i) for i in range(start, start + count))


def make_people(cat: FileCatalog, name: str, count: int = 50, parts: int = 2, **attrs):
    data = people_rows(count)
    per = -(-count // parts) * 14
    blobs = [data[i:i + per] for i in range(0, len(data), per)] or [b""]
    attrs.setdefault("ecl", PEOPLE_ECL)
    attrs.setdefault("kind", "flat")
    attrs.setdefault("recordSize", 14)
    return make_file(cat, name, blobs, **attrs)
