"""The service clients against a live emulator: typed results, the one error type (inline,
fault, HTTP, connection), upload/download, a spray of each format, despray, copy, superfile
transactions and the package-map recipes."""
from __future__ import annotations

import io
import json
import socket

import pytest

from hpccemu import (DfuJobFailed, EspConnectionError, EspError, FileSprayClient, HPCCClient, HPCCError,
                     WsDfuClient)
from hpccemu.soap import esp_base_url

LZ = "/var/lib/HPCCSystems/mydropzone"


def test_base_url_follows_dfuplus_rules():
    assert esp_base_url("10.0.0.1") == "http://10.0.0.1:8010"
    assert esp_base_url("http://h:9000/") == "http://h:9000"
    assert esp_base_url("https://h") == "https://h:8010"
    assert esp_base_url(None) == "http://127.0.0.1:8010"


def test_inline_exception_becomes_esp_error(hpccemu_client):
    with pytest.raises(EspError) as info:
        hpccemu_client.wsdfu.info("nosuch::file")
    err = info.value
    assert (err.code, err.channel, err.text) == (20038, "inline", "Cannot find file nosuch::file.")
    assert err.source.startswith("WsDfu::DFUInfo")
    assert err.message.endswith("GMT: Cannot find file nosuch::file.")  # ESP's timestamp prefix kept
    assert [e.code for e in err.exceptions] == [20038]


def test_soap_fault_becomes_the_same_error_type(hpccemu):
    # WsDfu's request posted to FileSpray: ESP answers a SOAP Fault, "method not available"
    with WsDfuClient(hpccemu.url, path="FileSpray") as wrong:
        with pytest.raises(EspError) as info:
            wrong.query("*")
    err = info.value
    assert (err.code, err.channel, err.source) == (400, "fault", "Esp")
    assert "not available in service FileSpray" in err.message


def test_http_error_and_connection_failure(hpccemu):
    with WsDfuClient(hpccemu.url, path="NoSuchService") as missing:
        with pytest.raises(EspError) as info:
            missing.query("*")
    assert info.value.channel == "http" and info.value.code == 404
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    with pytest.raises(EspConnectionError):
        WsDfuClient(f"127.0.0.1:{port}", timeout=5).query("*")


def test_wsdl_from_the_server_works_too(hpccemu):
    with FileSprayClient(hpccemu.url, wsdl="server") as fs:
        assert fs.drop_zones()[0].name == "mydropzone"


def test_basic_auth_and_timeout_are_sent(hpccemu):
    with HPCCClient(hpccemu.url, username="alice", password="pw", timeout=7) as hpcc:
        hpcc.wsdfu.ping()
        sent = hpcc.wsdfu.history.last_sent
        assert hpcc.session.auth == ("alice", "pw") and hpcc.wsdfu.transport.operation_timeout == 7
        assert sent is not None


def test_upload_list_download_delete(hpccemu_client, tmp_path):
    fs = hpccemu_client.filespray
    local = tmp_path / "people.csv"
    local.write_bytes(b"1,Ann\n2,Bob\n")
    assert fs.upload(local) == f"{LZ}/people.csv"
    assert fs.upload(b"raw", "raw.txt") == f"{LZ}/raw.txt"
    listed = {f.name: f.size for f in fs.list_files()}
    assert listed == {"people.csv": 12, "raw.txt": 3}
    out = io.BytesIO()
    assert fs.download("people.csv", out) == 12 and out.getvalue() == b"1,Ann\n2,Bob\n"
    fs.delete_files(["raw.txt"])
    assert [f.name for f in fs.list_files()] == ["people.csv"]
    with pytest.raises(EspError):
        fs.download("missing.csv", io.BytesIO())


SPRAYS = [  # format, data, options, the format DFUInfo reports
    ("fixed", b"0000000001" * 8, dict(record_size=10), ""),
    ("csv", b"id,name\n1,Ann\n2,Bob\n", dict(header=True), "csv"),
    ("xml", b"<rows><row><id>1</id></row><row><id>2</id></row><row><id>3</id></row></rows>", dict(row_tag="row"),
     "utf-8n"),
    ("json", json.dumps([{"id": 1}, {"id": 2}]).encode(), dict(), "utf-8n"),
]


@pytest.mark.parametrize("fmt, data, options, shown", SPRAYS, ids=[s[0] for s in SPRAYS])
def test_spray_each_format(hpccemu_client, fmt, data, options, shown):
    fs, dfu = hpccemu_client.filespray, hpccemu_client.wsdfu
    source = fs.upload(data, f"in.{fmt}")
    method = {"fixed": fs.spray_fixed, "csv": fs.spray_delimited, "xml": fs.spray_xml, "json": fs.spray_json}[fmt]
    job = method(source, f"test::{fmt}", "mythor", **options)
    progress = io.StringIO()
    seen = []
    wu = job.wait(timeout=30, progress_file=progress, on_progress=seen.append)
    assert wu.state == "finished" and wu.percent_done == 100 and wu.dest_logical_name == f"test::{fmt}"
    assert "100%" in progress.getvalue() and seen[-1] is wu
    info = dfu.info(f"test::{fmt}")
    assert info.format == shown and info.num_parts == 4
    assert info.size >= len(data)  # xml and json parts repeat the header and footer


def test_spray_variable_length_records(hpccemu_client):
    fs = hpccemu_client.filespray
    data = b"".join(len(r).to_bytes(4, "little") + r for r in (b"abc", b"defgh"))
    job = fs.spray_variable(fs.upload(data, "v.dat"), "test::var", "mythor")
    assert job.wait(progress=False).state == "finished"
    assert hpccemu_client.wsdfu.info("test::var").size == len(data)


