"""Data views: reading real part files (fixed, variable, CSV/XML/JSON lines), paging, filters,
columns, metadata, the file-view errors, ECL parsing and type info."""
from __future__ import annotations

import json
import struct

import pytest

from .files_support import PEOPLE_ECL, make_file, make_people
from wsservices.engine.fileview import layouts, source, views
from wsservices.engine.fileview.eclrecord import EclParseError, parse_record
from wsservices.engine.fileview.eclrows import decode_row
from wsservices.engine.fileview.ecltypes import def_file, json_type_info
from wsservices.engine.errors import DomainError


def values(page, field=None):
    return [r.values[field] if field else r.values for r in page.rows]


def test_fixed_rows_page_across_parts(cat):
    make_people(cat, "v::people", 50, parts=3)
    src = source.open_source(cat, "~V::People")
    assert (src.mode, src.row_size, src.total) == ("fixed", 14, 50)
    page = src.rows(15, 5)
    assert values(page, "name") == ["n15", "n16", "n17", "n18", "n19"]
    assert values(page, "id") == [15, 16, 17, 18, 19]
    assert [r.position for r in page.rows] == [210, 224, 238, 252, 266]
    assert values(src.rows(48, 20), "id") == [48, 49]
    assert src.rows(60, 5).rows == []


def test_a_part_that_goes_away_under_a_view_is_a_clean_error(cat):
    make_people(cat, "v::gone", 40, parts=2)
    src = source.open_source(cat, "v::gone")
    for _, path in cat.part_paths("v::gone"):
        path.unlink()      # as a delete or a replacement would, after the view was opened
    with pytest.raises(source.FileViewError) as err:
        src.rows(0, 5)
    assert (err.value.code, err.value.message) == (6707, "Failed to open file v::gone for browsing")


def test_browse_result_text_and_limits(cat):
    make_people(cat, "v::br", 30)
    r = views.browse(cat, " v::br ", 28, 0)
    assert (r.logical_name, r.start, r.requested, r.count, r.total) == ("v::br", 28, 20, 2, 30)
    assert r.result.startswith('<XmlSchema name="myschema"><xs:schema ')
    assert '<xs:element name="name" type="string10"/>' in r.result
    assert '<xs:simpleType name="string10"><xs:restriction base="xs:string"><xs:maxLength value="10"/>' in r.result
    assert r.result.endswith(
        '</XmlSchema>\n<Dataset xmlSchema="myschema" >\n'
        "<Row><name>n28</name><id>28</id><__fileposition__>392</__fileposition__></Row>\n"
        "<Row><name>n29</name><id>29</id><__fileposition__>406</__fileposition__></Row>\n</Dataset>")
    assert r.column_labels == [("name", "string10"), ("id", "xs:integer"),
                               ("__fileposition__", "xs:nonNegativeInteger")]
    assert "<Dataset" not in views.browse(cat, "v::br", 0, 5, schema_only=True).result
    assert views.browse(cat, "v::br", -4, 1).start == 0
    with pytest.raises(DomainError) as err:
        views.browse(cat, "v::br", 0, 1001)
    assert (err.value.code, err.value.message) == (20063, "Browser Cannot display more than 1000 data rows.")
    for blank in (None, "", "   "):
        with pytest.raises(DomainError) as err:
            views.browse(cat, blank, 0, 1)
        assert (err.value.code, err.value.message) == (20052, "No LogicalName defined.")
    assert views.browse(cat, "v::br", 0, 1000).count == 30


def test_text_files_show_lines(cat):
    data = b"\xef\xbb\xbfid,name\r\n1,Ann\r\n2,Bob & Co\r\n3,<x>"
    make_file(cat, "v::csv", [data[:20], data[20:]], format="csv", kind="csv", recordCount=4,
              ecl="RECORD\n  STRING id;\n  STRING name;\nEND;")
    src = source.open_source(cat, "v::csv")
    assert (src.mode, src.total, [f.name for f in src.record.fields]) == ("lines", 4, ["line"])
    page = src.rows(0, 10)
    assert values(page, "line") == ["id,name", "1,Ann", "2,Bob & Co", "3,<x>"]  # BOM dropped
    assert [r.position for r in page.rows] == [3, 12, 19, 31]   # a line may span two parts
    r = views.browse(cat, "v::csv", 2, 5)
    assert "<Row><line>2,Bob &amp; Co</line><__fileposition__>" in r.result
    assert "<line>3,&lt;x&gt;</line>" in r.result


