"""One distributed-file directory per cluster: the logical-file catalogue (files.py) with its
superfile operations (superfiles.py) and its lock registry (locks.py), built once and kept on
the cluster, as Dali's ``queryDistributedFileDirectory()`` is one per process.

The catalogue is the lower layer: superfiles and locks build on it or beside it, and this module
wires them together, so that none of the three needs to import another to find it.
"""
from __future__ import annotations

import threading
from typing import Any

from .files import FileCatalog
from .locks import LockRegistry
from .superfiles import SuperfileManager

_catalog_lock = threading.Lock()
_FALLBACK_ATTR = "_hpccemu_file_catalog"


def catalog(cluster: Any) -> FileCatalog:
    """The cluster's `FileCatalog`, created on first use and kept on the cluster (afterwards
    also ``cluster.files``), with ``.superfiles`` and ``.locks``."""
    found = cluster.__dict__.get("files") or cluster.__dict__.get(_FALLBACK_ATTR)
    if isinstance(found, FileCatalog):
        return found
    with _catalog_lock:
        found = cluster.__dict__.get("files") or cluster.__dict__.get(_FALLBACK_ATTR)
        if isinstance(found, FileCatalog):
            return found
        made = FileCatalog(cluster)
        made.superfiles = SuperfileManager(made)
        try:
            setattr(cluster, "files", made)
        except AttributeError:  # a read-only `files` property on the class
            setattr(cluster, _FALLBACK_ATTR, made)
        return made


def lock_registry(cluster: Any) -> LockRegistry:
    """The cluster's lock registry (the same object as ``catalog(cluster).locks``)."""
    return catalog(cluster).locks
