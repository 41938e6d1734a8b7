"""Length-prefixed formats: variable, big-endian, recfmv, recfmvb (§6.4.5, §6.4.6)."""
import pytest

from wsservices.engine.dfu.transfer import SourceFormat, file_attributes
from wsservices.engine.dfu.transfer.errors import BadBdw, BadRdw, TruncatedBlock, TruncatedRecord


def var(bodies, big=False):
    order = "big" if big else "little"
    return b"".join(len(b).to_bytes(4, order) + b for b in bodies)


def rdw(body):
    return (len(body) + 4).to_bytes(2, "big") + b"\0\0" + body


def block(records, extended=False):
    inner = b"".join(rdw(r) for r in records)
    if extended:
        return ((len(inner) + 4) | 0x80000000).to_bytes(4, "big") + inner
    return (len(inner) + 4).to_bytes(2, "big") + b"\0\0" + inner


BODIES = [b"a" * 6, b"bb" * 3, b"c" * 16, b"d" * 2, b"e" * 10]   # records of 10,10,20,6,14


def test_straddling_record_goes_to_the_later_part(spray):
    data = var(BODIES)                                  # 60 bytes; starts 0,10,20,40,46
    plan, parts = spray(data, SourceFormat.variable(), 3)
    assert plan.split_points == [20, 40]                # both exactly on record starts
    assert [len(p) for p in parts] == [20, 20, 20]
    plan, parts = spray(data, SourceFormat.variable(), 4)   # 15, 30, 45
    assert [len(p) for p in parts] == [10, 10, 20, 20]
    assert b"".join(parts) == data
    assert file_attributes(plan) == {"format": "variable", "kind": "flat", "size": 60}


def test_big_endian_is_written_as_little_endian(spray):
    plan, parts = spray(var(BODIES, big=True), SourceFormat.variable(big_endian=True), 4)
    assert [len(p) for p in parts] == [10, 10, 20, 20]
    assert b"".join(parts) == var(BODIES)
    plan, parts = spray(var(BODIES, big=True), SourceFormat.variable(big_endian=True), 1)
    assert parts == [var(BODIES)]                       # converted even on one node


def test_recfmv_converted_to_variable(spray):
    data = b"".join(rdw(b) for b in BODIES)
    plan, parts = spray(data, SourceFormat.recfmv(), 2)
    assert b"".join(parts) == var(BODIES)
    assert [p.size for p in plan.parts] == [len(p) for p in parts]


def test_recfmv_bad_rdw(spray):
    data = rdw(b"abc") + b"\x00\x08\x12\x34abcd"
    with pytest.raises(BadRdw) as e:
        spray(data, SourceFormat.recfmv(), 2)
    assert e.value.code == 8104
    assert e.value.message == ("RECFMv(b) file Record Description Word contains invalid data "
                               "(0x1234) or the file is not RECFMv(b) format!")


def test_recfmvb_blocks_are_split_whole_and_bdws_dropped(spray):
    blocks = [block(BODIES[:2]), block(BODIES[2:3], extended=True), block(BODIES[3:])]
    data = b"".join(blocks)                             # 3 blocks of 24 bytes
    plan, parts = spray(data, SourceFormat.recfmvb(), 3)
    assert plan.split_points == [24, 48]
    assert [p.size for p in plan.parts] == [len(p) for p in parts] == [20, 20, 20]
    assert b"".join(parts) == var(BODIES)
    plan, parts = spray(data, SourceFormat.recfmvb(), 2)    # 36: inside block 2 -> later
    assert [p.size for p in plan.parts] == [len(p) for p in parts] == [20, 40]


def test_recfmvb_bad_and_truncated_blocks(spray):
    with pytest.raises(BadBdw) as e:
        spray(b"\x00\x10\x00\x01" + b"x" * 12, SourceFormat.recfmvb(), 2)
    assert e.value.code == 8105
    with pytest.raises(TruncatedBlock) as e:
        spray(block([b"abc"]) + b"\x00\x40\x00\x00abc", SourceFormat.recfmvb(), 2)
    assert e.value.code == 8106


def test_truncated_variable_record(spray):
    # found by the walk to the split point (15); the walk does not go past the last one
    data = var([b"abc"]) + (100).to_bytes(4, "little") + b"x" * 20
    with pytest.raises(TruncatedRecord) as e:
        spray(data, SourceFormat.variable(), 2)
    assert e.value.code == 8107
