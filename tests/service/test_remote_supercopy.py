"""Copy of a superfile from another environment (FileSpray Copy with ``sourceDali`` and
``superCopy``) between two emulators, through zeep: the structure is kept (nested superfiles
included), each subfile is copied by a Copy workunit of its own onto a file of the same name, an
existing destination needs ``overwrite``, a failed subfile copy names its workunit, and no fetched
part or folder is left behind."""
from __future__ import annotations

import pytest

from hpccemu.testing import ThreadedEmulator
from service.drills import Drill, records, unique
from service.test_remote_copy import dali, two_environments


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    yield from two_environments(tmp_path_factory.mktemp("remote_super"))


def make_super(a: Drill, scope: str) -> tuple[str, list[str], list[bytes]]:
    """On A: ``<scope>::super`` = [sub0, sub1, <scope>::inner = [sub2]]; returns (name, its
    members, the three subfiles' data)."""
    data = [records(20 + 7 * k) for k in range(3)]
    subs = [f"{scope}::sub{k}" for k in range(3)]
    for lfn, d in zip(subs, data):
        a.finished(a.spray(d, lfn))
    a.dfu.service.SuperfileAction(action="add", superfile=f"{scope}::inner", subfiles={"Item": [subs[2]]})
    members = subs[:2] + [f"{scope}::inner"]
    a.dfu.service.SuperfileAction(action="add", superfile=f"{scope}::super", subfiles={"Item": members})
    return f"{scope}::super", members, data


def subfiles(drill: Drill, name: str) -> list[str]:
    detail = drill.dfu.service.DFUInfo(Name=name).FileDetail
    assert detail.isSuperfile is True
    return list(detail.subfiles.Item) if detail.subfiles is not None else []


def workunits(drill: Drill, owner_job: str) -> list:
    found = drill.fs.service.GetDFUWorkunits(PageSize=500).results
    return [w for w in (found.DFUWorkunit if found is not None else []) if w.JobName == owner_job]


def test_remote_supercopy_keeps_the_structure(pair):
    a, b = pair
    scope = unique("rsc")
    top, members, data = make_super(a, scope)
    dest = f"{scope}::copy"
    wuid = b.fs.service.Copy(sourceLogicalName=top, sourceDali=dali(a), destGroup="mythor",
                             destLogicalName=dest, superCopy=True).result
    wu = b.finished(wuid)
    assert wu.Command == 15
    assert subfiles(b, dest) == members                           # same names, same order
    assert subfiles(b, f"{scope}::inner") == [f"{scope}::sub2"]   # the nested superfile kept
    for k, d in enumerate(data):                                  # each subfile's bytes arrived
        out_wuid, out = b.despray(f"{scope}::sub{k}")
        b.finished(out_wuid)
        assert b.landed(out) == d
        last = b.dfu.service.ListHistory(Name=f"{scope}::sub{k}").History.Origin[-1]
        assert (last.Operation, last.Name) == ("DFUcopy", f"sub{k}")
    children = [w for w in workunits(b, dest) if w.ID != wuid]
    assert sorted(w.Command for w in children) == [1, 1, 1]       # one Copy workunit per plain subfile
    assert all(w.StateMessage == "finished" for w in children)
    assert not (b.emu.data_dir / "nodes" / ".foreign").exists()
    assert not list((b.emu.data_dir / "nodes").rglob("*.tmp"))


def test_a_foreign_superfile_without_supercopy_is_refused_at_request_time(pair):
    a, b = pair
    scope = unique("rsn")
    top, _, _ = make_super(a, scope)
    reply = b.fs.service.Copy(sourceLogicalName=top, sourceDali=dali(a), destGroup="mythor",
                              destLogicalName=f"{scope}::flat")
    e = reply.Exceptions.Exception[0]
    assert int(e.Code) == 20052 and "set superCopy to keep its structure" in e.Message
    assert b.dfu.service.DFUQuery(LogicalName=f"{scope}::*").DFULogicalFiles is None


def test_an_existing_destination_needs_overwrite(pair):
    a, b = pair
    scope = unique("rso")
    top, members, _ = make_super(a, scope)
    dest = f"{scope}::copy"
    b.finished(b.fs.service.Copy(sourceLogicalName=top, sourceDali=dali(a), destGroup="mythor",
                                 destLogicalName=dest, superCopy=True).result)
    again = b.fs.service.Copy(sourceLogicalName=top, sourceDali=dali(a), destGroup="mythor",
                              destLogicalName=dest, superCopy=True).result
    wu = b.wu(again)
    assert wu.StateMessage == "failed"
    assert wu.SummaryMessage.endswith(f"Destination file {dest} already exists")
    # the source changes on A; with overwrite the copy on B follows it
    a.dfu.service.SuperfileAction(action="remove", superfile=top, subfiles={"Item": [members[0]]})
    b.finished(b.fs.service.Copy(sourceLogicalName=top, sourceDali=dali(a), destGroup="mythor",
                                 destLogicalName=dest, superCopy=True, overwrite=True).result)
    assert subfiles(b, dest) == members[1:]


def test_a_subfile_that_cannot_be_copied_fails_the_supercopy(pair):
    a, b = pair
    scope = unique("rsf")
    top, members, _ = make_super(a, scope)
    # the second subfile's parts are gone from A's disks (no mirror): its Copy workunit fails
    lost = list((a.emu.data_dir / "nodes").rglob(f"{scope}/sub1._*_of_*"))
    assert lost
    for path in lost:
        path.unlink()
    dest = f"{scope}::copy"
    wuid = b.fs.service.Copy(sourceLogicalName=top, sourceDali=dali(a), destGroup="mythor",
                             destLogicalName=dest, superCopy=True).result
    wu = b.wu(wuid)
    assert wu.StateMessage == "failed"
    failed = [w for w in workunits(b, dest) if w.ID != wuid and w.StateMessage == "failed"]
    assert wu.SummaryMessage.endswith(f"File {members[1]} could not be copied - see {failed[0].ID}")
    names = {f.Name for f in b.dfu.service.DFUQuery(LogicalName=f"{scope}::*").DFULogicalFiles.DFULogicalFile}
    assert dest not in names and members[0] in names and members[1] not in names
    assert not (b.emu.data_dir / "nodes" / ".foreign").exists()


def test_start_up_recovery_removes_what_a_crashed_remote_copy_fetched(tmp_path):
    folder = tmp_path / "d" / "nodes" / ".foreign"
    folder.mkdir(parents=True)
    (folder / "sub1.1.D20260101-000000-1.tmp").write_bytes(b"half a part")
    with ThreadedEmulator(data_dir=tmp_path / "d", deterministic=True) as emu:
        assert not folder.exists()
        assert emu.url
