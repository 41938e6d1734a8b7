"""Spray, despray, copy, rename and replicate through zeep and raw HTTP, as users run them.

The session server is deterministic: a transfer has finished when its SOAP call returns.
`test_polling_and_abort_on_background_workers` uses a server with real background workers.
"""
from __future__ import annotations

import threading
import time
import re
import uuid

import pytest

from esputil import esp_error, zeep_client
from hpccemu.testing import ThreadedEmulator

LZ = "/var/lib/HPCCSystems/mydropzone"


def upload(http, url, name: str, data: bytes) -> None:
    """UploadFile as hpcc4j sends it: multipart, target folder and host in the URL."""
    r = http.post(f"{url}/FileSpray/UploadFile.json?upload_&NetAddress=127.0.0.1&OS=2&Path={LZ}/",
                  files={"UploadedFiles[]": (name, data, "application/octet-stream")}, timeout=60)
    assert r.status_code == 200, r.text


def download(http, url, name: str) -> bytes:
    r = http.get(f"{url}/FileSpray/DownloadFile", params={"Name": name, "NetAddress": "127.0.0.1",
                                                        "Path": f"{LZ}/", "OS": "2"}, timeout=60)
    assert r.status_code == 200, r.text
    return r.content


def wu_of(fs, wuid: str):
    return fs.service.GetDFUWorkunit(wuid=wuid).result


def finished(fs, wuid: str):
    wu = wu_of(fs, wuid)
    assert wu.StateMessage == "finished", wu.SummaryMessage
    return wu


def part_sizes(emulator, name: str) -> list[int]:
    from wsservices.engine.dali.catalog import catalog
    return [rec.size for rec, _ in catalog(emulator.cluster).part_paths(name)]


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def roundtrip(fs, http, url, emulator, data: bytes, spray, ext: str, **despray):
    src, out, lfn = unique("src") + ext, unique("out") + ext, unique("test::rt::f")
    upload(http, url, src, data)
    wuid = spray(src, lfn)
    wu = finished(fs, wuid)
    d = fs.service.Despray(sourceLogicalName=lfn, destGroup="mydropzone", destPath=out, **despray)
    finished(fs, d.wuid)
    assert download(http, url, out) == data
    return lfn, wu


def test_fixed_worked_example_and_roundtrip(fs, http, url, emulator):
    """filespray.md §6.4.1: 100 records of 10 bytes on 3 parts -> 330, 330, 340 bytes."""
    data = b"".join(b"%09d\n" % i for i in range(100))
    lfn, wu = roundtrip(fs, http, url, emulator, data, lambda s, n: fs.service.SprayFixed(
        sourceIP="127.0.0.1", sourcePath=f"{LZ}/{s}", destGroup="mythor", destLogicalName=n,
        sourceRecordSize=10, destNumParts=3).wuid, ".dat")
    assert part_sizes(emulator, lfn) == [330, 330, 340]
    assert wu.SourceFormat == 0 and wu.SourceRecordSize == 10 and wu.DestGroupName == "mythor"
    assert wu.ProgressMessage.startswith("100% Done") and wu.ProgressMessage.endswith("[3/3nodes]")
    # 1000 bytes are 0 KB: daftprogress's (sizeDone-startSize)/1024 rate is 0, so no rate texts
    assert (wu.KbPerSec, wu.KbPerSecAve) == (0, 0)
    assert wu.ProgressMessage == "100% Done, 0 secs left (1000/1000bytes) [3/3nodes]"


def test_finished_spray_reports_its_average_as_the_current_rate(fs, http, url):
    """dfuwu.cpp setDone writes the average into both @kbpersecave and @kbpersec, and
    formatProgressMessage then adds " current rate=%dKB/sec"; the summary gives the average."""
    src, lfn = unique("rate") + ".dat", unique("test::rate::f")
    upload(http, url, src, b"0123456789" * 40_000)
    wu = finished(fs, fs.service.SprayFixed(sourceIP="127.0.0.1", sourcePath=src, destGroup="mythor",
                                            destLogicalName=lfn, sourceRecordSize=10).wuid)
    assert wu.KbPerSec == wu.KbPerSecAve > 0
    assert wu.ProgressMessage == (f"100% Done, 0 secs left (400000/400000bytes @{wu.KbPerSecAve}KB/sec)"
                                  f" current rate={wu.KbPerSec}KB/sec [4/4nodes]")
    assert re.fullmatch(rf"Total time taken \d+ secs, Average transfer {wu.KbPerSecAve}KB/sec", wu.SummaryMessage)


