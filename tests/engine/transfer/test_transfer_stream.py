"""Writing planned parts to real files: kernel copies, literals, conversions, CRCs."""
import zlib

from wsservices.engine.dfu.transfer import (CopyRange, Literal, OpenFiles, SourceFile, SourceFormat,
                                            plan_spray, write_segments)


def test_kernel_copy_with_literals_and_offsets(tmp_path):
    src = tmp_path / "src"
    src.write_bytes(bytes(range(256)) * 1000)
    segs = (Literal(b"HEAD"), CopyRange(0, 10, 5000), Literal(b"--"),
            CopyRange(0, 100_000, 150_000), Literal(b"TAIL"))
    out = tmp_path / "out"
    with open(out, "wb") as f, OpenFiles([str(src)]) as files:
        f.write(b"prefix:")
        n, crc = write_segments(segs, files, f)
        f.write(b":suffix")                      # the file position was kept right
    data = src.read_bytes()
    body = b"HEAD" + data[10:5010] + b"--" + data[100_000:250_000] + b"TAIL"
    assert out.read_bytes() == b"prefix:" + body + b":suffix"
    assert (n, crc) == (len(body), 0)


def test_crc_is_computed_when_asked(tmp_path):
    src = tmp_path / "src"
    src.write_bytes(b"abc" * 10000)
    segs = (Literal(b"x"), CopyRange(0, 3, 20000))
    with open(tmp_path / "out", "wb") as f, OpenFiles([str(src)]) as files:
        n, crc = write_segments(segs, files, f, crc=True)
    assert crc == zlib.crc32((tmp_path / "out").read_bytes()) and n == 20001


def test_planned_parts_written_to_files_concatenate_to_the_source(tmp_path):
    src = tmp_path / "people.csv"
    src.write_bytes(b"".join(b"%d,name %d,\"addr\nline\"\n" % (i, i) for i in range(5000)))
    plan = plan_spray([SourceFile(str(src))], SourceFormat.csv(), 4)
    joined = b""
    for part in plan.parts:
        path = tmp_path / f"people._{part.number}_of_4"
        with open(path, "wb") as f, OpenFiles([str(src)]) as files:
            n, _ = write_segments(part.segments, files, f)
        assert n == part.size == path.stat().st_size
        joined += path.read_bytes()
    assert joined == src.read_bytes()
