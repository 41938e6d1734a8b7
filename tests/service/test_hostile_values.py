"""Hostile field values reach neither SQLite nor the file system as errors: integers too large
for a C++ field are read as ESP reads them, paths the file system cannot hold are refused as
``Invalid path``; never "Internal Server Error" or an HTTP 500."""
from __future__ import annotations

import pytest

from wsservices.esp.codec import c_integer
from wsservices.esp.types import Int, Long, NonNegativeInteger

LZ = "/var/lib/HPCCSystems/mydropzone/"
HUGE = str(10 ** 20)


@pytest.mark.parametrize("value,as_int,as_long,as_unsigned", [
    (10 ** 20, -1, (1 << 63) - 1, (1 << 32) - 1),
    (-(10 ** 20), 0, -(1 << 63), 0),
    (3_000_000_000, -1_294_967_296, 3_000_000_000, 3_000_000_000),
    (-1, -1, -1, (1 << 32) - 1),
    (42, 42, 42, 42),
])
def test_integers_are_held_as_cplusplus_fields_hold_them(value, as_int, as_long, as_unsigned):
    assert (c_integer(Int, value), c_integer(Long, value), c_integer(NonNegativeInteger, value)) == \
        (as_int, as_long, as_unsigned)


@pytest.mark.parametrize("path,params", [
    ("WsDfu/DFUQuery.json", {"PageStartFrom": HUGE}),
    ("WsDfu/DFUQuery.json", {"PageSize": HUGE, "FileSizeFrom": HUGE, "FileSizeTo": HUGE}),
    ("WsDfu/DFUQuery.json", {"FirstN": HUGE, "MaxNumberOfFiles": HUGE}),
    ("FileSpray/GetDFUWorkunits.json", {"PageSize": HUGE}),
    ("FileSpray/GetDFUWorkunits.json", {"PageStartFrom": HUGE}),
])
def test_huge_integers_are_answered(http, url, fs, path, params):
    fs.service.CreateDFUWorkunit()  # a row for the paging to reach
    r = http.post(f"{url}/{path}", data=params, timeout=60)
    assert r.status_code == 200
    assert "Exceptions" not in r.text, r.text[:400]


@pytest.mark.parametrize("params", [
    {"DropZoneName": "mydropzone", "Path": LZ + "x" * 5000},
    {"DropZoneName": "mydropzone", "Path": LZ + "a/" * 2100},
])
def test_a_path_too_long_for_the_file_system_is_an_invalid_path(http, url, params):
    for method, fields in (("DropZoneFiles", params), ("FileList", {"Netaddr": "127.0.0.1", "Path": params["Path"]})):
        r = http.post(f"{url}/FileSpray/{method}.json", data=fields, timeout=60)
        error = r.json()["Exceptions"]["Exception"][0]
        assert error["Code"] == 20052 and "Invalid path /var/lib/HPCCSystems/mydropzone/" in error["Message"]


def test_a_download_name_too_long_is_a_clean_error(http, url):
    r = http.get(f"{url}/FileSpray/DownloadFile.json", params={"NetAddress": "127.0.0.1", "Path": LZ,
                                                               "Name": "x" * 5000}, timeout=60)
    assert r.status_code == 200
    assert r.json()["Exceptions"]["Exception"][0]["Code"] == 20052
