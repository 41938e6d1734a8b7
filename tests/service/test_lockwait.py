"""A DFU job that must replace a file another holder has locked (a published Roxie query) waits,
`blocked`, as the real DFU server does (dali/dfu/dfurun.cpp looks the old file up for erasing
with an INFINITE timeout), both before writing and at the switch; ``dfu_lock_wait`` bounds the
wait. Old file untouched meanwhile, nothing left behind. Live servers with real DFU workers."""
from __future__ import annotations

import threading

import pytest
import requests

from esputil import wait_until, workunit_ended, zeep_client
from hpccemu.testing import ThreadedEmulator
from roxie.support import LZ, control, employees, lookup, rows, unique
from service.test_integrity import stray_files


def _wu(fs, wuid):
    return fs.service.GetDFUWorkunit(wuid=wuid).result


def _spray(emu, fs, lfn: str, data: bytes, **options) -> str:
    src = unique("emp") + ".csv"
    (emu.data_dir / "dropzones" / "mydropzone" / src).write_bytes(data)
    return fs.service.SprayVariable(sourceIP="127.0.0.1", sourcePath=f"{LZ}/{src}", destGroup="mythor",
                                    destLogicalName=lfn, sourceFormat=1, recordStructurePresent=True,
                                    **options).wuid


def _sprayed(emu, fs, lfn: str, data: bytes) -> None:
    wuid = _spray(emu, fs, lfn, data)
    assert wait_until(lambda: workunit_ended(fs, wuid), what="spray").StateMessage == "finished"


def _parts(emu, lfn: str):
    """The live part files of ``lfn`` with their bytes (not the staged ``.tmp`` files)."""
    return sorted((p, p.read_bytes()) for p in (emu.data_dir / "nodes").rglob(lfn.split("::")[-1] + "._*")
                  if p.suffix != ".tmp")


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    with ThreadedEmulator(data_dir=tmp_path_factory.mktemp("lockwait") / "data", dfu_workers=2) as emu:
        yield emu


def test_an_overwrite_waits_blocked_until_the_query_lets_go(live):
    fs, http = zeep_client(live.url, "FileSpray"), requests.Session()
    lfn, query = unique("lockwait::emp"), unique("q")
    _sprayed(live, fs, lfn, employees("v1"))
    r = control(http, live.url, "roxie/publish", {"target": "roxie", "name": query,
                                                   "files": [{"name": lfn, "opt": False}], "keys": ["EmployeeID"]})
    assert r.status_code == 200, r.text
    before = _parts(live, lfn)
    over = _spray(live, fs, lfn, employees("v2"), overwrite=True)
    blocked = wait_until(lambda: (w := _wu(fs, over)).StateMessage == "blocked" and w, what="blocked")
    assert blocked.State == 9
    assert live.cluster.workunits.get(over).state_reason == f"looking up destination file: {lfn}"
    threading.Event().wait(0.5)                       # still waiting: nothing written meanwhile
    assert _wu(fs, over).StateMessage == "blocked" and _parts(live, lfn) == before
    assert rows(lookup(http, live.url, query, EmployeeID=3), query)[0]["Version"] == "v1"
    assert control(http, live.url, "roxie/unpublish", {"target": "roxie", "query": f"{query}.1"}).status_code == 200
    done = wait_until(lambda: workunit_ended(fs, over), what="the overwrite")
    assert done.StateMessage == "finished", done.SummaryMessage
    assert live.cluster.workunits.get(over).state_reason == ""
    assert _parts(live, lfn) != before and stray_files(live.data_dir) == []


def test_a_lock_taken_while_writing_makes_the_switch_wait(live):
    fs = zeep_client(live.url, "FileSpray")
    lfn = unique("lockwait::late")
    _sprayed(live, fs, lfn, employees("v1"))
    before = _parts(live, lfn)
    big = employees("v2", ids=range(1, 20_001))       # about 500 KB, written at 200 KB/s
    over = _spray(live, fs, lfn, big, overwrite=True, throttle=200)
    wait_until(lambda: (p := fs.service.GetDFUProgress(wuid=over)).State == "started" and p.PercentDone, what="writing")
    live.cluster.files.locks.acquire([lfn], "roxie query roxie/late.1", "hold")
    try:
        wait_until(lambda: _wu(fs, over).StateMessage == "blocked", what="blocked at the switch")
        assert _parts(live, lfn) == before                # the new parts wait under other names
        assert any(p.suffix == ".tmp" for p in (live.data_dir / "nodes").rglob(lfn.split("::")[-1] + "*"))
    finally:
        live.cluster.files.locks.release("roxie query roxie/late.1")
    done = wait_until(lambda: workunit_ended(fs, over), what="the overwrite")
    assert done.StateMessage == "finished", done.SummaryMessage
    assert sum(len(b) for _, b in _parts(live, lfn)) > sum(len(b) for _, b in before)
    assert stray_files(live.data_dir) == []


def test_dfu_lock_wait_bounds_the_wait_and_changes_nothing(tmp_path):
    with ThreadedEmulator(data_dir=tmp_path / "data", dfu_workers=1, dfu_lock_wait=0.3) as emu:
        fs = zeep_client(emu.url, "FileSpray")
        lfn = unique("lockwait::bound")
        _sprayed(emu, fs, lfn, employees("v1"))
        before = _parts(emu, lfn)
        emu.cluster.files.locks.acquire([lfn], "roxie query roxie/b.1", "hold")
        over = _spray(emu, fs, lfn, employees("v2"), overwrite=True)
        failed = wait_until(lambda: workunit_ended(fs, over), what="the bounded wait")
        assert (failed.StateMessage, failed.SummaryMessage) == \
            ("failed", f"Failed: Timed out: looking up destination file: {lfn}")
        assert _parts(emu, lfn) == before and stray_files(emu.data_dir) == []
