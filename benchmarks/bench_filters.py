"""DFUQuery's filters at scale: the cost of one first page (100 rows) for each filter DFUQuery
offers, with 1,000 and with 100,000 logical files, and the ratio between the two.

    .venv/bin/python benchmarks/bench_filters.py [--small 1000] [--large 100000] [--calls 15]

Files are seeded as bench_wsdfu.py seeds them (``bench::scopeNN::fileNNNNNN``, four owners and
kinds, sizes 1000+i, one modified day in 28, every tenth file with skews), plus a few
superfiles. Both emulators run at once and each filter's calls alternate between them (so a
change in the machine's load touches both sizes alike); each call is a raw SOAP POST; the
figure is the median of ``--calls`` calls after a warm-up. Target: a ratio of at most 2 for
every filter.

What grows, and why. DFUQuery reports NumFiles, every match: for a filter that matches a fixed
share of the files (Owner, ContentType, a day, MaxSkew), counting is O(matches) however it is
done in SQLite, so it is done on a covering index, never by reading rows; a filter alone that
leaves out fewer than 1,000 files (Prefix, NodeGroup, ``Not in Superfiles`` here) is counted
as all files less those. Several filters also return fewer rows at 1,000 files (a scope of 10
files, one day in 28): their page grows with the store, not their filter. The ``PageSize 10``
variants return a full page at both sizes (the selective comparison); ``rows`` shows each.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_wsdfu import NS, post, seed  # noqa: E402
from hpccemu.testing import ThreadedEmulator  # noqa: E402

#: label -> DFUQueryRequest fields (besides PageSize=100)
FILTERS = {
    "none": {},
    "LogicalName exact": {"LogicalName": "bench::scope07::file000007"},
    "LogicalName scope::*": {"LogicalName": "bench::scope07::*"},
    "LogicalName *::file00000?": {"LogicalName": "bench::*::file00000?"},
    "LogicalName prefix*suffix": {"LogicalName": "bench::scope07::file00*7"},
    "LogicalName *tail": {"LogicalName": "*file000007"},
    "Prefix": {"Prefix": "bench"},
    "Owner": {"Owner": "alice"},
    "Owner wildcard": {"Owner": "al*"},
    "ContentType": {"ContentType": "csv"},
    "ContentType inverted": {"ContentType": "csv", "InvertContent": "1"},
    "NodeGroup": {"NodeGroup": "mythor"},
    "FileType superfiles": {"FileType": "Superfiles Only"},
    "FileType not in superfiles": {"FileType": "Not in Superfiles"},
    "FileSize range": {"FileSizeFrom": "1000", "FileSizeTo": "1010"},
    "StartDate/EndDate": {"StartDate": "2024-01-05T00:00:00", "EndDate": "2024-01-05T23:59:59"},
    "MaxSkew range": {"MaxSkewFrom": "10", "MaxSkewTo": "20"},
    "Sortby Owner": {"Sortby": "Owner"},
    "FirstN": {"FirstN": "10"},
    "StartDate/EndDate FirstN": {"StartDate": "2024-01-05T00:00:00", "EndDate": "2024-01-05T23:59:59",
                                 "FirstN": "10"},
    # full pages at both sizes: the filter's own cost, not the size of its page
    "scope::* PageSize 10": {"LogicalName": "bench::scope07::*", "PageSize": "10"},
    "prefix*suffix PageSize 10": {"LogicalName": "bench::scope07::file00*7", "PageSize": "10"},
    "Prefix scope PageSize 10": {"Prefix": "bench::scope07", "PageSize": "10"},
    "StartDate/EndDate PageSize 10": {"StartDate": "2024-01-05T00:00:00",
                                      "EndDate": "2024-01-05T23:59:59", "PageSize": "10"},
    "MaxSkew range PageSize 10": {"MaxSkewFrom": "10", "MaxSkewTo": "20", "PageSize": "10"},
    "ContentType descending": {"ContentType": "csv", "Descending": "1"},
    "Owner descending": {"Owner": "alice", "Descending": "1"},
}


def request(fields: dict[str, str]) -> str:
    inner = "".join(f"<{k}>{v}</{k}>" for k, v in {"PageSize": "100", **fields}.items())
    return f'<DFUQueryRequest xmlns="{NS}">{inner}</DFUQueryRequest>'


def seeded(stack: ExitStack, count: int) -> tuple[ThreadedEmulator, requests.Session]:
    tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-filters-"))
    emu = stack.enter_context(ThreadedEmulator(data_dir=tmp))
    http = stack.enter_context(requests.Session())
    started = time.perf_counter()
    seed(emu, count)
    from wsservices.engine.dali.catalog import catalog
    cat = catalog(emu.cluster)
    with emu.cluster.store.transaction() as conn:  # every tenth file: skews, as after a spray
        conn.executemany("INSERT OR REPLACE INTO file_attrs(file_id, key, value) VALUES (?, ?, ?)",
                         [(fid, k, str(fid % 30)) for (fid,) in conn.execute(
                             "SELECT id FROM logical_files WHERE id % 10 = 0") for k in ("maxSkew", "minSkew")])
    for s in range(5):
        cat.superfiles.create(f"bench::supers::sf{s}")
        cat.superfiles.add(f"bench::supers::sf{s}", [f"bench::scope{s:02d}::file{s:06d}"])
    print(f"  seeded {count:,} files in {time.perf_counter() - started:.1f} s", flush=True)
    return emu, http


def measure(sizes: list[int], calls: int) -> dict[str, dict[int, tuple[float, int]]]:
    """label -> size -> (median seconds, rows returned), the sizes' calls alternating."""
    with ExitStack() as stack:
        servers = {n: seeded(stack, n) for n in sizes}
        out: dict[str, dict[int, tuple[float, int]]] = {}
        for label, fields in FILTERS.items():
            body = request(fields)
            samples: dict[int, list[float]] = {n: [] for n in sizes}
            rows = {n: post(http, emu.url, body).count("<DFULogicalFile>")
                    for n, (emu, http) in servers.items()}
            for n, (emu, http) in servers.items():
                post(http, emu.url, body)
            for _ in range(calls):
                for n, (emu, http) in servers.items():
                    t = time.perf_counter()
                    post(http, emu.url, body)
                    samples[n].append(time.perf_counter() - t)
            out[label] = {n: (statistics.median(samples[n]), rows[n]) for n in sizes}
        return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=15)
    args = parser.parse_args()
    results = measure([args.small, args.large], args.calls)
    print(f"\n{'filter':<32}{args.small:>10,} files{args.large:>10,} files{'ratio':>8}   rows")
    worst = 0.0
    for label in FILTERS:
        (small, rs), (large, rl) = results[label][args.small], results[label][args.large]
        worst = max(worst, large / small)
        print(f"{label:<32}{small * 1000:>13.2f} ms{large * 1000:>13.2f} ms{large / small:>8.2f}"
              f"   {rs}/{rl}")
    print(f"\nworst ratio {worst:.2f} (target <= 2)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
