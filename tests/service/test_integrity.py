"""Nothing lost: a refused overwrite leaves the old file as it was (metadata and bytes), distinct
logical names never share part files, and a file a DFU job reads cannot be deleted, overwritten,
renamed or changed under it (Dali READ locks). Through zeep against live servers."""
from __future__ import annotations


import pytest

from esputil import esp_error, wait_until, workunit_ended, zeep_client
from hpccemu.testing import ThreadedEmulator
from service.test_transfers import LZ, download, unique, wu_of

OLD = b"".join(b"%09d\n" % i for i in range(1000))          # 10,000 bytes
NEW = b"".join(b"%09d\n" % (i * 7) for i in range(300))      # 3,000 bytes


def spray(fs, zone, name: str, data: bytes, lfn: str, **options):
    (zone / name).write_bytes(data)
    return wu_of(fs, fs.service.SprayFixed(sourceIP="127.0.0.1", sourcePath=name, destGroup="mythor",
                                           destLogicalName=lfn, sourceRecordSize=10, **options).wuid)


def despray(fs, http, url, lfn: str) -> bytes:
    target = unique("out") + ".dat"
    wu = wu_of(fs, fs.service.Despray(sourceLogicalName=lfn, destIP="127.0.0.1",
                                      destPath=f"{LZ}/{target}", overwrite=True).wuid)
    assert wu.StateMessage == "finished", wu.SummaryMessage
    return download(http, url, target)


def stray_files(data_dir) -> list:
    """Temporary or partial files anywhere in node folders and drop zones."""
    return [p for p in data_dir.rglob("*") if p.suffix in (".tmp", ".part")]


@pytest.fixture
def zone(emulator):
    return emulator.data_dir / "dropzones" / "mydropzone"


def _protect(dfu, lfn):
    dfu.service.DFUInfo(Name=lfn, Protect=1)
    return "protected by"


def _own(dfu, lfn):
    dfu.service.SuperfileAction(action="add", superfile=lfn + "_owner", subfiles={"Item": [lfn]})
    return "owned by SuperFile(s)"


@pytest.mark.parametrize("guard", [_protect, _own], ids=["protected", "superfile member"])
def test_a_refused_overwrite_leaves_the_old_file_as_it_was(fs, dfu, http, url, emulator, zone, guard):
    lfn = unique("integrity::p")
    assert spray(fs, zone, "a.dat", OLD, lfn).StateMessage == "finished"
    parts_before = sorted((p, p.read_bytes()) for p in (emulator.data_dir / "nodes").rglob(lfn.split("::")[-1] + "*"))
    expected = guard(dfu, lfn)
    wu = spray(fs, zone, "b.dat", NEW, lfn, overwrite=True)
    assert wu.StateMessage == "failed" and expected in wu.SummaryMessage, wu.SummaryMessage
    detail = dfu.service.DFUInfo(Name=lfn).FileDetail
    assert detail.Filesize == f"{len(OLD):,}" and detail.RecordCount == "1,000"
    parts_after = sorted((p, p.read_bytes()) for p in (emulator.data_dir / "nodes").rglob(lfn.split("::")[-1] + "*"))
    assert parts_after == parts_before                      # the same part files, byte for byte
    assert despray(fs, http, url, lfn) == OLD
    assert stray_files(emulator.data_dir) == []


def test_a_refused_copy_over_a_held_file_changes_nothing(fs, dfu, http, url, emulator, zone):
    src, dst = unique("integrity::src"), unique("integrity::dst")
    spray(fs, zone, "a.dat", OLD, dst)
    spray(fs, zone, "b.dat", NEW, src)
    emulator.cluster.files.locks.acquire([dst], "roxie query q.1", "hold")
    try:
        wu = wu_of(fs, fs.service.Copy(sourceLogicalName=src, destLogicalName=dst, destGroup="mythor",
                                       overwrite=True).result)
        assert wu.StateMessage == "failed" and "SDS: Lock held" in wu.SummaryMessage, wu.SummaryMessage
    finally:
        emulator.cluster.files.locks.release("roxie query q.1")
    assert despray(fs, http, url, dst) == OLD
    assert stray_files(emulator.data_dir) == []


