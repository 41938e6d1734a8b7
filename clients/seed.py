"""Seeding helpers: put a known state into an emulator (or a test cluster) before a test.

Everything goes through the public services, as a script would: files are uploaded to the
landing zone and sprayed for real, superfiles are built with SuperfileAction, package maps
with AddPackage/AddPartToPackageMap. Publishing a Roxie query has no emulated ESP service, so
`roxie_query` uses the emulator's control route ``POST /hpccemu/roxie/publish`` (emulator only).

    seed = Seeder(HPCCClient(url))
    seed.logical_file("~employee::id_lookup_v1", [[1, "Ann"], [2, "Bob"]])
    seed.superfile("~employee::id_lookup_super", ["~employee::id_lookup_v1"])
    seed.roxie_query("toy_query", ["~employee::id_lookup_super"], keys=["EmployeeID"])
"""
from __future__ import annotations

import csv
import io
from typing import Any, Iterable, Sequence

from .client import HPCCClient
from .errors import EspError


def _tail(name: str) -> str:
    return name.lstrip("~").split("::")[-1] or "file"


def csv_text(rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


class Seeder:
    def __init__(self, client: HPCCClient, cluster: str = "mythor"):
        self.client = client
        self.cluster = cluster

    def landing_zone_file(self, name: str, data: bytes | str, *, path: str | None = None) -> str:
        """Upload `data` as drop-zone file `name`; returns its path as clients see it."""
        raw = data.encode("utf-8") if isinstance(data, str) else data
        return self.client.filespray.upload(raw, name, path=path)

    def logical_file(self, name: str, data: bytes | str | Iterable[Sequence[Any]], *, format: str = "csv",
                     cluster: str | None = None, record_size: int | None = None, row_tag: str | None = None,
                     overwrite: bool = True, **spray: Any) -> str:
        """Spray `data` (bytes, text, or rows that become CSV) into logical file `name`."""
        if not isinstance(data, (bytes, str)):
            data = csv_text(data)
        source = self.landing_zone_file(f"{_tail(name)}.{format}", data)
        options = {"recordsize": record_size, "rowtag": row_tag}
        fs = self.client.filespray
        fs.spray(format, source, name, cluster or self.cluster, overwrite=overwrite, options=options,
                 **spray).wait(progress=False)
        return name

    def superfile(self, name: str, subfiles: Iterable[str]) -> str:
        """Create (or refill) superfile `name` with exactly `subfiles`, in order."""
        self.client.wsdfu.replace_superfile(name, list(subfiles))
        return name

    def package_map(self, target: str, pmid: str, xml: str, *, activate: bool = True, overwrite: bool = True) -> str:
        """AddPackage (overwriting by default); returns the map id as given."""
        self.client.packages.add_package(target, pmid, xml, activate=activate, overwrite=overwrite)
        return pmid

    def package_part(self, target: str, pmid: str, part_name: str, xml: str, *, activate: bool = True) -> str:
        """Add or replace one part of a map (the map is created if missing) and activate it."""
        self.client.packages.replace_data_part(target, pmid, part_name, xml, activate=activate)
        return part_name

    def roxie_query(self, name: str, files: Iterable[str | tuple[str, bool] | dict], *, keys: Iterable[str] = (),
                    target: str = "roxie", activate: bool = True) -> dict:
        """Publish a Roxie query through ``POST /hpccemu/roxie/publish``; returns the JSON answer
        (``{"QuerySet", "QueryId", "QueryName", "Activated"}``)."""
        specs = []
        for f in files:
            if isinstance(f, dict):
                specs.append(f)
            elif isinstance(f, tuple):
                specs.append({"name": f[0], "opt": bool(f[1])})
            else:
                specs.append({"name": f, "opt": False})
        body = {"target": target, "name": name, "files": specs, "keys": list(keys), "activate": activate}
        resp = self.client.session.post(f"{self.client.url}/hpccemu/roxie/publish", json=body, timeout=60)
        answer = resp.json() if resp.headers.get("Content-Type", "").startswith("application/json") else {}
        if resp.status_code != 200:
            errors = (answer.get("Exceptions") or {}).get("Exception") or [{}]
            raise EspError(int(errors[0].get("Code", resp.status_code)), errors[0].get("Message", resp.text[:200]),
                           "hpccemu", channel="http")
        return answer
