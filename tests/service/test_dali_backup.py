"""The Dali backup: the store mirrored to a backup folder as it is written (every copy a complete,
consistent store), `hpccemu restore-dali` putting it back, and the restored emulator serving the
same catalogue (DFUQuery, DFUInfo, superfiles, history) and the same bytes (despray)."""
from __future__ import annotations

import sqlite3

from click.testing import CliRunner

from esputil import envelope, soap_post
from hpccemu.testing import ThreadedEmulator
from service.drills import Drill, records, unique
from wsservices.cli import main


def catalogue(drill: Drill) -> list[tuple]:
    answer = drill.dfu.service.DFUQuery(PageSize=1000)
    rows = answer.DFULogicalFiles.DFULogicalFile if answer.DFULogicalFiles else []
    return sorted((f.Name, f.isSuperfile, f.Parts, f.Totalsize, f.RecordCount, f.Description, f.Modified) for f in rows)


def detail(drill: Drill, name: str) -> tuple:
    d = drill.dfu.service.DFUInfo(Name=name).FileDetail
    if d.isSuperfile:
        return d.Name, list(drill.dfu.service.SuperfileList(superfile=name).subfiles.Item)
    h = drill.dfu.service.ListHistory(Name=name).History
    history = [(o.Operation, o.Workunit, o.Path) for o in (h.Origin if h else [])]
    return d.Name, d.Filesize, d.Description, d.Modified, history, drill.copies(name)


def quick_check(path) -> str:
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        return conn.execute("PRAGMA quick_check").fetchone()[0]


def test_backup_restore_serves_the_same_catalogue(tmp_path):
    data, backup = tmp_path / "data", tmp_path / "backup"
    names = [unique("bk::dali::f") for _ in range(3)]
    with ThreadedEmulator(data_dir=data, deterministic=True, dali_backup=backup) as emu:
        d = Drill(emu)
        for i, lfn in enumerate(names):
            d.finished(d.spray(records(20 + i), lfn, replicate=(i == 0)))
            assert quick_check(backup / "dali.sqlite") == "ok"   # each copy is a whole store
        sup = "bk::dali::super"
        body = (f'<AddtoSuperfileRequest xmlns="urn:hpccsystems:ws:wsdfu"><Superfile>{sup}</Superfile>'
                f'<ExistingFile>0</ExistingFile><names><Item>{names[0]}</Item><Item>{names[1]}</Item></names>'
                f'</AddtoSuperfileRequest>')
        r = soap_post(d.http, f"{d.url}/WsDfu/?ver_=1.69", envelope(body))  # without ver_, `names` is not read
        assert r.status_code == 200 and "Exception" not in r.text, r.text
        d.dfu.service.DFUInfo(Name=names[2], UpdateDescription=True, FileDesc="kept in the backup")
        assert emu.cluster.dali_backup.wait_idle()
        before = catalogue(d)
        details = [detail(d, n) for n in names + [sup]]
        assert len(before) == 4
        d.close()
    # the store is lost; the backup comes back
    for suffix in ("", "-wal", "-shm"):
        (data / f"dali.sqlite{suffix}").unlink(missing_ok=True)
    r = CliRunner().invoke(main, ["restore-dali", str(backup), "--data-dir", str(data)])
    assert r.exit_code == 0, r.output
    assert "restored" in r.output
    with ThreadedEmulator(data_dir=data, deterministic=True) as emu:
        d = Drill(emu)
        assert catalogue(d) == before
        assert [detail(d, n) for n in names + [sup]] == details
        wuid, out = d.despray(names[1])
        d.finished(wuid)
        assert d.landed(out) == records(21)
        d.close()


def test_backup_follows_every_write_and_close_flushes(tmp_path):
    data, backup = tmp_path / "data", tmp_path / "backup"
    with ThreadedEmulator(data_dir=data, deterministic=True, dali_backup=backup) as emu:
        d = Drill(emu)
        lfn = unique("bk::follow::f")
        d.finished(d.spray(records(10), lfn))
        d.dfu.service.DFUInfo(Name=lfn, UpdateDescription=True, FileDesc="last words")
        d.close()
    with sqlite3.connect(f"file:{backup / 'dali.sqlite'}?mode=ro", uri=True) as conn:
        assert conn.execute("SELECT value FROM file_attrs a JOIN logical_files f ON f.id = a.file_id "
                            "WHERE f.name = ? AND a.key = 'description'", (lfn,)).fetchall() == [("last words",)]
    assert not list(backup.glob("*.tmp"))


def test_restore_refusals(tmp_path):
    runner = CliRunner()
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "dali.sqlite").write_bytes(b"not a database at all" * 100)
    r = runner.invoke(main, ["restore-dali", str(junk), "--data-dir", str(tmp_path / "data")])
    assert r.exit_code == 1 and f"Error: {junk / 'dali.sqlite'} is not a Dali store" in r.output
    assert not (tmp_path / "data" / "dali.sqlite").exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    r = runner.invoke(main, ["restore-dali", str(empty), "--data-dir", str(tmp_path / "data")])
    assert r.exit_code == 1 and f"Error: No Dali backup at {empty}" in r.output
