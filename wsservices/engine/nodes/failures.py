"""Node failure, on purpose: what lets users rehearse the data-handling manual's procedures.

* `take_offline`: the node's folders (its primary ``hpcc-data`` and its ``hpcc-mirror``) move to
  ``<data>/offline/<node>/``, out of reach. Readers fall back to the mirror copy of each part
  (dali/files.py `part_paths`); writes that target the node, and reads of a part with no other
  copy, fail with dafilesrv's ``Failed to connect (setting host down) to dafilesrv/daliservix on
  <ip>:7100``.
* `bring_online`: the folders come back as they were.
* `swap`: the node is replaced by an empty one (a new disk, as after the manual's node swap):
  everything it held is gone, its folders exist and are empty; it is online.

The state lives on disk, so a restart finds it as it was. Not emulated: a swap does not change
the node's address (real swaps bring a spare with its own IP); a node taken offline while a DFU
job writes to it makes that job fail with whatever the file system says.
"""
from __future__ import annotations

import os
import shutil
import threading

from ..dali.intents import fsync_dir, make_dirs
from ..environment import Node
from ..errors import InvalidArgument

_lock = threading.Lock()


def node_states(cluster) -> list[dict]:
    """``[{"Name", "Ip", "State"}]`` for every node, State ``online`` or ``offline``."""
    datadir = cluster.datadir
    return [{"Name": n.name, "Ip": n.address, "State": "offline" if datadir.is_offline(n) else "online"}
            for n in cluster.environment.nodes]


def find_node(cluster, name_or_ip: str) -> Node:
    """The node called ``name_or_ip`` or having that address; `InvalidArgument` otherwise."""
    key = (name_or_ip or "").strip()
    nodes = cluster.environment.nodes
    for node in nodes:
        if key in (node.name, node.address):
            return node
    raise InvalidArgument(f"Unknown node '{key}'. Known nodes: {', '.join(n.name for n in nodes)}")


def take_offline(cluster, name_or_ip: str) -> Node:
    node = find_node(cluster, name_or_ip)
    datadir = cluster.datadir
    with _lock:
        if datadir.is_offline(node):
            raise InvalidArgument(f"Node {node.name} ({node.address}) is already offline")
        make_dirs(datadir.offline_root)
        here = datadir.node_dir(node)
        if here.exists():
            os.replace(here, datadir.offline_dir(node))
        else:
            datadir.offline_dir(node).mkdir()
        fsync_dir(datadir.offline_root)
        fsync_dir(datadir.nodes_root)
    return node


def bring_online(cluster, name_or_ip: str) -> Node:
    node = find_node(cluster, name_or_ip)
    datadir = cluster.datadir
    with _lock:
        if not datadir.is_offline(node):
            raise InvalidArgument(f"Node {node.name} ({node.address}) is not offline")
        here = datadir.node_dir(node)
        if here.exists():   # only empty folders can have appeared meanwhile (writes are refused)
            if any(p.is_file() for p in here.rglob("*")):
                raise InvalidArgument(f"Node {node.name}: {here} holds files written while it was offline")
            shutil.rmtree(here)
        os.replace(datadir.offline_dir(node), here)
        fsync_dir(datadir.nodes_root)
        fsync_dir(datadir.offline_root)
        _ensure_layout(datadir, node)
    return node


def swap(cluster, name_or_ip: str) -> Node:
    """Replace the node by an empty one, online (whether it was offline or not)."""
    node = find_node(cluster, name_or_ip)
    datadir = cluster.datadir
    with _lock:
        for folder in (datadir.offline_dir(node), datadir.node_dir(node)):
            if folder.exists():
                shutil.rmtree(folder)
        if datadir.offline_root.is_dir():
            fsync_dir(datadir.offline_root)
        _ensure_layout(datadir, node)
        fsync_dir(datadir.nodes_root)
    return node


def _ensure_layout(datadir, node: Node) -> None:
    make_dirs(datadir.node_data_dir(node))
    make_dirs(datadir.node_mirror_dir(node))
