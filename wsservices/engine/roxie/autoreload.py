"""Roxie's AutoReloadThread (roxie/ccd/ccdstate.cpp): a package-map change is picked up later.

Every change to /PackageSets or /PackageMaps asks for a full reload. The thread waits up to
500 ms (for an explicit ``control:reload``), then keeps waiting in 50 ms steps until no new
change has arrived, and only then reloads; until the reload has swapped the new state in,
lookups see the old one. The emulator's ``roxie_reload_delay`` setting is the first wait
(default 0: no thread, the reload happens before the call that changed a map returns;
0.5 mimics a real cluster). Not emulated: the explicit ``control:reload`` ending the wait
early (the ``/hpccemu/roxie/reload`` control route reloads at once, beside this thread).
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Callable

log = logging.getLogger(__name__)
SETTLE_SECONDS = 0.05


class AutoReload:
    """Call `reload` once changes have stopped arriving for a while, in a background thread."""

    def __init__(self, reload: Callable[[], None], delay: float):
        self._reload = reload
        self.delay = delay
        self._changed = threading.Condition()
        self._requests = 0           # changes asked for
        self._done = 0               # changes the last finished reload covered
        self._thread: threading.Thread | None = None
        self._stopping = False

    def request(self) -> None:
        """A package map changed: reload after the delay (at once when the delay is 0)."""
        if self.delay <= 0:
            self._reload()
            return
        with self._changed:
            self._requests += 1
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="roxie-autoreload", daemon=True)
                self._thread.start()
            self._changed.notify_all()

    @property
    def pending(self) -> bool:
        """Is a change waiting for its reload?"""
        with self._changed:
            return self._done < self._requests

    def stop(self) -> None:
        with self._changed:
            self._stopping = True
            self._changed.notify_all()

    def _run(self) -> None:
        while True:
            with self._changed:
                while self._done >= self._requests and not self._stopping:
                    self._changed.wait()
                if self._stopping:
                    return
                seen = self._requests
            time.sleep(self.delay)
            while True:                      # wait until the changes have settled
                time.sleep(SETTLE_SECONDS)
                with self._changed:
                    if self._requests == seen or self._stopping:
                        break
                    seen = self._requests
            try:
                self._reload()
            except Exception:                # a failed reload keeps the old state, as Roxie does
                log.exception("Roxie reload after a package-map change failed")
            with self._changed:
                self._done = max(self._done, seen)
                self._changed.notify_all()
