"""Roxie lookups while package maps swap the data under them, as a ratio to lookups with no swaps.

    python benchmarks/bench_roxie.py [--rows 10000] [--threads 4] [--seconds 5] [--swap-interval 0.05]

Starts `hpccemu serve` as a separate process (deterministic mode) on a temporary data dir, sprays
two versions of an employee CSV (v2, v3), publishes `toy_query` over the virtual superkey
`~employee::id_lookup_super` and maps it to v2 with GenIndex-style package-map parts. Then, in the
same run:

* baseline: N client threads do WsEcl JSON lookups (`/WsEcl/submit/query/roxie/toy_query/json?
  EmployeeID=<random>`) for S seconds, with no package-map writes;
* swaps: the same load while another client replaces the data part (AddPartToPackageMap with
  DeletePrevious, then ActivatePackage) every `--swap-interval` seconds, alternating v2 and v3.
  After every swap returns it looks the data up once: a lookup that still sees the old version is
  *stale*; the time from the swap's return until the new version is seen is the visibility lag.

Prints lookups/s of both phases and their ratio (the number to watch), failed lookups (must be 0),
swaps done, stale lookups after a swap returned (must be 0) and the worst visibility lag.
"""
from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import threading
import time
from pathlib import Path
from xml.sax.saxutils import escape

import requests
import zeep
from zeep.transports import Transport

from serverproc import server_process

PMAP, SUPERKEY, DATA_PKG = "genindex_packagemap.pkg", "~employee::id_lookup_super", "data_employee.pkg"


def soapcall(http, url: str, method: str, fields: list[tuple[str, str]]) -> None:
    body = "".join(f"   <{k}>{escape(v)}</{k}>\n" for k, v in fields)
    doc = ('<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
           f"<soap:Body><{method}Request>\n{body}<encode_>0</encode_></{method}Request></soap:Body></soap:Envelope>")
    r = http.post(url + "/WsPackageProcess/", data=doc.encode(), headers={"Content-Type": "text/xml"}, timeout=60)
    if r.status_code != 200 or b"<Exception>" in r.content:
        raise SystemExit(f"{method} failed: {r.text[:500]}")


def data_part(version: str) -> str:
    return (f'<RoxiePackages><Package id="{DATA_PKG}"><SuperFile id="{SUPERKEY}">'
            f'<SubFile value="~employee::id_lookup_{version}"/></SuperFile></Package></RoxiePackages>')


def add_data_part(http, url: str, version: str) -> None:
    common = [("Target", "roxie"), ("Process", "*"), ("PackageMap", PMAP)]
    soapcall(http, url, "AddPartToPackageMap", common + [("PartName", "part_employee.pkg"),
                                                         ("Content", data_part(version)), ("DeletePrevious", "true")])
    soapcall(http, url, "ActivatePackage", common)


def version_of(http, url: str, emp: int) -> str:
    r = http.get(f"{url}/WsEcl/submit/query/roxie/toy_query/json", params={"EmployeeID": emp}, timeout=30)
    row = r.json()["toy_queryResponse"]["Results"]["result_1"]["Row"]
    if [x["EmployeeID"] for x in row] != [str(emp)]:
        raise ValueError(f"bad answer for {emp}: {row}")
    return row[0]["Version"]


class Load:
    def __init__(self, url: str, rows: int, threads: int):
        self.url, self.rows, self.threads = url, rows, threads
        self.done = self.failed = 0
        self.lock = threading.Lock()

    def run(self, seconds: float) -> float:
        """Lookups per second over `seconds` from all threads."""
        self.done = self.failed = 0
        stop = time.monotonic() + seconds

        def worker() -> None:
            rnd = random.Random()
            done = failed = 0
            with requests.Session() as http:
                while time.monotonic() < stop:
                    try:
                        version_of(http, self.url, rnd.randint(1, self.rows))
                        done += 1
                    except Exception:  # noqa: BLE001 - every failure counts
                        failed += 1
            with self.lock:
                self.done += done
                self.failed += failed

        started = time.monotonic()
        threads = [threading.Thread(target=worker) for _ in range(self.threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return self.done / (time.monotonic() - started)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=10000)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--swap-interval", type=float, default=0.05)
    args = ap.parse_args()
    root = Path(tempfile.mkdtemp(prefix="hpccemu-bench-"))
    try:
        with server_process(root / "data") as (url, server):
            fs = zeep.Client(url + "/FileSpray/?wsdl", transport=Transport(cache=False, timeout=600)).service
            zone = root / "data" / "dropzones" / "mydropzone"
            for version in ("v2", "v3"):
                lines = ["EmployeeID,Name,Version"] + [f"{i},Employee {i},{version}" for i in range(1, args.rows + 1)]
                (zone / f"{version}.csv").write_text("\n".join(lines) + "\n")
                fs.SprayVariable(sourceIP="127.0.0.1", sourcePath=f"{version}.csv", destGroup="mythor",
                                 destLogicalName=f"employee::id_lookup_{version}", sourceFormat=1,
                                 recordStructurePresent=True, overwrite=True)
            http = requests.Session()
            r = http.post(url + "/hpccemu/roxie/publish", json={
                "target": "roxie", "name": "toy_query", "files": [{"name": SUPERKEY, "opt": False}],
                "keys": ["EmployeeID"], "activate": True}, timeout=60)
            r.raise_for_status()
            soapcall(http, url, "AddPartToPackageMap", [
                ("Target", "roxie"), ("Process", "*"), ("PackageMap", PMAP), ("PartName", "query_toy_query.pkg"),
                ("Content", f'<RoxiePackages><Package id="toy_query"><Base id="{DATA_PKG}"/></Package></RoxiePackages>'),
                ("DeletePrevious", "true")])
            add_data_part(http, url, "v2")
            if version_of(http, url, 1) != "v2":
                raise SystemExit("the query does not answer from v2")

            load = Load(url, args.rows, args.threads)
            load.run(min(1.0, args.seconds))                     # warm-up
            baseline = load.run(args.seconds)
            base_failed = load.failed

            stop = threading.Event()
            swaps, stale, lags = [0], [0], [0.0]

            def swapper() -> None:
                version = "v2"
                with requests.Session() as s:
                    while not stop.is_set():
                        version = "v3" if version == "v2" else "v2"
                        add_data_part(s, url, version)
                        returned = time.monotonic()
                        first = True
                        while version_of(s, url, random.randint(1, args.rows)) != version:
                            if first:
                                stale[0] += 1
                                first = False
                        lags[0] = max(lags[0], time.monotonic() - returned if not first else 0.0)
                        swaps[0] += 1
                        stop.wait(args.swap_interval)

            t = threading.Thread(target=swapper)
            t.start()
            try:
                swapping = load.run(args.seconds)
            finally:
                stop.set()
                t.join()
            print(f"{args.rows} rows per version, {args.threads} client threads, {args.seconds:g} s per phase")
            print(f"lookups/s, no swaps:     {baseline:10.0f}   (failed: {base_failed})")
            print(f"lookups/s, during swaps: {swapping:10.0f}   (failed: {load.failed}; {swaps[0]} swaps, "
                  f"one every {args.swap_interval * 1000:.0f} ms + the swap's own time)")
            print(f"ratio: {swapping / baseline:.2f}")
            print(f"stale lookups right after a swap returned: {stale[0]}; worst visibility lag: {lags[0] * 1000:.1f} ms")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
