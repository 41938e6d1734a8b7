"""backupnode through its control route and CLI: the real tool's lines, mirrors restored after a
swap, primaries restored from mirrors, a second run copying nothing, an offline node reported,
and the files still reading identically (despray) afterwards."""
from __future__ import annotations

import pytest

from service.drills import Drill, records, unique
from hpccemu.testing import ThreadedEmulator


@pytest.fixture(scope="module")
def drill(tmp_path_factory):
    with ThreadedEmulator(data_dir=tmp_path_factory.mktemp("backupnode") / "data", deterministic=True) as emu:
        d = Drill(emu)
        yield d
        d.close()


def run(drill, cluster="mythor"):
    r = drill.control("backupnode", {"cluster": cluster})
    assert r.status_code == 200, r.text
    return r.json()


def part_files(drill, tail: str) -> dict[str, bytes]:
    root = drill.emu.data_dir / "nodes"
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob(f"{tail}._*"))
            if not p.name.endswith(".tmp")}


def test_backupnode_restores_the_copies_of_a_swapped_node(drill):
    lfn = unique("bk::swap::f")
    tail = lfn.split("::")[-1]
    drill.finished(drill.spray(records(40), lfn, replicate=True))
    before = part_files(drill, tail)
    assert len(before) == 8
    run(drill)   # whatever other tests left: start from a synced cluster
    drill.control("nodes/swap", {"node": "node2"})
    assert len(part_files(drill, tail)) == 6
    answer = run(drill)
    lines = answer["Lines"]
    assert lines[0] == "Creating part lists, please wait..."
    assert lines[1] == f"backupnode: File scan complete, {answer['Files']} files, {answer['Parts']} parts"
    assert lines[-1] == "backupnode finished"
    ip = {n["Name"]: n["Ip"] for n in drill.control("nodes").json()["Nodes"]}
    # part 2's primary was on node2 (restored from node3's mirror); part 1's mirror was on node2
    assert f"Copy /var/lib/HPCCSystems/hpcc-mirror/thor/bk/swap/{tail}._2_of_4 to " \
           f"//{ip['node2']}/var/lib/HPCCSystems/hpcc-data/thor/bk/swap/{tail}._2_of_4" in lines
    assert f"Copy /var/lib/HPCCSystems/hpcc-data/thor/bk/swap/{tail}._1_of_4 to " \
           f"//{ip['node2']}/var/lib/HPCCSystems/hpcc-mirror/thor/bk/swap/{tail}._1_of_4" in lines
    assert answer["Errors"] == 0 and answer["Copied"] >= 2
    assert part_files(drill, tail) == before
    again = run(drill)
    assert again["Copied"] == 0 and not [x for x in again["Lines"] if x.startswith("Copy ")]
    assert not list((drill.emu.data_dir / "nodes").rglob("*.tmp"))
    wuid, out = drill.despray(lfn)
    drill.finished(wuid)
    assert drill.landed(out) == records(40)


def test_backupnode_rewrites_a_mirror_that_differs(drill):
    lfn = unique("bk::differ::f")
    tail = lfn.split("::")[-1]
    drill.finished(drill.spray(records(40), lfn, replicate=True))
    mirror = drill.emu.data_dir / f"nodes/node3/hpcc-mirror/thor/bk/differ/{tail}._2_of_4"
    mirror.write_bytes(b"garbage")
    answer = run(drill)
    assert [x for x in answer["Lines"] if tail in x] == [
        f"Copy /var/lib/HPCCSystems/hpcc-data/thor/bk/differ/{tail}._2_of_4 to "
        f"//{drill.control('nodes').json()['Nodes'][2]['Ip']}/var/lib/HPCCSystems/hpcc-mirror/thor/bk/differ/{tail}._2_of_4"]
    primary = drill.emu.data_dir / f"nodes/node2/hpcc-data/thor/bk/differ/{tail}._2_of_4"
    assert mirror.read_bytes() == primary.read_bytes()


def test_backupnode_reports_an_offline_node_and_writes_nothing_there(drill):
    lfn = unique("bk::off::f")
    tail = lfn.split("::")[-1]
    drill.finished(drill.spray(records(40), lfn, replicate=True))
    drill.control("nodes/offline", {"node": "node2"})
    try:
        offline = drill.emu.data_dir / "offline" / "node2"
        offline_before = sorted(p for p in offline.rglob("*"))
        answer = run(drill)
        assert sorted(p for p in offline.rglob("*")) == offline_before
    finally:
        drill.control("nodes/online", {"node": "node2"})
    ip2 = {n["Name"]: n["Ip"] for n in drill.control("nodes").json()["Nodes"]}["node2"]
    down = f"Failed to connect (setting host down) to dafilesrv/daliservix on {ip2}:7100"
    mine = [x for x in answer["Lines"] if tail in x]
    # the primary of part 1 is there, its mirror on node2 cannot be reached (nor part 2's primary)
    assert f"ERROR: CopyFile(/var/lib/HPCCSystems/hpcc-data/thor/bk/off/{tail}._1_of_4," \
           f"//{ip2}/var/lib/HPCCSystems/hpcc-mirror/thor/bk/off/{tail}._1_of_4): {down}" in mine
    assert answer["Errors"] >= 2 and answer["Lines"][-1] == "backupnode finished"
    assert not list((drill.emu.data_dir / "nodes").rglob("*.tmp"))
    again = run(drill)   # node2 back, with its copies intact: nothing to do for this file
    assert again["Errors"] == 0 and not [x for x in again["Lines"] if tail in x]


@pytest.mark.parametrize("body, message", [
    ({"cluster": "nosuch"}, "backupnode: cannot find cluster nosuch"),
    ({"cluster": "roxie"}, "backupnode: expected cluster roxie to be a thor cluster"),
    ({}, "Bad request: 'cluster' (a Thor cluster) is required"),
])
def test_backupnode_refusals(drill, body, message):
    r = drill.control("backupnode", body)
    assert r.status_code == 400
    assert r.json()["Exceptions"]["Exception"][0]["Message"] == message


def test_backupnode_cli(drill):
    from click.testing import CliRunner
    from wsservices.cli import main

    r = CliRunner().invoke(main, ["backupnode", "mythor", "--url", drill.url])
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[-1] == "backupnode finished"
    assert "backupnode: File scan complete, " in r.output
    r = CliRunner().invoke(main, ["backupnode", "nosuch", "--url", drill.url])
    assert r.exit_code == 1 and "Error: backupnode: cannot find cluster nosuch" in r.output
