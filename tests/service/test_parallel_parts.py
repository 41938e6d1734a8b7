"""Sprays, copies and desprays with more parts than the DFU writer writes at once
(writer.PARALLEL_PARTS), and a replicated copy: every part whole and in order, no temporary
file left, progress counting every node."""
from __future__ import annotations

from .test_transfers import LZ, download, finished, part_sizes, unique, upload
from wsservices.engine.dfu.writer import PARALLEL_PARTS

PARTS = PARALLEL_PARTS * 2 + 1


def test_many_parts_round_trip_whole(fs, http, url, emulator):
    data = b"".join(b"%09d\n" % i for i in range(50_000))
    src, out, lfn, copy = unique("par") + ".dat", unique("parout") + ".dat", unique("par::f"), unique("par::c")
    upload(http, url, src, data)
    wu = finished(fs, fs.service.SprayFixed(sourceIP="127.0.0.1", sourcePath=f"{LZ}/{src}", destGroup="mythor",
                                            destLogicalName=lfn, sourceRecordSize=10, destNumParts=PARTS).wuid)
    assert wu.ProgressMessage.endswith(f"[{PARTS}/{PARTS}nodes]")
    sizes = part_sizes(emulator, lfn)
    assert len(sizes) == PARTS and sum(sizes) == len(data) and max(sizes) - min(sizes) <= 10
    finished(fs, fs.service.Copy(sourceLogicalName=lfn, destGroup="mythor", destLogicalName=copy,
                                 replicate=True).result)   # the cluster's width, replicas written at once
    finished(fs, fs.service.Despray(sourceLogicalName=copy, destGroup="mydropzone", destPath=out).wuid)
    assert download(http, url, out) == data
    assert not list(emulator.cluster.datadir.root.rglob("*.tmp"))
