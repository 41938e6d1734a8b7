"""Fixed-length partitioning (§6.4.1) and the scheme choice (§6.1)."""
import pytest

from wsservices.engine.dfu.transfer import SourceFormat, file_attributes
from wsservices.engine.dfu.transfer.errors import NotRecordMultiple, UnsuitableFormat


def records(n: int, size: int) -> bytes:
    return b"".join(str(i).rjust(size - 1, "0").encode() + b"\n" for i in range(n))


def test_worked_example_100_records_of_10_bytes_on_3_nodes(spray):
    data = records(100, 10)
    plan, parts = spray(data, SourceFormat.fixed(10), 3)
    assert plan.scheme == "n-to-m"
    assert plan.split_points == [333, 666]
    assert [len(p) for p in parts] == [330, 330, 340]
    assert [p.record_count for p in plan.parts] == [33, 33, 34]
    assert b"".join(parts) == data
    attrs = file_attributes(plan)
    assert attrs == {"kind": "flat", "recordSize": 10, "size": 1000, "recordCount": 100}


def test_record_containing_the_split_point_goes_to_the_later_part(spray):
    data = records(4, 10)                       # 40 bytes, 3 parts: partSize 13
    plan, parts = spray(data, SourceFormat.fixed(10), 3)
    assert plan.split_points == [13, 26]
    assert [len(p) for p in parts] == [10, 10, 20]


def test_split_exactly_on_a_record_boundary(spray):
    plan, parts = spray(records(4, 10), SourceFormat.fixed(10), 2)
    assert [len(p) for p in parts] == [20, 20]


def test_not_a_multiple_of_the_record_size(spray):
    with pytest.raises(NotRecordMultiple) as e:
        spray(b"x" * 25, SourceFormat.fixed(10), 2)
    assert e.value.code == 8078
    assert e.value.message.endswith("is not a valid multiple of the expected record size (10)")


def test_fewer_records_than_parts_leaves_empty_parts(spray):
    plan, parts = spray(records(2, 10), SourceFormat.fixed(10), 5)
    assert plan.split_points == [4, 8, 12, 16]
    assert [len(p) for p in parts] == [0, 0, 10, 0, 10]
    assert b"".join(parts) == records(2, 10)


def test_empty_file(spray):
    plan, parts = spray(b"", SourceFormat.fixed(10), 3)
    assert parts == [b"", b"", b""]


def test_several_sources_form_one_stream(spray):
    a, b = records(7, 10), records(5, 10)
    plan, parts = spray([a, b], SourceFormat.fixed(10), 4)   # T=120, partSize 30
    assert plan.split_points == [30, 60, 90]
    assert [len(p) for p in parts] == [30, 30, 30, 30]
    assert b"".join(parts) == a + b
    # part 3 takes the end of source 1 and the start of source 2
    assert [s.source for s in plan.parts[2].segments] == [0, 1]


def test_one_to_one_when_sources_equal_targets(spray):
    plan, parts = spray([records(3, 10), records(1, 10)], SourceFormat.fixed(10), 2)
    assert plan.scheme == "one-to-one"
    assert parts == [records(3, 10), records(1, 10)]


def test_single_node_spray_copies_the_file(spray):
    plan, parts = spray(records(3, 10), SourceFormat.fixed(10), 1)
    assert plan.scheme == "one-to-one" and parts == [records(3, 10)]


def test_many_to_one(spray):
    plan, parts = spray([records(3, 10), records(2, 10)], SourceFormat.fixed(10), 1)
    assert plan.scheme == "many-to-one"
    assert parts == [records(3, 10) + records(2, 10)]


def test_unknown_format_cannot_be_repartitioned(spray):
    with pytest.raises(UnsuitableFormat) as e:
        spray(b"abc", SourceFormat.blob(), 3)
    assert e.value.code == 8055
    assert e.value.message == \
        "Source file format is not specified or is unsuitable for (re-)partitioning"
    plan, parts = spray([b"a", b"b"], SourceFormat.blob(), 2)      # equal counts: a copy
    assert parts == [b"a", b"b"]
