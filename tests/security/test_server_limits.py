"""The server's own limits through raw sockets against a live server: a half-sent request is
closed within the read timeout, connections beyond the bound get 503 at once, the upload limit
and the free-space floor refuse cleanly, and binding beyond loopback without auth warns."""
from __future__ import annotations

import socket
import time

import pytest
import requests

from hpccemu.testing import ThreadedEmulator
from wsservices.engine.config import load_settings
from wsservices.server import exposure_warning

LZ = "/var/lib/HPCCSystems/mydropzone"


@pytest.fixture(scope="module")
def limited():
    with ThreadedEmulator(read_timeout=1, max_connections=3, max_upload_bytes=1000) as emu:
        yield emu


def _connect(emu) -> socket.socket:
    return socket.create_connection((emu.host, emu._server.server_port), timeout=10)


def _closed_after(sock: socket.socket) -> float:
    """Seconds until the server closes `sock` (reads until EOF)."""
    start = time.monotonic()
    while sock.recv(4096):
        pass
    return time.monotonic() - start


def test_a_half_sent_request_is_closed_within_the_read_timeout(limited):
    with _connect(limited) as sock:
        sock.sendall(b"POST /WsDfu/ HTTP/1.1\r\nHost: x\r\nContent-Type: text/xml\r\nContent-Length: 500\r\n\r\n<soap")
        assert _closed_after(sock) < 5
    with _connect(limited) as sock:
        sock.sendall(b"GET /WsDfu/ HTTP/1.1\r\nHost: x\r\n")  # headers never finished
        assert _closed_after(sock) < 5
    assert requests.get(limited.url + "/WsDfu/", timeout=10).status_code == 200


def test_connections_beyond_the_bound_get_503_and_free_slots_are_reused(limited):
    held = [_connect(limited) for _ in range(3)]
    try:
        for sock in held:
            sock.sendall(b"GET /WsDfu/ HTTP/1.1\r\nHost: x\r\n")  # each holds a slot
        deadline = time.monotonic() + 5
        while True:  # the accept loop takes the three before the fourth
            with _connect(limited) as extra:
                extra.sendall(b"GET /WsDfu/ HTTP/1.1\r\nHost: x\r\n\r\n")
                reply = extra.recv(4096)
            if reply.startswith(b"HTTP/1.1 503") or time.monotonic() > deadline:
                break
        assert reply.startswith(b"HTTP/1.1 503 Service Unavailable")
    finally:
        for sock in held:
            sock.close()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:  # the slots come back when the held connections end
        try:
            if requests.get(limited.url + "/WsDfu/", timeout=10).status_code == 200:
                break
        except requests.ConnectionError:
            pass
    assert requests.get(limited.url + "/WsDfu/", timeout=10).status_code == 200


def test_an_upload_over_the_limit_is_refused_and_leaves_nothing(limited):
    params = {"upload_": "", "NetAddress": "127.0.0.1", "Path": LZ + "/"}
    reply = requests.post(limited.url + "/FileSpray/UploadFile.json", params=params,
                          files={"f": ("big.bin", b"x" * 5000)}, timeout=10)
    first = reply.json()["Exceptions"]["Exception"][0]
    assert first["Code"] == 20052
    assert first["Message"] == "The upload is larger than the limit of 1000 bytes (max_upload_bytes)."
    assert not any(limited.landing_zone.iterdir())

    def chunks():  # no Content-Length: the limit applies while streaming
        yield (b"--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"big2.bin\"\r\n\r\n")
        for _ in range(10):
            yield b"y" * 500
        yield b"\r\n--b--\r\n"
    reply = requests.post(limited.url + "/FileSpray/UploadFile.json", params=params, data=chunks(),
                          headers={"Content-Type": "multipart/form-data; boundary=b"}, timeout=10)
    assert reply.json()["Exceptions"]["Exception"][0]["Code"] == 20052
    assert not any(limited.landing_zone.iterdir())
    ok = requests.post(limited.url + "/FileSpray/UploadFile.json", params=params,
                       files={"f": ("small.bin", b"x" * 100)}, timeout=10)
    assert "UploadFilesResponse" in ok.json()


def test_below_the_free_space_floor_uploads_and_sprays_are_refused():
    with ThreadedEmulator(min_free_bytes=1 << 62, deterministic=True) as emu:
        params = {"upload_": "", "NetAddress": "127.0.0.1", "Path": LZ + "/"}
        reply = requests.post(emu.url + "/FileSpray/UploadFile.json", params=params,
                              files={"f": ("a.bin", b"x" * 10)}, timeout=10)
        first = reply.json()["Exceptions"]["Exception"][0]
        assert first["Message"].startswith("Not enough free disk space:")
        assert not any(emu.landing_zone.iterdir())
        (emu.landing_zone / "rows.dat").write_bytes(b"0123456789" * 4)
        reply = requests.get(emu.url + "/FileSpray/SprayFixed.json", params={
            "sourceIP": "127.0.0.1", "sourcePath": f"{LZ}/rows.dat", "destGroup": "mythor",
            "destLogicalName": "t::floor", "sourceRecordSize": 10}, timeout=10).json()
        assert "Not enough free disk space:" in reply["Exceptions"]["Exception"][0]["Message"]
        listed = requests.get(emu.url + "/WsDfu/DFUQuery.json", timeout=10).json()["DFUQueryResponse"]
        assert "DFULogicalFiles" not in listed


def test_binding_beyond_loopback_without_authentication_warns(tmp_path):
    assert exposure_warning(load_settings(None, {"host": "127.0.0.1"}, env={})) is None
    assert exposure_warning(load_settings(None, {"host": "localhost"}, env={})) is None
    text = exposure_warning(load_settings(None, {"host": "0.0.0.0"}, env={}))
    assert text.startswith("WARNING: listening on 0.0.0.0 without authentication")
    (tmp_path / "u.htpasswd").write_text("")
    secured = load_settings(None, {"host": "0.0.0.0", "htpasswd": str(tmp_path / "u.htpasswd")}, env={})
    assert exposure_warning(secured) is None
