"""Superfile growth: the cost of adding (and removing) one subfile to a superfile of 1,000 and
of 10,000 members, through the live HTTP server, and the ratio between the two.

    .venv/bin/python benchmarks/bench_superfile.py [--small 1000] [--large 10000] [--calls 30]

The members are seeded through the engine's bulk registration and put in the superfile in one
SuperfileAction; each measured call is a raw SOAP SuperfileAction adding one more file at the
end (``add``), one at the front (``add first``, ``Before=*``), then removing one by name. Both
superfiles live in two servers at once and the calls alternate between them, so that both sizes
see the same machine load; the figure is the median of ``--calls`` calls after a warm-up. The target is a ratio of at most 1.5
(a change costs what it changes, not what the superfile holds).
"""
from __future__ import annotations

import argparse
import itertools
import statistics
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_wsdfu import post  # noqa: E402
from hpccemu.testing import ThreadedEmulator  # noqa: E402
from wsservices.engine.dali.catalog import catalog  # noqa: E402
from wsservices.engine.dali.files import NewLogicalFile, PartRecord  # noqa: E402

NS = "urn:hpccsystems:ws:wsdfu"
SUPER = "bench::growing"


def seed(emu: ThreadedEmulator, count: int) -> None:
    cat = catalog(emu.cluster)
    node = emu.cluster.environment.thor_clusters[0].nodes[0].name
    cat.bulk_register(NewLogicalFile(
        name=f"bench::member{i:06d}", group="mythor", directory="", part_mask="",
        parts=[PartRecord(1, node, 100)], attrs={"size": 100, "recordCount": 10,
                                                 "recordSize": 10, "kind": "flat"})
        for i in range(count + 1000))
    cat.superfiles.add(SUPER, [f"bench::member{i:06d}" for i in range(count)])
    cat.store.execute("PRAGMA wal_checkpoint(TRUNCATE)")   # both sizes start from a short log


def action(http, url: str, verb: str, sub: str, before: str = "") -> None:
    post(http, url, f'<SuperfileActionRequest xmlns="{NS}"><action>{verb}</action>'
                    f"<superfile>{SUPER}</superfile><subfiles><Item>{sub}</Item></subfiles>"
                    f"<before>{before}</before></SuperfileActionRequest>")


class Subject:
    """One emulator holding a superfile of ``count`` members, and the calls that change it."""

    def __init__(self, emu: ThreadedEmulator, http: requests.Session, count: int):
        self.emu, self.http, self.count = emu, http, count
        self.spare = itertools.count(count)
        self.added: list[str] = []

    def add(self, before: str = "") -> None:
        name = f"bench::member{next(self.spare):06d}"
        action(self.http, self.emu.url, "add", name, before)
        self.added.append(name)

    def remove(self) -> None:
        action(self.http, self.emu.url, "remove", self.added.pop())


def alternating(small: Subject, large: Subject, op, calls: int) -> tuple[float, float]:
    """Median seconds of ``op`` on each, calls alternating so both see the same machine load."""
    for _ in range(3):
        op(small), op(large)
    samples: dict[int, list[float]] = {0: [], 1: []}
    for _ in range(calls):
        for k, subject in enumerate((small, large)):
            start = time.perf_counter()
            op(subject)
            samples[k].append(time.perf_counter() - start)
    return statistics.median(samples[0]), statistics.median(samples[1])


def measure(small_count: int, large_count: int, calls: int) -> dict[str, tuple[float, float]]:
    with tempfile.TemporaryDirectory(prefix="bench-super-") as tmp, \
            ThreadedEmulator(data_dir=f"{tmp}/small") as small_emu, \
            ThreadedEmulator(data_dir=f"{tmp}/large") as large_emu, requests.Session() as http:
        subjects = []
        for emu, count in ((small_emu, small_count), (large_emu, large_count)):
            started = time.perf_counter()
            seed(emu, count)
            print(f"  seeded a superfile of {count:,} in {time.perf_counter() - started:.1f} s", flush=True)
            subjects.append(Subject(emu, http, count))
        results = {"add at the end": alternating(*subjects, lambda s: s.add(), calls),
                   "add first (Before=*)": alternating(*subjects, lambda s: s.add("*"), calls),
                   "remove one by name": alternating(*subjects, lambda s: s.remove(), calls)}
        for s in subjects:
            size = len(catalog(s.emu.cluster).superfiles.list(SUPER))
            assert size == s.count + len(s.added), (size, s.count, len(s.added))
        return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=10_000)
    parser.add_argument("--calls", type=int, default=30)
    args = parser.parse_args()
    results = measure(args.small, args.large, args.calls)
    print()
    print(f"{'operation':<24}{args.small:>12,} members{args.large:>12,} members{'ratio':>9}")
    worst = 0.0
    for op, (small, large) in results.items():
        worst = max(worst, large / small)
        print(f"{op:<24}{small * 1000:>17.2f} ms{large * 1000:>17.2f} ms{large / small:>9.2f}")
    print(f"\nworst ratio {worst:.2f} (target <= 1.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