def test_utf_formats_and_xml_json_are_lines(cat):
    xml = '<Dataset>\n<Row><n>é</n></Row>\n</Dataset>\n'.encode("utf-8")
    make_file(cat, "v::xml", xml, format="utf-8n", kind="xml", rowTag="Row")
    assert values(source.open_source(cat, "v::xml").rows(0, 9), "line") == [
        "<Dataset>", "<Row><n>é</n></Row>", "</Dataset>"]
    make_file(cat, "v::u16", "a\nb\n".encode("utf-16-le"), format="utf16le", kind="csv")
    src = source.open_source(cat, "v::u16")
    assert values(src.rows(0, 9), "line") == ["a", "b"] and src.total == -1
    assert [r.position for r in src.rows(0, 9).rows] == [0, 4]


def test_long_files_are_streamed_not_loaded(cat, monkeypatch):
    lines = b"".join(b"line %06d\n" % i for i in range(200_000))   # 2.4 MB
    make_file(cat, "v::long", [lines[:1_000_005], lines[1_000_005:]], format="csv")
    monkeypatch.setattr(source, "CHUNK", 4096)
    page = source.open_source(cat, "v::long").rows(199_998, 5)
    assert values(page, "line") == ["line 199998", "line 199999"]
    assert page.rows[0].position == 199_998 * 12


def test_variable_rows(cat):
    ecl = ("child := RECORD unsigned2 k; END;\n"
           "RECORD\n  string name;\n  utf8 u;\n  boolean ok;\n  real8 r;\n  set of integer2 s;\n"
           "  dataset(child) kids;\n  varstring v;\n  data3 d;\n  decimal5_2 m;\n  unsigned3 big;\nEND;")
    def row(name, u, ok):
        kids = struct.pack("<HH", 7, 8)
        body = (struct.pack("<I", len(name)) + name.encode() +
                struct.pack("<I", len(u)) + u.encode("utf-8") + bytes([ok]) +
                struct.pack("<d", 1.5) + b"\x00" + struct.pack("<I", 4) + struct.pack("<hh", -1, 2) +
                struct.pack("<I", len(kids)) + kids + b"vs\x00" + b"\x01\x02\xff" +
                bytes([0x12, 0x34, 0x5d]) + (70000).to_bytes(3, "little"))
        return body
    data = row("ann", "żółw", 1) + row("bo", "x", 0)
    make_file(cat, "v::var", data, ecl=ecl, recordCount=2)
    src = source.open_source(cat, "v::var")
    assert (src.mode, src.total) == ("variable", 2)
    first, second = src.rows(0, 5).rows
    assert first.values == {"name": "ann", "u": "żółw", "ok": True, "r": "1.5", "s": [-1, 2],
                            "kids": [{"k": 7}, {"k": 8}], "v": "vs", "d": "0102FF",
                            "m": "-123.45", "big": 70000}
    assert second.values["name"] == "bo" and second.position == len(row("ann", "żółw", 1))
    xml = views.row_xml(src.record, first)
    assert "<ok>true</ok>" in xml and "<s><Item>-1</Item><Item>2</Item></s>" in xml
    assert "<kids><Row><k>7</k></Row><Row><k>8</k></Row></kids>" in xml


