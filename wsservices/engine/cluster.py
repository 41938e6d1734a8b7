"""The emulated cluster as one object: what the ESP services receive.

`Cluster.open(settings)` creates the data-directory layout, opens (and migrates) the Dali store
and keeps the settings and topology together. The engines for files, DFU workunits, package
maps and Roxie queries hang off this object as they are added.

Roles (`ROLES`), as HPCC runs ``esp`` and ``dfuserver`` as separate processes over one Dali:

* ``all`` (default; tests, `hpccemu serve --workers 1`): recovery, the DFU server's workers, the
  XREF builder and the ESP services in this process;
* ``dfuserver``: recovery, then the DFU server's workers and the XREF builder (and the Dali
  backup), no ESP;
* ``esp``: one of several ESP worker processes: no recovery (the DFU server process ran it
  before any worker started), no DFU workers (submitting queues in the store), and a Roxie that
  follows changes other processes make (roxie/server.py ``shared``).

Not emulated: separate Dali and Thor processes (the store and the node folders stand in).
"""
from __future__ import annotations

import os
from typing import Any

from .config import Settings
from .datadir import DataDir
from .dfu.server import DfuServer
from .environment import Environment
from .recovery import recover, recover_dfu_server
from .dali.backup import DaliBackup
from .dali.store import Store
from .dfu.workunits import STATE_NAMES, WorkunitStore


class Cluster:
    """Settings + topology + data directory + metadata store. Use as a context manager or call
    `close` when done."""

    def __init__(self, settings: Settings, datadir: DataDir, store: Store, role: str = "all"):
        if role not in ROLES:
            raise ValueError(f"unknown cluster role {role!r}")
        if role != "all" and settings.deterministic:
            raise ValueError("deterministic DFU workunits need one process (role 'all')")
        self.role = role
        self.settings = settings
        self.datadir = datadir
        self.store = store
        self.workunits = WorkunitStore(store)
        self.dfu = DfuServer(self, self.workunits, _dfu_jobs(), workers=settings.dfu_workers,
                             deterministic=settings.deterministic,
                             name=settings.environment.dfu_server)
        self.roxie = _roxie(self, shared=role != "all")
        self.xref = _xref(self)
        self.dali_backup = None
        #: ``(address, user, password) -> ForeignDali`` for remote copies (dfu/foreign.py); set by the app
        self.foreign_dali = _no_foreign_dali

    @classmethod
    def open(cls, settings: Settings | None = None, role: str = "all", restarted: bool = False) -> "Cluster":
        """Open the data dir and store; unless `role` is ``esp``, finish what a crash interrupted
        (recovery.py; `restarted`: a DFU server process started again while ESP processes
        serve, which recovers only what the dead one owned) and start the DFU server's workers
        and the XREF builder."""
        settings = settings or Settings()
        datadir = DataDir(settings.data_dir, settings.environment, settings.min_free_bytes).create()
        store = Store.open(datadir.dali_path)
        cluster = cls(settings, datadir, store, role)
        if role == "esp":
            return cluster
        if restarted:
            recover_dfu_server(cluster)
        else:
            recover(cluster)
        if settings.dali_backup is not None:
            cluster.dali_backup = DaliBackup(store, settings.dali_backup).start(other_writers=role != "all")
        cluster.dfu.start()
        cluster.xref.start()
        return cluster

    @property
    def environment(self) -> Environment:
        return self.settings.environment

    def close(self) -> None:
        self.roxie.close()
        self.dfu.stop()
        self.xref.stop()
        if self.dali_backup is not None:
            self.dali_backup.close()
        self.store.close()

    def __enter__(self) -> "Cluster":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def summary(self) -> dict[str, Any]:
        """Plain data for ``/health``: data dir, schema version and the topology."""
        return {
            "data_dir": str(self.datadir.root),
            "schema_version": self.store.schema_version,
            **self.environment.summary(),
        }

    def dfu_server_pid(self) -> int | None:
        """The process that runs the DFU server: this one (role ``all``), else the holder of the
        data dir's DFU server lock (None while there is none, e.g. between a crash and a restart)."""
        if self.role == "all":
            return os.getpid()
        return self.datadir.dfu_server_pid()

    def counts(self) -> dict[str, Any]:
        """What the cluster holds, for ``/health``: logical files (superfiles among them), DFU
        workunits by state name, package maps and the active ones, published Roxie queries."""
        with self.store.connection() as conn:
            one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
            by_state = conn.execute("SELECT state, COUNT(*) FROM dfu_workunits GROUP BY state").fetchall()
            counts = {
                "logical_files": one("SELECT COUNT(*) FROM logical_files"),
                "superfiles": one("SELECT COUNT(*) FROM logical_files WHERE is_superfile = 1"),
                "dfu_workunits": {STATE_NAMES[s] if 0 <= s < len(STATE_NAMES) else "unknown": n
                                  for s, n in by_state},
                "package_maps": one("SELECT COUNT(*) FROM package_maps"),
                "active_package_maps": one("SELECT COUNT(DISTINCT map_id) FROM package_set_entries "
                                           "WHERE active = 1"),
                "roxie_queries": one("SELECT COUNT(*) FROM queries"),
            }
        return counts


ROLES = ("all", "dfuserver", "esp")


def _roxie(cluster: "Cluster", shared: bool):
    """The emulated Roxie targets (roxie/server.py): loads published queries and takes their locks."""
    from .roxie.server import Roxie

    return Roxie(cluster, shared=shared)


def _xref(cluster: "Cluster"):
    """The XRef nodes and the build queue (xref/builds.py); builds run where the DFU server does."""
    from .xref.builds import XRefBuilder

    return XRefBuilder(cluster)


def _dfu_jobs() -> dict:
    """DFU command number -> job, for the commands the emulator can run."""
    from .dfu.jobs import JOBS
    from .dfu.remotecopy import copy_or_remote_copy
    from .dfu.workunits import COPY

    return {**JOBS, COPY: copy_or_remote_copy}


def _no_foreign_dali(address: str, user: str = "", password: str = ""):
    from .dfu.foreign import ForeignDaliError

    raise ForeignDaliError.undeclared(address)
