"""One Package with many attributes: the cost of AddPackage with 10,000 and with 100,000
attributes (about 100 KB and 1 MB) through the live HTTP server, the ratio between the two, and
how long a small request waits while the large one is processed.

    .venv/bin/python benchmarks/bench_packagemap.py [--small 10000] [--large 100000] [--calls 5]

The server's bound on attributes per element is raised for the run (it refuses such a map by
default: package_map_max_attributes). Linear handling gives a ratio near 10 (the target is at
most 15); quadratic handling gives about 100. The latency line is the slowest Echo answered
while one large AddPackage runs, against the median Echo with the server idle.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from xml.sax.saxutils import escape

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from hpccemu.testing import ThreadedEmulator  # noqa: E402

ENVELOPE = ('<?xml version="1.0" encoding="utf-8"?><soap:Envelope '
            'xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>{}</soap:Body>'
            "</soap:Envelope>")


def wide_package(attributes: int) -> str:
    attrs = " ".join(f'a{i}="v"' for i in range(attributes))
    return f'<RoxiePackages><Package id="q1" {attrs}/></RoxiePackages>'


def add_package(http: requests.Session, url: str, info: str) -> None:
    body = ENVELOPE.format('<AddPackageRequest xmlns="urn:hpccsystems:ws:wspackageprocess">'
                           f"<Info>{escape(info)}</Info><Target>roxie</Target><PackageMap>wide.pkg</PackageMap>"
                           "<OverWrite>1</OverWrite></AddPackageRequest>")
    r = http.post(f"{url}/WsPackageProcess", data=body.encode(), timeout=3600,
                  headers={"Content-Type": "text/xml; charset=utf-8"})
    if "<Code>0</Code>" not in r.text:
        raise RuntimeError(r.text[:500])


def timed(fn, calls: int) -> float:
    samples = []
    for _ in range(calls):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def echo(http: requests.Session, url: str) -> float:
    started = time.perf_counter()
    http.get(f"{url}/WsPackageProcess/Echo.json?Request=x", timeout=3600).raise_for_status()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--large", type=int, default=100_000)
    parser.add_argument("--calls", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-pkg-") as tmp, \
            ThreadedEmulator(data_dir=tmp, package_map_max_attributes=10 * args.large) as emu, \
            requests.Session() as http:
        small, large = wide_package(args.small), wide_package(args.large)
        add_package(http, emu.url, small)   # warm-up
        t_small = timed(lambda: add_package(http, emu.url, small), args.calls)
        t_large = timed(lambda: add_package(http, emu.url, large), args.calls)
        idle = statistics.median(echo(http, emu.url) for _ in range(20))
        done = threading.Event()
        worker = threading.Thread(target=lambda: (add_package(requests.Session(), emu.url, large), done.set()))
        worker.start()
        waits = []
        with requests.Session() as other:
            while not done.is_set():
                waits.append(echo(other, emu.url))
        worker.join()
    ratio = t_large / t_small
    print(f"AddPackage, one Package with {args.small:>7,} attributes: {t_small * 1000:9.1f} ms")
    print(f"AddPackage, one Package with {args.large:>7,} attributes: {t_large * 1000:9.1f} ms")
    print(f"ratio {ratio:.1f} for {args.large / args.small:.0f}x the attributes (target <= 15)")
    print(f"Echo: {idle * 1000:.1f} ms idle; slowest of {len(waits)} during a large AddPackage "
          f"{max(waits) * 1000:.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
