"""`hpccemu serve --workers 2`: two ESP worker processes (gunicorn) and a DFU server process over
one data dir, driven through zeep and raw HTTP. Each `Worker` is a kept-alive connection, so it
stays with one ESP process (its /health pid): what one process changes, the other must see.

Covered: recovery ran once, in the DFU server process, before ESP served; the WUID clock under
concurrent sprays from both processes; an abort asked for in an ESP process stops the job in
the DFU server process; package-map swaps seen by Roxie lookups in both processes; a Roxie
query's HOLD lock refuses a delete asked for in the other process; XREF builds as one queue
for both processes; a DFU server process killed mid-spray is started again and fails the
workunit it ran; the read timeout and the server-wide bound on connections under gunicorn; the
Dali backup following every process's commits; a crash of the main process leaves no orphan
working on the data dir.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from contextlib import closing
from dataclasses import dataclass

import pytest
import requests
import zeep
from lxml import etree
from zeep.transports import Transport

from esputil import wait_until, workunit_ended
from wsservices import dfuserver, prefork

from .test_serve_reset_seed import Server

LZ = "/var/lib/HPCCSystems/mydropzone"
WUID = "D20240101-000000"


@dataclass
class Worker:
    pid: int
    http: requests.Session
    fs: zeep.Client
    dfu: zeep.Client
    pkg: zeep.Client
    xref: zeep.Client


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    """A data dir with what a crash leaves behind: a job's temporary part, a partial upload."""
    root = tmp_path_factory.mktemp("workers") / "data"
    node = root / "nodes" / "mythor_1" / "hpcc-data" / "thor" / "old"
    node.mkdir(parents=True)
    (node / f"file._1_of_1.{WUID}.tmp").write_bytes(b"half a part")
    zone = root / "dropzones" / "mydropzone"
    zone.mkdir(parents=True)
    (zone / f"upload.csv.{'ab' * 6}.part").write_bytes(b"half an upload")
    return root


@pytest.fixture(scope="module")
def server(data_dir):
    srv = Server("--workers", "2", "--data-dir", str(data_dir), "--log-level", "info")
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def workers(server) -> list[Worker]:
    """One kept-alive connection to each of the two ESP worker processes."""
    found: dict[int, requests.Session] = {}

    def another() -> bool:
        session = requests.Session()
        pid = session.get(f"{server.url}/health", timeout=30).json()["pid"]
        if pid in found:
            session.close()
        else:
            found[pid] = session
        return len(found) == 2

    wait_until(another, timeout=60, what="a connection to each ESP worker process")
    out = []
    for pid, session in found.items():
        def client(name: str) -> zeep.Client:
            return zeep.Client(f"{server.url}/{name}/?wsdl", transport=Transport(session=session, timeout=60))
        out.append(Worker(pid, session, client("FileSpray"), client("WsDfu"), client("WsPackageProcess"),
                          client("WsDFUXRef")))
    for w in out:   # the zeep clients kept each connection: still the same process
        assert w.http.get(f"{server.url}/health", timeout=30).json()["pid"] == w.pid
    yield out
    for w in out:
        w.http.close()


def upload(worker: Worker, url: str, name: str, data: bytes) -> None:
    r = worker.http.post(f"{url}/FileSpray/UploadFile.json?upload_&NetAddress=127.0.0.1&OS=2&Path={LZ}/",
                         files={"UploadedFiles[]": (name, data, "application/octet-stream")}, timeout=60)
    assert r.status_code == 200, r.text


def spray(worker: Worker, src: str, lfn: str, **options) -> str:
    return worker.fs.service.SprayVariable(sourceIP="127.0.0.1", sourcePath=src, destGroup="mythor",
                                           destLogicalName=lfn, sourceFormat=1, overwrite=True, **options).wuid


def finished(worker: Worker, wuid: str):
    wu = wait_until(lambda: workunit_ended(worker.fs, wuid), timeout=60, what=f"{wuid} to end")
    return wu


def test_recovery_ran_once_in_the_dfu_server_before_esp_served(server, data_dir, workers):
    assert not list(data_dir.rglob("*.tmp")) and not list(data_dir.rglob("*.part"))
    recovered = server.log_lines("recovered after a crash")
    assert len(recovered) == 1 and "'temporary_files': 2" in recovered[0], recovered
    assert len({w.pid for w in workers}) == 2