def test_contents_column_and_errors(cat):
    make_file(cat, "v::fixed", b"abcdefgh", recordSize=4)
    src = source.open_source(cat, "v::fixed")
    assert [f.ecl_type for f in src.record.fields] == ["string4"]
    assert values(src.rows(0, 5), "contents") == ["abcd", "efgh"]
    cases = {"v::zero": ({"recordSize": 0}, 6712, "File v::zero appears to have a zero length row"),
             "v::nodesc": ({}, 6701, "DFS did not contain a record description for 'v::nodesc'"),
             "v::badecl": ({"ecl": "RECORD IFBLOCK(x) END;"}, 6702,
                           "Could not process record description for 'v::badecl'"),
             "v::packed": ({"compressed": True, "ecl": PEOPLE_ECL}, 6708,
                           "Cannot view compressed file 'v::packed'")}
    for name, (attrs, code, text) in cases.items():
        make_file(cat, name, b"1234", **attrs)
        with pytest.raises(DomainError) as err:
            source.open_source(cat, name)
        assert (err.value.code, err.value.message) == (code, text)
    with pytest.raises(DomainError) as err:
        views.browse(cat, "~V::Nothing", 0, 5)
    assert (err.value.code, err.value.message) == (6700, "Could not resolve file '~V::Nothing' in DFS")


def test_superfile_reads_members_in_order(cat):
    make_people(cat, "v::p1", 3, parts=1)
    make_people(cat, "v::p2", 2, parts=1)
    cat.superfiles.add("v::both", ["v::p2", "v::p1"])
    src = source.open_source(cat, "v::both")
    assert values(src.rows(0, 10), "id") == [0, 1, 0, 1, 2] and src.total == 5


def test_filter_by(cat):
    make_people(cat, "v::flt", 30)
    assert source.parse_filter_by("340040002namen10020001id2") == [("name", "n1"), ("id", "2")]
    assert source.parse_filter_by("340020001id1") == [("id", "1")]
    assert source.parse_filter_by("junk") == []
    src = source.open_source(cat, "v::flt")
    assert values(src.rows(0, 9, [("ID", "7")]), "id") == [7]
    assert values(src.rows(0, 9, [("name", "n2*")], uppercase=False), "id") == [
        2, 20, 21, 22, 23, 24, 25, 26, 27]
    assert values(src.rows(1, 2, [("name", "n2*")], uppercase=False), "id") == [20, 21]
    assert values(src.rows(0, 9, [("name", "n2*")]), "id") == []      # upper-cased: N2*
    assert source.filter_echo([("id", "7"), ("name", "x")]) == (
        "id[7]name[x]", "340020001id70040001namex")
    assert source.filter_echo([]) == ("", "34")
    assert source.parse_show_columns("0, 2;x3") == [0, 2, 3]
    assert source.parse_show_columns("") is None


def test_data_columns_packing(cat):
    fields = "".join(f"  string200 wide{i};\n" for i in range(2)) + \
        "".join(f"  integer4 n{i};\n" for i in range(6)) + "  boolean flag;\n  real8 r;\n"
    make_file(cat, "v::cols", b"", ecl=f"RECORD\n{fields}END;")
    r = views.data_columns(cat, "v::cols", "340020001n05")
    lines = [[c.label for c in line] for line in r.non_keyed if line]
    assert lines == [["wide0"], ["wide1"], ["n0", "n1", "n2", "n3"], ["n4", "n5", "flag", "r"],
                     ["__fileposition__"]]
    by = {c.label: c for line in r.non_keyed for c in line}
    assert (by["wide0"].column_type, by["wide0"].column_size, by["wide0"].max_size) == ("String", 128, 128)
    assert (by["n0"].column_type, by["n0"].max_size, by["n0"].value) == ("Integer", 20, "5")
    assert (by["flag"].column_type, by["flag"].column_size, by["flag"].max_size) == ("Boolean", 4, 1)
    assert (by["r"].column_type, by["r"].max_size) == ("Real", 32)
    assert r.keyed == [[]] * 20 and r.row_count == 0


