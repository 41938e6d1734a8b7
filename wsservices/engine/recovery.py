"""Start-up recovery: whatever a crash interrupted is finished or undone before anything runs.

In order (`recover`, called by `Cluster.open` before the DFU server's workers start):

1. every switch intent is finished (dali/intents.py): a catalogue change that committed gets the
   renames and removals that belong to it, so each registered file has exactly its own parts;
2. the DFU server fails the workunits a crash stopped (started, blocked, aborting), removes their
   temporary files, drops the read locks their jobs held, and queues ``queued`` ones again
   (dfu/server.py `DfuServer.recover`);
3. every temporary file left by a job (``<part>.<wuid>.tmp``, in node folders and drop zones) and
   every partial upload (``<name>.<hex>.part``) is removed: no job and no upload runs yet, so
   none of them belongs to live work; so is the folder where remote copies wait for fetched
   parts (``nodes/.foreign``, dfu/remotecopy.py).

4. an XREF build a crash stopped shows so (xref/builds.py; queued builds stay queued).

With several processes (`hpccemu serve --workers N`) recovery runs once, in the DFU server
process (cluster role ``dfuserver``), before any ESP worker starts: it assumes that no other
process uses the data directory while it runs. A DFU server process started again after one
died (prefork.py) runs `recover_dfu_server` instead, while the ESP workers serve.
"""
from __future__ import annotations

import logging

from .dali.catalog import catalog
from .dfu.remotecopy import remove_fetched
from .dfu.server import lock_holder
from .dfu.writer import temporary_files
from .landingzone.dropzones import partial_uploads
from .xref.builds import XRefBuilder

log = logging.getLogger(__name__)


def recover(cluster) -> dict[str, int]:
    """Finish or undo what a crash interrupted; returns counts of what was done (for logs)."""
    done = {"switches": catalog(cluster).intents.recover()}
    done["workunits"] = cluster.dfu.recover()
    root = cluster.datadir.root
    leftovers = list(temporary_files(root)) + list(partial_uploads(cluster.datadir.dropzones_root))
    for path in leftovers:
        path.unlink(missing_ok=True)
    done["temporary_files"] = len(leftovers) + remove_fetched(root)
    done["xref_builds"] = XRefBuilder.for_cluster(cluster).recover()
    if any(done.values()):
        log.warning("recovered after a crash: %s", done)
    return done


def recover_dfu_server(cluster) -> dict[str, int]:
    """Recovery of what a dead DFU server process owned, while ESP processes serve: the switches
    of its jobs, its workunits (their temporary files and read locks), the parts its remote
    copies fetched, its XREF build. Partial uploads and the switches of ESP processes may be
    live work: they are left alone (the next full start-up's `recover` sees to them)."""
    holders = {lock_holder(wu.wuid) for wu in cluster.dfu.interrupted()}
    done = {"switches": catalog(cluster).intents.recover(holders)}
    done["workunits"] = cluster.dfu.recover()
    done["temporary_files"] = remove_fetched(cluster.datadir.root)
    done["xref_builds"] = XRefBuilder.for_cluster(cluster).recover()
    log.warning("recovered after the DFU server process died: %s", done)
    return done
