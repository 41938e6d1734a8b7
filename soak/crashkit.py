"""Crash soak: a real `hpccemu serve` is SIGKILLed at random moments while clients spray,
despray, copy, rename, change superfiles, delete, upload and write package maps; it is restarted
on the same data directory and every invariant of "nothing lost" is checked, through the API and
on disk:

* the store passes ``PRAGMA integrity_check``; no switch intent and no DFU job lock is left;
* every registered file has exactly its own parts, with the recorded sizes; no part file on any
  node belongs to no file; no temporary file or partial upload is left anywhere;
* no workunit is left started, blocked or aborting;
* every logical file, drop-zone file, superfile and package map is in the state the clients last
  saw confirmed, or, for what the operation cut by the kill touched, in the state before it or
  after it: a file desprays byte for byte to one whole version, never a mix.

    python soak/crashkit.py --kills 50 [--seed 1] [--data-dir DIR]

Exit status 0 when every check held; the report counts kills, operations and states checked.
`tests/test_crash.py` runs a short bounded version in the test suite.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import SimpleNamespace

import requests

LZ = "/var/lib/HPCCSystems/mydropzone"
RECORD = 16
ACTIVE_STATES = {"queued", "started", "blocked", "aborting", "scheduled", "monitoring"}
TERMINAL = {"finished", "failed", "aborted"}
GONE = "<absent>"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def content(version: str, records: int) -> bytes:
    """The bytes of one version of a file: fixed 16-byte records naming their version."""
    tag = hashlib.sha1(version.encode()).hexdigest()[:8]
    return b"".join(b"%s%07d\n" % (tag.encode(), i) for i in range(records))


class ServerDown(Exception):
    """The server went away under a request (the kill)."""


class Server:
    """`python -m wsservices serve` on one data dir; `kill` is SIGKILL."""

    def __init__(self, data_dir: Path, workers: int = 2):
        self.data_dir = data_dir
        self.workers = workers
        self.proc: subprocess.Popen | None = None
        self.url = ""

    def start(self, timeout: float = 60) -> None:
        port = free_port()
        env = {**os.environ, "HPCCEMU_DETERMINISTIC": "0", "HPCCEMU_DFU_WORKERS": str(self.workers)}
        self.proc = subprocess.Popen([sys.executable, "-m", "wsservices", "serve", "--port", str(port),
                                      "--data-dir", str(self.data_dir)], env=env,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + timeout
        while True:
            try:
                requests.get(self.url + "/health", timeout=2)
                return
            except requests.ConnectionError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    raise RuntimeError("the server did not start")
                time.sleep(0.05)

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(30)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(30)


#: the client versions sent, as hpcc-js sends its WSDL's (a JSON body without ver_ is version 0,
#: which gets none of the fields with a min_ver)
CLIENT_VERSIONS = {"FileSpray": "1.29", "WsDfu": "1.69", "WsPackageProcess": "1.08"}


class Esp:
    """ESP's JSON mode over requests; a dropped connection is `ServerDown`."""

    def __init__(self, url: str):
        self.url = url
        self.http = requests.Session()

    def call(self, service: str, method: str, **fields) -> dict:
        try:
            r = self.http.post(f"{self.url}/{service}/{method}.json?ver_={CLIENT_VERSIONS[service]}",
                               json={method: fields}, timeout=60)
        except requests.RequestException as exc:
            raise ServerDown(str(exc)) from None
        body = r.json()
        return body.get(f"{method}Response", body)

    def upload(self, name: str, data: bytes) -> None:
        try:
            self.http.post(f"{self.url}/FileSpray/UploadFile.json?upload_&NetAddress=127.0.0.1&OS=2&Path={LZ}/",
                           files={"UploadedFiles[]": (name, data, "application/octet-stream")}, timeout=60)
        except requests.RequestException as exc:
            raise ServerDown(str(exc)) from None

    def wait(self, wuid: str | None, timeout: float = 120) -> str:
        """The final state of a workunit; "refused" when the request made none (an ESP error)."""
        if not wuid:
            return "refused"
        deadline = time.monotonic() + timeout
        while True:
            wu = self.call("FileSpray", "GetDFUWorkunit", wuid=wuid).get("result") or {}
            state = (wu.get("StateMessage") or "").lower()
            if state in TERMINAL:
                return state
            if time.monotonic() > deadline:
                raise TimeoutError(f"{wuid} still {state}")
            time.sleep(0.02)


