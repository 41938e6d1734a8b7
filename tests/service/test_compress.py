"""Compressed logical files through zeep: spray/copy/despray `compress`, `preserveCompression`,
replicate, DFUInfo's compression fields and WsDfu views of block-compressed parts."""
from __future__ import annotations

from lxml import etree

from service.test_transfers import LZ, download, finished, unique, upload
from wsservices.engine.dfu.transfer import open_part
from wsservices.engine.dfu.transfer.partfile import MAGIC

FIXED = b"".join(b"%09d\n" % i for i in range(520_000))     # 5.2 MB: parts span several blocks
CSV = b"id,name\n" + b"".join(b'%d,"name %d, with a comma"\n' % (i, i) for i in range(5000))
XML = (b'<?xml version="1.0"?>\n<Dataset>\n' + b"".join(b"  <Row><id>%d</id></Row>\n" % i for i in range(3000))
       + b"</Dataset>\n")


def spray_fixed(fs, http, url, data=FIXED, parts=4, **options) -> str:
    src, lfn = unique("c") + ".dat", unique("test::cmp::f")
    upload(http, url, src, data)
    finished(fs, fs.service.SprayFixed(sourceIP="127.0.0.1", sourcePath=f"{LZ}/{src}", destGroup="mythor",
                                       destLogicalName=lfn, sourceRecordSize=10, destNumParts=parts,
                                       **options).wuid)
    return lfn


def despray(fs, http, url, lfn: str, **options) -> bytes:
    out = unique("out")
    finished(fs, fs.service.Despray(sourceLogicalName=lfn, destGroup="mydropzone", destPath=out, **options).wuid)
    return download(http, url, out)


def parts_of(cat, lfn):
    return cat.part_paths(lfn)


def test_spray_compress_stores_block_compressed_parts(fs, dfu, http, url, cat):
    lfn = spray_fixed(fs, http, url, compress=True)
    info = cat.get(lfn)
    assert info.attrs["blockCompressed"] == "1" and "fileCrc" not in info.attrs
    parts = parts_of(cat, lfn)
    on_disk = [path.stat().st_size for _, path in parts]
    assert [rec.size for rec, _ in parts] == [1_300_000] * 4
    assert [rec.compressed_size for rec, _ in parts] == on_disk
    assert int(info.attrs["compressedSize"]) == sum(on_disk) < len(FIXED) // 3
    assert all(path.read_bytes().startswith(MAGIC) and rec.crc is None for rec, path in parts)
    assert b"".join(open_part(path, True).read() for _, path in parts) == FIXED
    d = dfu.service.DFUInfo(Name=lfn).FileDetail
    assert (d.IsCompressed, d.CompressedFileSize, d.FileSizeInt64) == (True, sum(on_disk), len(FIXED))
    assert d.PercentCompressed == f"{sum(on_disk) * 100.0 / len(FIXED):.2f}" and d.ShowFileContent is True
    shown = d.DFUFilePartsOnClusters.DFUFilePartsOnCluster[0].DFUFileParts.DFUPart
    assert [(p.PartSizeInt64, p.CompressedSize) for p in shown] == list(zip([1_300_000] * 4, on_disk))
    row = dfu.service.DFUQuery(LogicalName=lfn).DFULogicalFiles.DFULogicalFile[0]
    assert (row.IsCompressed, row.CompressedFileSize) == (True, sum(on_disk))
    assert despray(fs, http, url, lfn) == FIXED


def test_csv_and_xml_round_trips_through_compressed_parts(fs, http, url, cat):
    for data, ext, fields in ((CSV, ".csv", dict(sourceFormat=1, recordStructurePresent=True)),
                              (XML, ".xml", dict(sourceFormat=2, sourceRowTag="Row"))):
        src, lfn = unique("c") + ext, unique("test::cmp::t")
        upload(http, url, src, data)
        finished(fs, fs.service.SprayVariable(sourceIP="127.0.0.1", sourcePath=src, destGroup="mythor",
                                              destLogicalName=lfn, compress=True, **fields).wuid)
        assert cat.get(lfn).attrs["blockCompressed"] == "1"
        assert despray(fs, http, url, lfn) == data


