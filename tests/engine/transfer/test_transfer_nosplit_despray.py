"""No-split and blob sprays (§6.4.7), sources that are missing, and despray plans (§6.6)."""
import io
import os

import pytest

from wsservices.engine.dfu.transfer import (OpenFiles, PartFile, SourceFile, SourceFormat, plan_despray,
                                            plan_spray, write_segments)
from wsservices.engine.dfu.transfer.errors import (InvalidPrefix, NoSourceMatched, PrefixTooSmall,
                                                   SourceOpenFailed, SplitPrefixFailed,
                                                   SplitPrefixSingleTarget, SplitPrefixWithNoSplit)


def test_nosplit_one_file_on_three_nodes(spray):
    plan, parts = spray(b"a,b\nc,d\n", SourceFormat.csv(), 3, nosplit=True)
    assert plan.scheme == "no-split"
    assert parts == [b"a,b\nc,d\n", b"", b""]


def test_nosplit_deals_contiguous_runs(spray):
    srcs = [b"1\n", b"22\n", b"333\n", b"4444\n", b"55555\n"]
    plan, parts = spray(srcs, SourceFormat.csv(), 3, nosplit=True)
    assert parts == [b"1\n22\n", b"333\n4444\n", b"55555\n"]


def test_blob_prefix_filename_filesize(spray, tmp_path):
    srcs = [b"hello", b"", b"x" * 300]
    plan, parts = spray(srcs, SourceFormat.blob(), 2, prefix="FILENAME,FILESIZE")
    names = [f"src{i}.dat".encode() for i in (1, 2, 3)]
    rec = [len(n).to_bytes(4, "little") + n + len(d).to_bytes(4, "little") + d
           for n, d in zip(names, srcs)]
    assert parts == [rec[0] + rec[1], rec[2]]
    # desprayed with the same split prefix, every blob becomes its own file
    files = []
    for k, data in enumerate(parts):
        p = tmp_path / f"blobpart{k}"
        p.write_bytes(data)
        files.append(PartFile(str(p), len(data)))
    dest = tmp_path / "out" / "ignored-name"
    targets = plan_despray(files, str(dest), split_prefix="FILENAME,FILESIZE")
    assert [os.path.basename(t.path) for t in targets] == ["src1.dat", "src2.dat", "src3.dat"]
    assert {os.path.dirname(t.path) for t in targets} == {str(tmp_path / "out")}
    for t, want in zip(targets, srcs):
        out = io.BytesIO()
        with OpenFiles([f.path for f in files]) as opened:
            write_segments(t.segments, opened, out)
        assert out.getvalue() == want


def test_prefix_variants(spray):
    plan, parts = spray(b"abc", SourceFormat.blob(), 1, prefix="FILENAME:6,FILESIZE:B2,L1")
    assert parts == [b"src1.d" + b"\x00\x03" + b"\x03" + b"abc"]


def test_prefix_errors(spray):
    with pytest.raises(InvalidPrefix) as e:
        spray(b"abc", SourceFormat.blob(), 1, prefix="FILENAME,SIZE")
    assert (e.value.code, e.value.message) == (8085, "Invalid length prefix: 'SIZE'")
    with pytest.raises(PrefixTooSmall) as e:
        spray(b"x" * 300, SourceFormat.blob(), 1, prefix="FILESIZE:L1")
    assert e.value.code == 8086
    assert e.value.message == "Length prefix too small to store source length"


def test_split_prefix_errors(tmp_path):
    p = tmp_path / "part"
    p.write_bytes(b"\x09\x00\x00\x00abc")             # name length runs past the end
    part = [PartFile(str(p), 7)]
    with pytest.raises(SplitPrefixFailed) as e:
        plan_despray(part, str(tmp_path / "x"), split_prefix="FILENAME,FILESIZE")
    assert e.value.code == 8091
    with pytest.raises(SplitPrefixWithNoSplit) as e:
        plan_despray(part, "x", split_prefix="FILENAME", nosplit=True)
    assert (e.value.code, e.value.message) == (8094, "/splitprefix is not compatible with /nosplit")
    with pytest.raises(SplitPrefixSingleTarget) as e:
        plan_despray(part, "x", split_prefix="FILENAME", wrap=True)
    assert e.value.code == 8092


def test_no_sources(tmp_path):
    plan = plan_spray([], SourceFormat.csv(), 3)
    assert [p.size for p in plan.parts] == [0, 0, 0]
    with pytest.raises(NoSourceMatched) as e:
        plan_spray([], SourceFormat.csv(), 3, fail_if_no_source=True)
    assert (e.value.code, e.value.message) == \
        (8095, "The wildcarded source did not match any filenames")


def test_missing_source(tmp_path):
    with pytest.raises(SourceOpenFailed) as e:
        plan_spray([SourceFile(str(tmp_path / "nope"), label="//10.0.0.1/lz/nope")],
                   SourceFormat.csv(), 2)
    assert e.value.code == 8050
    assert e.value.message == "Could not open source file //10.0.0.1/lz/nope"


def test_despray_wrap_and_single_part():
    parts = [PartFile("/p1", 5), PartFile("/p2", 0), PartFile("/p3", 7)]
    targets = plan_despray(parts, "/lz/out.csv", wrap=True)
    assert [t.path for t in targets] == ["/lz/out.csv._1_of_3", "/lz/out.csv._2_of_3",
                                         "/lz/out.csv._3_of_3"]
    assert [t.size for t in targets] == [5, 0, 7]
    one = plan_despray([PartFile("/p1", 50, 10, 5)], "/lz/x.xml", kind="xml")
    assert one[0].size == 50                          # a 1-part file is copied verbatim
    joined = plan_despray(parts, "/lz/out.csv")
    assert joined[0].size == 12 and len(joined[0].segments) == 2


def test_despray_xml_takes_header_from_first_and_footer_from_last_nonempty_part():
    parts = [PartFile("/p1", 0), PartFile("/p2", 30, 10, 5), PartFile("/p3", 25, 10, 5),
             PartFile("/p4", 0)]
    (t,) = plan_despray(parts, "/lz/x.xml", kind="xml")
    spans = [(s.source, s.offset, s.length, s.role) for s in t.segments]
    assert spans == [(1, 0, 10, "header"), (1, 10, 15, "data"), (2, 10, 10, "data"),
                     (2, 20, 5, "footer")]
    (j,) = plan_despray(parts, "/lz/x.json", kind="json", text_format="utf-8n")
    assert [getattr(s, "data", None) for s in j.segments].count(b",\n") == 1