def test_csv_worked_example(fs, http, url, emulator):
    """§6.4.2: a\\nb\\nc\\nd\\n into 2 parts -> a\\nb\\nc\\n and d\\n."""
    lfn, _ = roundtrip(fs, http, url, emulator, b"a\nb\nc\nd\n", lambda s, n: fs.service.SprayVariable(
        sourceIP="127.0.0.1", sourcePath=s, destGroup="mythor", destLogicalName=n, sourceFormat=1,
        destNumParts=2).wuid, ".csv")
    assert part_sizes(emulator, lfn) == [6, 2]


def test_csv_with_quoted_terminators_and_header(fs, dfu, http, url, emulator):
    data = b"id,name\n" + b"".join(b'%d,"line %d\nsecond line, with comma"\n' % (i, i) for i in range(300))
    lfn, wu = roundtrip(fs, http, url, emulator, data, lambda s, n: fs.service.SprayVariable(
        sourceIP="127.0.0.1", sourcePath=s, destGroup="mythor", destLogicalName=n, sourceFormat=1,
        recordStructurePresent=True).wuid, ".csv")
    assert len(part_sizes(emulator, lfn)) == 4
    assert wu.SourceCsvSeparate == "\\," and wu.SourceCsvQuote == '"'
    detail = dfu.service.DFUInfo(Name=lfn).FileDetail
    assert detail.Ecl == "RECORD\n    STRING id;\n    STRING name;\nEND;"
    assert detail.FileSizeInt64 == len(data)


def test_xml_roundtrip_keeps_header_and_footer(fs, http, url, emulator):
    rows = b"".join(b"  <Row><id>%d</id><name>n&amp;%d</name></Row>\n" % (i, i) for i in range(200))
    data = b'<?xml version="1.0"?>\n<Dataset>\n' + rows + b"</Dataset>\n"
    lfn, _ = roundtrip(fs, http, url, emulator, data, lambda s, n: fs.service.SprayVariable(
        sourceIP="127.0.0.1", sourcePath=s, destGroup="mythor", destLogicalName=n, sourceFormat=2,
        sourceRowTag="Row").wuid, ".xml")
    from wsservices.engine.dali.catalog import catalog
    for _, path in catalog(emulator.cluster).part_paths(lfn):
        text = path.read_bytes()
        assert text.startswith(b'<?xml version="1.0"?>\n<Dataset>\n') and text.endswith(b"</Dataset>\n")


def test_json_roundtrip(fs, http, url, emulator):
    data = b"[\n" + b",\n".join(b'{"id": %d, "name": "n%d"}' % (i, i) for i in range(100)) + b"\n]\n"
    lfn, _ = roundtrip(fs, http, url, emulator, data, lambda s, n: fs.service.SprayVariable(
        sourceIP="127.0.0.1", sourcePath=s, destGroup="mythor", destLogicalName=n, sourceFormat=2,
        isJSON=True, sourceRowPath="/").wuid, ".json")
    assert len(part_sizes(emulator, lfn)) == 4


def test_variable_length_records(fs, http, url, emulator):
    import struct
    data = b"".join(struct.pack("<I", len(r)) + r for r in (b"x" * (i % 17) for i in range(300)))
    roundtrip(fs, http, url, emulator, data, lambda s, n: fs.service.SprayFixed(
        sourceIP="127.0.0.1", sourcePath=s, destGroup="mythor", destLogicalName=n,
        sourceFormat="variable").wuid, ".var")


def test_multi_file_wildcard_spray(fs, http, url, emulator):
    stem = unique("multi")
    for i in range(3):
        upload(http, url, f"{stem}_{i}.dat", b"%09d\n" % i * 10)
    lfn = unique("test::multi::f")
    w = fs.service.SprayFixed(sourceIP="127.0.0.1", sourcePath=f"{LZ}/{stem}_*.dat", destGroup="mythor",
                              destLogicalName=lfn, sourceRecordSize=10)
    finished(fs, w.wuid)
    assert sum(part_sizes(emulator, lfn)) == 300


