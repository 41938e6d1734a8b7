"""The story of issue #5: a Roxie query reading a virtual superkey through GenIndex-style package
map parts, its data swapped from v2 to v3 under load, and the old data deleted afterwards.

Everything goes over the wire as clients send it: FileSpray SOAP (zeep) for the sprays, the
control endpoint to publish, raw ECL-SOAPCALL-shaped posts to WsPackageProcess, WsEcl GETs for
the lookups, WsDfu DFUArrayAction to delete.
"""
from __future__ import annotations

import random
import threading
import time

import requests

from wsservices.engine.packagemaps.maps import PackageMaps

from .support import (employees, lookup, publish, query_part, roxie_error, rows, soapcall, spray_csv,
                      unpublish, virtual_part)

PMAP = "genindex_packagemap.pkg"              # GenIndex's fixed map name
SUPERKEY = "~employee::id_lookup_super"         # exists only in the package map: a virtual superkey
DATA_PKG = "data_employee_id_lookup_super.pkg"
QUERY_PART, DATA_PART = "query_toy_query.pkg", "part_employee_id_lookup_super.pkg"
COMMON = [("Target", "roxie"), ("Process", "*"), ("PackageMap", PMAP)]
THREADS = 4
DEADLINE = 120          # seconds the whole load phase may take; each HTTP call has its own timeout
LOOKUP_TIMEOUT = 10


def add_part(http, url, part: str, content: str) -> tuple[int, str]:
    return soapcall(http, url, "AddPartToPackageMap", COMMON + [
        ("PartName", part), ("Content", content), ("DeletePrevious", "true"), ("DaliIp", "127.0.0.1")])


def clear_genindex_map(emulator) -> None:
    """The shared server may hold GenIndex parts of other tests whose Base is gone (the whole map
    would then fail to load, as on a real Roxie): start from an empty map."""
    maps = PackageMaps.for_cluster(emulator.cluster)
    with emulator.cluster.store.connection() as conn:
        parts = [r[0] for r in conn.execute("SELECT part_id FROM package_map_parts WHERE map_id = ?",
                                            (f"roxie::{PMAP}",))]
    for part in parts:
        maps.remove_part("roxie", PMAP, part)


def delete(dfu, name: str):
    [result] = dfu.service.DFUArrayAction(Type="Delete", LogicalFiles={"Item": [name]}).ActionResults.DFUActionInfo
    return result


class Load:
    """Lookups from several threads in a loop; every answer must be a v2 or v3 row."""

    def __init__(self, url: str, deadline: float):
        self.url = url
        self.deadline = deadline                     # time.monotonic() after which run() gives up
        self.stop = threading.Event()
        self.failures: list[str] = []
        self.seen: list[tuple[float, float, str]] = []   # (start, end, version) of each lookup
        self.lock = threading.Lock()

    def run(self) -> None:
        rnd = random.Random()
        with requests.Session() as http:
            while not self.stop.is_set() and time.monotonic() < self.deadline:
                emp = rnd.randint(1, 50)
                start = time.monotonic()
                try:
                    found = rows(lookup(http, self.url, "toy_query", timeout=LOOKUP_TIMEOUT, EmployeeID=emp),
                                 "toy_query")
                    assert [r["EmployeeID"] for r in found] == [str(emp)], found
                    version = found[0]["Version"]
                    assert version in ("v2", "v3") and found[0]["Name"] == f"Employee {emp}, {version}"
                except Exception as exc:  # noqa: BLE001 - every kind of failure counts
                    with self.lock:
                        self.failures.append(repr(exc))
                    continue
                with self.lock:
                    self.seen.append((start, time.monotonic(), version))


