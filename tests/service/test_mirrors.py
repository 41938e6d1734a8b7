"""Replication, mirrors and node failure drills through zeep, raw SOAP and the control routes:
mirror copies on the next node, both copies in DFUInfo, reads falling back to the mirror when a
node is offline or swapped, writes refused with dafilesrv's text while a target is offline."""
from __future__ import annotations

import pytest

from service.drills import Drill, records, unique
from esputil import envelope, soap_post
from hpccemu.testing import ThreadedEmulator


@pytest.fixture(scope="module")
def drill(tmp_path_factory):
    with ThreadedEmulator(data_dir=tmp_path_factory.mktemp("mirrors") / "data", deterministic=True) as emu:
        d = Drill(emu)
        yield d
        d.close()


@pytest.fixture(autouse=True)
def all_online(drill):
    yield
    for node in drill.control("nodes").json()["Nodes"]:
        if node["State"] == "offline":
            assert drill.control("nodes/online", {"node": node["Name"]}).status_code == 200


def ips(drill) -> dict[str, str]:
    return {n["Name"]: n["Ip"] for n in drill.control("nodes").json()["Nodes"]}


def test_replicated_spray_lists_both_copies_of_each_part(drill):
    lfn = unique("mirror::both::f")
    drill.finished(drill.spray(records(40), lfn, replicate=True))
    ip = ips(drill)
    assert drill.copies(lfn) == [
        (1, 1, ip["node1"]), (1, 2, ip["node2"]), (2, 1, ip["node2"]), (2, 2, ip["node3"]),
        (3, 1, ip["node3"]), (3, 2, ip["node4"]), (4, 1, ip["node4"]), (4, 2, ip["node1"])]
    mirror = drill.emu.data_dir / "nodes/node2/hpcc-mirror/thor/mirror/both" / f"{lfn.split('::')[-1]}._1_of_4"
    primary = drill.emu.data_dir / "nodes/node1/hpcc-data/thor/mirror/both" / mirror.name
    assert mirror.read_bytes() == primary.read_bytes() == records(40)[:100]


def test_despray_copy_and_views_read_the_mirror_of_an_offline_node(drill):
    lfn = unique("mirror::fallback::f")
    data = records(40)
    drill.finished(drill.spray(data, lfn, replicate=True))
    r = drill.control("nodes/offline", {"node": "node2"})
    assert r.status_code == 200
    assert {n["Name"]: n["State"] for n in r.json()["Nodes"]}["node2"] == "offline"
    assert not (drill.emu.data_dir / "nodes" / "node2").exists()
    wuid, out = drill.despray(lfn)
    drill.finished(wuid)
    assert drill.landed(out) == data
    # a copy (to the nodes still up is impossible on a 4-node cluster: its parts need node2)
    w = drill.fs.service.Copy(sourceLogicalName=lfn, destLogicalName=lfn + "_copy", destGroup="mythor").result
    assert drill.wu(w).SummaryMessage == (
        f"Failed: Failed to connect (setting host down) to dafilesrv/daliservix on {ips(drill)['node2']}:7100")
    assert drill.dfu.service.DFUInfo(Name=lfn + "_copy").Exceptions is not None   # nothing registered
    body = (f'<DFUSearchDataRequest xmlns="urn:hpccsystems:ws:wsdfu"><LogicalName>{lfn}</LogicalName>'
            "<StartIndex>0</StartIndex><Count>40</Count></DFUSearchDataRequest>")
    r = soap_post(drill.http, f"{drill.url}/WsDfu/", envelope(body))
    assert r.status_code == 200 and "Exception" not in r.text and "<TotalRows>0</TotalRows>" not in r.text


def test_unreplicated_file_on_an_offline_node_fails_cleanly(drill):
    lfn = unique("mirror::single::f")
    drill.finished(drill.spray(records(40), lfn))
    drill.control("nodes/offline", {"node": "node3"})
    wuid, out = drill.despray(lfn)
    assert drill.wu(wuid).SummaryMessage == (
        f"Failed: Failed to connect (setting host down) to dafilesrv/daliservix on {ips(drill)['node3']}:7100")
    assert not (drill.emu.landing_zone / out).exists()
    drill.control("nodes/online", {"node": "node3"})
    wuid, out = drill.despray(lfn)
    drill.finished(wuid)
    assert drill.landed(out) == records(40)