@dataclass
class Actor:
    """One client thread with its own names, and what it knows of their states."""

    index: int
    rng: random.Random
    confirmed: dict[str, str] = field(default_factory=dict)    # key -> state
    uncertain: dict[str, tuple[str, str]] = field(default_factory=dict)   # key -> (before, after)
    versions: dict[str, int] = field(default_factory=dict)     # content version -> records
    ops: int = 0

    def key(self, kind: str, name: str) -> str:
        return f"{kind}:{name}"

    def names(self) -> list[str]:
        return [f"soak{self.index}::{n}" for n in ("a", "b", "c")]

    def state(self, key: str) -> str:
        return self.confirmed.get(key, GONE)

    def step(self, esp: Esp) -> None:
        """One operation; on `ServerDown` the keys it touched become uncertain."""
        rng = self.rng
        op = rng.choice(["upload", "spray", "spray", "guarded", "despray", "copy", "rename", "super", "delete",
                         "package"])
        a, b = rng.sample(self.names(), 2)
        dz = f"soak{self.index}_in.dat"
        changes: dict[str, str] = {}

        def commit(ok: bool) -> None:
            if ok:
                self.confirmed.update(changes)
            self.ops += 1

        try:
            if op == "upload":
                version = f"{self.index}-{self.ops}-up"
                self.versions[version] = rng.choice([64, 4096, 60_000])
                changes[self.key("dz", dz)] = version
                esp.upload(dz, content(version, self.versions[version]))
                commit(True)
            elif op == "spray":
                source = self.state(self.key("dz", dz))
                if source == GONE:
                    return
                changes[self.key("file", a)] = source
                resp = esp.call("FileSpray", "SprayFixed", sourceIP="127.0.0.1", sourcePath=f"{LZ}/{dz}",
                                destGroup="mythor", destLogicalName=a, sourceRecordSize=RECORD, overwrite=True,
                                throttle=rng.choice([0, 0, 20_000]))
                commit(esp.wait(resp.get("wuid")) == "finished")
            elif op == "guarded":
                # a refused overwrite: protected, so the spray must fail and change nothing
                source, old = self.state(self.key("dz", dz)), self.state(self.key("file", a))
                if source == GONE or old == GONE:
                    return
                esp.call("WsDfu", "DFUInfo", Name=a, Protect=1)
                resp = esp.call("FileSpray", "SprayFixed", sourceIP="127.0.0.1", sourcePath=f"{LZ}/{dz}",
                                destGroup="mythor", destLogicalName=a, sourceRecordSize=RECORD, overwrite=True)
                state = esp.wait(resp.get("wuid"))
                esp.call("WsDfu", "DFUInfo", Name=a, Protect=2)
                if state == "finished":      # the protection did not hold: record what the server did
                    changes[self.key("file", a)] = source
                commit(state == "finished")
            elif op == "despray":
                source = self.state(self.key("file", a))
                if source == GONE:
                    return
                out = f"soak{self.index}_out.dat"
                changes[self.key("dz", out)] = source
                resp = esp.call("FileSpray", "Despray", sourceLogicalName=a, destIP="127.0.0.1",
                                destPath=f"{LZ}/{out}", overwrite=True)
                commit(esp.wait(resp.get("wuid")) == "finished")
            elif op == "copy":
                source = self.state(self.key("file", a))
                if source == GONE:
                    return
                changes[self.key("file", b)] = source
                resp = esp.call("FileSpray", "Copy", sourceLogicalName=a, destLogicalName=b, destGroup="mythor",
                                overwrite=True)
                commit(esp.wait(resp.get("result")) == "finished")
            elif op == "rename":
                source = self.state(self.key("file", a))
                if source == GONE or self.state(self.key("file", b)) != GONE:
                    return
                changes.update({self.key("file", a): GONE, self.key("file", b): source})
                resp = esp.call("FileSpray", "Rename", srcname=a, dstname=b)
                commit(esp.wait(resp.get("wuid")) == "finished")
            elif op == "super":
                sup = f"soak{self.index}::super"
                member = a if self.state(self.key("file", a)) != GONE else None
                if member is None:
                    return
                current = self.state(self.key("super", sup))
                members = [] if current == GONE else json.loads(current)
                action = "remove" if member in members else "add"
                after = [m for m in members if m != member] if action == "remove" else members + [member]
                changes[self.key("super", sup)] = json.dumps(after) if after or current != GONE else GONE
                resp = esp.call("WsDfu", "SuperfileAction", action=action, superfile=sup,
                                subfiles={"Item": [member]})
                commit(not resp.get("Exceptions"))
            elif op == "delete":
                if self.state(self.key("file", a)) == GONE or self._owned(a):
                    return
                changes[self.key("file", a)] = GONE
                resp = esp.call("WsDfu", "DFUArrayAction", Type="Delete", LogicalFiles={"Item": [a]})
                results = resp.get("ActionResults", {}).get("DFUActionInfo", [])
                commit(bool(results) and not results[0].get("Failed"))
            elif op == "package":
                version = f"{self.index}-{self.ops}-pkg"
                pmid = f"soak{self.index}.pkg"
                changes[self.key("pkg", pmid)] = version
                xml = f'<RoxiePackages><Package id="q{self.index}"><Base id="{version}"/></Package></RoxiePackages>'
                resp = esp.call("WsPackageProcess", "AddPackage", Target="roxie", PackageMap=pmid, Info=xml,
                                OverWrite=True)
                commit((resp.get("status") or {}).get("Code", 0) == 0)
        except ServerDown:
            for k, after in changes.items():
                self.uncertain[k] = (self.state(k), after)
            raise

    def _owned(self, name: str) -> bool:
        current = self.state(self.key("super", f"soak{self.index}::super"))
        return current != GONE and name in json.loads(current)

    def settle(self, actual: dict[str, str]) -> None:
        """After a check: what was uncertain is now what the server has."""
        for k in self.uncertain:
            self.confirmed[k] = actual[k]
        self.uncertain.clear()
        self.confirmed = {k: v for k, v in self.confirmed.items() if v != GONE}


