"""The DFU workunit id clock (filespray.md §4.3).

A DFU WUID is ``D`` + local time ``YYYYMMDD-HHMMSS`` (e.g. ``D20240101-123456``). When that id is
already taken in the same second, Dali's unique-create appends ``-<n>``.

Emulated: the format, the ``-<n>`` suffix for ids created within one second, uniqueness against
ids already stored (the ``exists`` callback, so a restart in the same second cannot collide), and
a clock that never runs backwards (a wall clock that steps back, e.g. at the end of daylight
saving time, keeps using the last second issued).

Not emulated: real Dali picks a *small random increasing* n (e.g. ``-3`` for the first
duplicate); the emulator counts 1, 2, 3, ... so runs are reproducible. Like the real ids, the
suffixes do not sort numerically past ``-9`` as plain strings.
"""
from __future__ import annotations

import re
import threading
from datetime import datetime
from typing import Callable

_WUID_RE = re.compile(r"^[A-Za-z]\d{8}-\d{6}(?:-\d+)?$")


def looks_like_wuid(text: str, prefix: str = "D") -> bool:
    """jlib ``looksLikeAWuid``: prefix letter (any case) + 8 digits + ``-`` + 6 digits [+ ``-n``]."""
    text = (text or "").strip()
    return bool(_WUID_RE.match(text)) and text[0].upper() == prefix.upper()


def normalize_wuid(text: str) -> str:
    """Trimmed, first letter upper-cased, as GetDFUWorkunits does before matching (§4.6)."""
    text = (text or "").strip()
    return text[:1].upper() + text[1:]


class WuidClock:
    """Issues unique, non-decreasing WUIDs. Thread-safe.

    ``clock`` returns the current *local* time (default `datetime.now`); tests inject their own.
    ``exists(wuid)`` says whether an id is already taken (e.g. in the store).
    """

    def __init__(self, clock: Callable[[], datetime] | None = None,
                 exists: Callable[[str], bool] | None = None, prefix: str = "D"):
        self._clock = clock or datetime.now
        self._exists = exists
        self._prefix = prefix
        self._lock = threading.Lock()
        self._last_second: datetime | None = None
        self._suffix = 0

    def next(self) -> str:
        """A new WUID, e.g. ``D20240101-123456`` or ``D20240101-123456-2``."""
        with self._lock:
            now = self._clock().replace(microsecond=0, tzinfo=None)
            if self._last_second is not None and now <= self._last_second:
                now = self._last_second
                self._suffix += 1
            else:
                self._last_second = now
                self._suffix = 0
            base = f"{self._prefix}{now:%Y%m%d-%H%M%S}"
            while True:
                wuid = f"{base}-{self._suffix}" if self._suffix else base
                if self._exists is None or not self._exists(wuid):
                    return wuid
                self._suffix += 1