def test_spray_onto_an_offline_node_is_refused_before_any_write(drill):
    drill.control("nodes/offline", {"node": "node4"})
    lfn = unique("mirror::refused::f")
    wuid = drill.spray(records(8), lfn)
    assert drill.wu(wuid).SummaryMessage == (
        f"Failed: Failed to connect (setting host down) to dafilesrv/daliservix on {ips(drill)['node4']}:7100")
    assert not list((drill.emu.data_dir / "nodes").rglob(f"{lfn.split('::')[-1]}*"))
    assert not (drill.emu.data_dir / "nodes" / "node4").exists()


def test_swapped_node_is_empty_and_reads_use_the_mirrors(drill):
    lfn = unique("mirror::swap::f")
    drill.finished(drill.spray(records(40), lfn, replicate=True))
    r = drill.control("nodes/swap", {"node": "node3"})
    assert r.status_code == 200
    node3 = drill.emu.data_dir / "nodes" / "node3"
    assert [p for p in node3.rglob("*") if p.is_file()] == []
    assert (node3 / "hpcc-data/thor").is_dir() and (node3 / "hpcc-mirror/thor").is_dir()
    wuid, out = drill.despray(lfn)
    drill.finished(wuid)
    assert drill.landed(out) == records(40)


def test_replicate_records_the_mirrors_it_writes(drill):
    lfn = unique("mirror::later::f")
    drill.finished(drill.spray(records(40), lfn))
    assert [c for _, c, _ in drill.copies(lfn)] == [1, 1, 1, 1]
    drill.finished(drill.fs.service.Replicate(sourceLogicalName=lfn).wuid)
    assert [c for _, c, _ in drill.copies(lfn)] == [1, 2, 1, 2, 1, 2, 1, 2]
    drill.control("nodes/offline", {"node": "node1"})
    wuid, out = drill.despray(lfn)
    drill.finished(wuid)
    assert drill.landed(out) == records(40)


@pytest.mark.parametrize("route, body, status, message", [
    ("nodes/offline", {"node": "node9"}, 400, "Unknown node 'node9'. Known nodes: node1, node2, node3, node4"),
    ("nodes/online", {"node": "node1"}, 400, "Node node1 (%s) is not offline"),
    ("nodes/swap", {}, 400, "Bad request: 'node' (a node name or address) is required"),
])
def test_control_errors(drill, route, body, status, message):
    r = drill.control(route, body)
    assert r.status_code == status
    expected = message % ips(drill)["node1"] if "%s" in message else message
    assert r.json()["Exceptions"]["Exception"][0]["Message"] == expected


def test_offline_twice_and_by_address(drill):
    ip = ips(drill)["node2"]
    assert drill.control("nodes/offline", {"node": ip}).status_code == 200
    r = drill.control("nodes/offline", {"node": "node2"})
    assert r.json()["Exceptions"]["Exception"][0]["Message"] == f"Node node2 ({ip}) is already offline"


def test_offline_survives_a_restart(tmp_path):
    with ThreadedEmulator(data_dir=tmp_path / "data", deterministic=True) as emu:
        Drill(emu).control("nodes/offline", {"node": "node2"})
    with ThreadedEmulator(data_dir=tmp_path / "data", deterministic=True) as emu:
        states = {n["Name"]: n["State"] for n in Drill(emu).control("nodes").json()["Nodes"]}
        assert states == {"node1": "online", "node2": "offline", "node3": "online", "node4": "online"}
        assert not (emu.data_dir / "nodes" / "node2").exists()


def test_node_cli_against_a_running_emulator(drill):
    from click.testing import CliRunner
    from wsservices.cli import main

    runner = CliRunner()
    r = runner.invoke(main, ["node", "offline", "node3", "--url", drill.url])
    assert r.exit_code == 0, r.output
    assert [line.split()[::2] for line in r.output.splitlines()] == [
        ["node1", "online"], ["node2", "online"], ["node3", "offline"], ["node4", "online"]]
    r = runner.invoke(main, ["node", "offline", "node3", "--url", drill.url])
    assert r.exit_code == 1 and f"Error: Node node3 ({ips(drill)['node3']}) is already offline" in r.output
    assert runner.invoke(main, ["node", "online", "node3", "--url", drill.url]).exit_code == 0
    r = runner.invoke(main, ["node", "list", "--url", drill.url])
    assert "offline" not in r.output and r.output.count("online") == 4
