"""Emulated Dali file locks (wsdfu.md §6).

Real Dali locks a file's node in its property tree: a connection holds READ (shared),
READ+HOLD, or WRITE (exclusive). A writer (delete, rename, overwrite, superfile change) fails
*at once* with ``SDS: Lock held`` (code 30) when a HOLD or WRITE lock exists, and after its
timeout with ``SDS: Lock timeout`` (code 1) when only plain READ locks exist. Published Roxie
queries hold READ+HOLD locks on the files they use, which is why deleting such a file fails; a
DFU job holds READ locks on the files it reads (despray, copy, replicate, supercopy) for as long
as it runs, and a file being switched to new parts is WRITE-locked for the switch (intents.py).

The registry keeps locks in the store (``file_locks``) so that they survive a restart, like the
queries that hold them. Holders are free text shown in the lock message (e.g.
``roxie query myquery.1``, ``DFU workunit D20240101-123456``).

Emulated: the three modes, the exact Lock held / Lock timeout texts with the file's Dali xpath
(``SuperFile[...]`` for superfiles), writers never waiting (a READ lock fails a writer at once with
the *timeout* text instead of after 15 s), readers waiting for a WRITE lock to go, every failed
operation changing nothing, the locks of DFU jobs a crash stopped dropped at start-up.
Not emulated: locks of other Dali nodes (workunits, package maps), other lock owners' sessions
dying (a lock lives until it is released).
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable

from ..errors import FileLocked
from ..names import parse_logical_name
from .store import Store

MODES = ("read", "hold", "write")
#: how long a reader waits for a writer's lock to go (a switch holds one for milliseconds)
READ_WAIT_SECONDS = 15.0
READ_WAIT_POLL = 0.01


@dataclass(frozen=True)
class LockInfo:
    id: int
    name: str        # normalised logical name
    mode: str        # read | hold | write
    holder: str
    created: str


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def _normal(name: str) -> str:
    return parse_logical_name(name).name


def lock_summary(locks: Iterable[LockInfo]) -> str:
    """The ``existing lock info`` part of a lock message: one entry per lock."""
    return "; ".join(f"{lk.mode.upper()} lock held by {lk.holder}" for lk in locks)


def xpath_of(name: str, is_superfile: bool = False) -> str:
    """The Dali node path of a file (wsdfu.md §6): ``Files/Scope[@name="a"]/File[@name="b"]``."""
    path = parse_logical_name(name).dali_xpath
    if is_superfile:
        head, _, tail = path.rpartition("/File[")
        path = f"{head}/SuperFile[{tail}"
    return path


class LockRegistry:
    """Locks on logical names. Thread-safe (the store serialises writers)."""

    def __init__(self, store: Store):
        self.store = store

    # -- taking and dropping -------------------------------------------------------------------
    def acquire(self, names: Iterable[str], holder: str, mode: str = "hold") -> list[int]:
        """Lock every name for ``holder``; returns the lock ids (for `release_ids`).

        ``hold`` (the default, what a published Roxie query takes) never waits and never fails;
        ``read`` (what a DFU job takes on the files it reads) waits while another holder has a
        WRITE lock on a name (a file being switched to new parts), and after
        `READ_WAIT_SECONDS` fails with ``SDS: Lock timeout``; ``write`` first checks that no
        other holder has a lock on any name (`check_writable`) and takes none if one has. The
        files need not exist.
        """
        if mode not in MODES:
            raise ValueError(f"lock mode must be one of {MODES}, got {mode!r}")
        normal = list(dict.fromkeys(_normal(n) for n in names))
        deadline = time.monotonic() + READ_WAIT_SECONDS
        while True:
            created = _now()
            ids: list[int] = []
            with self.store.transaction() as conn:
                if mode == "write":
                    for name in normal:
                        self.check_writable(name, ignore_holder=holder)
                writers = [lk for name in normal for lk in self.locks_on(name)
                           if mode == "read" and lk.mode == "write" and lk.holder != holder]
                if not writers:
                    for name in normal:
                        cur = conn.execute("INSERT INTO file_locks(file_name, mode, holder, created) "
                                           "VALUES (?, ?, ?, ?)", (name, mode, holder, created))
                        ids.append(int(cur.lastrowid))
                    return ids
            if time.monotonic() >= deadline:
                raise FileLocked.lock_timeout(xpath_of(writers[0].name), lock_summary(writers))
            time.sleep(READ_WAIT_POLL)

    def release(self, holder: str, names: Iterable[str] | None = None) -> int:
        """Drop ``holder``'s locks (on ``names`` only, if given); returns how many were dropped."""
        with self.store.transaction() as conn:
            if names is None:
                return conn.execute("DELETE FROM file_locks WHERE holder = ?", (holder,)).rowcount
            count = 0
            for name in dict.fromkeys(_normal(n) for n in names):
                count += conn.execute("DELETE FROM file_locks WHERE holder = ? AND file_name = ?",
                                      (holder, name)).rowcount
            return count

    def release_ids(self, ids: Iterable[int]) -> int:
        with self.store.transaction() as conn:
            return sum(conn.execute("DELETE FROM file_locks WHERE id = ?", (int(i),)).rowcount
                       for i in ids)

    # -- looking -------------------------------------------------------------------------------
    def locks_on(self, name: str) -> list[LockInfo]:
        rows = self.store.query("SELECT id, file_name, mode, holder, created FROM file_locks "
                                "WHERE file_name = ? ORDER BY id", (_normal(name),))
        return [LockInfo(*tuple(r)) for r in rows]

    def locks_of(self, holder: str) -> list[LockInfo]:
        rows = self.store.query("SELECT id, file_name, mode, holder, created FROM file_locks "
                                "WHERE holder = ? ORDER BY id", (holder,))
        return [LockInfo(*tuple(r)) for r in rows]

    def is_locked(self, name: str) -> bool:
        return bool(self.locks_on(name))

    def check_writable(self, name: str, *, is_superfile: bool = False,
                       ignore_holder: str | None = None) -> None:
        """Raise `FileLocked` if another holder's lock stops a writer on ``name``.

        HOLD or WRITE locks give ``SDS: Lock held`` (30); only READ locks give
        ``SDS: Lock timeout`` (1) — without the real 15 s wait.
        """
        locks = [lk for lk in self.locks_on(name) if lk.holder != ignore_holder]
        if not locks:
            return
        xpath = xpath_of(name, is_superfile)
        if any(lk.mode in ("hold", "write") for lk in locks):
            raise FileLocked.lock_held(xpath, lock_summary(locks))
        raise FileLocked.lock_timeout(xpath, lock_summary(locks))