def test_replicate_writes_mirror_copies(fs, http, url, emulator):
    src, lfn = unique("rep") + ".dat", unique("test::rep::f")
    upload(http, url, src, b"%09d\n" % 7 * 40)
    w = fs.service.SprayFixed(sourceIP="127.0.0.1", sourcePath=src, destGroup="mythor", destLogicalName=lfn,
                              sourceRecordSize=10, replicate=True)
    finished(fs, w.wuid)
    tail = lfn.split("::")[-1]
    mirrors = list((emulator.data_dir / "nodes").rglob(f"hpcc-mirror/**/{tail}._*_of_4"))
    where = {int(p.name.split("._")[1].split("_")[0]): p.relative_to(emulator.data_dir / "nodes").parts[0]
             for p in mirrors}
    assert where == {1: "node2", 2: "node3", 3: "node4", 4: "node1"}  # the next node holds the replica


def test_csv_split_point_on_the_previous_boundary_leaves_an_empty_part(fs, http, url, emulator):
    """18 bytes on 4 parts: partSize 4, split points 4, 8, 12. 4 and 8 end their lines at 6 and
    12; 12 is at the cursor, and CCsvQuickPartitioner::findSplitPoint says "Split point is less
    than the current offset => this will contain nothing": 6/6/0/6 as on a real cluster."""
    lfn, _ = roundtrip(fs, http, url, emulator, b"1,Ann\n2,Bob\n3,Cid\n", lambda s, n: fs.service.SprayVariable(
        sourceIP="127.0.0.1", sourcePath=s, destGroup="mythor", destLogicalName=n, sourceFormat=1).wuid, ".csv")
    assert part_sizes(emulator, lfn) == [6, 6, 0, 6]


@pytest.mark.parametrize("data, sizes", [(b'd e\n"x\ny"\n', [10, 0, 0, 0]),
                                         (b'"p,q"\n"s""t",""\n', [16, 0, 0, 0])])
def test_csv_quoted_fields_spanning_lines_are_cut_after_the_closing_quote(fs, http, url, emulator, data, sizes):
    """CCsvPartitioner::deduceStartNextLine: "If the scan can prove it is outside quotes when a
    terminator is seen, that terminator is the next record boundary"; the first terminator is
    only the fallback while the state is unknown. A real cluster cuts both files at their end."""
    lfn, _ = roundtrip(fs, http, url, emulator, data, lambda s, n: fs.service.SprayVariable(
        sourceIP="127.0.0.1", sourcePath=s, destGroup="mythor", destLogicalName=n, sourceFormat=1).wuid, ".csv")
    assert part_sizes(emulator, lfn) == sizes


def test_copy_rename_and_overwrite(fs, dfu, http, url, emulator):
    src, lfn = unique("cp") + ".dat", unique("test::cp::a")
    upload(http, url, src, b"%09d\n" % 1 * 100)
    finished(fs, fs.service.SprayFixed(sourceIP="127.0.0.1", sourcePath=src, destGroup="mythor",
                                       destLogicalName=lfn, sourceRecordSize=10).wuid)
    copy = lfn + "_copy"
    finished(fs, fs.service.Copy(sourceLogicalName=lfn, destLogicalName=copy, destGroup="mythor").result)
    assert sum(part_sizes(emulator, copy)) == 1000
    again = fs.service.Copy(sourceLogicalName=lfn, destLogicalName=copy, destGroup="mythor").result
    assert wu_of(fs, again).SummaryMessage == \
        f"Failed: Destination file {copy} already exists and overwrite not specified"
    finished(fs, fs.service.Copy(sourceLogicalName=lfn, destLogicalName=copy, destGroup="mythor",
                                 overwrite=True).result)
    renamed = lfn + "_renamed"
    done = finished(fs, fs.service.Rename(srcname=copy, dstname=renamed).wuid)
    assert dfu.service.DFUInfo(Name=renamed).FileDetail.Name == renamed
    # dfurun.cpp DFUcmd_rename: setDone("%dms", 0, true)
    assert done.ProgressMessage == "100% Done" and done.PercentDone == 100
    assert re.fullmatch(r"Total time taken \d+ms", done.SummaryMessage), done.SummaryMessage
    clash = fs.service.Rename(srcname=lfn, dstname=renamed).wuid
    assert wu_of(fs, clash).SummaryMessage == f"Failed: Target {renamed} already exists"
    missing = fs.service.Rename(srcname="test::no::such", dstname=renamed + "x").wuid
    assert wu_of(fs, missing).SummaryMessage == "Failed: Source file test::no::such could not be found"
    assert wu_of(fs, missing).ProgressMessage == "0% Done"  # failed before transferring