def test_concurrent_sprays_from_both_workers_get_distinct_wuids(server, workers):
    scope = f"wk{uuid.uuid4().hex[:8]}"
    upload(workers[0], server.url, f"{scope}.csv", b"a,b\n" * 1000)
    wuids: list[str] = []
    lock = threading.Lock()

    def go(worker: Worker, i: int) -> None:
        for j in range(3):
            wuid = spray(worker, f"{scope}.csv", f"{scope}::f{i}_{j}")
            with lock:
                wuids.append(wuid)

    threads = [threading.Thread(target=go, args=(w, i)) for i, w in enumerate(workers * 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert len(wuids) == 12 and len(set(wuids)) == 12, wuids
    for i, wuid in enumerate(wuids):
        wu = finished(workers[i % 2], wuid)
        assert wu.StateMessage == "finished", (wuid, wu.SummaryMessage)
    listed = workers[1].dfu.service.DFUQuery(LogicalName=f"{scope}::*", PageSize=100).DFULogicalFiles
    assert len(listed.DFULogicalFile) == 12


def test_abort_from_an_esp_worker_stops_the_job_in_the_dfu_server(server, workers):
    scope = f"wk{uuid.uuid4().hex[:8]}"
    upload(workers[0], server.url, f"{scope}.csv", b"0123456789abcde\n" * 200_000)   # 3.2 MB
    wuid = spray(workers[0], f"{scope}.csv", f"{scope}::slow", throttle=200)       # ~16 s
    wait_until(lambda: workers[1].fs.service.GetDFUWorkunit(wuid=wuid).result.StateMessage == "started",
               timeout=30, what="the spray to start")
    workers[1].fs.service.AbortDFUWorkunit(wuid=wuid)
    wu = finished(workers[0], wuid)
    assert wu.StateMessage == "aborted", wu.SummaryMessage
    assert workers[1].dfu.service.DFUQuery(LogicalName=f"{scope}::slow").NumFiles == 0


def test_package_map_swap_is_seen_by_roxie_in_both_workers(server, workers):
    scope = f"rx{uuid.uuid4().hex[:8]}"
    url = server.url
    for v in ("a", "b"):
        rows = ["EmployeeID,Name,Version"] + [f"{i},E{i},{v}" for i in range(1, 6)]
        upload(workers[0], url, f"{scope}_{v}.csv", ("\n".join(rows) + "\n").encode())
        wuid = spray(workers[0], f"{scope}_{v}.csv", f"{scope}::emp_{v}", recordStructurePresent=True)
        assert finished(workers[0], wuid).StateMessage == "finished"
    r = workers[0].http.post(f"{url}/hpccemu/roxie/publish", timeout=30, json={
        "target": "roxie", "name": scope, "files": [{"name": f"~{scope}::super", "opt": False}],
        "keys": ["EmployeeID"], "activate": True})
    assert r.status_code == 200, r.text
    query = r.json()["QueryName"]

    def versions(worker: Worker) -> list[str]:
        answer = worker.http.get(f"{url}/WsEcl/submit/query/roxie/{query}/json", params={"EmployeeID": 3},
                                 timeout=30).json()[f"{query}Response"]["Results"]
        return [row["Version"] for row in answer["result_1"]["Row"]] if "result_1" in answer else []

    for v, changer in (("a", workers[0]), ("b", workers[1])):
        info = (f'<RoxiePackages><Package id="{query}"><SuperFile id="~{scope}::super">'
                f'<SubFile value="~{scope}::emp_{v}"/></SuperFile></Package></RoxiePackages>')
        assert changer.pkg.service.AddPackage(Info=info, Target="roxie", PackageMap=f"{scope}.pkg",
                                              Activate=True, OverWrite=True).status.Code == 0
        for w in workers:       # reload delay 0: live in both processes on return
            assert versions(w) == [v], (w.pid, v)
    other = workers[0]          # the HOLD lock on emp_b refuses a delete from either process
    result = other.dfu.service.DFUArrayAction(Type="Delete", LogicalFiles={"Item": [f"{scope}::emp_b"]})
    assert result.ActionResults.DFUActionInfo[0].Failed
    assert workers[1].http.post(f"{url}/hpccemu/roxie/unpublish", json={"target": "roxie", "query": query},
                                timeout=30).status_code == 200



def _xref_status(worker: Worker) -> str:
    nodes = etree.fromstring(worker.xref.service.DFUXRefList())
    return {n.findtext("Name"): n.findtext("Status") for n in nodes}["mythor"]


def test_xref_builds_are_one_queue_for_every_worker(server, workers):
    """Asked for in one ESP process, seen and cancelled from the other, built by the DFU server
    process (held still with SIGSTOP, so that the request stays queued while the test looks)."""
    dfu_pid = workers[0].http.get(f"{server.url}/health", timeout=30).json()["dfu_server_pid"]
    assert dfu_pid and dfu_pid not in {w.pid for w in workers}
    os.kill(dfu_pid, signal.SIGSTOP)
    try:
        assert "Running XRef Process" in workers[0].xref.service.DFUXRefBuild(Cluster="mythor")
        assert _xref_status(workers[1]) == "Submitted"
        assert "is in process" in workers[1].xref.service.DFUXRefBuild(Cluster="mythor")
        assert "have been cleared" in workers[1].xref.service.DFUXRefBuildCancel()
        assert _xref_status(workers[0]) == "Not Run"
        workers[1].xref.service.DFUXRefBuild(Cluster="mythor")
        assert _xref_status(workers[0]) == "Submitted"
    finally:
        os.kill(dfu_pid, signal.SIGCONT)
    wait_until(lambda: _xref_status(workers[0]) == "Generated", timeout=60, what="the XREF build")
    assert etree.fromstring(workers[1].xref.service.DFUXRefFoundFiles(Cluster="mythor")).tag == "Found"


def test_a_dfu_server_process_that_dies_is_started_again_and_fails_the_workunit_it_ran(server, data_dir, workers):
    scope = f"wk{uuid.uuid4().hex[:8]}"
    upload(workers[0], server.url, f"{scope}.csv", b"0123456789abcde\n" * 200_000)   # 3.2 MB
    dead = workers[0].http.get(f"{server.url}/health", timeout=30).json()["dfu_server_pid"]
    wuid = spray(workers[0], f"{scope}.csv", f"{scope}::cut", throttle=200)         # ~16 s
    wait_until(lambda: workers[1].fs.service.GetDFUWorkunit(wuid=wuid).result.StateMessage == "started",
               timeout=30, what="the spray to start")
    wait_until(lambda: list(data_dir.rglob(f"*.{wuid}.tmp")), timeout=30, what="the spray to write")
    os.kill(dead, signal.SIGKILL)

    def restarted() -> int | None:
        pid = workers[1].http.get(f"{server.url}/health", timeout=30).json()["dfu_server_pid"]
        return pid if pid not in (None, dead) else None

    new = wait_until(restarted, timeout=60, what="a new DFU server process")
    assert new not in {w.pid for w in workers}
    wu = finished(workers[1], wuid)
    assert wu.StateMessage == "failed" and "stopped while this workunit was running" in wu.SummaryMessage
    assert not list(data_dir.rglob(f"*.{wuid}.tmp"))
    assert workers[0].dfu.service.DFUQuery(LogicalName=f"{scope}::cut").NumFiles == 0
    assert server.log_lines(f"the DFU server process (pid {dead})")
    assert server.log_lines("recovered after the DFU server process died")
    again = spray(workers[0], f"{scope}.csv", f"{scope}::again")
    assert finished(workers[1], again).StateMessage == "finished"


def test_a_reset_in_one_worker_empties_roxie_in_the_other(server, workers):
    """(Last of the shared server's tests: it empties the cluster.)"""
    url = server.url
    r = workers[0].http.post(f"{url}/hpccemu/roxie/publish", timeout=30, json={
        "target": "roxie", "name": "resetme", "files": [{"name": "wk::nowhere", "opt": True}],
        "keys": ["EmployeeID"], "activate": True})
    assert r.status_code == 200, r.text
    query = r.json()["QueryName"]

    def results(worker: Worker) -> dict:
        return worker.http.get(f"{url}/WsEcl/submit/query/roxie/{query}/json", params={"EmployeeID": 1},
                               timeout=30).json()[f"{query}Response"]["Results"]

    assert "Exception" not in results(workers[1])
    assert workers[0].http.post(f"{url}/hpccemu/reset", timeout=60).status_code == 200
    assert "Exception" in results(workers[1])


@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    srv = Server("--workers", "2", "--data-dir", str(tmp_path_factory.mktemp("limited") / "data"),
                 env={"HPCCEMU_READ_TIMEOUT": "2", "HPCCEMU_MAX_CONNECTIONS": "3"})
    yield srv
    srv.stop()


def _connect(srv) -> socket.socket:
    host, port = srv.url.removeprefix("http://").rsplit(":", 1)
    return socket.create_connection((host, int(port)), timeout=10)


def test_gunicorn_workers_close_a_half_sent_request_within_the_read_timeout(limited):
    for head in (b"POST /WsDfu/ HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n<soap",
                 b"GET /WsDfu/ HTTP/1.1\r\nHost: x\r\n"):
        with _connect(limited) as sock:
            sock.sendall(head)
            start = time.monotonic()
            while sock.recv(4096):
                pass
            assert time.monotonic() - start < 5
    assert requests.get(limited.url + "/WsDfu/", timeout=10).status_code == 200


def test_gunicorn_workers_answer_503_beyond_the_bound_of_the_server(limited):
    """max_connections is the server's: 2 worker processes hold 3 connections between them,
    whichever accepted which; every one beyond is refused."""
    held, replies = [], []
    try:
        for _ in range(6):   # all within the 2 s read timeout, which would free the slots
            sock = _connect(limited)
            held.append(sock)
            sock.sendall(b"GET /WsDfu/ HTTP/1.1\r\nHost: x\r\n")     # holds its slot
        for sock in held:
            sock.settimeout(0.2)
            try:
                replies.append(sock.recv(4096))
            except socket.timeout:
                replies.append(b"")
        busy = [r for r in replies if r.startswith(b"HTTP/1.1 503 Service Unavailable")]
        assert len(busy) == 3 and replies.count(b"") == 3, replies
    finally:
        for sock in held:
            sock.close()
    wait_until(lambda: _ok(limited.url), timeout=10, what="the slots to come back")


def test_the_count_of_connections_is_shared_with_forked_processes():
    connections = prefork.Connections(limit=3, slots=2)
    assert connections.take(0) and connections.take(0)
    child = multiprocessing.get_context("fork").Process(target=connections.take, args=(1,))
    child.start()
    child.join(30)
    assert connections.total() == 3 and not connections.take(0) and not connections.take(1)
    connections.add(0, -1)
    assert connections.take(1) and not connections.take(0)
    connections.clear(1)              # the master's part when the worker of slot 1 died
    assert connections.total() == 1 and connections.take(1)


def _ok(url: str) -> bool:
    try:
        return requests.get(url + "/WsDfu/", timeout=10).status_code == 200
    except requests.ConnectionError:
        return False


def test_the_dali_backup_follows_commits_of_the_esp_workers(tmp_path):
    backup = tmp_path / "backup"
    srv = Server("--workers", "2", "--data-dir", str(tmp_path / "data"), env={"HPCCEMU_DALI_BACKUP": str(backup)})
    try:
        r = requests.post(f"{srv.url}/hpccemu/roxie/publish", timeout=30, json={     # an ESP worker commits
            "target": "roxie", "name": "backedup", "files": [{"name": "wk::nowhere", "opt": True}],
            "keys": ["EmployeeID"], "activate": True})
        assert r.status_code == 200, r.text

        def in_backup() -> bool:
            with closing(sqlite3.connect(f"file:{backup / 'dali.sqlite'}?mode=ro", uri=True)) as conn:
                return conn.execute("SELECT COUNT(*) FROM queries WHERE name = 'backedup'").fetchone()[0] == 1

        wait_until(in_backup, timeout=10, what="the publish in the Dali backup")
    finally:
        srv.stop()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_a_crash_of_the_main_process_takes_the_workers_and_the_dfu_server_with_it(tmp_path):
    srv = Server("--workers", "2", "--data-dir", str(tmp_path / "data"))

    def children() -> list[int]:
        found = subprocess.run(["ps", "-o", "pid=", "--ppid", str(srv.proc.pid)], capture_output=True, text=True)
        pids = [int(p) for p in found.stdout.split()]
        return pids if len(pids) == 3 else []     # two ESP workers and the DFU server

    children = wait_until(children, timeout=30, what="two ESP workers and a DFU server")
    srv.proc.kill()
    srv.proc.wait(30)

    def gone(pid: int) -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return subprocess.run(["ps", "-o", "stat=", "-p", str(pid)], capture_output=True,
                              text=True).stdout.strip().startswith("Z")

    wait_until(lambda: all(gone(p) for p in children), timeout=1.0, what="the orphans to die at once")
    again = Server("--workers", "2", "--data-dir", str(tmp_path / "data"))   # its recovery meets no live work
    again.stop()


def test_a_second_dfu_server_on_one_data_dir_waits_for_the_first(tmp_path, monkeypatch):
    monkeypatch.setattr(dfuserver, "LOCK_WAIT", 0.2)
    first = dfuserver.hold_lock(tmp_path)
    with pytest.raises(SystemExit, match="another DFU server holds"):
        dfuserver.hold_lock(tmp_path)
    first.close()
    dfuserver.hold_lock(tmp_path).close()


def test_a_dfu_server_process_that_keeps_dying_at_start_is_restarted_less_and_less_often(tmp_path, caplog):
    """The master's keeper on its own (no gunicorn): each process killed as soon as it is ready
    is started again after 0.5 s, then 1 s (it never lived `STABLE_SECONDS`)."""
    from wsservices.engine.config import load_settings

    keeper = dfuserver.DfuServerProcess(load_settings(env={}, overrides={"data_dir": str(tmp_path / "data")}))
    keeper.start()
    try:
        for restarts in (1, 2):
            dying = keeper.child.pid
            os.kill(dying, signal.SIGKILL)
            wait_until(lambda: keeper.restarts == restarts and keeper.child.pid != dying, timeout=60,
                       what=f"restart {restarts}")
        assert keeper.child.poll() is None
        delays = [r.getMessage().rsplit(" in ", 1)[-1] for r in caplog.records if "starting a new one" in r.getMessage()]
        assert delays == ["0.5 s", "1.0 s"], delays
    finally:
        keeper.stop()
    assert keeper.child.poll() is not None and keeper.restarts == 2     # stopped: not restarted