def test_an_allowed_overwrite_replaces_every_part(fs, dfu, http, url, emulator, zone):
    lfn = unique("integrity::ok")
    spray(fs, zone, "a.dat", OLD, lfn)
    assert spray(fs, zone, "b.dat", NEW, lfn, overwrite=True).StateMessage == "finished"
    assert dfu.service.DFUInfo(Name=lfn).FileDetail.Filesize == f"{len(NEW):,}"
    assert despray(fs, http, url, lfn) == NEW
    assert stray_files(emulator.data_dir) == []


def test_distinct_names_never_share_part_files(fs, dfu, http, url, emulator, zone):
    scope = unique("sec")
    dotted, escaped = f"{scope}::..::dup", f"{scope}::%2e%2e::dup"
    assert spray(fs, zone, "a.dat", OLD, dotted).StateMessage == "finished"
    assert spray(fs, zone, "b.dat", NEW, escaped).StateMessage == "finished"
    dirs = {dfu.service.DFUInfo(Name=n).FileDetail.Dir for n in (dotted, escaped)}
    assert len(dirs) == 2
    assert despray(fs, http, url, dotted) == OLD and despray(fs, http, url, escaped) == NEW
    nodes = emulator.data_dir / "nodes"
    assert all(p.resolve().is_relative_to(nodes.resolve()) for p in nodes.rglob("*"))


def test_a_name_ending_in_dot_dot_is_a_file_like_any_other(fs, dfu, http, url, emulator, zone):
    lfn = f"{unique('sec')}::.."
    assert spray(fs, zone, "a.dat", OLD, lfn).StateMessage == "finished"
    assert despray(fs, http, url, lfn) == OLD
    before = {p for p in (emulator.data_dir / "nodes").rglob("*") if p.is_file()}
    result = dfu.service.DFUArrayAction(Type="Delete", LogicalFiles={"Item": [lfn]})
    assert result.ActionResults.DFUActionInfo[0].Failed is False
    after = {p for p in (emulator.data_dir / "nodes").rglob("*") if p.is_file()}
    assert len(before - after) == 4 and not (after - before)   # its four parts went, nothing else


# ------------------------------------------------------------------ read locks (real workers)

def _running(fs, wuid: str) -> bool:
    progress = fs.service.GetDFUProgress(wuid=wuid)
    return progress.State == "started" and (progress.PercentDone or 0) > 0


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    with ThreadedEmulator(data_dir=tmp_path_factory.mktemp("locks") / "data", dfu_workers=2) as emu:
        yield emu


