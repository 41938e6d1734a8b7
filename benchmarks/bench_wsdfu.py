"""WsDfu at scale: per-call cost of DFUQuery's first page, DFUInfo and a delete with 1,000 and
with 100,000 logical files, through the live HTTP server, and the ratio between the two.

    /tmp/venv/bin/python benchmarks/bench_wsdfu.py [--small 1000] [--large 100000] [--calls 30]

Files are seeded through the engine's bulk registration (metadata only: the delete then has
no part files to remove, which is the cheap part). Each operation is a raw SOAP POST in the
shape the C++ clients send; the figure is the median of ``--calls`` calls after a warm-up.
The target is a ratio of at most 2 (indexed queries, not scans).
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

from hpccemu.testing import ThreadedEmulator  # noqa: E402
from wsservices.engine.dali.files import NewLogicalFile, PartRecord  # noqa: E402
from wsservices.engine.dali.catalog import catalog  # noqa: E402

NS = "urn:hpccsystems:ws:wsdfu"
ENVELOPE = ('<?xml version="1.0" encoding="utf-8"?><soap:Envelope '
            'xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>{}</soap:Body>'
            "</soap:Envelope>")
OWNERS = ("alice", "bob", "carol", "dave")
KINDS = ("flat", "csv", "xml", "key")


def seed(emu: ThreadedEmulator, count: int) -> None:
    cat = catalog(emu.cluster)
    nodes = [n.name for n in emu.cluster.environment.thor_clusters[0].nodes]

    def files():
        for i in range(count):
            size = 1000 + i
            yield NewLogicalFile(
                name=f"bench::scope{i % 100:02d}::file{i:06d}", group="mythor", directory="",
                part_mask="", parts=[PartRecord(1, nodes[i % len(nodes)], size)],
                attrs={"owner": OWNERS[i % 4], "kind": KINDS[i % 4], "size": size,
                       "recordSize": 10, "modified": f"2024-01-{1 + i % 28:02d}T12:00:00"})
    cat.bulk_register(files())


def post(http: requests.Session, url: str, body: str) -> str:
    resp = http.post(f"{url}/WsDfu", data=ENVELOPE.format(body).encode(),
                     headers={"Content-Type": "text/xml", "SOAPAction": "WsDfu?ver_=1.65"},
                     timeout=60)
    resp.raise_for_status()
    if "<Exceptions>" in resp.text:
        raise RuntimeError(resp.text[:500])
    return resp.text


def timed(fn, calls: int) -> float:
    for _ in range(3):
        fn(None)
    samples = []
    for i in range(calls):
        start = time.perf_counter()
        fn(i)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def measure(count: int, calls: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-wsdfu-") as tmp, \
            ThreadedEmulator(data_dir=tmp) as emu, requests.Session() as http:
        started = time.perf_counter()
        seed(emu, count)
        print(f"  seeded {count:,} files in {time.perf_counter() - started:.1f} s", flush=True)
        url = emu.url
        victims = iter(range(count - 1, -1, -7))

        def query(_):
            text = post(http, url, f'<DFUQueryRequest xmlns="{NS}"><PageSize>100</PageSize>'
                                   f"<PageStartFrom>1</PageStartFrom>"
                                   f"<IncludeSuperOwner>1</IncludeSuperOwner></DFUQueryRequest>")
            assert f"<NumFiles>{count}</NumFiles>" in text or "<NumFiles>" in text

        def query_sorted(_):
            post(http, url, f'<DFUQueryRequest xmlns="{NS}"><PageSize>100</PageSize>'
                            "<Sortby>Modified</Sortby><Descending>1</Descending>"
                            "<IncludeSuperOwner>1</IncludeSuperOwner></DFUQueryRequest>")

        def info(i):
            n = (i or 0) * 31 % count
            post(http, url, f'<DFUInfoRequest xmlns="{NS}"><Name>bench::scope{n % 100:02d}::'
                            f"file{n:06d}</Name></DFUInfoRequest>")

        def delete(_):
            n = next(victims)
            text = post(http, url, f'<DFUArrayActionRequest xmlns="{NS}"><Type>Delete</Type>'
                                   f"<LogicalFiles><Item>bench::scope{n % 100:02d}::file{n:06d}"
                                   f"@mythor</Item></LogicalFiles></DFUArrayActionRequest>")
            assert "deleted." in text, text[:400]

        return {"DFUQuery first page": timed(query, calls),
                "DFUQuery by Modified desc": timed(query_sorted, calls),
                "DFUInfo": timed(info, calls),
                "DFUArrayAction Delete": timed(delete, calls)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=30)
    args = parser.parse_args()
    results = {}
    for count in (args.small, args.large):
        print(f"{count:,} files:", flush=True)
        results[count] = measure(count, args.calls)
    print()
    print(f"{'operation':<28}{args.small:>12,} files{args.large:>12,} files{'ratio':>9}")
    worst = 0.0
    for op in results[args.small]:
        small, large = results[args.small][op], results[args.large][op]
        ratio = large / small
        worst = max(worst, ratio)
        print(f"{op:<28}{small * 1000:>15.2f} ms{large * 1000:>15.2f} ms{ratio:>9.2f}")
    print(f"\nworst ratio {worst:.2f} (target <= 2)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