def test_file_metadata(cat):
    make_people(cat, "v::meta", 4)
    r = views.file_metadata(cat, "v::meta", include_schema=True, schema_header=True)
    assert [(c.id, c.label, c.ecl_type, c.column_type, c.raw_size, c.natural) for c in r.columns] == [
        (1, "name", "string10", "String", 10, True), (2, "id", "integer4", "Integer", None, True),
        (3, "__fileposition__", "unsigned8", "Unsigned Integer", None, False)]
    assert r.total_rows == 4 and r.keyed_count == 0
    assert r.xml_schema.startswith('<?xml version="1.0" encoding="UTF-8"?><xs:schema')
    assert r.xpath_schema == ""
    with pytest.raises(DomainError) as err:
        views.file_metadata(cat, "")
    assert (err.value.code, err.value.message) == (
        20052, "CWsDfuEx::onDFUGetFileMetaData: LogicalFileName not set")


def test_ecl_parsing_and_type_info():
    rec = parse_record("// layout\nlayout := {STRING10 name, UNSIGNED8 id := 0, "
                       "string s {xpath('@s')}};")
    assert [(f.name, f.ecl_type, f.fixed_size) for f in rec.fields] == [
        ("name", "string10", 10), ("id", "unsigned8", 8), ("s", "string", None)]
    assert decode_row(parse_record(PEOPLE_ECL), b"abc       " + struct.pack("<i", -3))[0] == {
        "name": "abc", "id": -3}
    info = json.loads(json_type_info(rec))
    assert info["ty1"] == {"fieldType": 4, "length": 10}
    assert info["ty2"] == {"fieldType": 257, "length": 8}
    assert info["ty3"] == {"fieldType": 1028, "length": 0}
    assert info["fieldType"] == 13 | 0x400 and info["fields"][2] == {
        "name": "s", "type": "ty3", "xpath": "@s", "flags": 1028}
    for bad in ("", "RECORD string10 x; ", "RECORD foo x; END;", "RECORD integer9 x; END;"):
        with pytest.raises(EclParseError):
            parse_record(bad)
    with pytest.raises(DomainError) as err:
        layouts.ecl_type_info("RECORD\n  string10 a;\n  nonsense b;\nEND;")
    assert err.value.code == 20066
    assert err.value.message == ("Failed in parsing ECL record definition: unknown type "
                                 "'nonsense' @ 3:3.")
    assert json.loads(layouts.ecl_type_info(PEOPLE_ECL))["length"] == 14


def test_def_file_and_type_info(cat):
    make_people(cat, "v::def", 1)
    make_file(cat, "v::noecl", b"1")
    data, mime = layouts.record_def_file(cat, "v::def", "xml")
    assert mime == "text/xml" and data.decode() == (
        '<Table>\n <Field ecltype="string10" label="name" name="name" position="0" size="10" '
        'type="string"/>\n <Field ecltype="integer4" label="id" name="id" position="1" size="4" '
        'type="integer"/>\n <filename>def</filename>\n</Table>\n')
    text, mime = layouts.record_def_file(cat, "v::def", "def")
    assert mime == "text/plain" and text.decode().startswith("def := RECORD\n  STRING10 name;")
    for args, expected in ((("v::def", ""), (20052, "Invalid format")),
                           (("v::def", "XML"), (-1, "Invalid value for type DFUDefFileFormat: XML")),
                           (("", "xml"), (20051, "File name required")),
                           (("v::nope", "xml"), (20038, "Cannot find file v::nope.")),
                           (("v::noecl", "def"), (20051, "No record definition for file v::noecl."))):
        with pytest.raises(DomainError) as err:
            layouts.record_def_file(cat, *args)
        assert (err.value.code, err.value.message) == expected
    assert json.loads(layouts.file_type_info(cat, "v::def"))["length"] == 14
    assert layouts.file_type_info(cat, "v::noecl") is None
    with pytest.raises(DomainError) as err:
        layouts.file_type_info(cat, "v::gone")
    assert (err.value.code, err.value.message) == (20038, "Cannot find file v::gone.")
    assert def_file(parse_record(PEOPLE_ECL), "t", "xml").startswith(b"<Table>")