def test_browse_and_search_read_compressed_parts(fs, dfu, http, url):
    lfn = spray_fixed(fs, http, url, compress=True)
    r = dfu.service.DFUBrowseData(LogicalName=lfn, Start=259_995, Count=10)   # across parts 1 and 2
    rows = etree.fromstring(r.Result[r.Result.index("<Dataset"):].encode())
    assert r.Total == 520_000
    assert [row.findtext("contents") for row in rows] == ["%09d\n" % i for i in range(259_995, 260_005)]
    assert [row.findtext("__fileposition__") for row in rows] == [str(i * 10) for i in range(259_995, 260_005)]
    s = dfu.service.DFUSearchData(LogicalName=lfn, SchemaOnly=0, Count=2, StartIndex=1)
    assert "<contents>000000000" in s.Result
    src, csv_lfn = unique("c") + ".csv", unique("test::cmp::csv")
    upload(http, url, src, CSV)
    finished(fs, fs.service.SprayVariable(sourceIP="127.0.0.1", sourcePath=src, destGroup="mythor",
                                          destLogicalName=csv_lfn, sourceFormat=1, compress=True).wuid)
    r = dfu.service.DFUBrowseData(LogicalName=csv_lfn, Start=4000, Count=2)
    assert '<line>3999,"name 3999, with a comma"</line>' in r.Result


def test_copy_keeps_or_drops_compression(fs, dfu, http, url, cat):
    packed = spray_fixed(fs, http, url, compress=True)
    # same part count, preserveCompression (default): the compressed parts are copied as they are
    same = unique("test::cmp::same")
    finished(fs, fs.service.Copy(sourceLogicalName=packed, destLogicalName=same, destGroup="mythor").result)
    assert cat.get(same).attrs["blockCompressed"] == "1"
    assert [p.read_bytes() for _, p in parts_of(cat, same)] == [p.read_bytes() for _, p in parts_of(cat, packed)]
    assert cat.get(same).attrs["compressedSize"] == cat.get(packed).attrs["compressedSize"]
    # preserveCompression off: plain parts with the expanded bytes
    plain = unique("test::cmp::plain")
    finished(fs, fs.service.Copy(sourceLogicalName=packed, destLogicalName=plain, destGroup="mythor",
                                 preserveCompression=False).result)
    info = cat.get(plain)
    assert "blockCompressed" not in info.attrs and "compressedSize" not in info.attrs
    assert b"".join(p.read_bytes() for _, p in parts_of(cat, plain)) == FIXED
    assert dfu.service.DFUInfo(Name=plain).FileDetail.IsCompressed is False
    # an uncompressed source re-partitioned (3 parts -> 4) into a compressed copy
    three = spray_fixed(fs, http, url, parts=3)
    packed4 = unique("test::cmp::p4")
    finished(fs, fs.service.Copy(sourceLogicalName=three, destLogicalName=packed4, destGroup="mythor",
                                 compress=True).result)
    assert cat.get(packed4).attrs["blockCompressed"] == "1" and len(parts_of(cat, packed4)) == 4
    assert despray(fs, http, url, packed4) == FIXED
    # a compressed source re-partitioned (4 -> 2 parts, through a superfile-free Copy with nosplit off)
    wu = fs.service.GetDFUWorkunit(wuid=fs.service.Copy(sourceLogicalName=packed4, destLogicalName=plain,
                                                         destGroup="mythor", overwrite=True,
                                                         preserveCompression=False).result).result
    assert wu.StateMessage == "finished" and wu.Compress is False
    assert despray(fs, http, url, plain) == FIXED


def test_replicate_copies_compressed_parts(fs, http, url, emulator, cat):
    lfn = spray_fixed(fs, http, url, compress=True, replicate=True)
    for _, path in parts_of(cat, lfn):
        assert path.read_bytes().startswith(MAGIC)
    mirrors = cat.part_paths(lfn, replicas=True)
    assert [p.read_bytes() for _, p in mirrors] == [p.read_bytes() for _, p in parts_of(cat, lfn)]
    for _, mirror in mirrors:
        mirror.unlink()
    finished(fs, fs.service.Replicate(sourceLogicalName=lfn).wuid)
    assert [p.read_bytes() for _, p in mirrors] == [p.read_bytes() for _, p in parts_of(cat, lfn)]


def test_despray_compress_writes_a_compressed_file(fs, http, url, emulator):
    lfn = spray_fixed(fs, http, url, data=FIXED[:100_000])
    out = unique("packed")
    wu = fs.service.Despray(sourceLogicalName=lfn, destGroup="mydropzone", destPath=out, compress=True).wuid
    assert finished(fs, wu).Compress is True
    path = emulator.data_dir / "dropzones" / "mydropzone" / out
    assert path.read_bytes().startswith(MAGIC)
    with open_part(path, True) as f:
        assert f.read() == FIXED[:100_000]


def test_row_compressed_files_are_refused(fs, cat):
    from engine.files_support import make_file
    lfn = unique("test::cmp::legacy")
    make_file(cat, lfn, b"x" * 40, compressed=True, recordSize=10)
    wu = fs.service.Despray(sourceLogicalName=lfn, destGroup="mydropzone", destPath=unique("o")).wuid
    got = fs.service.GetDFUWorkunit(wuid=wu).result
    assert (got.StateMessage, got.SummaryMessage) == ("failed", "Failed: Cannot copy from a legacy row compressed file")
