"""DFUQuery's filters at scale: the cost of one first page (100 rows) for each filter DFUQuery
offers, with 1,000 and with 100,000 logical files, and the ratio between the two.

    .venv/bin/python benchmarks/bench_filters.py [--small 1000] [--large 100000] [--calls 15]

Files are seeded as bench_wsdfu.py seeds them (``bench::scopeNN::fileNNNNNN``, four owners and
kinds, sizes 1000+i, one modified day in 28, every tenth file with skews), plus a few
superfiles. Each call is a raw SOAP POST; the figure is the median of ``--calls`` calls after a
warm-up. Target: a ratio of at most 2 for every filter. A filter that matches a fixed share of
the files (Owner, ContentType, a day) counts more matches at 100,000, so its count must come
from an index, not from evaluating the filter on each row.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
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
}


def request(fields: dict[str, str]) -> str:
    inner = "".join(f"<{k}>{v}</{k}>" for k, v in {"PageSize": "100", **fields}.items())
    return f'<DFUQueryRequest xmlns="{NS}">{inner}</DFUQueryRequest>'


def measure(count: int, calls: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-filters-") as tmp, \
            ThreadedEmulator(data_dir=tmp) as emu, requests.Session() as http:
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
        out = {}
        for label, fields in FILTERS.items():
            body = request(fields)
            for _ in range(2):
                post(http, emu.url, body)
            samples = []
            for _ in range(calls):
                t = time.perf_counter()
                post(http, emu.url, body)
                samples.append(time.perf_counter() - t)
            out[label] = statistics.median(samples)
        return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=15)
    args = parser.parse_args()
    results = {}
    for count in (args.small, args.large):
        print(f"{count:,} files:", flush=True)
        results[count] = measure(count, args.calls)
    print(f"\n{'filter':<30}{args.small:>10,} files{args.large:>10,} files{'ratio':>8}")
    worst = 0.0
    for label in FILTERS:
        small, large = results[args.small][label], results[args.large][label]
        worst = max(worst, large / small)
        print(f"{label:<30}{small * 1000:>13.2f} ms{large * 1000:>13.2f} ms{large / small:>8.2f}")
    print(f"\nworst ratio {worst:.2f} (target <= 2)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