# ---------------------------------------------------------------------------------------------
# checks

def quiesce(esp: Esp, timeout: float = 120) -> None:
    """Wait until no workunit is queued or running (restart queues the queued ones again)."""
    deadline = time.monotonic() + timeout
    while True:
        wus = esp.call("FileSpray", "GetDFUWorkunits", PageSize=1000).get("results", {}).get("DFUWorkunit", [])
        if not any((w.get("StateMessage") or "").lower() in ACTIVE_STATES for w in wus):
            return
        if time.monotonic() > deadline:
            raise TimeoutError("workunits still running after restart")
        time.sleep(0.05)


def actual_state(esp: Esp, actor: Actor, key: str, zone: Path, versions: dict[str, int]) -> str:
    kind, name = key.split(":", 1)
    if kind == "dz":
        path = zone / name
        return _version_of(path.read_bytes(), versions) if path.exists() else GONE
    if kind == "file":
        info = esp.call("WsDfu", "DFUInfo", Name=name)
        if info.get("Exceptions"):
            return GONE
        out = f"check_{actor.index}.dat"
        wuid = esp.call("FileSpray", "Despray", sourceLogicalName=name, destIP="127.0.0.1",
                        destPath=f"{LZ}/{out}", overwrite=True).get("wuid")
        if esp.wait(wuid) != "finished":
            return "<despray failed>"
        data = (zone / out).read_bytes()
        (zone / out).unlink()
        return _version_of(data, versions)
    if kind == "super":
        resp = esp.call("WsDfu", "SuperfileList", superfile=name)
        if resp.get("Exceptions"):
            return GONE
        return json.dumps((resp.get("subfiles") or {}).get("Item", []))
    if kind == "pkg":
        resp = esp.call("WsPackageProcess", "GetPackageMapById", PackageMapId=f"roxie::{name}")
        text = resp.get("Info") or ""
        if not text:
            return GONE
        start = text.find('<Base id="')
        return text[start + 10:text.find('"', start + 10)] if start >= 0 else "<unreadable map>"
    raise ValueError(key)


def _version_of(data: bytes, versions: dict[str, int]) -> str:
    for version, records in versions.items():
        if len(data) == records * RECORD and data == content(version, records):
            return version
    return f"<mixed or unknown bytes: {len(data)}>"


