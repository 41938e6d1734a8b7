"""`FileSprayClient`: drop zones, upload/download, spray, despray, copy and DFU workunits.

Typed results: `DropZone`, `PhysicalFile` and `DfuWorkunit` dataclasses (each with `raw`, the
zeep object); spray, despray, copy and rename return a `DfuJob` handle (`job.wait()`).

Spray requests are built as dfuplus builds them (`spray_request`, shared with the
``hpccemu-dfuplus`` command): ``fixed``, ``recfmv``, ``recfmvb`` and ``variablebigendian`` go to
SprayFixed (the last three as the record-size escapes -2, -1, -4), ``csv`` (alias ``delimited``),
``xml``, ``json`` and ``variable`` to SprayVariable with ``sourceMaxRecordSize`` 8192 unless given;
csv options are sent only when given, so the server's defaults apply.

UploadFile and DownloadFile are plain HTTP, not SOAP: upload posts a multipart body with the
field ``FilesToUpload`` to ``UploadFile?upload_&NetAddress=..&Path=..&DropZoneName=..&OS=2&rawxml_=1``
as hpcc4j does, and reads ``UploadFileResults/DFUActionResult/Result``.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from lxml import etree

from .errors import EspError, exceptions_from_element
from .jobs import DfuJob, DfuWorkunit
from .soap import EspClient

_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
FIXED_FORMATS = {"fixed": None, "recfmvb": -1, "recfmv": -2, "variablebigendian": -4}
VARIABLE_FORMATS = ("csv", "xml", "json", "variable")
#: DFUfileformat numbers by name (dali/dfu/dfuwu.hpp), as SprayVariable's ``sourceFormat`` takes
#: them; ``ascii`` is csv and an unknown name is fixed, as the DFU decodes names.
DFU_FORMATS = {name: number for number, name in enumerate(
    ("fixed", "csv", "utf8", "utf8n", "utf16", "utf16le", "utf16be", "utf32", "utf32le", "utf32be",
     "variable", "recfmvb", "recfmv", "variablebigendian"))}
DFU_FORMATS["ascii"] = DFU_FORMATS["csv"]


@dataclass
class DropZone:
    name: str
    net_address: str
    path: str
    computer: str = ""
    linux: bool = True
    raw: Any = field(default=None, repr=False, compare=False)


@dataclass
class PhysicalFile:
    name: str
    is_dir: bool
    size: int
    modified: str
    raw: Any = field(default=None, repr=False, compare=False)


def spray_request(format: str, options: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(operation, request fields) for a spray of `format` (dfuplus's names and rules).

    `options` uses dfuplus's option names (``recordsize``, ``encoding``, ``maxrecordsize``,
    ``separator``, ``terminator``, ``quote``, ``escape``, ``rowtag``, ``rowpath``, ``nosplit``);
    raises ValueError with dfuplus's message when they do not fit the format."""
    fmt = (format or "fixed").lower()
    fmt = "csv" if fmt == "delimited" else fmt
    get = options.get
    if fmt in FIXED_FORMATS:
        size = FIXED_FORMATS[fmt]
        if size is None:
            size = int(get("recordsize") or 0)
            if not size and get("nosplit") is None:
                raise ValueError("recordsize not specified for fixed")
        return "SprayFixed", {"sourceRecordSize": size or None}
    if fmt not in VARIABLE_FORMATS:
        raise ValueError(f"format {format} not supported")
    fields: dict[str, Any] = {"sourceMaxRecordSize": int(get("maxrecordsize") or 8192)}
    encoding, rowtag, rowpath = get("encoding"), get("rowtag"), get("rowpath")
    if fmt == "json":
        fields["isJSON"] = True
        encoding = encoding or "utf8"
        if encoding.lower() == "ascii":
            raise ValueError("json format only accepts utf encodings")
        if rowtag:
            raise ValueError("You can't use rowtag option with json format")
        fields["sourceRowPath"] = rowpath or None
    elif fmt == "xml":
        encoding = encoding or "utf8"
        if encoding.lower() == "ascii":
            raise ValueError("xml format only accepts utf encodings")
        if not rowtag:
            raise ValueError("rowtag not specified.")
        if rowpath:
            raise ValueError("You can't use rowpath option with xml format")
    elif fmt == "csv":
        encoding = encoding or "ascii"
        if rowtag:
            raise ValueError("You can't use rowtag option with csv/delimited format")
        if rowpath:
            raise ValueError("You can't use rowpath option with csv/delimited format")
        separator = get("separator")
        if separator is not None:
            fields["sourceCsvSeparate"] = separator
            fields["NoSourceCsvSeparator"] = True if separator == "" else None
        fields["sourceCsvTerminate"] = get("terminator") or None
        fields["sourceCsvQuote"] = get("quote")
        fields["sourceCsvEscape"] = get("escape") or None
    else:
        encoding = fmt
    fields["sourceFormat"] = DFU_FORMATS.get((encoding or "").strip().lower(), 0)
    fields["sourceRowTag"] = rowtag
    return "SprayVariable", fields


