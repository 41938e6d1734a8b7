"""DFU workunits and the DFU server: states, queue, abort, recovery, search, texts."""
from __future__ import annotations

import threading
import time

import pytest

from wsservices.engine.dfu import wuactions
from wsservices.engine.dfu import workunits as W
from wsservices.engine.cluster import Cluster
from wsservices.engine.config import load_settings
from wsservices.engine.dfu.progress import format_time, progress_message, summary_message
from wsservices.engine.errors import DomainError


def open_cluster(tmp_path, **overrides):
    return Cluster.open(load_settings(None, {"data_dir": tmp_path, **overrides}, env={}))


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        threading.Event().wait(0.01)
    raise AssertionError("condition not reached in time")


@pytest.fixture
def cluster(tmp_path):
    with open_cluster(tmp_path, deterministic=True) as c:
        yield c


def test_create_save_get_roundtrip(cluster):
    wu = cluster.workunits.create(command=W.IMPORT, user="u", cluster="mythor", job_name="x", queue="dfuserver_queue",
                                  source={"format": 1, "ip": "127.0.0.1"})
    assert wu.wuid.startswith("D") and wu.state == W.UNKNOWN
    wu.progress.percent_done = 42
    cluster.workunits.save(wu)
    again = cluster.workunits.get(wu.wuid)
    assert again.progress.percent_done == 42 and again.source == {"format": 1, "ip": "127.0.0.1"}
    assert again.command_name == "import" and again.state_name == "unknown"


def test_deterministic_submit_runs_the_job_before_returning(cluster):
    seen = []
    cluster.dfu.jobs[W.RENAME] = lambda ctx: seen.append(ctx.wu.wuid)
    wu = cluster.workunits.create(command=W.RENAME, queue="q")
    cluster.dfu.submit(wu)
    done = cluster.workunits.get(wu.wuid)
    assert seen == [wu.wuid]
    assert done.state == W.FINISHED and done.time_started and done.time_stopped
    assert done.dfu_server == "mydfuserver"
    assert summary_message(done).startswith("Total time taken ")


def test_failing_job_records_the_exception(cluster):
    def job(ctx):
        raise DomainError("Source file x could not be found", 8)
    cluster.dfu.jobs[W.RENAME] = job
    wu = cluster.workunits.create(command=W.RENAME, queue="q")
    cluster.dfu.submit(wu)
    done = cluster.workunits.get(wu.wuid)
    assert done.state == W.FAILED
    assert done.exceptions[0]["code"] == 8
    assert summary_message(done) == "Failed: Source file x could not be found"


def test_unknown_command_fails_cleanly(cluster):
    wu = cluster.workunits.create(command=W.REPLICATE, queue="q")
    cluster.dfu.jobs.pop(W.REPLICATE, None)
    cluster.dfu.submit(wu)
    assert cluster.workunits.get(wu.wuid).state == W.FAILED


def test_background_workers_run_and_abort_a_running_job(tmp_path):
    with open_cluster(tmp_path, dfu_workers=2) as cluster:
        started = threading.Event()

        def job(ctx):
            started.set()
            while True:
                ctx.check_abort()
                ctx.report(1, 10, 0, 1)
                threading.Event().wait(0.005)
        cluster.dfu.jobs[W.COPY] = job
        wu = cluster.workunits.create(command=W.COPY, queue="q")
        cluster.dfu.submit(wu)
        assert started.wait(10)
        wuactions.abort(cluster, wu.wuid)
        done = wait_for(lambda: (w := cluster.workunits.get(wu.wuid)).state in W.TERMINAL and w)
        assert done.state == W.ABORTED
        assert summary_message(done) == "Failed: Copy failed - User Abort"


def test_abort_of_a_queued_workunit_is_immediate(tmp_path):
    with open_cluster(tmp_path, dfu_workers=1) as cluster:
        gate = threading.Event()
        cluster.dfu.jobs[W.COPY] = lambda ctx: gate.wait(10)
        first = cluster.workunits.create(command=W.COPY, queue="q")
        second = cluster.workunits.create(command=W.COPY, queue="q")
        cluster.dfu.submit(first)
        wait_for(lambda: cluster.workunits.get(first.wuid).state == W.STARTED)
        cluster.dfu.submit(second)
        wuactions.abort(cluster, second.wuid)
        assert cluster.workunits.get(second.wuid).state == W.ABORTED
        gate.set()
        wait_for(lambda: cluster.workunits.get(first.wuid).state == W.FINISHED)
        assert cluster.workunits.get(second.wuid).state == W.ABORTED  # skipped, not run