def check_disk(data_dir: Path) -> list[str]:
    """The on-disk invariants, read straight from the store and the folders."""
    from wsservices.engine.config import load_settings
    from wsservices.engine.dali.files import FileCatalog
    from wsservices.engine.dali.store import Store
    from wsservices.engine.datadir import DataDir

    problems = []
    db = sqlite3.connect(f"file:{data_dir / 'dali.sqlite'}?mode=ro", uri=True)
    try:
        if db.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            problems.append("integrity_check failed")
        if db.execute("SELECT COUNT(*) FROM switch_intents").fetchone()[0]:
            problems.append("switch intents left")
        held = db.execute("SELECT holder FROM file_locks WHERE holder LIKE 'DFU workunit %'").fetchall()
        if held:
            problems.append(f"DFU job locks left: {held}")
        stuck = db.execute("SELECT wuid, state FROM dfu_workunits WHERE state IN (2, 3, 8, 9)").fetchall()
        if stuck:
            problems.append(f"workunits left active: {stuck}")
        names = [r[0] for r in db.execute("SELECT name FROM logical_files WHERE is_superfile = 0")]
    finally:
        db.close()
    settings = load_settings(env={}, overrides={"data_dir": str(data_dir)})
    store = Store(data_dir / "dali.sqlite")
    fake = SimpleNamespace(store=store, datadir=DataDir(data_dir, settings.environment),
                           environment=settings.environment, settings=settings)
    catalog = FileCatalog(fake)
    expected: set[Path] = set()
    for name in names:
        info = catalog.get(name)
        for rec, path in catalog.part_paths(name):
            expected.add(path)
            if not path.is_file():
                problems.append(f"{name}: part {rec.number} missing")
            elif rec.size is not None and path.stat().st_size != (rec.compressed_size or rec.size):
                problems.append(f"{name}: part {rec.number} is {path.stat().st_size} bytes, not {rec.size}")
        for rec, path in catalog.part_paths(name, replicas=True):
            expected.add(path)
        del info
    store.close()
    on_disk = {p for p in (data_dir / "nodes").rglob("*") if p.is_file()}
    for orphan in sorted(on_disk - expected):
        problems.append(f"orphan part {orphan.relative_to(data_dir)}")
    for left in sorted(p for p in data_dir.rglob("*") if p.suffix in (".tmp", ".part")):
        problems.append(f"left over {left.relative_to(data_dir)}")
    return problems


# ---------------------------------------------------------------------------------------------
# the soak

def soak(data_dir: Path, kills: int, seed: int = 1, actors: int = 2, max_wait: float = 2.5,
         log=print) -> dict:
    rng = random.Random(seed)
    server = Server(data_dir)
    team = [Actor(i, random.Random(rng.random())) for i in range(actors)]
    versions: dict[str, int] = {}
    report = {"kills": 0, "operations": 0, "states_checked": 0, "problems": []}
    zone = data_dir / "dropzones" / "mydropzone"
    try:
        server.start()
        for round_ in range(kills):
            stop = threading.Event()
            esp_list = [Esp(server.url) for _ in team]

            def drive(actor: Actor, esp: Esp) -> None:
                while not stop.is_set():
                    try:
                        actor.step(esp)
                    except ServerDown:
                        return
                    finally:
                        versions.update(actor.versions)

            threads = [threading.Thread(target=drive, args=(a, e), daemon=True) for a, e in zip(team, esp_list)]
            for t in threads:
                t.start()
            time.sleep(rng.uniform(0.05, max_wait))   # the kill lands at a random moment
            server.kill()
            report["kills"] += 1
            stop.set()
            for t in threads:
                t.join(60)
            server.start()
            esp = Esp(server.url)
            quiesce(esp)
            problems = []
            for actor in team:
                actual = {}
                for key in set(actor.confirmed) | set(actor.uncertain):
                    actual[key] = actual_state(esp, actor, key, zone, versions)
                    allowed = set(actor.uncertain.get(key, ())) or {actor.state(key)}
                    if actual[key] not in allowed:
                        problems.append(f"round {round_}: {key} is {actual[key]}, expected one of {sorted(allowed)}")
                    report["states_checked"] += 1
                actor.settle(actual)
            problems += [f"round {round_}: {p}" for p in check_disk(data_dir)]
            report["problems"] += problems
            log(f"kill {round_ + 1}/{kills}: {sum(a.ops for a in team)} operations so far, "
                f"{len(problems)} problems")
        report["operations"] = sum(a.ops for a in team)
    finally:
        server.stop()
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data-dir", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hpccemu-soak-") as tmp:
        report = soak(args.data_dir or Path(tmp) / "data", args.kills, args.seed)
    print(json.dumps({k: v for k, v in report.items() if k != "problems"}))
    for p in report["problems"]:
        print("PROBLEM", p)
    print(f"{report['kills']} kills, {report['operations']} operations, {report['states_checked']} states "
          f"checked, {len(report['problems'])} inconsistent")
    return 1 if report["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
