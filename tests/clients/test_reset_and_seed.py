"""Resetting a running emulator (in-process and over ``POST /hpccemu/reset``), the seeding
helpers, and the WSDL copies shipped inside the package."""
from __future__ import annotations

from pathlib import Path

import pytest
import requests

from hpccemu import EspError, HPCCClient, Seeder, ThreadedEmulator

ROOT = Path(__file__).resolve().parents[2]
PART = ('<RoxiePackages><Package id="toy_query"><Base id="data"/></Package><Package id="data">'
        '<SuperFile id="~employee::id_lookup_super"><SubFile value="~employee::id_lookup_v1"/></SuperFile>'
        '</Package></RoxiePackages>')


def seed_everything(seed: Seeder) -> dict:
    seed.logical_file("~employee::id_lookup_v1", [["1", "Ann"], ["2", "Bob"]])
    seed.superfile("~employee::id_lookup_super", ["~employee::id_lookup_v1"])
    seed.package_map("roxie", "toy.pkg", PART)
    return seed.roxie_query("toy_query", [{"name": "~employee::id_lookup_super", "opt": False}], keys=["EmployeeID"])


def test_seeders_and_the_publish_route(hpccemu, hpccemu_seed, hpccemu_client):
    published = seed_everything(hpccemu_seed)
    assert published == {"QuerySet": "roxie", "QueryId": "toy_query.1", "QueryName": "toy_query", "Activated": True}
    dfu = hpccemu_client.wsdfu
    assert dfu.superfile_list("employee::id_lookup_super") == ["employee::id_lookup_v1"]
    assert dfu.info("employee::id_lookup_v1").size == len(b"1,Ann\n2,Bob\n")
    mapping = hpccemu_client.packages.query_files("roxie", "toy_query.1")
    assert mapping.superfiles == {"employee::id_lookup_super": ["employee::id_lookup_v1"]}
    assert hpccemu_seed.landing_zone_file("notes.txt", "hello") == "/var/lib/HPCCSystems/mydropzone/notes.txt"
    assert hpccemu_seed.package_part("roxie", "toy.pkg", "extra.xml", PART) == "extra.xml"
    with pytest.raises(EspError):
        hpccemu_seed.roxie_query("bad", ["~x::y"], target="nosuchtarget")


def test_reset_empties_everything_and_keeps_the_port(tmp_path):
    with ThreadedEmulator(data_dir=tmp_path / "data", dfu_workers=1) as emu:   # real background workers
        url = emu.url
        with HPCCClient(url) as hpcc:
            seed_everything(Seeder(hpcc))
            assert hpcc.wsdfu.query("*") and hpcc.packages.list_package("roxie")
            emu.reset()
            assert emu.url == url
            assert hpcc.wsdfu.query("*") == [] and hpcc.packages.list_package("roxie") == []
            assert hpcc.filespray.list_files() == [] and not list((emu.data_dir / "nodes").rglob("*._*_of_*"))
            queries = requests.get(f"{url}/hpccemu/roxie/queries?target=roxie", timeout=30).json()
            assert "toy_query" not in str(queries)
            # the DFU server runs again: a spray after the reset completes
            Seeder(hpcc).logical_file("~again::f", [[1]])
            answer = requests.post(f"{url}/hpccemu/reset", timeout=30).json()
            assert answer["Reset"] is True and "logical_files" in answer["Tables"] and "meta" not in answer["Tables"]
            assert answer["Engines"] == ["roxie"]
            assert hpcc.wsdfu.query("*") == []


def test_reset_route_needs_post(hpccemu):
    assert requests.get(f"{hpccemu.url}/hpccemu/reset", timeout=30).status_code == 405


def test_packaged_wsdls_are_the_served_contract():
    for name in ("FileSpray", "WsDfu", "WsPackageProcess"):
        shipped = ROOT / "clients" / "wsdl" / f"{name}.wsdl"
        assert shipped.read_bytes() == (ROOT / "wsdl" / f"{name}.wsdl").read_bytes(), \
            f"copy wsdl/{name}.wsdl to clients/wsdl/ (hpccemu export-wsdl clients/wsdl)"
