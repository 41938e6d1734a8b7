"""Switch intents: what a write is about to change on disk, recorded in the store in the same
durable transaction as the catalogue change it belongs to, so that a crash at any later point is
finished on the next start-up instead of leaving a registered file with foreign or missing parts.

A switch is a list of renames (a staged file, written and fsynced under a name that cannot clash
with a live part, onto its final name) and a list of removals (parts no longer used: an old
file's, or a deleted file's). The order of one switch:

1. every staged file is on disk (fsynced, its directory too);
2. one transaction changes the catalogue, records the intent and takes a WRITE lock on the names
   whose parts are replaced (readers that take read locks wait; writers are refused);
3. after the commit: the renames, an fsync of each directory touched, the removals;
4. one transaction drops the intent and its locks.

A crash before 2 leaves the old state (recovery removes the staged files, which carry their
workunit's id); a crash after 2 leaves an intent, and `recover` rolls it forward (a rename whose
staged file is gone was done; a removal of a missing file was done), so every step is idempotent.

Real Dali and the DFU server do this their own way (the DFU server's recovery store and
Dali's transactions); what is emulated is the outcome: the old file or the new one, never a mix.
"""
from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Collection, Iterable

from .store import Store

log = logging.getLogger(__name__)


@dataclass
class Switch:
    """What one write changes on disk (absolute paths below the data directory)."""

    renames: list[tuple[Path, Path]] = field(default_factory=list)   # (staged, final)
    removals: list[Path] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.renames or self.removals)


class IntentLog:
    """The ``switch_intents`` table of a store, for the data directory ``root``."""

    def __init__(self, store: Store, root: Path):
        self.store = store
        self.root = Path(root)

    def record(self, conn, switch: Switch, holder: str, lock_names: Iterable[str] = ()) -> int:
        """Inside the caller's transaction (made durable): record ``switch``, and WRITE-lock
        ``lock_names`` for ``holder`` until it is finished. Returns the intent id."""
        self.store.make_durable()
        lock_ids = []
        created = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
        for name in dict.fromkeys(lock_names):
            lock_ids.append(conn.execute("INSERT INTO file_locks(file_name, mode, holder, created) "
                                         "VALUES (?, 'write', ?, ?)", (name, holder, created)).lastrowid)
        return int(conn.execute(
            "INSERT INTO switch_intents(holder, created, renames, removals, locks) VALUES (?, ?, ?, ?, ?)",
            (holder, created, json.dumps([[self._rel(a), self._rel(b)] for a, b in switch.renames]),
             json.dumps([self._rel(p) for p in switch.removals]), json.dumps(lock_ids))).lastrowid)

    def switch_after_commit(self, conn, switch: Switch, holder: str, lock_names: Iterable[str] = ()) -> None:
        """`record` now, and `finish` once the caller's transaction commits."""
        if not switch:
            return
        intent = self.record(conn, switch, holder, lock_names)
        self.store.after_commit(lambda: self.finish(intent, switch))

    def switch(self, switch: Switch, holder: str) -> None:
        """A switch with no catalogue change of its own (files in a drop zone, replicas)."""
        with self.store.transaction(durable=True) as conn:
            self.switch_after_commit(conn, switch, holder)

    def finish(self, intent: int, switch: Switch) -> bool:
        """Do the renames and removals of a recorded intent, then forget it and its locks.

        A step that fails (a disk error) is logged, never raised: the catalogue change has
        committed already, so the intent and its WRITE lock stay (readers keep out) and the next
        start-up finishes it. Returns whether it was finished."""
        try:
            folders: dict[Path, None] = {}
            for staged, final in switch.renames:
                if staged.exists():
                    os.replace(staged, final)
                folders[final.parent] = None
            for folder in folders:
                fsync_dir(folder)
            for path in switch.removals:
                try:
                    path.unlink()
                except FileNotFoundError:
                    pass
        except OSError:
            log.exception("switch %d could not be finished; the next start-up finishes it", intent)
            return False
        with self.store.transaction() as conn:
            row = conn.execute("SELECT locks FROM switch_intents WHERE id = ?", (intent,)).fetchone()
            if row is not None:
                for lock_id in json.loads(row["locks"]):
                    conn.execute("DELETE FROM file_locks WHERE id = ?", (lock_id,))
                conn.execute("DELETE FROM switch_intents WHERE id = ?", (intent,))
        return True

    def pending(self, holders: Collection[str] | None = None) -> list[tuple[int, Switch]]:
        """The recorded intents (of `holders` only, when given), oldest first."""
        rows = [r for r in self.store.query("SELECT id, holder, renames, removals FROM switch_intents ORDER BY id")
                if holders is None or r["holder"] in holders]
        return [(r["id"], Switch([(self.root / a, self.root / b) for a, b in json.loads(r["renames"])],
                                 [self.root / p for p in json.loads(r["removals"])])) for r in rows]

    def recover(self, holders: Collection[str] | None = None) -> int:
        """Finish every intent a crash interrupted (those of `holders` only, when given: the
        others may belong to live work); returns how many there were."""
        found = self.pending(holders)
        for intent, switch in found:
            log.warning("finishing interrupted switch %d (%d renames, %d removals)", intent,
                        len(switch.renames), len(switch.removals))
            self.finish(intent, switch)
        return len(found)

    def _rel(self, path: Path) -> str:
        return str(Path(path).relative_to(self.root))


def fsync_dir(folder: Path) -> None:
    """Make the entries of ``folder`` (new, renamed or removed files) durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def make_dirs(folder: Path) -> None:
    """``mkdir -p`` whose new directories are durable: each is fsynced into its parent."""
    missing = []
    probe = Path(folder)
    while not probe.is_dir():
        missing.append(probe)
        probe = probe.parent
    for path in reversed(missing):
        try:
            path.mkdir()
        except FileExistsError:
            pass
        fsync_dir(path.parent)
