"""The data-handling manual's story, end to end, with two emulators as two environments:

spray with replication on A; take a node of A offline: despray still returns identical bytes;
copy the file from A to B (remote copy) and despray it on B identically; swap the node on A
(an empty disk); XREF on A; backupnode restores the copies the swap took; XREF is clean.

What the real tools say is followed, not the issue's first sketch: real XREF lists a file as lost
only when some part has no copy left (dfuxreflib). After a swap, every part of a replicated file
still has one copy (its primary or its mirror), so XREF lists it nowhere; the copies it lacks are
what backupnode restores. A file sprayed without replication on the same cluster is lost (one
part had its only copy on the swapped node): XREF lists it, and backupnode cannot bring it back.
"""
from __future__ import annotations

import time

from lxml import etree

from esputil import zeep_client
from hpccemu.testing import ThreadedEmulator
from service.drills import Drill, records, unique
from service.test_remote_copy import dali, remote_config


def build(drill) -> None:
    drill.xref.service.DFUXRefBuild(Cluster="mythor")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status = {n.findtext("Name"): n.findtext("Status") for n in etree.fromstring(drill.xref.service.DFUXRefList())}
        if status["mythor"] == "Generated":
            return
        time.sleep(0.05)
    raise AssertionError(f"XREF build did not finish: {status}")


def lost(drill) -> list[tuple[str, str]]:
    root = etree.fromstring(drill.xref.service.DFUXRefLostFiles(Cluster="mythor"))
    return [(f.findtext("Name"), f.findtext("Partslost")) for f in root.iter("File")]


def orphans(drill) -> list[str]:
    root = etree.fromstring(drill.xref.service.DFUXRefOrphanFiles(Cluster="mythor"))
    return [f.findtext("Partmask") for f in root.iter("File")]


def copies_on_disk(drill, tail: str) -> int:
    return len([p for p in (drill.emu.data_dir / "nodes").rglob(f"{tail}._*") if not p.name.endswith(".tmp")])


def test_the_manuals_failure_drill_across_two_environments(tmp_path):
    with ThreadedEmulator(data_dir=tmp_path / "a", deterministic=True) as emu_a, \
            ThreadedEmulator(data_dir=tmp_path / "b", deterministic=True,
                             config_file=remote_config(tmp_path, "envA", emu_a.url)) as emu_b:
        a, b = Drill(emu_a), Drill(emu_b)
        a.xref = zeep_client(a.url, "WsDFUXRef")
        data = records(80)
        lfn, single = unique("story::people"), unique("story::single")
        tail = lfn.split("::")[-1]
        a.finished(a.spray(data, lfn, replicate=True))
        a.finished(a.spray(records(40), single))          # no mirror: its part 2 lives only on node2
        assert copies_on_disk(a, tail) == 8

        assert a.control("nodes/offline", {"node": "node2"}).status_code == 200
        wuid, out = a.despray(lfn)
        a.finished(wuid)
        assert a.landed(out) == data                       # read from the mirrors
        wuid = b.fs.service.Copy(sourceLogicalName=lfn, sourceDali=dali(a), destGroup="mythor",
                                 destLogicalName=lfn).result
        b.finished(wuid)
        wuid, out = b.despray(lfn)
        b.finished(wuid)
        assert b.landed(out) == data
        assert a.control("nodes/online", {"node": "node2"}).status_code == 200

        assert a.control("nodes/swap", {"node": "node2"}).status_code == 200
        assert copies_on_disk(a, tail) == 6                # part 2's primary and part 1's mirror are gone
        build(a)
        assert lost(a) == [(single, "1")]                  # every part of the replicated file has a copy
        answer = a.control("backupnode", {"cluster": "mythor"}).json()
        assert answer["Lines"][-1] == "backupnode finished" and answer["Errors"] == 0
        assert f"backupnode: File scan complete, {answer['Files']} files, {answer['Parts']} parts" in answer["Lines"]
        assert answer["Copied"] == 2
        assert copies_on_disk(a, tail) == 8
        build(a)
        assert lost(a) == [(single, "1")]                  # backupnode cannot invent a part with no copy
        r = a.xref.service.DFUXRefArrayAction(Type="Lost", Cluster="mythor", Action="DeleteLogical",
                                              XRefFiles={"Item": [single]})
        assert f"Removed Logical File {single}" in r
        build(a)
        assert lost(a) == []
        stray = orphans(a)                                 # the lost file's surviving parts
        r = a.xref.service.DFUXRefArrayAction(Type="Orphan", Cluster="mythor", Action="Delete",
                                              XRefFiles={"Item": stray})
        build(a)
        assert lost(a) == [] and orphans(a) == []
        wuid, out = a.despray(lfn)
        a.finished(wuid)
        assert a.landed(out) == data
        a.close()
        b.close()
