"""Helpers for the failure-drill tests: an emulator of their own (they take nodes offline), and
spray/despray through zeep as users run them."""
from __future__ import annotations

import uuid

import requests

from esputil import zeep_client
from hpccemu.testing import ThreadedEmulator

LZ = "/var/lib/HPCCSystems/mydropzone"


class Drill:
    """A deterministic emulator (a transfer has finished when its SOAP call returns) with zeep
    clients for FileSpray and WsDfu."""

    def __init__(self, emulator: ThreadedEmulator):
        self.emu = emulator
        self.url = emulator.url
        self.fs = zeep_client(self.url, "FileSpray")
        self.dfu = zeep_client(self.url, "WsDfu")
        self.http = requests.Session()

    def control(self, name: str, body: dict | None = None) -> requests.Response:
        target = f"{self.url}/hpccemu/{name}"
        return self.http.post(target, json=body, timeout=60) if body is not None else self.http.get(target, timeout=60)

    def upload(self, name: str, data: bytes) -> None:
        (self.emu.landing_zone / name).write_bytes(data)

    def landed(self, name: str) -> bytes:
        return (self.emu.landing_zone / name).read_bytes()

    def wu(self, wuid: str):
        return self.fs.service.GetDFUWorkunit(wuid=wuid).result

    def finished(self, wuid: str):
        wu = self.wu(wuid)
        assert wu.StateMessage == "finished", wu.SummaryMessage
        return wu

    def spray(self, data: bytes, lfn: str, record_size: int = 10, **options) -> str:
        src = unique("src") + ".dat"
        self.upload(src, data)
        return self.fs.service.SprayFixed(sourceIP="127.0.0.1", sourcePath=f"{LZ}/{src}", destGroup="mythor",
                                          destLogicalName=lfn, sourceRecordSize=record_size, **options).wuid

    def despray(self, lfn: str) -> tuple[str, str]:
        """(wuid, the drop-zone file name it writes)."""
        out = unique("out") + ".dat"
        wuid = self.fs.service.Despray(sourceLogicalName=lfn, destGroup="mydropzone", destPath=f"{LZ}/{out}").wuid
        return wuid, out

    def copies(self, lfn: str) -> list[tuple[int, int, str]]:
        """(part, copy, ip) of every DFUPart DFUInfo lists."""
        detail = self.dfu.service.DFUInfo(Name=lfn).FileDetail
        parts = detail.DFUFilePartsOnClusters.DFUFilePartsOnCluster[0].DFUFileParts.DFUPart
        return [(p.Id, p.Copy, p.Ip) for p in parts]

    def close(self) -> None:
        self.http.close()


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def records(n: int) -> bytes:
    return b"".join(b"%09d\n" % i for i in range(n))
