"""JSON partitioning: rows at a path, dropped delimiters, glue on reassembly (§6.4.4)."""
import json

import pytest

from wsservices.engine.dfu.transfer import FileFormat, SourceFormat, file_attributes
from wsservices.engine.dfu.transfer.errors import NoFirstJsonRecord


def rows_in(part: bytes, path=()):
    value = json.loads(part)
    for key in path:
        value = value[key]
    return value if isinstance(value, list) else [value]


def test_root_array_parts_are_valid_json(spray):
    objs = [{"id": i, "s": "x}{\"]" * (i % 3), "n": {"k": [i, {"z": i}]}} for i in range(12)]
    data = ("[\n" + ",\n".join(json.dumps(o) for o in objs) + "\n]\n").encode()
    plan, parts = spray(data, SourceFormat.json("/"), 4)
    got = []
    for p in parts:
        assert p.startswith(b"[\n") and p.endswith(b"\n]\n")
        got += rows_in(p)
    assert got == objs
    assert spray.despray(parts, plan, kind="json") == data
    attrs = file_attributes(plan)
    assert (attrs["kind"], attrs["rowTag"], attrs["format"]) == ("json", "/", "utf-8n")
    assert (attrs["headerLength"], attrs["footerLength"]) == (2, 3)


def test_split_rule_and_dropped_delimiter(spray):
    data = b'[{"a":1}, {"a":2}, {"a":3}]'      # rows end at 8, 18, 28 (exclusive)
    plan, parts = spray(data, SourceFormat.json(), 2)
    assert plan.sources[0].header_length == 1 and plan.sources[0].footer_length == 1
    assert plan.split_points == [12]            # content [1, 26): offset 13, inside row 2
    assert parts == [b'[{"a":1}, {"a":2}]', b'[{"a":3}]']


def test_split_point_at_a_row_end_keeps_that_row_earlier(spray):
    data = b'[{"a":1},{"a":2},{"a":3},{"a":4}]'  # rows [1,8) [9,16) [17,24) [25,32)
    plan, parts = spray(data, SourceFormat.json(), 2)
    assert plan.split_points == [15]            # offset 16: row 2 ends exactly there
    assert parts == [b'[{"a":1},{"a":2}]', b'[{"a":3},{"a":4}]']


def test_sequence_of_top_level_objects(spray):
    data = b'{"a":1}\n{"a":2}\n{"a":3}\n{"a":4}\n'
    plan, parts = spray(data, SourceFormat.json(), 2)
    assert plan.sources[0].header_length == 0
    assert plan.sources[0].footer_length == 1
    assert parts == [b'{"a":1}\n{"a":2}\n', b'{"a":3}\n{"a":4}\n']


def test_rows_at_a_path(spray):
    doc = {"meta": {"b": [{"x": 0}]}, "a": {"b": [{"x": i, "b": {"deep": i}} for i in range(6)]},
           "tail": [1, 2]}
    data = json.dumps(doc, indent=1).encode()
    plan, parts = spray(data, SourceFormat.json("a/b"), 3)
    got = []
    for p in parts:
        got += rows_in(p, ("a", "b"))
        assert rows_in(p, ("meta", "b")) == [{"x": 0}]      # header kept in every part
    assert got == doc["a"]["b"]


def test_no_row_at_the_path(spray):
    with pytest.raises(NoFirstJsonRecord) as e:
        spray(b'{"a": [1, 2]}', SourceFormat.json("/b"), 2)
    assert e.value.code == 8109
    assert e.value.message == "Could not find first json record (check path)"


def test_several_sources_are_glued_with_comma_newline(spray):
    a = b'[\n{"a":1},\n{"a":2}\n]\n'
    b = b'[\n{"a":3}\n]\n'
    plan, parts = spray([a, b], SourceFormat.json(), 1)
    assert parts == [b'[\n{"a":1},\n{"a":2},\n{"a":3}\n]\n']


def test_strings_longer_than_a_read_chunk(spray):
    big = "q\\\"" + "z" * (2_500_000) + "}{"           # escaped quote and braces inside
    objs = [{"big": big}, {"n": 1}, {"n": 2}, {"k" * 70_000: 3}]
    doc = {"a": {"b": objs}}
    data = json.dumps(doc).encode()
    plan, parts = spray(data, SourceFormat.json("/a/b"), 3)
    got = []
    for p in parts:
        if p:
            got += rows_in(p, ("a", "b"))
    assert got == objs


def test_utf16_json(spray):
    text = '[\n' + ",\n".join('{"v": "\u0a7b\u0a7d%d"}' % i for i in range(9)) + "\n]\n"
    data = b"\xfe\xff" + text.encode("utf-16-be")
    plan, parts = spray(data, SourceFormat.json("/", FileFormat.UTF16), 3)
    assert plan.text_format == "utf16be"
    got = []
    for p in parts:
        got += json.loads(p.decode("utf-16-be"))
    assert [g["v"] for g in got] == ["\u0a7b\u0a7d%d" % i for i in range(9)]
    assert spray.despray(parts, plan, kind="json") == data[2:]