def test_restart_fails_interrupted_and_requeues_queued(tmp_path):
    with open_cluster(tmp_path, deterministic=True) as cluster:
        running = cluster.workunits.create(command=W.COPY, queue="q", state=W.STARTED)
        waiting = cluster.workunits.create(command=W.RENAME, queue="q", state=W.QUEUED)
        part_dir = cluster.datadir.root / "nodes" / "node1" / "hpcc-data" / "thor" / "x"
        part_dir.mkdir(parents=True)
        orphan = part_dir / f"y._1_of_4.{running.wuid}.tmp"   # what a crashed job leaves behind
        orphan.write_bytes(b"partial")
        other = part_dir / "y._1_of_4"
        other.write_bytes(b"registered data stays")
    with open_cluster(tmp_path, dfu_workers=1) as cluster:
        assert not orphan.exists() and other.exists()
        assert cluster.workunits.get(running.wuid).state == W.FAILED
        assert "stopped while this workunit was running" in cluster.workunits.get(running.wuid).exceptions[0]["message"]
        wait_for(lambda: cluster.workunits.get(waiting.wuid).state in W.TERMINAL)


def test_progress_texts():
    p = W.Progress(percent_done=100, done_bytes=1234, total_bytes=1234, slaves_done=3, total_nodes=3)
    assert progress_message(p) == "100% Done, 0 secs left (1234/1234bytes) [3/3nodes]"
    p = W.Progress(percent_done=50, done_bytes=1_000_000, total_bytes=2_000_000, kb_per_sec_ave=100,
                   kb_per_sec=90, slaves_done=1, total_nodes=4, secs_left=130)
    assert progress_message(p) == "50% Done, 2m 10s left (1000/2000KB @100KB/sec) current rate=90KB/sec [1/4nodes]"
    assert format_time(5400) == "1:30:00"


def test_progress_texts_follow_format_progress_message():
    """dfuwu.cpp formatProgressMessage: `(%d/%d%s` only when a count is non-zero, ` @%dKB/sec`
    only with an average, ` [%d/%dnodes]` only when totalnodes is not 0."""
    assert progress_message(W.Progress()) == "0% Done"            # failed before transferring
    assert progress_message(W.Progress(percent_done=100)) == "100% Done"  # a rename
    assert progress_message(W.Progress(percent_done=100, kb_per_sec_ave=7, kb_per_sec=7)) == \
        "100% Done (@7KB/sec) current rate=7KB/sec"
    big = W.Progress(done_bytes=60_000_000, total_bytes=120_000_000)
    assert "(60/120MB)" in progress_message(big)


def test_delete_marks_failed_and_keeps_protected(cluster):
    wu = cluster.workunits.create(command=W.COPY, queue="q", protected=True, state=W.FINISHED)
    assert wuactions.delete(cluster, wu.wuid) is False
    assert cluster.workunits.get(wu.wuid).state == W.FAILED  # the real quirk
    started = cluster.workunits.create(command=W.COPY, queue="q", state=W.STARTED)
    with pytest.raises(DomainError) as err:
        wuactions.delete(cluster, started.wuid)
    assert (err.value.code, err.value.message) == (20085, f"Cannot delete workunit {started.wuid} because its state is Started.")
    with pytest.raises(DomainError) as err:
        wuactions.delete(cluster, "D20000101-000000")
    assert (err.value.code, err.value.message) == (20082, "Dfu workunit D20000101-000000 not found.")


