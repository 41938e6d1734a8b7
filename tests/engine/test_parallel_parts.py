"""The DFU writer writes the parts of one job at once (writer.parallel): every part is still
written under its temporary name and fsynced; a failing part stops the others, and the job
leaves no file behind (tests/service/test_parallel_parts.py: sprays into many parts)."""
from __future__ import annotations

import threading
import time

from wsservices.engine.dfu import workunits as W
from wsservices.engine.dfu.transfer import CopyRange, OpenFiles
from wsservices.engine.dfu.writer import Writer

from .files_support import open_cluster


def test_a_failing_part_stops_the_others_and_nothing_is_left(tmp_path, caplog):
    source = tmp_path / "source.dat"
    source.write_bytes(b"r" * 1_000_000)
    out = tmp_path / "out"
    seen: dict[str, object] = {}
    with open_cluster(tmp_path / "data") as cluster:
        def job(ctx):
            writer = Writer(ctx, 4_000_000, 4)
            writer.chunk = 64 * 1024   # many abort/stop checks per part
            with OpenFiles([str(source)]) as opened:
                def part(k):
                    if k == 2:   # planned past the end of the source: this part fails
                        return writer.write(out / "p2", [CopyRange(0, 900_000, 200_000)], opened)
                    return writer.write(out / f"p{k}", [CopyRange(0, 0, 1_000_000)] * 40, opened)
                try:
                    writer.parallel([lambda k=k: part(k) for k in range(4)])
                finally:
                    seen["threads"] = [t.name for t in threading.enumerate() if t.name.startswith("dfu-part")]
                    seen["written"] = writer.done
                    writer.discard()
        cluster.dfu.jobs[W.COPY] = job
        wu = cluster.workunits.create(command=W.COPY, queue="q")
        cluster.dfu.submit(wu)
        deadline = time.monotonic() + 30
        while (done := cluster.workunits.get(wu.wuid)).state not in W.TERMINAL:
            assert time.monotonic() < deadline, "the job did not end"
            threading.Event().wait(0.01)
    assert done.state == W.FAILED and "EOFError: source 0 ended at 1000000" in caplog.text
    assert seen["threads"] == []                 # every part writer had ended before the discard
    assert seen["written"] < 3 * 40_000_000      # the other parts stopped early
    assert list(out.iterdir()) == []             # no part, whole or partial, is left
