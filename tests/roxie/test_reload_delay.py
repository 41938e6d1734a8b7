"""Roxie picks a package-map change up after a delay (ccdstate.cpp AutoReloadThread: up to
500 ms, then 50 ms steps until changes stop), with ``roxie_reload_delay``: lookups see the old
map meanwhile, and the state Roxie reports (``control:state``'s hash, the maps
``control:queryPackageInfo`` lists; here ``/hpccemu/roxie/state``) changes only when the reload
is done, so a script can "activate, then wait until Roxie reports the new map"."""
from __future__ import annotations

import threading
import time

import pytest
import requests
import zeep
from zeep.transports import Transport

from esputil import zeep_client
from hpccemu.testing import ThreadedEmulator

from .support import control, employees, lookup, rows, spray_csv, unique, virtual_part


@pytest.fixture(scope="module")
def slow(tmp_path_factory):
    with ThreadedEmulator(data_dir=tmp_path_factory.mktemp("reload") / "data", deterministic=True,
                          roxie_reload_delay=0.8) as emu:
        yield emu


def _state(http, url) -> dict:
    r = control(http, url, "roxie/state", {"target": "roxie"}, "GET")
    assert r.status_code == 200, r.text
    return r.json()


def _active(state: dict) -> list[str]:
    return [m["id"] for m in state["PackageSets"] if m["active"]]


def test_activation_is_seen_after_the_reload_delay(slow):
    url, http = slow.url, requests.Session()
    fs = zeep_client(url, "FileSpray")
    pkg = zeep.Client(url + "/WsPackageProcess/?wsdl", transport=Transport(cache=False, timeout=30))
    scope = unique("rd")
    for v in ("a", "b"):
        spray_csv(http, url, fs, f"{scope}::emp_{v}", employees(v, range(1, 6)))
    r = control(http, url, "roxie/publish", {"target": "roxie", "name": scope, "keys": ["EmployeeID"],
                                             "files": [{"name": f"~{scope}::super", "opt": False}]})
    query = r.json()["QueryName"]
    maps = {}
    for v in ("a", "b"):
        maps[v] = f"roxie::{scope}_{v}.pkg"
        assert pkg.service.AddPackage(Info=virtual_part(query, f"~{scope}::super", [f"~{scope}::emp_{v}"]),
                                      Target="roxie", PackageMap=f"{scope}_{v}.pkg").status.Code == 0
    assert pkg.service.ActivatePackage(Target="roxie", PackageMap=f"{scope}_a.pkg").status.Code == 0
    deadline = time.monotonic() + 10
    while _active(_state(http, url)) != [maps["a"]]:
        assert time.monotonic() < deadline
        threading.Event().wait(0.02)
    assert [x["Version"] for x in rows(lookup(http, url, query, EmployeeID=3), query)] == ["a"]

    before = _state(http, url)
    assert pkg.service.ActivatePackage(Target="roxie", PackageMap=f"{scope}_b.pkg").status.Code == 0
    # within the delay: the old map is still loaded, and lookups read it
    assert _state(http, url) == before
    assert [x["Version"] for x in rows(lookup(http, url, query, EmployeeID=3), query)] == ["a"]
    started = time.monotonic()
    while _active(state := _state(http, url)) != [maps["b"]]:
        assert time.monotonic() - started < 10
        threading.Event().wait(0.02)
    assert state["StateHash"] != before["StateHash"]
    assert sorted(m["id"] for m in state["PackageSets"]) == sorted(maps.values())   # inactive too
    assert [x["Version"] for x in rows(lookup(http, url, query, EmployeeID=3), query)] == ["b"]


def test_no_delay_by_default(emulator, http, url):
    assert emulator.cluster.settings.roxie_reload_delay == 0
    assert emulator.cluster.roxie.autoreload.pending is False
    assert "StateHash" in _state(http, url)


def test_queries_under_inactive_maps_load_and_lock_their_files(emulator, http, url, fs):
    """ccdstate.cpp loads the queries of every package map of the target, active or not; the
    files they read through an inactive map are locked too (packageprocess.md §5.10)."""
    pkg = zeep.Client(url + "/WsPackageProcess/?wsdl", transport=Transport(cache=False, timeout=30))
    scope = unique("ia")
    for v in ("a", "b"):
        spray_csv(http, url, fs, f"{scope}::emp_{v}", employees(v, range(1, 4)))
    r = control(http, url, "roxie/publish", {"target": "roxie", "name": scope, "keys": ["EmployeeID"],
                                             "files": [{"name": f"~{scope}::super", "opt": False}]})
    query, qid = r.json()["QueryName"], r.json()["QueryId"]

    def locks():
        [mine] = [q for q in control(http, url, "roxie/queries", {"target": "roxie"}, "GET").json()["Queries"]
                  if q["QueryId"] == qid]
        return sorted(lk["name"] for lk in mine["Locks"])
    try:
        for v in ("a", "b"):
            assert pkg.service.AddPackage(Info=virtual_part(query, f"~{scope}::super", [f"~{scope}::emp_{v}"]),
                                          Target="roxie", PackageMap=f"{scope}_{v}.pkg").status.Code == 0
        assert pkg.service.ActivatePackage(Target="roxie", PackageMap=f"{scope}_b.pkg").status.Code == 0
        assert locks() == [f"{scope}::emp_a", f"{scope}::emp_b"]     # emp_a through the inactive map
        assert [x["Version"] for x in rows(lookup(http, url, query, EmployeeID=2), query)] == ["b"]
        assert emulator.cluster.files.locks.locks_on(f"{scope}::emp_a")[0].mode == "hold"
        assert pkg.service.DeletePackage(Target="roxie", PackageMap=f"{scope}_a.pkg").status.Code == 0
        assert locks() == [f"{scope}::emp_b"]
    finally:
        for v in ("a", "b"):
            pkg.service.DeletePackage(Target="roxie", PackageMap=f"{scope}_{v}.pkg")
        control(http, url, "roxie/unpublish", {"target": "roxie", "query": qid})
