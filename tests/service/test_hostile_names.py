"""Destinations that cannot be stored, and foreign/external destinations, get a specific
answer: refused at request time (FileSpray's ``Invalid destination filename:'<name>'`` with the
reason) or a failed workunit with the DFU server's text; never a class name or a server path,
and nothing is written or registered."""
from __future__ import annotations

import uuid

import pytest

from esputil import esp_error

LZ = "/var/lib/HPCCSystems/mydropzone"

TOO_LONG = {
    "scope300": "s" * 300 + "::x",
    "tail5000": "t::" + "x" * 5000,
    "many_scopes": "::".join(["abcdefghij"] * 400) + "::x",
}


def wu_of(fs, wuid: str):
    return fs.service.GetDFUWorkunit(wuid=wuid).result


@pytest.fixture(scope="module")
def source(http, url):
    name = f"hostile{uuid.uuid4().hex[:8]}.txt"
    r = http.post(f"{url}/FileSpray/UploadFile.json?upload_&NetAddress=127.0.0.1&OS=2&Path={LZ}/",
                  files={"UploadedFiles[]": (name, b"0123456789" * 8)}, timeout=60)
    assert r.status_code == 200, r.text
    return name


@pytest.fixture(scope="module")
def existing(fs, source):
    name = f"hostile::{uuid.uuid4().hex[:8]}::src"
    r = fs.service.SprayFixed(sourceIP="127.0.0.1", sourcePath=f"{LZ}/{source}", sourceRecordSize=10,
                              destGroup="mythor", destLogicalName=name)
    assert wu_of(fs, r.wuid).StateMessage == "finished"
    return name


def _clean(message: str, emulator) -> None:
    for leak in ("Error:", "OSError", "ValueError", "Traceback", str(emulator.data_dir)):
        assert leak not in message


def _failed_with(fs, wuid: str) -> str:
    wu = wu_of(fs, wuid)
    assert wu.StateMessage == "failed"
    result = fs.service.GetDFUExceptions(wuid=wuid).result
    return result["DFUException"][0].Message


def _stored(emulator) -> set:
    return set((emulator.data_dir / "nodes").rglob("*"))


@pytest.mark.parametrize("dest", TOO_LONG.values(), ids=TOO_LONG.keys())
def test_spray_to_a_name_too_long_to_store_is_refused(fs, emulator, source, dest):
    before = _stored(emulator)
    r = fs.service.SprayFixed(sourceIP="127.0.0.1", sourcePath=f"{LZ}/{source}", sourceRecordSize=10,
                              destGroup="mythor", destLogicalName=dest)
    code, message = esp_error(r)
    assert code == 20052
    assert message.startswith(f"Invalid destination filename:'{dest}' (")
    assert "longer than" in message
    _clean(message, emulator)
    assert _stored(emulator) == before


@pytest.mark.parametrize("dest", TOO_LONG.values(), ids=TOO_LONG.keys())
def test_copy_and_rename_to_a_name_too_long_to_store_are_refused(fs, emulator, dfu, existing, dest):
    before = _stored(emulator)
    copied = fs.service.Copy(sourceLogicalName=existing, destLogicalName=dest, destGroup="mythor")
    renamed = fs.service.Rename(srcname=existing, dstname=dest)
    for r in (copied, renamed):
        code, message = esp_error(r)
        assert (code, message.split("' (")[0]) == (20052, f"Invalid destination filename:'{dest}")
        _clean(message, emulator)
    assert dfu.service.DFUInfo(Name=existing).FileDetail.Name == existing
    assert _stored(emulator) == before


def test_the_longest_storable_name_is_stored(fs, dfu, source):
    dest = "a" * 191 + "::" + "b" * 191
    r = fs.service.SprayFixed(sourceIP="127.0.0.1", sourcePath=f"{LZ}/{source}", sourceRecordSize=10,
                              destGroup="mythor", destLogicalName=dest, overwrite=True)
    assert wu_of(fs, r.wuid).StateMessage == "finished"
    assert dfu.service.DFUInfo(Name=dest).FileDetail.Name == dest


EXTERNAL = {
    "foreign": ("foreign::127.0.0.1::a::x", "Destination cannot be foreign file"),
    "file": ("file::127.0.0.1::var::x", "cannot attach an external file name (file::127.0.0.1::var::x)"),
    "plane": ("plane::mydropzone::x", "cannot attach an external file name (plane::mydropzone::x)"),
}


@pytest.mark.parametrize("dest,text", EXTERNAL.values(), ids=EXTERNAL.keys())
def test_spray_and_copy_to_foreign_or_external_names_fail_with_the_dfu_text(fs, emulator, source, existing,
                                                                            dest, text):
    before = _stored(emulator)
    sprayed = fs.service.SprayFixed(sourceIP="127.0.0.1", sourcePath=f"{LZ}/{source}", sourceRecordSize=10,
                                    destGroup="mythor", destLogicalName=dest)
    copied = fs.service.Copy(sourceLogicalName=existing, destLogicalName=dest, destGroup="mythor")
    for wuid in (sprayed.wuid, copied.result):
        assert _failed_with(fs, wuid) == text
    assert _stored(emulator) == before