def test_a_file_being_read_cannot_be_deleted_overwritten_renamed_or_changed(live):
    fs, dfu = zeep_client(live.url, "FileSpray"), zeep_client(live.url, "WsDfu")
    zone = live.data_dir / "dropzones" / "mydropzone"
    big = b"".join(b"%09d\n" % i for i in range(200_000))     # 2 MB, desprayed at 1 MB/s
    lfn = unique("locks::src")
    (zone / "big.dat").write_bytes(big)
    w = fs.service.SprayFixed(sourceIP="127.0.0.1", sourcePath="big.dat", destGroup="mythor",
                              destLogicalName=lfn, sourceRecordSize=10).wuid
    assert wait_until(lambda: workunit_ended(fs, w), what="spray").StateMessage == "finished"
    dfu.service.SuperfileAction(action="add", superfile=lfn + "_super", subfiles={"Item": [lfn]})
    reader = fs.service.Despray(sourceLogicalName=lfn + "_super", destIP="127.0.0.1",
                                destPath=f"{LZ}/back.dat", overwrite=True, throttle=1024).wuid
    wait_until(lambda: _running(fs, reader), what="the despray to start")

    deleted = dfu.service.DFUArrayAction(Type="Delete", LogicalFiles={"Item": [lfn + "_super"]})
    deleted = deleted.ActionResults.DFUActionInfo[0]
    assert deleted.Failed is True and "SDS: Lock timeout" in deleted.ActionResult
    assert f"READ lock held by DFU workunit {reader}" in deleted.ActionResult
    code, message = esp_error(dfu.service.SuperfileAction(action="remove", superfile=lfn + "_super",
                                                          subfiles={"Item": [lfn]}))
    assert "SDS: Lock timeout" in message
    rename = fs.service.Rename(srcname=lfn, dstname=lfn + "_moved").wuid
    renamed = wait_until(lambda: workunit_ended(fs, rename), what="the refused rename")
    assert renamed.StateMessage == "failed" and "lock" in renamed.SummaryMessage.lower()
    (zone / "other.dat").write_bytes(OLD)
    over = fs.service.SprayFixed(sourceIP="127.0.0.1", sourcePath="other.dat", destGroup="mythor",
                                 destLogicalName=lfn, sourceRecordSize=10, overwrite=True).wuid
    # the DFU server looks the old file up for erasing with an INFINITE timeout: it waits
    blocked = wait_until(lambda: (w := wu_of(fs, over)).StateMessage == "blocked" and w, what="the blocked overwrite")
    assert blocked.State == 9 and live.cluster.workunits.get(over).state_reason == \
        f"looking up destination file: {lfn}"

    done = wait_until(lambda: workunit_ended(fs, reader), timeout=120, what="the despray")
    assert done.StateMessage == "finished", done.SummaryMessage
    overwritten = wait_until(lambda: workunit_ended(fs, over), what="the refused overwrite")
    assert overwritten.StateMessage == "failed"      # then canRemove refuses: still a member
    assert overwritten.SummaryMessage == f"Failed: Cannot remove file {lfn} as owned by SuperFile(s): {lfn}_super"
    assert (zone / "back.dat").read_bytes() == big
    assert dfu.service.DFUInfo(Name=lfn).FileDetail.Filesize == f"{len(big):,}"
    assert live.cluster.files.locks.locks_on(lfn) == []          # released when the job ended
    gone = dfu.service.DFUArrayAction(Type="Delete", LogicalFiles={"Item": [lfn + "_super", lfn]})
    assert [r.Failed for r in gone.ActionResults.DFUActionInfo] == [False, False]


def test_a_copy_source_is_read_locked_and_the_copy_is_whole(live):
    fs, dfu = zeep_client(live.url, "FileSpray"), zeep_client(live.url, "WsDfu")
    zone = live.data_dir / "dropzones" / "mydropzone"
    data = b"".join(b"%09d\n" % (i * 3) for i in range(150_000))
    src, dst = unique("locks::c"), unique("locks::d")
    (zone / "c.dat").write_bytes(data)
    w = fs.service.SprayFixed(sourceIP="127.0.0.1", sourcePath="c.dat", destGroup="mythor",
                              destLogicalName=src, sourceRecordSize=10).wuid
    wait_until(lambda: workunit_ended(fs, w))
    copy = fs.service.Copy(sourceLogicalName=src, destLogicalName=dst, destGroup="mythor", throttle=1024).result
    wait_until(lambda: _running(fs, copy), what="the copy to start")
    deleted = dfu.service.DFUArrayAction(Type="Delete", LogicalFiles={"Item": [src]}).ActionResults.DFUActionInfo[0]
    assert deleted.Failed is True and f"DFU workunit {copy}" in deleted.ActionResult
    assert wait_until(lambda: workunit_ended(fs, copy), timeout=120).StateMessage == "finished"
    back = fs.service.Despray(sourceLogicalName=dst, destIP="127.0.0.1", destPath=f"{LZ}/copied.dat",
                              overwrite=True).wuid
    assert wait_until(lambda: workunit_ended(fs, back)).StateMessage == "finished"
    assert (zone / "copied.dat").read_bytes() == data