def test_virtual_superkey_swapped_under_load_then_old_data_deleted(http, url, emulator, fs, dfu, quiet):
    spray_csv(http, url, fs, "employee::id_lookup_v2", employees("v2"))
    spray_csv(http, url, fs, "employee::id_lookup_v3", employees("v3"))
    clear_genindex_map(emulator)

    published = publish(http, url, "toy_query", [{"name": SUPERKEY, "opt": False}])
    assert published == {"QuerySet": "roxie", "QueryId": "toy_query.1", "QueryName": "toy_query",
                         "Activated": True}
    try:
        # GenIndex's InitROXIEPackageMap: the query part first (activated), then the data part
        assert add_part(http, url, QUERY_PART, query_part("toy_query", DATA_PKG)) == \
            (0, f"Successfully loaded Part {QUERY_PART} to PackageMap roxie::{PMAP}")
        assert soapcall(http, url, "ActivatePackage", COMMON) == (0, "")
        code, _ = roxie_error(lookup(http, url, "toy_query", EmployeeID=5), "toy_query")
        assert code in (1402, 1403, 1450)     # the transient state: the map's Base is not there yet
        assert add_part(http, url, DATA_PART, virtual_part(DATA_PKG, SUPERKEY, ["~employee::id_lookup_v2"]))[0] == 0
        assert rows(lookup(http, url, "toy_query", EmployeeID=5), "toy_query") == [
            {"EmployeeID": "5", "Name": "Employee 5, v2", "Version": "v2"}]

        deadline = time.monotonic() + DEADLINE
        load = Load(url, deadline)
        threads = [threading.Thread(target=load.run) for _ in range(THREADS)]
        for t in threads:
            t.start()
        swaps = []                                   # (call start, call return, version now live)
        try:
            for version in ("v3", "v2", "v3", "v2", "v3"):
                while len(load.seen) < 20 * (len(swaps) + 1) and not load.failures:
                    assert time.monotonic() < deadline, f"the load stalled: {len(load.seen)} lookups"
                    time.sleep(0.005)                # let the load run a little between swaps
                started = time.monotonic()
                part = virtual_part(DATA_PKG, SUPERKEY, [f"~employee::id_lookup_{version}"])
                assert add_part(http, url, DATA_PART, part)[0] == 0
                assert soapcall(http, url, "ActivatePackage", COMMON) == (0, "")
                returned = time.monotonic()
                swaps.append((started, returned, version))
                # visible as soon as the SOAP call has returned: no stale answer at all
                assert rows(lookup(http, url, "toy_query", EmployeeID=7), "toy_query")[0]["Version"] == version
        finally:
            load.stop.set()
            for t in threads:
                t.join(timeout=LOOKUP_TIMEOUT + 5)
        assert [t for t in threads if t.is_alive()] == []
        assert load.failures == []
        assert len(load.seen) > 100
        # a lookup that ran wholly between one swap's return and the next swap's start saw that
        # swap's data; one overlapping the next swap may see either
        stale = [(s, e, v) for s, e, v in load.seen for i, (_, returned, live) in enumerate(swaps)
                 if s > returned and (i + 1 == len(swaps) or e < swaps[i + 1][0]) and v != live]
        assert stale == []
        assert {v for s, _, v in load.seen if s > swaps[-1][1]} <= {"v3"}

        # v2 is no longer read by any query: deleting it works; v3 is locked by toy_query.1
        gone = delete(dfu, "employee::id_lookup_v2")
        assert (gone.ActionResult, gone.Failed) == ("File employee::id_lookup_v2 deleted.", False)
        kept = delete(dfu, "employee::id_lookup_v3")
        assert kept.Failed
        assert kept.ActionResult.startswith(
            "Could not delete file employee::id_lookup_v3: DFS Exception: 12: Failed to delete file: "
            "employee::id_lookup_v3 - cause: [ -1: Failed to remove employee::id_lookup_v3: SDS: Lock held")
        assert "HOLD lock held by roxie query roxie/toy_query.1] ." in kept.ActionResult
        assert rows(lookup(http, url, "toy_query", EmployeeID=50), "toy_query")[0]["Version"] == "v3"
    finally:
        unpublish(http, url, "toy_query.1")
        clear_genindex_map(emulator)
    assert delete(dfu, "employee::id_lookup_v3").Failed is False   # unlocked with the query gone
