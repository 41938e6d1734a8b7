"""Reset an emulated cluster to empty without restarting it (for tests: moto's ``reset``).

`reset(cluster)`:
1. stops the DFU server (running jobs are told to abort, workers are joined);
2. empties every table of the store except ``schema_version`` and ``meta`` (so the schema and
   the emulator's bookkeeping stay; tables added by later migrations are emptied too), and
   moves the ``*.generation`` counters on, so Roxie in other ESP processes reloads;
3. deletes everything under the drop zones and the nodes (offline ones too: every node comes
   back online, empty), then recreates the directory layout;
4. resets engines that keep state in memory: anything hanging off the cluster with a `reset()`
   method, else a `reload()` one (the Roxie engine, `cluster.roxie`, reloads its now empty
   query sets and drops its index cache);
5. starts a fresh DFU server with the same settings (its threads cannot be restarted).

The per-cluster objects that are only views of the store (the file catalogue `files.catalog`,
`PackageMaps.for_cluster`, `DropZones.for_cluster`) hold no data and are kept: services cache
them, and replacing the catalogue would split its superfile lock in two.

Not done: requests in flight while the reset runs are not waited for (call it between tests);
with several processes (`hpccemu serve --workers N`), a reset asked of an ESP worker does not
stop the jobs running in the DFU server process.
"""
from __future__ import annotations

import shutil
import threading
from pathlib import Path

from .dfu.server import DfuServer

KEPT_TABLES = frozenset({"schema_version", "meta"})
_lock = threading.Lock()


def reset(cluster) -> dict:
    """Empty `cluster` (see the module docstring); returns what was cleared, for the control route."""
    with _lock:
        old = cluster.dfu
        old.stop()
        tables = _clear_tables(cluster.store)
        removed = _clear_dirs([cluster.datadir.dropzones_root, cluster.datadir.nodes_root,
                               cluster.datadir.offline_root])
        cluster.datadir.create()
        engines = _reset_engines(cluster)
        cluster.dfu = DfuServer(cluster, old.workunits, old.jobs, workers=cluster.settings.dfu_workers,
                                deterministic=old.deterministic, name=old.name)
        if cluster.role != "esp":   # an ESP worker process queues; the DFU server process runs
            cluster.dfu.start()
    return {"tables": tables, "paths_removed": removed, "engines": engines}


def _clear_tables(store) -> list[str]:
    tables = [t for t in store.tables() if t not in KEPT_TABLES and not t.startswith("sqlite_")]
    with store.transaction() as tx:
        tx.execute("PRAGMA defer_foreign_keys = ON")
        for table in tables:
            tx.execute(f'DELETE FROM "{table}"')
        tx.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key LIKE '%.generation'")
    return tables


def _clear_dirs(roots: list[Path]) -> int:
    count = 0
    for root in roots:
        if not root.is_dir():
            continue
        for child in list(root.iterdir()):
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
            count += 1
    return count


def _reset_engines(cluster) -> list[str]:
    done = []
    for name in sorted(set(vars(cluster)) | {"roxie"}):
        if name in ("dfu", "store", "datadir", "settings", "workunits"):
            continue
        engine = getattr(cluster, name, None)
        hook = getattr(engine, "reset", None) or getattr(engine, "reload", None)
        if callable(hook):
            hook()
            done.append(name)
    return done
