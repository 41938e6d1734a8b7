"""The crash soak, short: a real server process SIGKILLed at random moments during sprays,
desprays, copies, renames, superfile changes, deletes, uploads and package-map writes (and refused
overwrites), restarted on the same data dir, every invariant checked through the API and on disk
(soak/crashkit.py; `python soak/crashkit.py --kills 50` is the long run)."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "soak"))

from crashkit import soak  # noqa: E402


def test_random_kills_leave_nothing_inconsistent(tmp_path):
    report = soak(tmp_path / "data", kills=4, seed=7, max_wait=1.5, log=lambda _line: None)
    assert report["kills"] == 4 and report["operations"] > 20 and report["states_checked"] > 8
    assert report["problems"] == []
