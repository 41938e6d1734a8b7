"""What the Roxie tests share: uploading and spraying employee data, the control routes, the
GenIndex-shaped SOAPCALLs, WsEcl lookups, and putting the shared session server's package maps
in a known state."""
from __future__ import annotations

import uuid

from esputil import genindex_soapcall, soapcall_status
from wsservices.engine.packagemaps.maps import PackageMaps

LZ = "/var/lib/HPCCSystems/mydropzone"
FIELDS = ("EmployeeID", "Name", "Version")


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:8]}"


def employees(version: str, ids=range(1, 51)) -> bytes:
    """A CSV with a header line: EmployeeID,Name,Version."""
    rows = ["EmployeeID,Name,Version"] + [f'{i},"Employee {i}, {version}",{version}' for i in ids]
    return ("\n".join(rows) + "\n").encode()


def spray_csv(http, url, fs, lfn: str, data: bytes) -> None:
    """Upload to the drop zone, then SprayVariable with recordStructurePresent (deterministic
    server: the spray has finished when the call returns)."""
    src = unique("emp") + ".csv"
    r = http.post(f"{url}/FileSpray/UploadFile.json?upload_&NetAddress=127.0.0.1&OS=2&Path={LZ}/",
                  files={"UploadedFiles[]": (src, data, "application/octet-stream")}, timeout=60)
    assert r.status_code == 200, r.text
    wuid = fs.service.SprayVariable(sourceIP="127.0.0.1", sourcePath=src, destGroup="mythor",
                                    destLogicalName=lfn, sourceFormat=1, recordStructurePresent=True,
                                    overwrite=True).wuid
    wu = fs.service.GetDFUWorkunit(wuid=wuid).result
    assert wu.StateMessage == "finished", wu.SummaryMessage


def control(http, url, route: str, body: dict | None = None, method: str = "POST"):
    if method == "GET":
        return http.get(f"{url}/hpccemu/{route}", params=body, timeout=30)
    return http.post(f"{url}/hpccemu/{route}", json=body, timeout=30)


def publish(http, url, name: str, files: list, keys=("EmployeeID",), activate: bool = True) -> dict:
    r = control(http, url, "roxie/publish", {"target": "roxie", "name": name, "files": files,
                                             "keys": list(keys), "activate": activate})
    assert r.status_code == 200, r.text
    return r.json()


def unpublish(http, url, query: str) -> None:
    r = control(http, url, "roxie/unpublish", {"target": "roxie", "query": query})
    assert r.status_code == 200, r.text


def lookup(http, url, query: str, target: str = "roxie", timeout: float = 30, **params) -> dict:
    """GET /WsEcl/submit/query/<target>/<query>/json: the parsed JSON answer."""
    r = http.get(f"{url}/WsEcl/submit/query/{target}/{query}/json", params=params, timeout=timeout)
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/json"), r.text
    return r.json()


def rows(answer: dict, query: str, result: str = "result_1") -> list[dict]:
    body = answer[f"{query}Response"]
    assert "Exception" not in body["Results"], body
    return body["Results"][result]["Row"]


def roxie_error(answer: dict, query: str) -> tuple[int, str]:
    [exc] = answer[f"{query}Response"]["Results"]["Exception"]
    assert exc["Source"] == "Roxie"
    return exc["Code"], exc["Message"]


def soapcall(http, url, method: str, fields: list[tuple[str, str]]) -> tuple[int, str]:
    """ECL SOAPCALL as GenIndex sends it; returns what its XPATH('<Method>Response/status') row
    reads, after checking the answer carries no exception."""
    root = genindex_soapcall(http, url, method, fields)
    exc = root.xpath("//*[local-name()='Exception']/*[local-name()='Message']/text()")
    assert not exc, exc
    return soapcall_status(root, f"{method}Response") or (0, "")


def virtual_part(package: str, superkey: str, subkeys: list[str]) -> str:
    subs = "".join(f'<SubFile value="{s}"/>' for s in subkeys) or "<SubFile/>"
    return (f'<RoxiePackages><Package id="{package}"><SuperFile id="{superkey}">{subs}</SuperFile>'
            "</Package></RoxiePackages>")


def query_part(query: str, base: str) -> str:
    return f'<RoxiePackages><Package id="{query}"><Base id="{base}"/></Package></RoxiePackages>'


def deactivate_all(emulator) -> None:
    """The session server is shared: switch off every map other tests left active for Roxie."""
    maps = PackageMaps.for_cluster(emulator.cluster)
    for entry in maps.list_sets():
        if entry.active:
            maps.deactivate(entry.target or "*", entry.id, process=entry.process)
