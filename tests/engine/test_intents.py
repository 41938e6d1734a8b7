"""Switch intents and start-up recovery on a real store and real files: work registered to run
after a commit, intents finished after a simulated crash, leftovers swept when a cluster opens."""
from __future__ import annotations

import pytest

from wsservices.engine.dali.catalog import catalog
from wsservices.engine.dali.intents import Switch
from wsservices.engine.dfu import workunits as W
from wsservices.engine.dfu.server import CRASH_MESSAGE, lock_holder

from .files_support import make_file, open_cluster


def test_after_commit_work_runs_once_committed_and_never_after_a_rollback(store):
    ran = []
    with store.transaction():
        store.after_commit(lambda: ran.append("outer"))
        with pytest.raises(RuntimeError):
            with store.transaction():
                store.after_commit(lambda: ran.append("rolled back savepoint"))
                raise RuntimeError
        with store.transaction():
            store.after_commit(lambda: ran.append("inner"))
        assert ran == []                      # nothing before the outermost commit
    assert ran == ["outer", "inner"]
    with pytest.raises(RuntimeError):
        with store.transaction():
            store.after_commit(lambda: ran.append("never"))
            raise RuntimeError
    store.after_commit(lambda: ran.append("no transaction: at once"))
    assert ran == ["outer", "inner", "no transaction: at once"]


def test_a_recorded_switch_is_finished_by_recovery_and_twice_is_harmless(cluster):
    cat = catalog(cluster)
    root = cluster.datadir.root
    folder = root / "nodes" / "node1" / "hpcc-data" / "thor" / "t"
    folder.mkdir(parents=True)
    (folder / "a._1_of_1.Dx.tmp").write_bytes(b"new")
    (folder / "a._1_of_1").write_bytes(b"old")
    (folder / "gone._1_of_1").write_bytes(b"unused")
    switch = Switch([(folder / "a._1_of_1.Dx.tmp", folder / "a._1_of_1")], [folder / "gone._1_of_1"])
    with cluster.store.transaction() as conn:     # recorded, then the process "dies" before finishing
        cat.intents.record(conn, switch, "DFU workunit Dx", ["t::a"])
    assert cat.locks.locks_on("t::a")[0].mode == "write"
    assert (folder / "a._1_of_1").read_bytes() == b"old"
    assert cat.intents.recover() == 1
    assert (folder / "a._1_of_1").read_bytes() == b"new"
    assert sorted(p.name for p in folder.iterdir()) == ["a._1_of_1"]
    assert cat.locks.locks_on("t::a") == [] and cat.intents.pending() == []
    assert cat.intents.recover() == 0


def test_opening_a_cluster_finishes_switches_fails_lost_jobs_and_sweeps_leftovers(tmp_path):
    data = tmp_path / "data"
    with open_cluster(data) as c:
        cat = catalog(c)
        make_file(cat, "t::keep", [b"0123456789"])
        (part_path,) = [p for _, p in cat.part_paths("t::keep")]
        staged = part_path.with_name(part_path.name + ".D20260101-000000.tmp")
        staged.write_bytes(b"9876543210")
        with c.store.transaction() as conn:       # a committed overwrite whose renames never ran
            cat.intents.record(conn, Switch([(staged, part_path)]), lock_holder("D20260101-000000"), ["t::keep"])
        wu = c.workunits.create(command=W.EXPORT, user="u")
        wu.state = W.STARTED
        c.workunits.save(wu)
        cat.locks.acquire(["t::source"], lock_holder(wu.wuid), "read")
        zone = c.datadir.root / "dropzones" / "mydropzone"
        (zone / "in.csv.0123456789ab.part").write_bytes(b"half an upload")
        (zone / "notes.part").write_bytes(b"a user's file")
        stray = part_path.with_name("x._1_of_4.D20260101-000001.tmp")
        stray.write_bytes(b"a job's leftover")
        wuid = wu.wuid
    with open_cluster(data) as c:
        cat = catalog(c)
        assert part_path.read_bytes() == b"9876543210"
        assert cat.locks.locks_on("t::keep") == [] and cat.locks.locks_on("t::source") == []
        wu = c.workunits.get(wuid)
        assert wu.state == W.FAILED and wu.exceptions[0]["message"] == CRASH_MESSAGE
        assert sorted(p.name for p in zone.iterdir()) == ["notes.part"]
        assert not stray.exists() and not staged.exists()
