"""A request body broken in transit (bad chunked encoding, a body shorter than its
Content-Length) or a broken multipart body gets a clean ESP-format error, and an upload leaves
nothing in the drop zone: no file, no temporary ``.part``. Raw sockets, since HTTP libraries
will not send a malformed body."""
from __future__ import annotations

import socket
import uuid
from urllib.parse import urlsplit

import pytest

from esputil import envelope

LZ = "/var/lib/HPCCSystems/mydropzone"
BOUNDARY = "hostileBoundary7"


def _multipart(name: str, data: bytes) -> bytes:
    return (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="FilesToUpload"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n").encode() + data + f"\r\n--{BOUNDARY}--\r\n".encode()


def _chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def _send(url: str, path: str, headers: str, body: bytes) -> tuple[int, str]:
    """POST over a raw socket; the write side is closed after the body so the server sees its end."""
    where = urlsplit(url)
    with socket.create_connection((where.hostname, where.port), timeout=30) as s:
        s.sendall(f"POST {path} HTTP/1.1\r\nHost: {where.netloc}\r\n{headers}\r\n".encode() + body)
        s.shutdown(socket.SHUT_WR)
        reply = b""
        while chunk := s.recv(65536):
            reply += chunk
    head, _, text = reply.partition(b"\r\n\r\n")
    return int(head.split()[1]), text.decode("utf-8", "replace")


def _upload_cases(name: str) -> dict[str, tuple[str, bytes]]:
    whole = _multipart(name, b"0123456789" * 1000)
    chunked = "Transfer-Encoding: chunked\r\n"
    return {
        "bad_chunk_size": (chunked, b"zz\r\n" + whole + b"\r\n0\r\n\r\n"),
        "truncated_chunk": (chunked, f"{len(whole) + 500:x}\r\n".encode() + whole),
        "missing_final_chunk": (chunked, _chunk(whole)),
        "bad_chunk_in_the_middle": (chunked, _chunk(whole[:5000]) + b"nothex\r\n" + whole[5000:]),
        "shorter_than_content_length": (f"Content-Length: {len(whole) + 100}\r\n", whole),
        "file_part_never_closed": (f"Content-Length: {len(whole) - 30}\r\n", whole[:-30]),
        "not_multipart_at_all": ("Content-Length: 30\r\n", b"x" * 30),
    }


CASES = list(_upload_cases("x"))


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("suffix", [".xml", ".json"])
def test_a_broken_upload_is_refused_and_leaves_nothing(url, emulator, case, suffix):
    name = f"broken{uuid.uuid4().hex[:8]}.bin"
    extra, body = _upload_cases(name)[case]
    zone = emulator.data_dir / "dropzones" / "mydropzone"
    before = set(zone.iterdir())
    status, text = _send(url, f"/FileSpray/UploadFile{suffix}?upload_&NetAddress=127.0.0.1&Path={LZ}/&OS=2",
                         f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n{extra}", body)
    assert status == 200, text
    assert "20052" in text and "FileSpray::UploadFile()" in text
    assert "Traceback" not in text and "Error" not in text.replace("Exception", "")
    assert set(zone.iterdir()) == before


def test_a_well_formed_chunked_upload_is_stored(url, emulator):
    name = f"chunked{uuid.uuid4().hex[:8]}.bin"
    whole = _multipart(name, b"abc" * 5000)
    body = _chunk(whole[:7000]) + _chunk(whole[7000:]) + b"0\r\n\r\n"
    status, text = _send(url, f"/FileSpray/UploadFile.xml?upload_&NetAddress=127.0.0.1&Path={LZ}/&OS=2",
                         f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
                         "Transfer-Encoding: chunked\r\n", body)
    assert status == 200 and "<Result>Success</Result>" in text, text
    assert (emulator.data_dir / "dropzones" / "mydropzone" / name).read_bytes() == b"abc" * 5000


def test_a_second_file_broken_keeps_the_first_out_too(url, emulator):
    first, second = (f"pair{uuid.uuid4().hex[:8]}.bin" for _ in range(2))
    whole = _multipart(first, b"complete").replace(f"--{BOUNDARY}--".encode(), f"--{BOUNDARY}".encode())
    whole += (f'\r\nContent-Disposition: form-data; name="FilesToUpload"; filename="{second}"\r\n\r\n'
              "partial").encode()
    zone = emulator.data_dir / "dropzones" / "mydropzone"
    before = set(zone.iterdir())
    status, text = _send(url, f"/FileSpray/UploadFile.xml?upload_&NetAddress=127.0.0.1&Path={LZ}/&OS=2",
                         f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
                         f"Content-Length: {len(whole)}\r\n", whole)
    assert "Invalid multipart/form-data request." in text
    assert set(zone.iterdir()) == before


@pytest.mark.parametrize("ctype,expect_status,marker", [
    ("text/xml; charset=UTF-8", 500, "<soap:Fault>"),
    ("application/json", 400, '"Exceptions"'),
    ("application/x-www-form-urlencoded", 200, "Exception(s) occurred"),
])
def test_a_broken_chunked_body_on_any_method_is_a_clean_error(url, ctype, expect_status, marker):
    body = envelope("<FileSprayPingRequest/>").encode()
    status, text = _send(url, "/FileSpray/Ping", f"Content-Type: {ctype}\r\nTransfer-Encoding: chunked\r\n",
                         b"zz\r\n" + body + b"\r\n0\r\n\r\n")
    assert (status, marker in text) == (expect_status, True), text
    assert "Bad Request [The request body could not be read" in text
