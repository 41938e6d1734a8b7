"""`hpccemu serve` as a user runs it (a real process on a free port): --seed, the access log,
--log-requests, --log-level, /health and '/'; then `hpccemu reset` and `hpccemu seed`, through
the running server and on a stopped server's data dir."""
from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

HERE = Path(__file__).resolve().parent
SEED = HERE / "seed.toml"
TIMEOUT = 60


class Server:
    """`python -m wsservices serve ...` with its stdout and stderr read line by line."""

    def __init__(self, *args: str, env: dict | None = None):
        self.proc = subprocess.Popen([sys.executable, "-m", "wsservices", "serve", "--port", "0", *args],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})})
        self.out: queue.Queue[str] = queue.Queue()
        self.err: list[str] = []
        threading.Thread(target=self._pump, args=(self.proc.stdout, self.out.put), daemon=True).start()
        threading.Thread(target=self._pump, args=(self.proc.stderr, self.err.append), daemon=True).start()
        self.stdout: list[str] = []
        self.url = self._wait_for_url()

    @staticmethod
    def _pump(stream, sink) -> None:
        for line in stream:
            sink(line.rstrip("\n"))

    def _wait_for_url(self) -> str:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            try:
                line = self.out.get(timeout=0.5)
            except queue.Empty:
                assert self.proc.poll() is None, "\n".join(self.err)
                continue
            self.stdout.append(line)
            if line.strip().endswith("/health"):
                return line.strip()[:-len("/health")]
        raise AssertionError(f"no URL printed: {self.stdout} {self.err}")

    def log_lines(self, needle: str, timeout: float = 10) -> list[str]:
        """The stderr lines containing `needle`, waiting until there is one."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [line for line in list(self.err) if needle in line]
            if found:
                return found
            time.sleep(0.05)
        return []

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=TIMEOUT)


def hpccemu(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wsservices", *args], capture_output=True, text=True,
                          timeout=TIMEOUT, env={**os.environ, **(env or {})})


def counts(url: str) -> dict:
    return requests.get(f"{url}/health", timeout=10).json()["counts"]


SEEDED = {"logical_files": 4, "superfiles": 1, "dfu_workunits": {"finished": 3}, "package_maps": 1,
          "active_package_maps": 1, "roxie_queries": 1}
EMPTY = {"logical_files": 0, "superfiles": 0, "dfu_workunits": {}, "package_maps": 0,
         "active_package_maps": 0, "roxie_queries": 0}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server("--data-dir", str(tmp_path_factory.mktemp("served")), "--seed", str(SEED), "--log-requests")
    yield srv
    srv.stop()


def test_serve_seed_applies_the_file_before_printing_the_urls(server):
    assert server.stdout[:6] == ["seeded landing zone file people.csv", "seeded logical file tutorial::people",
                                 "seeded logical file tutorial::people_fixed",
                                 "seeded logical file tutorial::people_keyed",
                                 "seeded superfile tutorial::people_super (1 subfiles)",
                                 "seeded package map roxie::people.pkg"]
    assert server.stdout[6] == "seeded roxie query roxie/people_query"
    assert counts(server.url) == SEEDED
    answer = requests.get(f"{server.url}/WsEcl/submit/query/roxie/people_query/json?id=2", timeout=10).json()
    assert answer["people_queryResponse"]["Results"]["result_1"]["Row"] == [{"id": "2", "name": "Bob"}]


def test_health_has_version_uptime_and_counts(server):
    from wsservices import __version__

    first = requests.get(f"{server.url}/health", timeout=10).json()
    assert first["version"] == __version__ and first["status"] == "ok"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", first["started"])
    later = [requests.get(f"{server.url}/health", timeout=10).json() for _ in range(6)]
    assert {h["started"] for h in later} == {first["started"]}       # the server's start, in every worker
    uptimes = [first["uptime_seconds"]] + [h["uptime_seconds"] for h in later]
    assert uptimes == sorted(uptimes) and uptimes[0] >= 0
    assert set(first["services"]) == {"FileSpray", "WsDfu", "WsPackageProcess", "WsDFUXRef"}


def test_front_page_lists_services_routes_and_docs(server):
    page = requests.get(server.url + "/", timeout=10).text
    for name in ("FileSpray", "WsDfu", "WsPackageProcess"):
        assert f'<a href="/{name}/">{name}</a>' in page and f'<a href="/{name}/?wsdl">WSDL</a>' in page
    assert '<a href="/health">/health</a>' in page
    assert "POST /hpccemu/reset</code> Empty the whole emulated cluster" in page
    assert "GET <a href=\"/hpccemu/roxie/queries\">/hpccemu/roxie/queries</a>" in page
    assert "https://hpccsystems.com/training/documentation/" in page


def test_access_log_names_the_call_its_status_and_esp_exception(server):
    body = ('<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
            '<DFUInfoRequest xmlns="urn:hpccsystems:ws:wsdfu"><Name>tutorial::missing</Name></DFUInfoRequest>'
            '</soap:Body></soap:Envelope>')
    r = requests.post(f"{server.url}/WsDfu/", data=body, headers={"Content-Type": "text/xml"}, timeout=10)
    assert r.status_code == 200
    [line] = server.log_lines("POST /WsDfu/ WsDfu.DFUInfoRequest (SOAP)")
    assert re.search(r"INFO hpccemu\.access: 127\.0\.0\.1 POST /WsDfu/ WsDfu\.DFUInfoRequest \(SOAP\) 200 "
                     r"Exception 20038 \d+\.\d ms$", line), line
    requests.post(f"{server.url}/WsPackageProcess/Echo.json", json={"Echo": {"Request": "hi"}}, timeout=10)
    [line] = server.log_lines("WsPackageProcess.Echo (JSON)")
    assert re.search(r"POST /WsPackageProcess/Echo.json WsPackageProcess.Echo \(JSON\) 200 \d+\.\d ms$", line)
    requests.get(f"{server.url}/FileSpray/GetDFUWorkunit.json?wuid=D20000101-000000", timeout=10)
    [line] = server.log_lines("FileSpray.GetDFUWorkunit 200")
    assert "GET /FileSpray/GetDFUWorkunit.json?wuid=D20000101-000000 FileSpray.GetDFUWorkunit 200 Exception 20080" in line


def test_log_requests_logs_bodies_cut_and_masked(server):
    secret = "hunter2-not-logged"
    body = ('<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Header>'
            '<wsse:Security xmlns:wsse="http://schemas.xmlsoap.org/ws/2002/04/secext"><wsse:UsernameToken>'
            f'<wsse:Username>ann</wsse:Username><wsse:Password>{secret}</wsse:Password></wsse:UsernameToken>'
            '</wsse:Security></soap:Header><soap:Body><EchoRequest xmlns="urn:hpccsystems:ws:wspackageprocess">'
            f'<Request>{"x" * 5000}</Request></EchoRequest></soap:Body></soap:Envelope>')
    requests.post(f"{server.url}/WsPackageProcess/", data=body, timeout=10,
                  headers={"Content-Type": "text/xml", "Authorization": "Basic YW5uOnNlY3JldA=="})
    requests.get(f"{server.url}/WsDfu/DFUQuery.json?LogicalName=x&password={secret}", timeout=10)
    request_lines = server.log_lines(f"request body ({len(body)} bytes)")
    assert request_lines and "<wsse:Password>****</wsse:Password>" in request_lines[0]
    assert request_lines[0].endswith(f" ... [{len(body) - 4096} more bytes]")
    assert server.log_lines("DFUQuery.json?LogicalName=x&password=****")
    assert server.log_lines("response body (") and server.log_lines("<EchoResponse")
    assert not [line for line in server.err if secret in line or "YW5uOnNlY3JldA" in line]


def test_log_level_warning_keeps_the_access_log_quiet(tmp_path):
    srv = Server("--data-dir", str(tmp_path), "--log-level", "WARNING")
    try:
        assert requests.get(f"{srv.url}/WsDfu/Ping.json", timeout=10).status_code == 200
        assert requests.get(f"{srv.url}/health", timeout=10).status_code == 200
    finally:
        srv.stop()
    assert [line for line in srv.err if "hpccemu.access" in line] == []


def test_reset_and_seed_through_a_running_server(tmp_path):
    srv = Server("--data-dir", str(tmp_path))
    port = srv.url.rsplit(":", 1)[1]
    try:
        assert counts(srv.url) == EMPTY
        done = hpccemu("seed", str(SEED), "--url", srv.url)
        assert done.returncode == 0 and "seeded roxie query roxie/people_query" in done.stdout, done.stderr
        # a second time fails as on a real cluster: the superfile owns tutorial::people
        again = hpccemu("seed", str(SEED), "--url", srv.url)
        assert again.returncode == 1
        assert "Cannot remove file tutorial::people as owned by SuperFile(s): tutorial::people_super" in again.stderr
        fresh = hpccemu("seed", str(SEED), "--url", srv.url, "--reset")
        assert fresh.returncode == 0, fresh.stderr
        assert counts(srv.url) == SEEDED
        # no --url: the server on the configured port serving this data dir is found through /health
        wiped = hpccemu("reset", "--data-dir", str(tmp_path), env={"HPCCEMU_PORT": port})
        assert (wiped.returncode, wiped.stdout.strip()) == (0, f"reset the cluster served at {srv.url}"), wiped.stderr
        assert counts(srv.url) == EMPTY
    finally:
        srv.stop()


def test_reset_and_seed_a_stopped_servers_data_dir(tmp_path):
    free = {"HPCCEMU_PORT": "1"}     # nothing listens there: work on the data dir itself
    assert hpccemu("reset", "--data-dir", str(tmp_path), env=free).stdout.startswith("nothing to reset")
    seeded = hpccemu("seed", str(SEED), "--data-dir", str(tmp_path), env=free)
    assert seeded.returncode == 0 and seeded.stdout.count("seeded ") == 7, seeded.stderr
    srv = Server("--data-dir", str(tmp_path), "--seed", str(SEED), "--reset")   # restart, start over
    try:
        assert counts(srv.url) == SEEDED
    finally:
        srv.stop()
    wiped = hpccemu("reset", "--data-dir", str(tmp_path), env=free)
    assert wiped.stdout.strip() == f"reset the cluster in {tmp_path}", wiped.stderr
    srv = Server("--data-dir", str(tmp_path))
    try:
        assert counts(srv.url) == EMPTY
    finally:
        srv.stop()


def test_a_bad_seed_file_is_refused_before_anything_is_sent(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[[landing_zone]]\nname = "a.csv"\ndata = "x"\n\n[[superfile]]\nname = "s"\n')
    done = hpccemu("seed", str(bad), "--data-dir", str(tmp_path / "data"), env={"HPCCEMU_PORT": "1"})
    assert done.returncode == 1
    assert done.stderr.strip() == f"Error: {bad}: superfile #1: missing subfiles"
    assert not (tmp_path / "data").exists()
    bad.write_text("[[logical_file]\n")
    done = hpccemu("serve", "--seed", str(bad), "--data-dir", str(tmp_path / "data"))
    assert done.returncode == 1 and done.stderr.startswith(f"Error: seed file {bad}: ")
    assert not (tmp_path / "data").exists()