@pytest.mark.parametrize("fields, expected", [
    (dict(sourceIP="127.0.0.1", sourcePath="x.dat", destLogicalName="a::b", sourceRecordSize=10),
     (20052, "Destination node group not specified.")),
    (dict(sourceIP="127.0.0.1", sourcePath=" ", destGroup="mythor", destLogicalName="a::b", sourceRecordSize=10),
     (20052, "Source path not specified.")),
    (dict(sourcePath="x.dat", destGroup="mythor", destLogicalName="a::b", sourceRecordSize=10),
     (20052, "Source network IP not specified.")),
    (dict(sourcePlane="nowhere", sourcePath="x.dat", destGroup="mythor", destLogicalName="a::b", sourceRecordSize=10),
     (20052, "Unknown landing zone: nowhere")),
    (dict(sourceIP="127.0.0.1", sourcePath="x.dat", destGroup="mythor", destLogicalName="", sourceRecordSize=10),
     (20052, "Destination file not specified.")),
    (dict(sourceIP="127.0.0.1", sourcePath="x.dat", destGroup="mythor", destLogicalName="a::b*", sourceRecordSize=10),
     (20052, "Invalid destination filename:'a::b*'")),
    (dict(sourceIP="127.0.0.1", sourcePath="x.dat", destGroup="mythor", destLogicalName="a::b", sourceRecordSize=0),
     (20052, "Invalid record size")),
    (dict(sourceIP="127.0.0.1", sourcePath="x.dat", destGroup="mythor", destLogicalName="a::b", sourceRecordSize=10,
          DFUServerQueue="elsewhere"), (20052, "Invalid DFU server queue name:'elsewhere'")),
])
def test_spray_request_errors(fs, fields, expected):
    assert esp_error(fs.service.SprayFixed(**fields)) == expected


@pytest.mark.parametrize("fields, expected", [
    ({}, (20052, "Destination node group not specified.")),
    (dict(destGroup="mythor"), (20052, "Source path not specified.")),
    (dict(destGroup="mythor", sourcePath="x.dat"), (20052, "Source network IP not specified.")),
    (dict(destGroup="mythor", sourceIP="127.0.0.1", sourcePath="x.dat"), (20052, "Destination file not specified.")),
    (dict(destGroup="mythor", sourceIP="127.0.0.1", sourcePath="x.dat", destLogicalName="a::b",
          DFUServerQueue="elsewhere"), (20052, "Invalid DFU server queue name:'elsewhere'")),
])
def test_spray_fixed_checks_in_the_real_order(fs, fields, expected):
    """onSprayFixed checks the group ("Destination node group not specified."), the source, the
    destination name and the queue before it looks at the record size ("Invalid record size"):
    each request here has no record size and still gets the earlier check's text."""
    assert esp_error(fs.service.SprayFixed(**fields)) == expected


@pytest.mark.parametrize("path", ["../x.dat", "a/../../x.dat", "~/x.dat", "/etc/passwd", f"{LZ}/../../etc/passwd",
                                  "./x.dat", f"{LZ}/a/./b"])
def test_spray_source_traversal_is_refused(fs, path):
    code, message = esp_error(fs.service.SprayFixed(sourceIP="127.0.0.1", sourcePath=path, destGroup="mythor",
                                                    destLogicalName="a::b", sourceRecordSize=10))
    assert code == 20052
    assert message in (f"Invalid path {path}", f"DropZone Plane not found for host 127.0.0.1 path {path}.")


def test_spray_symlink_leading_out_fails_without_reading(fs, emulator, tmp_path):
    secret = tmp_path / "secret.dat"
    secret.write_bytes(b"0123456789" * 5)
    link = emulator.data_dir / "dropzones" / "mydropzone" / unique("link")
    link.symlink_to(secret)
    lfn = unique("test::link::f")
    w = fs.service.SprayFixed(sourceIP="127.0.0.1", sourcePath=link.name, destGroup="mythor",
                              destLogicalName=lfn, sourceRecordSize=10)
    wu = wu_of(fs, w.wuid)
    assert wu.StateMessage == "failed" and "Invalid path" in wu.SummaryMessage
    assert not list((emulator.data_dir / "nodes").rglob(lfn.split("::")[-1] + "*"))