class FileSprayClient(EspClient):
    SERVICE = "FileSpray"

    # -- drop zones --------------------------------------------------------------------------
    def drop_zones(self) -> list[DropZone]:
        resp = self._call("DropZoneFiles", DirectoryOnly=True)
        zones = getattr(resp.DropZones, "DropZone", None) or []
        return [DropZone(z.Name or "", z.NetAddress or "", z.Path or "", z.Computer or "",
                         str(z.Linux).lower() == "true", raw=z) for z in zones]

    def drop_zone(self, name: str | None = None) -> DropZone:
        """The drop zone called `name`, or the first one the server lists."""
        zones = self.drop_zones()
        for zone in zones:
            if name is None or zone.name.lower() == name.lower():
                return zone
        raise EspError(-1, f"Drop zone {name or '(any)'} not found", "hpccemu")

    def list_files(self, path: str | None = None, *, net_address: str | None = None,
                   dropzone: str | None = None, mask: str | None = None) -> list[PhysicalFile]:
        """FileList of a drop-zone folder (default: the top of the first drop zone)."""
        if path is None or net_address is None:
            zone = self.drop_zone(dropzone)
            path = path or zone.path
            net_address = net_address or zone.net_address
        resp = self._call("FileList", Netaddr=net_address, Path=path, Mask=mask, DropZoneName=dropzone)
        items = getattr(resp.files, "PhysicalFileStruct", None) or []
        return [PhysicalFile(f.name or "", bool(f.isDir), f.filesize or 0, f.modifiedtime or "", raw=f)
                for f in items]

    def upload(self, source: str | os.PathLike | bytes | IO[bytes], name: str | None = None, *,
               dropzone: str | None = None, path: str | None = None) -> str:
        """Upload a local file (or bytes / a binary stream, then `name` is needed) into a drop
        zone folder (default: the top of the first drop zone). Returns the path as clients
        see it, e.g. ``/var/lib/HPCCSystems/mydropzone/people.csv``."""
        zone = self.drop_zone(dropzone)
        folder = (path or zone.path).rstrip("/") + "/"
        if isinstance(source, (str, os.PathLike)):
            name = name or Path(source).name
            stream: Any = open(source, "rb")
        else:
            if not name:
                raise ValueError("name is required when uploading bytes or a stream")
            stream = source
        params = {"upload_": "", "NetAddress": zone.net_address, "Path": folder, "DropZoneName": zone.name,
                  "OS": "2" if zone.linux else "1", "rawxml_": "1"}
        try:
            resp = self._http("post", "UploadFile", params, files={"FilesToUpload": (name, stream, "")})
        finally:
            if isinstance(source, (str, os.PathLike)):
                stream.close()
        root = _parse(resp.content)
        result = " ".join(root.xpath("string(//*[local-name()='DFUActionResult']/*[local-name()='Result'])").split())
        if result != "Success":
            raise EspError(-1, f"Upload of {name} failed: {result or resp.text[:200]}", "FileSpray::UploadFile()")
        return folder + name

    def download(self, name: str, dest: str | os.PathLike | IO[bytes], *, dropzone: str | None = None,
                 path: str | None = None) -> int:
        """Download drop-zone file `name` (in `path`, default the drop zone's top folder) to a
        local path or binary stream; returns the number of bytes written."""
        zone = self.drop_zone(dropzone)
        params = {"Name": name, "NetAddress": zone.net_address, "Path": (path or zone.path).rstrip("/") + "/",
                  "OS": "2" if zone.linux else "1", "DropZoneName": zone.name}
        resp = self._http("get", "DownloadFile", params, stream=True)
        with resp:
            if "octet-stream" not in resp.headers.get("Content-Type", ""):
                _parse(resp.content)  # raises the Exceptions it carries
                raise EspError(-1, f"DownloadFile answered {resp.headers.get('Content-Type')}", "FileSpray")
            out = open(dest, "wb") if isinstance(dest, (str, os.PathLike)) else dest
            written = 0
            try:
                for chunk in resp.iter_content(1 << 16):
                    out.write(chunk)
                    written += len(chunk)
            finally:
                if out is not dest:
                    out.close()
        return written

    def delete_files(self, names: list[str], *, dropzone: str | None = None, path: str | None = None) -> None:
        """DeleteDropZoneFiles: remove files from a drop-zone folder."""
        zone = self.drop_zone(dropzone)
        resp = self._call("DeleteDropZoneFiles", DropZoneName=zone.name, NetAddress=zone.net_address,
                          Path=path or zone.path, Names={"Item": list(names)})
        for item in getattr(resp.DFUActionResults, "DFUActionResult", None) or []:
            if item.Result and item.Result != "Success":
                raise EspError(-1, f"{item.ID}: {item.Result}", "FileSpray::DeleteDropZoneFiles()")

    # -- transfers ---------------------------------------------------------------------------
    def spray(self, format: str, source_path: str, dest_name: str, cluster: str, *,
              source_ip: str | None = None, source_plane: str | None = None, overwrite: bool = False,
              replicate: bool | None = None, options: dict[str, Any] | None = None, **fields: Any) -> DfuJob:
        """Spray a drop-zone file into logical file `dest_name` on `cluster`. `options` takes
        dfuplus's format options; other keyword arguments are request fields as named in the
        WSDL (``compress=True``, ``prefix="FILENAME,FILESIZE"``, ``expireDays=7``, ...)."""
        operation, request = spray_request(format, options or {})
        if source_ip is None and source_plane is None:
            source_ip = self.drop_zone().net_address
        request.update(sourceIP=source_ip, sourcePlane=source_plane, sourcePath=source_path, destGroup=cluster,
                       destLogicalName=dest_name, overwrite=overwrite, replicate=replicate, **fields)
        return DfuJob(self._call(operation, **request).wuid, self)

    def spray_fixed(self, source_path: str, dest_name: str, cluster: str, record_size: int, **kw: Any) -> DfuJob:
        return self.spray("fixed", source_path, dest_name, cluster, options={"recordsize": record_size}, **kw)

    def spray_delimited(self, source_path: str, dest_name: str, cluster: str, *, separator: str | None = None,
                        terminator: str | None = None, quote: str | None = None, escape: str | None = None,
                        encoding: str | None = None, max_record_size: int | None = None,
                        header: bool | None = None, **kw: Any) -> DfuJob:
        opts = {"separator": separator, "terminator": terminator, "quote": quote, "escape": escape,
                "encoding": encoding, "maxrecordsize": max_record_size}
        return self.spray("csv", source_path, dest_name, cluster, options=opts, recordStructurePresent=header, **kw)

    spray_csv = spray_delimited

    def spray_xml(self, source_path: str, dest_name: str, cluster: str, row_tag: str, *,
                  encoding: str | None = None, max_record_size: int | None = None, **kw: Any) -> DfuJob:
        opts = {"rowtag": row_tag, "encoding": encoding, "maxrecordsize": max_record_size}
        return self.spray("xml", source_path, dest_name, cluster, options=opts, **kw)

    def spray_json(self, source_path: str, dest_name: str, cluster: str, *, row_path: str | None = None,
                   encoding: str | None = None, max_record_size: int | None = None, **kw: Any) -> DfuJob:
        opts = {"rowpath": row_path, "encoding": encoding, "maxrecordsize": max_record_size}
        return self.spray("json", source_path, dest_name, cluster, options=opts, **kw)

    def spray_variable(self, source_path: str, dest_name: str, cluster: str, **kw: Any) -> DfuJob:
        """Records with a 4-byte little-endian length prefix (DFU format ``variable``)."""
        return self.spray("variable", source_path, dest_name, cluster, **kw)

    def despray(self, logical_name: str, dest_path: str, *, dest_ip: str | None = None,
                dest_plane: str | None = None, overwrite: bool = False, **fields: Any) -> DfuJob:
        """Despray a logical file to a drop-zone path (default address: the first drop zone's)."""
        if dest_ip is None and dest_plane is None:
            dest_ip = self.drop_zone().net_address
        resp = self._call("Despray", sourceLogicalName=logical_name, destIP=dest_ip, destPlane=dest_plane,
                          destPath=dest_path, overwrite=overwrite, **fields)
        return DfuJob(resp.wuid, self)

    def copy(self, source: str, dest: str, cluster: str | None = None, *, overwrite: bool = False,
             **fields: Any) -> DfuJob:
        """Copy a logical file (to `cluster`, default: the source's own)."""
        resp = self._call("Copy", sourceLogicalName=source, destLogicalName=dest, destGroup=cluster,
                          overwrite=overwrite, **fields)
        return DfuJob(resp.result, self)

    def rename(self, source: str, dest: str, *, overwrite: bool = False) -> DfuJob:
        """FileSpray.Rename: a DFU rename workunit (WsDfuClient.rename is the direct one)."""
        return DfuJob(self._call("Rename", srcname=source, dstname=dest, overwrite=overwrite).wuid, self)

    # -- workunits ---------------------------------------------------------------------------
    def job(self, wuid: str) -> DfuJob:
        return DfuJob(wuid, self)

    def get_workunit(self, wuid: str) -> DfuWorkunit:
        return DfuWorkunit.from_soap(self._call("GetDFUWorkunit", wuid=wuid).result)

    def abort_workunit(self, wuid: str) -> None:
        self._call("AbortDFUWorkunit", wuid=wuid)

    def submit_workunit(self, wuid: str) -> None:
        self._call("SubmitDFUWorkunit", wuid=wuid)

    def delete_workunit(self, wuid: str) -> None:
        self._call("DeleteDFUWorkunit", wuid=wuid)

    # -- plain HTTP ----------------------------------------------------------------------------
    def _http(self, method: str, name: str, params: dict[str, str], **kw: Any):
        import requests

        from .errors import EspConnectionError

        query = "&".join(k if v == "" else f"{k}={requests.utils.quote(v, safe='/')}" for k, v in params.items())
        try:
            resp = self.session.request(method, f"{self.service_url}/{name}?{query}", timeout=self.timeout, **kw)
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise EspConnectionError(f"{self.service_url}/{name}: {exc}") from exc
        if resp.status_code >= 400 and "xml" not in resp.headers.get("Content-Type", ""):
            raise EspError(resp.status_code, f"{name}: HTTP {resp.status_code} {resp.reason}", "HTTP", channel="http")
        return resp


def _parse(content: bytes):
    """Parse an XML answer of UploadFile/DownloadFile; raise the Exceptions it carries."""
    try:
        root = etree.fromstring(content, _SAFE_XML)
    except etree.XMLSyntaxError:
        raise EspError(-1, f"unexpected answer: {content[:200]!r}", "FileSpray", channel="http") from None
    found = exceptions_from_element(root)
    if found:
        raise EspError.from_exceptions(found, "FileSpray", "inline")
    return root
