"""Dali's backup: the store mirrored to a backup location as it is written, and a restore.

Real Dali, configured with a backup path, writes every store save and delta to a second
location too, and an operator restores by copying the backup store back. Emulated with SQLite's
online backup API: after commits (a batch of commits gives one copy) a background thread copies
a consistent snapshot of ``dali.sqlite`` to ``<backup>/dali.sqlite.tmp``, fsyncs it and renames
it onto ``<backup>/dali.sqlite`` (its directory fsynced), so the backup is always one complete,
committed state of the store, never a torn one, and at most one batch behind. `close` makes a
last copy of whatever was committed since. With ``other_writers`` (other processes commit to the
store: `hpccemu serve --workers N`), a second thread also watches SQLite's ``data_version``,
which moves when another connection commits, every `WATCH_SECONDS`.

`restore` puts a backup in place of a data directory's store while no emulator uses it: the old
``dali.sqlite`` (and its ``-wal``/``-shm``) move aside into ``dali-before-restore-<stamp>/``, the
backup's snapshot is written and fsynced under a temporary name and renamed into place. The
restored store keeps no switch intents and no locks: they belonged to work of the process that
was backed up, which finished it on disk (or whose start-up recovery did).

Not emulated: Dali's delta files and its ``-b``/``backupComputer`` options; part files are not
part of a Dali backup (XREF finds what no longer matches, as on a real cluster).
"""
from __future__ import annotations

import logging
import os
import sqlite3
import threading
from datetime import datetime
from pathlib import Path

from .intents import fsync_dir, make_dirs

log = logging.getLogger(__name__)

STORE_NAME = "dali.sqlite"


WATCH_SECONDS = 0.2


class DaliBackup:
    """Keeps ``<folder>/dali.sqlite`` a copy of ``store`` (a `Store`), one batch behind at most."""

    def __init__(self, store, folder: str | Path):
        self.store = store
        self.folder = Path(folder)
        self.copies = 0
        self._dirty = threading.Event()
        self._stop = False
        self._idle = threading.Condition()
        self._busy = False
        self._thread = threading.Thread(target=self._run, name="dali-backup", daemon=True)

    def start(self, other_writers: bool = False) -> "DaliBackup":
        make_dirs(self.folder)
        self.copy()   # the backup starts equal to the store
        self.store.on_commit(self._dirty.set)
        self._thread.start()
        if other_writers:
            threading.Thread(target=self._watch, name="dali-backup-watch", daemon=True).start()
        return self

    def _watch(self) -> None:
        """Mark the backup dirty when another process commits (``PRAGMA data_version``)."""
        conn = sqlite3.connect(self.store.path, timeout=30)
        try:
            seen = conn.execute("PRAGMA data_version").fetchone()[0]
            while not self._stop:
                threading.Event().wait(WATCH_SECONDS)
                now = conn.execute("PRAGMA data_version").fetchone()[0]
                if now != seen:
                    seen = now
                    self._dirty.set()
        except sqlite3.Error:
            log.exception("Dali backup: watching %s for other processes' commits failed", self.store.path)
        finally:
            conn.close()

    def copy(self) -> None:
        """Write one consistent snapshot of the store to the backup location."""
        _snapshot(self.store.path, self.folder / STORE_NAME)
        self.copies += 1

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Until everything committed so far is in the backup (tests, `close`)."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._dirty.is_set() and not self._busy, timeout)

    def close(self) -> None:
        self._stop = True
        self._dirty.set()
        if self._thread.is_alive():
            self._thread.join(60)

    def _run(self) -> None:
        while True:
            self._dirty.wait()
            with self._idle:
                self._busy = True
                self._dirty.clear()
            try:
                self.copy()
            except (OSError, sqlite3.Error):
                log.exception("Dali backup to %s failed; the next commit tries again", self.folder)
            finally:
                with self._idle:
                    self._busy = False
                    self._idle.notify_all()
            if self._stop and not self._dirty.is_set():
                return


def _snapshot(source: Path, target: Path) -> None:
    """SQLite's online backup of ``source`` into ``target``, staged, fsynced, then renamed."""
    tmp = target.with_name(target.name + ".tmp")
    tmp.unlink(missing_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode=DELETE")
        finally:
            dst.close()
    finally:
        src.close()
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, target)
    fsync_dir(target.parent)


def restore(backup: str | Path, data_dir: str | Path) -> Path:
    """Put the backup's store (``backup`` is the backup folder or its ``dali.sqlite``) in place of
    ``data_dir``'s; returns where the old store was moved. Raises ValueError for a backup that is
    missing or is not a store."""
    backup = Path(backup)
    source = backup / STORE_NAME if backup.is_dir() else backup
    if not source.is_file():
        raise ValueError(f"No Dali backup at {backup} (expected {source})")
    try:
        with sqlite3.connect(f"file:{source}?mode=ro", uri=True) as probe:
            names = {r[0] for r in probe.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            ok = probe.execute("PRAGMA quick_check").fetchone()[0] == "ok"
    except sqlite3.Error as exc:
        raise ValueError(f"{source} is not a Dali store: {exc}") from None
    if "logical_files" not in names or not ok:
        raise ValueError(f"{source} is not a Dali store" + ("" if ok else " (it fails SQLite's integrity check)"))
    data_dir = Path(data_dir)
    make_dirs(data_dir)
    live = data_dir / STORE_NAME
    staged = data_dir / (STORE_NAME + ".restore.tmp")
    _snapshot(source, staged)
    with sqlite3.connect(staged) as conn:
        for table in ("switch_intents", "file_locks"):
            if table in names:
                conn.execute(f"DELETE FROM {table}")
    conn.close()
    aside = data_dir / f"dali-before-restore-{datetime.now().strftime('%Y%m%d-%H%M%S-%f')}"
    aside.mkdir()
    for suffix in ("", "-wal", "-shm"):
        old = data_dir / (STORE_NAME + suffix)
        if old.exists():
            os.replace(old, aside / old.name)
    fsync_dir(aside)
    os.replace(staged, live)
    fsync_dir(data_dir)
    return aside