@pytest.mark.parametrize("dest, expected", [
    ("../escape.dat", (20052, "Invalid path ../escape.dat")),
    ("/tmp/escape.dat", (20070, f"The absolute destination path: '/tmp/escape.dat' is not valid for dropzone "
                                f"'mydropzone' (path prefix '{LZ}').")),
    (f"{LZ}/../escape.dat", (20052, f"Invalid path {LZ}/../escape.dat")),
])
def test_despray_destination_is_confined(fs, dest, expected):
    assert esp_error(fs.service.Despray(sourceLogicalName="a::b", destGroup="mydropzone", destPath=dest)) == expected


def test_despray_errors(fs):
    assert esp_error(fs.service.Despray(sourceLogicalName="")) == (20052, "Source logical file not specified.")
    assert esp_error(fs.service.Despray(sourceLogicalName="a::b")) == \
        (20052, "Neither destination storage plane or destination IP specified.")
    w = fs.service.Despray(sourceLogicalName="test::not::there", destGroup="mydropzone", destPath=unique("x"))
    assert wu_of(fs, w.wuid).SummaryMessage == "Failed: Source file test::not::there could not be found"


def test_despray_does_not_overwrite_without_permission(fs, http, url):
    src, lfn = unique("ow") + ".dat", unique("test::ow::f")
    upload(http, url, src, b"%09d\n" % 3 * 8)
    finished(fs, fs.service.SprayFixed(sourceIP="127.0.0.1", sourcePath=src, destGroup="mythor",
                                       destLogicalName=lfn, sourceRecordSize=10).wuid)
    w = fs.service.Despray(sourceLogicalName=lfn, destGroup="mydropzone", destPath=src)
    assert wu_of(fs, w.wuid).SummaryMessage == f"Failed: OVERWRITE not supplied and physical file {LZ}/{src} exists"


def test_ecl_watch_style_json_request_shapes_reach_the_same_engine(http, url, fs):
    """GetDFUProgress over SOAP in the C++ client's shape (no namespace, request type name)."""
    from esputil import envelope, soap_post
    wu = fs.service.CreateDFUWorkunit().result.ID
    r = soap_post(http, url + "/FileSpray?ver_=1.27", envelope(f"<ProgressRequest><wuid>{wu}</wuid></ProgressRequest>"),
                  {"SOAPAction": "FileSpray/GetDFUProgress?ver_=1.27"})
    assert f"<wuid>{wu}</wuid>" in r.text and "<State>unknown</State>" in r.text


def test_polling_and_abort_on_background_workers(tmp_path):
    """Real workers: SprayFixed returns at once; GetDFUProgress polls; Abort stops a transfer cleanly."""
    with ThreadedEmulator(data_dir=tmp_path / "data", dfu_workers=1) as emu:
        fs = zeep_client(emu.url, "FileSpray")
        zone = emu.data_dir / "dropzones" / "mydropzone"
        (zone / "small.dat").write_bytes(b"%09d\n" % 1 * 1000)
        w = fs.service.SprayFixed(sourceIP="127.0.0.1", sourcePath="small.dat", destGroup="mythor",
                                  destLogicalName="bg::small", sourceRecordSize=10).wuid
        deadline = time.monotonic() + 30
        while (state := fs.service.GetDFUProgress(wuid=w).State) not in ("finished", "failed"):
            assert time.monotonic() < deadline
            threading.Event().wait(0.02)
        assert state == "finished"
        # a throttled transfer (1 MB/s of 8 MB), aborted while it runs: no file, no stray parts
        (zone / "big.dat").write_bytes(b"%09d\n" % 5 * 800_000)
        w = fs.service.SprayFixed(sourceIP="127.0.0.1", sourcePath="big.dat", destGroup="mythor",
                                  destLogicalName="bg::big", sourceRecordSize=10, throttle=1024).wuid
        deadline = time.monotonic() + 30
        while fs.service.GetDFUProgress(wuid=w).State != "started":
            assert time.monotonic() < deadline
            threading.Event().wait(0.005)
        fs.service.AbortDFUWorkunit(wuid=w)
        while (state := fs.service.GetDFUProgress(wuid=w).State) not in ("aborted", "failed", "finished"):
            assert time.monotonic() < deadline
            threading.Event().wait(0.01)
        assert state == "aborted"
        assert fs.service.GetDFUWorkunit(wuid=w).result.SummaryMessage == "Failed: Copy failed - User Abort"
        assert not list((emu.data_dir / "nodes").rglob("big*"))
        dfu = zeep_client(emu.url, "WsDfu")
        assert esp_error(dfu.service.DFUInfo(Name="bg::big"))[0] == 20038
