"""Copy with superCopy through zeep: when it is honoured, the `supercopy` workunit (command 15),
the destination superfile and its subfiles, overwrite, and the `blocked` state (9)."""
from __future__ import annotations

import threading
import time

from esputil import zeep_client
from hpccemu.testing import ThreadedEmulator
from service.test_transfers import download, finished, unique, wu_of

DATA = [b"".join(b"%09d\n" % (k * 1000 + i) for i in range(30)) for k in range(3)]


def items(*names):
    return {"Item": list(names)}


def make_super(fs, dfu, emulator, scope: str, nested: bool = False) -> tuple[str, list[str]]:
    """A superfile of three sprayed files (the third inside a nested superfile when `nested`)."""
    zone = emulator.data_dir / "dropzones" / "mydropzone"
    subs = []
    for k, data in enumerate(DATA):
        (zone / f"{scope}{k}.dat").write_bytes(data)
        lfn = f"{scope}::sub{k}"
        finished(fs, fs.service.SprayFixed(sourceIP="127.0.0.1", sourcePath=f"{scope}{k}.dat", destGroup="mythor",
                                           destLogicalName=lfn, sourceRecordSize=10).wuid)
        subs.append(lfn)
    top = f"{scope}::super"
    members = subs
    if nested:
        dfu.service.SuperfileAction(action="add", superfile=f"{scope}::inner", subfiles=items(subs[2]))
        members = subs[:2] + [f"{scope}::inner"]
    dfu.service.SuperfileAction(action="add", superfile=top, subfiles=items(*members))
    return top, members


def command(fs, wuid: str) -> tuple[int, str]:
    """(Command, CommandMessage) as GetDFUWorkunits lists them."""
    wu = fs.service.GetDFUWorkunits(Wuid=wuid).results.DFUWorkunit[0]
    return wu.Command, wu.CommandMessage


def copy(fs, source: str, dest: str, **options):
    return fs.service.Copy(sourceLogicalName=source, destLogicalName=dest, destGroup="mythor", **options).result


def test_supercopy_keeps_the_structure(fs, dfu, emulator, cat):
    scope = unique("sc")
    top, members = make_super(fs, dfu, emulator, scope, nested=True)
    files_before = {f.Name for f in dfu.service.DFUQuery(LogicalName=f"{scope}::*").DFULogicalFiles.DFULogicalFile}
    dest = f"{scope}::Copy"
    wuid = copy(fs, top, dest, superCopy=True)
    wu = finished(fs, wuid)
    assert (wu.Command, wu.JobName, command(fs, wuid)) == (15, f"{scope}::copy", (15, "supercopy"))
    info = dfu.service.DFUInfo(Name=dest).FileDetail
    assert info.isSuperfile is True and info.subfiles.Item == members   # the source's own subfiles, in order
    assert cat.superfiles.list(f"{scope}::inner") == [f"{scope}::sub2"]
    names = {f.Name for f in dfu.service.DFUQuery(LogicalName=f"{scope}::*").DFULogicalFiles.DFULogicalFile}
    assert names == files_before | {f"{scope}::copy"}        # no subfile was copied
    assert cat.get(f"{scope}::copy").size == sum(map(len, DATA))


def test_supercopy_only_for_superfiles_and_plain_copy_consolidates(fs, dfu, http, url, emulator, cat):
    scope = unique("sc")
    top, _ = make_super(fs, dfu, emulator, scope)
    wuid = finished(fs, copy(fs, f"{scope}::sub0", f"{scope}::single", superCopy=True)).ID
    assert command(fs, wuid) == (1, "copy")
    assert not cat.get(f"{scope}::single").is_superfile
    wuid = finished(fs, copy(fs, top, f"{scope}::flat")).ID
    assert command(fs, wuid) == (1, "copy")
    flat = cat.get(f"{scope}::flat")
    assert not flat.is_superfile and flat.size == sum(map(len, DATA))
    out = unique("flat")
    finished(fs, fs.service.Despray(sourceLogicalName=f"{scope}::flat", destGroup="mydropzone", destPath=out).wuid)
    assert download(http, url, out) == b"".join(DATA)


def test_supercopy_destination_exists(fs, dfu, emulator, cat):
    scope = unique("sc")
    top, members = make_super(fs, dfu, emulator, scope)
    dest = f"{scope}::dest"
    dfu.service.SuperfileAction(action="add", superfile=dest, subfiles=items(members[0]))
    wu = wu_of(fs, copy(fs, top, dest, superCopy=True))
    assert (wu.StateMessage, wu.SummaryMessage) == ("failed", f"Failed: Destination file {dest} already exists")
    assert cat.superfiles.list(dest) == [members[0]]
    finished(fs, copy(fs, top, dest, superCopy=True, overwrite=True))       # reused, members replaced
    assert cat.superfiles.list(dest) == members
    regular = f"{scope}::regular"
    finished(fs, copy(fs, members[0], regular))
    finished(fs, copy(fs, top, regular, superCopy=True, overwrite=True))    # a regular file is replaced
    assert cat.get(regular).is_superfile and cat.superfiles.list(regular) == members


def test_supercopy_waits_blocked_on_a_locked_destination(tmp_path):
    with ThreadedEmulator(data_dir=tmp_path / "data", dfu_workers=1) as emu:
        fs, dfu = zeep_client(emu.url, "FileSpray"), zeep_client(emu.url, "WsDfu")
        from wsservices.engine.dali.catalog import catalog
        cat = catalog(emu.cluster)

        def wait_for(wuid, states):
            deadline = time.monotonic() + 30
            while (state := fs.service.GetDFUProgress(wuid=wuid).State) not in states:
                assert time.monotonic() < deadline, state
                threading.Event().wait(0.02)
            return state

        top, members = make_super_bg(fs, dfu, emu, wait_for)
        dest = "bg::dest"
        dfu.service.SuperfileAction(action="add", superfile=dest, subfiles=items(members[0]))
        cat.locks.acquire([dest], "test holder", "write")
        wuid = copy(fs, top, dest, superCopy=True, overwrite=True)
        assert wait_for(wuid, ("blocked", "finished", "failed")) == "blocked"
        wu = fs.service.GetDFUWorkunit(wuid=wuid).result
        assert (wu.State, wu.StateMessage) == (9, "blocked")
        assert emu.cluster.workunits.get(wuid).state_reason == f"looking up destination file: {dest}"
        assert cat.superfiles.list(dest) == [members[0]]          # nothing changed while blocked
        cat.locks.release("test holder")
        assert wait_for(wuid, ("finished", "failed")) == "finished"
        assert cat.superfiles.list(dest) == members
        assert emu.cluster.workunits.get(wuid).state_reason == ""


def make_super_bg(fs, dfu, emu, wait_for):
    zone = emu.data_dir / "dropzones" / "mydropzone"
    subs = []
    for k, data in enumerate(DATA[:2]):
        (zone / f"bg{k}.dat").write_bytes(data)
        wuid = fs.service.SprayFixed(sourceIP="127.0.0.1", sourcePath=f"bg{k}.dat", destGroup="mythor",
                                     destLogicalName=f"bg::sub{k}", sourceRecordSize=10).wuid
        assert wait_for(wuid, ("finished", "failed")) == "finished"
        subs.append(f"bg::sub{k}")
    dfu.service.SuperfileAction(action="add", superfile="bg::super", subfiles=items(*subs))
    return "bg::super", subs
