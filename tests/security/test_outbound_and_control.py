"""Outbound calls go only to declared remote environments, within the outbound timeout; the
control endpoint needs an administrator when authentication is on, and can be switched off."""
from __future__ import annotations

import socket
import threading
import time

import pytest
import requests
import zeep

from hpccemu.testing import ThreadedEmulator
from security.conftest import basic, write_config
from wsservices.engine.remotes import RemoteEnvironment


class SilentPeer:
    """A TCP listener that records connections and never answers."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.accepted: list[bytes] = []
        self._conns: list[socket.socket] = []
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self._conns.append(conn)
            conn.settimeout(5)
            try:
                self.accepted.append(conn.recv(65536))
            except OSError:
                self.accepted.append(b"")

    def close(self):
        self.sock.close()
        for conn in self._conns:
            conn.close()


@pytest.fixture
def peer():
    p = SilentPeer()
    yield p
    p.close()


def _copy(emu, source_path):
    client = zeep.Client(emu.wsdl_url("WsPackageProcess"))
    return client.service.CopyPackageMap(SourcePath=source_path, Target="roxie", RemoteUserName="bob",
                                         RemotePassword="bob-secret")


def test_an_undeclared_host_is_never_contacted(peer):
    with ThreadedEmulator() as emu:
        reply = _copy(emu, f"//127.0.0.1:{peer.port}/roxie/pm")
    exc = reply.Exceptions.Exception[0]
    assert exc.Message.endswith(f"from 127.0.0.1:{peer.port}: not a remote environment declared in this "
                                "emulator's configuration ([[remote]]).")
    assert peer.accepted == []


def test_a_silent_declared_remote_fails_within_the_outbound_timeout(peer):
    remote = RemoteEnvironment("peer", f"http://127.0.0.1:{peer.port}", ("127.0.0.1",))
    with ThreadedEmulator(remotes=(remote,), outbound_timeout=1) as emu:
        start = time.monotonic()
        reply = _copy(emu, f"//127.0.0.1:{peer.port}/roxie/pm")
        took = time.monotonic() - start
    assert took < 5
    assert f"Could not read package map roxie::pm from http://127.0.0.1:{peer.port}" in \
        reply.Exceptions.Exception[0].Message
    assert len(peer.accepted) == 1 and b"Authorization: Basic" in peer.accepted[0]  # declared: sent


def test_a_remote_named_on_another_port_is_not_the_declared_one(peer):
    remote = RemoteEnvironment("peer", f"http://127.0.0.1:{peer.port}", ("127.0.0.1",))
    with ThreadedEmulator(remotes=(remote,), outbound_timeout=1) as emu:
        reply = _copy(emu, f"//127.0.0.1:{peer.port + 1}/roxie/pm")
    assert "not a remote environment declared" in reply.Exceptions.Exception[0].Message
    assert peer.accepted == []


# -- the control endpoint -----------------------------------------------------------------------

def test_the_control_endpoint_needs_an_administrator(secure, surl):
    (secure.landing_zone / "keep.txt").write_bytes(b"x")
    assert requests.post(surl + "/hpccemu/reset", timeout=30).status_code == 401
    denied = requests.post(surl + "/hpccemu/reset", headers={"Authorization": basic("bob")}, timeout=30)
    assert denied.status_code == 403
    assert denied.json()["Exceptions"]["Exception"][0]["Message"] == \
        "User bob is not an administrator of this emulator."
    assert (secure.landing_zone / "keep.txt").exists()
    done = requests.post(surl + "/hpccemu/reset", headers={"Authorization": basic("admin")}, timeout=30)
    assert done.status_code == 200
    assert not (secure.landing_zone / "keep.txt").exists()


def test_the_control_endpoint_can_be_switched_off(tmp_path):
    config = write_config(tmp_path, extra="")
    text = open(config).read().replace('admins = ["admin"]', 'admins = ["admin"]\ncontrol = false')
    open(config, "w").write(text)
    with ThreadedEmulator(config_file=config) as emu:
        (emu.landing_zone / "keep.txt").write_bytes(b"x")
        reply = requests.post(emu.url + "/hpccemu/reset", headers={"Authorization": basic("admin")}, timeout=30)
        assert reply.status_code == 404
        assert (emu.landing_zone / "keep.txt").exists()