def test_actions(cluster):
    wu = cluster.workunits.create(command=W.COPY, queue="q", state=W.FINISHED)
    results = wuactions.action(cluster, "Protect", [wu.wuid, "D20000101-000000"])
    assert [r.result for r in results] == ["Success", "Failed: Failed in calling updateWorkUnit()."]
    assert [r.result for r in wuactions.action(cluster, "Delete", [wu.wuid])] == ["Failed: Failed in deleting workunit."]
    wuactions.action(cluster, "Unprotect", [wu.wuid])
    assert [r.result for r in wuactions.action(cluster, "Delete", [wu.wuid, "Dx"])] == \
        ["Success", "Failed: Dfu workunit Dx not found."]
    with pytest.raises(DomainError, match="Action not defined."):
        wuactions.action(cluster, "", [wu.wuid])
    with pytest.raises(DomainError, match="Workunit not defined."):
        wuactions.action(cluster, "Delete", [])


def test_update_refuses_a_stale_state(cluster):
    wu = cluster.workunits.create(command=W.COPY, queue="q", state=W.FINISHED)
    with pytest.raises(DomainError, match="because its state has been changed internally"):
        wuactions.update(cluster, wu.wuid, W.FAILED, W.QUEUED, None, None, None, None, None, None)
    wuactions.update(cluster, wu.wuid, W.FAILED, W.FINISHED, "other", "mythor", "Job", "", True, False)
    again = cluster.workunits.get(wu.wuid)
    assert (again.state, again.cluster, again.job_name, again.protected) == (W.FAILED, "other", "Job", True)


def test_search_filters_sort_and_paging(cluster):
    made = [cluster.workunits.create(command=W.IMPORT if i % 2 else W.EXPORT, user=f"user{i % 3}",
                                     cluster="mythor", job_name=f"job{i}", queue="q", state=W.FINISHED)
            for i in range(7)]
    page = wuactions.search(cluster, wuactions.ListRequest(page_size=3))
    assert page.total == 7 and [w.wuid for w in page.workunits] == sorted((w.wuid for w in made), reverse=True)[:3]
    page = wuactions.search(cluster, wuactions.ListRequest(owner="USER1"))
    assert {w.user for w in page.workunits} == {"user1"}
    page = wuactions.search(cluster, wuactions.ListRequest(cluster="thor", state="finished", page_size=100))
    assert page.total == 7  # the topology target name stands for its group
    page = wuactions.search(cluster, wuactions.ListRequest(sortby="JobName", descending=True, page_start_from=2, page_size=2))
    assert [w.job_name for w in page.workunits] == ["job4", "job3"]
    single = wuactions.search(cluster, wuactions.ListRequest(wuid=made[0].wuid.lower()))
    assert single.single and single.workunits[0].wuid == made[0].wuid
    pattern = wuactions.search(cluster, wuactions.ListRequest(wuid=made[0].wuid[:9] + "*"))
    assert pattern.total == 7


_CREATOR = """
import sys
from wsservices.engine.dali.store import Store
from wsservices.engine.dfu.workunits import WorkunitStore
from datetime import datetime
from wsservices.engine.dfu.wuid import WuidClock
store = Store.open(sys.argv[1])
units = WorkunitStore(store)
units.clock = WuidClock(clock=lambda: datetime(2024, 1, 1, 12, 0, 0), exists=units.exists)   # one second
print("ready", flush=True)
sys.stdin.readline()                      # start together
print(" ".join(units.create(command=6).wuid for _ in range(int(sys.argv[2]))))
"""


def test_two_processes_creating_workunits_at_once_never_share_a_wuid(tmp_path):
    """Issuing a WUID and inserting its workunit are one BEGIN IMMEDIATE transaction: two
    processes with their own WUID clocks on one store, stopped in one second, get distinct ids."""
    import subprocess
    import sys

    path = tmp_path / "dali.sqlite"
    from wsservices.engine.dali.store import Store
    Store.open(path).close()
    procs = [subprocess.Popen([sys.executable, "-c", _CREATOR, str(path), "300"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True) for _ in range(2)]
    assert [p.stdout.readline().strip() for p in procs] == ["ready", "ready"]
    for p in procs:
        p.stdin.write("go\n")
        p.stdin.flush()
    wuids = [w for p in procs for w in p.communicate(timeout=60)[0].split()]
    assert all(p.returncode == 0 for p in procs)
    assert len(wuids) == 600 and len(set(wuids)) == 600
    assert sorted(wuids) == sorted(["D20240101-120000"] + [f"D20240101-120000-{n}" for n in range(1, 600)])