def test_spray_option_errors_are_raised_before_any_call(hpccemu_client):
    fs = hpccemu_client.filespray
    with pytest.raises(ValueError, match="rowtag not specified"):
        fs.spray("xml", f"{LZ}/x.xml", "a::b", "mythor")
    with pytest.raises(ValueError, match="recordsize not specified for fixed"):
        fs.spray("fixed", f"{LZ}/x", "a::b", "mythor")


def test_despray_copy_rename_delete(hpccemu_client, hpccemu_seed):
    fs, dfu = hpccemu_client.filespray, hpccemu_client.wsdfu
    hpccemu_seed.logical_file("test::src", [[1, "a"], [2, "b"]])
    assert fs.despray("test::src", f"{LZ}/back.csv").wait(progress=False).state == "finished"
    back = io.BytesIO()
    fs.download("back.csv", back)
    assert back.getvalue() == b"1,a\n2,b\n"
    assert fs.copy("test::src", "test::copy", "mythor").wait(progress=False).state == "finished"
    dfu.rename("test::copy", "test::renamed")
    assert {f.name for f in dfu.query("test::*")} == {"test::src", "test::renamed"}
    assert [r.failed for r in dfu.delete(["test::renamed"])] == [False]
    assert not dfu.exists("test::renamed") and dfu.exists("test::src")
    with pytest.raises(EspError):
        dfu.rename("test::gone", "test::other")


def test_failed_workunit_raises_with_its_summary(hpccemu_client):
    job = hpccemu_client.filespray.despray("test::not::there", f"{LZ}/x.csv")
    with pytest.raises(DfuJobFailed) as info:
        job.wait(progress=False)
    assert info.value.state == "failed" and info.value.wuid == job.wuid
    assert "could not be found" in info.value.summary
    assert isinstance(info.value, EspError)


def test_superfile_transaction_and_single_call(hpccemu_client, hpccemu_seed):
    dfu = hpccemu_client.wsdfu
    for name in ("a", "b", "c"):
        hpccemu_seed.logical_file(f"test::{name}", [[name]])
    with dfu.superfile_transaction("test::super") as tx:   # created by the first add
        tx.add("test::a", "test::b")
    assert dfu.superfile_list("test::super") == ["test::a", "test::b"]
    with dfu.superfile_transaction("test::super") as tx:
        tx.remove("test::a")
        tx.add("test::c")
        tx.add("~TEST::A", before="test::b")
    assert dfu.superfile_list("test::super") == ["test::a", "test::b", "test::c"]
    with pytest.raises(RuntimeError):
        with dfu.superfile_transaction("test::super") as tx:
            tx.clear()
            raise RuntimeError("nothing is applied")
    assert dfu.superfile_list("test::super") == ["test::a", "test::b", "test::c"]
    dfu.replace_superfile("test::super", ["test::c", "test::a"])
    assert dfu.superfile_list("test::super") == ["test::c", "test::a"]
    with pytest.raises(EspError):   # a missing subfile: the removed members are put back
        dfu.replace_superfile("test::super", ["test::c", "test::missing"])
    assert dfu.superfile_list("test::super") == ["test::c", "test::a"]


DATA_PART = ('<RoxiePackages><Package id="data"><SuperFile id="~test::superkey">{subs}</SuperFile></Package>'
             '</RoxiePackages>')


def test_package_map_recipes(hpccemu_client):
    pk = hpccemu_client.packages
    subs = '<SubFile value="~test::k1"/><SubFile value="~test::k2"/>'
    status = pk.replace_data_part("roxie", "genindex.pkg", "part_data.pkg", DATA_PART.format(subs=subs))
    assert status.code == 0
    [m] = pk.list_package("roxie")
    assert (m.id, m.active) == ("roxie::genindex.pkg", True)
    # replacing the part again works (DeletePrevious) and keeps the map active
    pk.replace_data_part("roxie", "genindex.pkg", "part_data.pkg", DATA_PART.format(subs=subs))
    replaced = pk.roll_up_subkeys("roxie", "genindex.pkg", "part_data.pkg", "~test::superkey", "~test::rolled")
    assert [s.lstrip("~") for s in replaced] == ["test::k1", "test::k2"]
    part = pk.get_part("roxie", "genindex.pkg", "part_data.pkg")
    assert "test::rolled" in part and "test::k1" not in part
    assert pk.list_package("roxie")[0].active
    with pytest.raises(HPCCError, match="SuperFile ~test::nothere not found") as missing:
        pk.roll_up_subkeys("roxie", "genindex.pkg", "part_data.pkg", "~test::nothere", "~x")
    assert type(missing.value) is HPCCError        # found by the client, not answered by ESP


def test_package_map_calls(hpccemu_client):
    pk = hpccemu_client.packages
    xml = '<RoxiePackages><Package id="q"><Base id="d"/></Package><Package id="d"/></RoxiePackages>'
    assert pk.add_package("roxie", "m.pkg", xml).description == "Successfully loaded m.pkg"
    with pytest.raises(EspError) as info:
        pk.add_package("roxie", "m.pkg", xml)
    assert info.value.code == 11000
    pk.activate("roxie", "m.pkg")
    assert "<Package id=\"q\">" in pk.get_package("roxie")
    assert pk.get_package_map("roxie::m.pkg").startswith("<PackageMap")
    [result] = pk.validate("roxie", active=True)
    assert result.pmid == "roxie::m.pkg" and result.warnings == ["No Queries found"]
    pk.deactivate("roxie", "m.pkg")
    assert not pk.list_packages("roxie")[0].active
    assert pk.copy_package_map("roxie/m.pkg", "roxie", pmid="n.pkg").code == 0
    assert pk.delete_package("roxie", "n.pkg").code == 0
    assert [m.id for m in pk.list_package("roxie")] == ["roxie::m.pkg"]
