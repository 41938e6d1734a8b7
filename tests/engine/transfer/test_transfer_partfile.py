"""Block-compressed part files: writing, random-access reading, bad files, bounded memory."""
from __future__ import annotations

import os
import random

import pytest

from wsservices.engine.dfu.writer import WINDOW, _Writeback
from wsservices.engine.dfu.transfer import (CompressedFileError, CopyRange, OpenFiles, PartWriter, open_part,
                                            part_size, write_segments)
from wsservices.engine.dfu.transfer.partfile import MAGIC, CompressedReader


def compress_to(path, data: bytes, block_size: int = 1000, pieces: int = 7) -> int:
    with open(path, "wb") as out:
        w = PartWriter(out, block_size=block_size)
        step = max(1, len(data) // pieces)
        for start in range(0, len(data), step):      # uneven writes across block boundaries
            w.write(data[start:start + step])
        return w.close()


@pytest.mark.parametrize("size", [0, 1, 999, 1000, 1001, 12_345])
def test_round_trip_and_random_reads(tmp_path, size):
    data = bytes(random.Random(size).getrandbits(8) for _ in range(size // 2)) + b"abc" * (size - size // 2)
    data = data[:size]
    path = tmp_path / "p"
    disk = compress_to(path, data)
    assert disk == path.stat().st_size and path.read_bytes().startswith(MAGIC)
    assert part_size(path, True) == size
    with open_part(path, True) as f:
        assert f.read() == data
        rnd = random.Random(1)
        for _ in range(50):
            pos, n = rnd.randrange(0, size + 5), rnd.randrange(0, 2500)
            f.seek(pos)
            assert f.read(n) == data[pos:pos + n]
        assert f.seek(-3, os.SEEK_END) == max(0, size - 3)
        assert f.read() == data[-3:] if size >= 3 else True


def test_compresses_repetitive_data_and_plain_parts_open_unchanged(tmp_path):
    data = b"%09d\n" % 7 * 50_000
    assert compress_to(tmp_path / "c", data, block_size=64 * 1024) < len(data) // 20
    (tmp_path / "plain").write_bytes(data)
    with open_part(tmp_path / "plain", False) as f:
        assert f.fileno() >= 0 and f.read(10) == data[:10]   # a real fd: kernel copies stay possible
    assert part_size(tmp_path / "plain", False) == len(data)


def test_reader_holds_one_block(tmp_path):
    data = os.urandom(10_000)
    compress_to(tmp_path / "c", data, block_size=1000)
    with CompressedReader(tmp_path / "c") as f:
        f.seek(4500)
        assert f.read(3000) == data[4500:7500]
        assert len(f._block) <= 1000


@pytest.mark.parametrize("damage", ["plain", "truncated", "bad block", "empty"])
def test_files_not_in_the_format_fail_with_8100(tmp_path, damage):
    path = tmp_path / "c"
    compress_to(path, b"x" * 5000)
    raw = path.read_bytes()
    path.write_bytes({"plain": b"x" * 5000, "truncated": raw[:-5], "empty": b"",
                      "bad block": raw[:len(MAGIC)] + b"\0" * 8 + raw[len(MAGIC) + 8:]}[damage])
    with pytest.raises(CompressedFileError) as err:
        with open_part(path, True) as f:
            f.read()
    assert (err.value.code, err.value.message) == (8100, f"Could not open file {path} as compressed file")


def test_write_segments_into_a_compressed_part(tmp_path):
    """What a DFU job does: copy ranges of (compressed) sources into a compressed output."""
    src = tmp_path / "src"
    data = b"".join(b"%09d\n" % i for i in range(30_000))
    compress_to(src, data, block_size=4096)
    with OpenFiles([str(src)], compressed=True) as files, open(tmp_path / "out", "wb") as out:
        sink = PartWriter(out, block_size=5000)
        n, _ = write_segments([CopyRange(0, 100, 150_000), CopyRange(0, 0, 10)], files, sink)
        sink.close()
    assert n == 150_010
    with open_part(tmp_path / "out", True) as f:
        assert f.read() == data[100:150_100] + data[:10]


def test_writeback_windows_follow_the_file(tmp_path):
    """Writeback is started per filled window and the window before is waited for."""
    with open(tmp_path / "w", "wb") as out:
        wb = _Writeback(out.fileno())
        out.write(b"\0" * (WINDOW // 2))
        out.flush()
        wb.step()
        assert (wb.started, wb.waited) == (0, 0)
        out.write(b"\0" * WINDOW)
        out.flush()
        wb.step()
        assert wb.started == WINDOW * 3 // 2
        out.write(b"\0" * WINDOW)
        out.flush()
        wb.step()
        assert wb.started == WINDOW * 5 // 2 and wb.waited in (WINDOW * 3 // 2, wb.started)
