"""Superfile growth: the cost of adding (and removing) one subfile to a superfile of 1,000 and
of 10,000 members, through the live HTTP server, and the ratio between the two.

    .venv/bin/python benchmarks/bench_superfile.py [--small 1000] [--large 10000] [--calls 30]

The members are seeded through the engine's bulk registration and put in the superfile in one
SuperfileAction; each measured call is a raw SOAP SuperfileAction adding one more file at the
end (``add``), one at the front (``add first``, ``Before=*``), then removing one by name. The
figure is the median of ``--calls`` calls after a warm-up. The target is a ratio of at most 1.5
(a change costs what it changes, not what the superfile holds).
"""
from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_wsdfu import post, timed  # noqa: E402
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


def action(http, url: str, verb: str, sub: str, before: str = "") -> None:
    post(http, url, f'<SuperfileActionRequest xmlns="{NS}"><action>{verb}</action>'
                    f"<superfile>{SUPER}</superfile><subfiles><Item>{sub}</Item></subfiles>"
                    f"<before>{before}</before></SuperfileActionRequest>")


def measure(count: int, calls: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-super-") as tmp, \
            ThreadedEmulator(data_dir=tmp) as emu, requests.Session() as http:
        started = time.perf_counter()
        seed(emu, count)
        print(f"  seeded a superfile of {count:,} in {time.perf_counter() - started:.1f} s",
              flush=True)
        spare = itertools.count(count)
        added: list[str] = []

        def add(_, before=""):
            name = f"bench::member{next(spare):06d}"
            action(http, emu.url, "add", name, before)
            added.append(name)

        def remove(_):
            action(http, emu.url, "remove", added.pop())

        results = {"add at the end": timed(add, calls),
                   "add first (Before=*)": timed(lambda i: add(i, "*"), calls)}
        results["remove one by name"] = timed(remove, calls)
        size = len(catalog(emu.cluster).superfiles.list(SUPER))
        assert size == count + len(added), (size, count, len(added))
        return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=10_000)
    parser.add_argument("--calls", type=int, default=30)
    args = parser.parse_args()
    results = {}
    for count in (args.small, args.large):
        print(f"superfile of {count:,}:", flush=True)
        results[count] = measure(count, args.calls)
    print()
    print(f"{'operation':<24}{args.small:>12,} members{args.large:>12,} members{'ratio':>9}")
    worst = 0.0
    for op in results[args.small]:
        small, large = results[args.small][op], results[args.large][op]
        worst = max(worst, large / small)
        print(f"{op:<24}{small * 1000:>17.2f} ms{large * 1000:>17.2f} ms{large / small:>9.2f}")
    print(f"\nworst ratio {worst:.2f} (target <= 1.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
