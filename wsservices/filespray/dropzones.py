"""FileSpray's landing-zone (drop-zone) methods, and the HTTP-only UploadFile and DownloadFile.

Every SOAP method reads its fields, makes one call to the drop-zone engine
(`wsservices.engine.landingzone.dropzones.DropZones`) and builds the response model.

UploadFile (filespray.md §5.6, real-clients.md §4): ``POST /FileSpray/UploadFile[.json|.xml]
?upload_&NetAddress=..&Path=..[&DropZoneName=..][&OS=..][&rawxml_=1]`` with a multipart/form-data
body (any field name; hpcc4j uses ``FilesToUpload``, ECL Watch ``uploadedfiles[]``). The folder is
validated before the body is read; then every file part streams to disk in 64 KiB chunks (the
multipart parser's buffer is bounded) under a temporary name, and the files are renamed into
place only once the whole body was read: a body that breaks (bad multipart, bad chunked encoding,
shorter than Content-Length, a file part never closed) is refused with 20052 and leaves nothing
in the drop zone (real ESP keeps the files it finished; the texts for a broken body are the
emulator's own).
Answers: ``UploadFilesResponse`` (XML for ``.xml``/``rawxml_``, JSON for ``.json``), or, for a
plain browser form, a redirect to ``/FileSpray/DropZoneFiles?NetAddress=..&Path=..``. Errors come
back as ``Exceptions`` in that format (an HTML page for a browser form), without the timestamp
prefix. ESP then closes the connection; a WSGI application may not send ``Connection`` (a
hop-by-hop header), so the rest of a refused body (up to 16 MiB) is read and dropped instead.

DownloadFile (§5.7): ``GET`` (or a ``POST`` with the parameters in the URL, as hpcc4j sends it)
``/FileSpray/DownloadFile?Name=..&NetAddress=..&Path=..[&OS=..][&DropZoneName=..]``; the file is
streamed as ``application/octet-stream`` with ``Content-disposition: attachment;filename=<Name>``.

Not emulated: permissions ("Permission denied."), JSON answers of the SOAP methods (the ESP
layer's business), a `.part` file left behind by an interrupted upload (ours are removed).
"""
from __future__ import annotations

import json
import re
from functools import cached_property
from typing import Any, Iterator
from urllib.parse import quote

from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.http import parse_options_header
from werkzeug.sansio.multipart import (Data, Epilogue, Event, Field, File, MultipartDecoder,
                                       NeedData)
from werkzeug.wrappers import Request, Response
from werkzeug.wsgi import wrap_file

from wsservices.engine.landingzone.dropzones import DropZones, DropZoneServer, FileEntry, Upload, UploadTarget
from wsservices.engine.errors import DomainError, InvalidArgument
from wsservices.esp import codec, pages
from wsservices.esp.faults import BODY_ERROR_TEXT, BODY_ERRORS, form_exceptions
from wsservices.esp.types import ComplexModel
from wsservices.filespray import models

XML = "text/xml; charset=UTF-8"
HTML = "text/html; charset=UTF-8"
_CHUNK = 1 << 16
_MAX_PART_HEADERS = 1 << 20   # bytes the multipart parser may hold outside file data
_MAX_PARTS = 10_000
_MAX_DRAIN = 16 << 20         # body bytes read and dropped after a refused upload
MULTIPART_ERROR = "Invalid multipart/form-data request."
_FILENAME = re.compile(r';\s*filename\s*=\s*(?:"([^"]*)"|([^;]*))', re.IGNORECASE)


class UploadFilesResponse(ComplexModel):
    """ESP's answer to an upload (not in the WSDL: UploadFile is HTTP only)."""

    __namespace__ = models.NAMESPACE
    _type_info = [("Exceptions", models.ArrayOfEspException),
                  ("UploadFileResults", models.ArrayOfDFUActionResult)]


class DropZoneMethods:
    """DropZoneFiles, FileList, DropZoneFileSearch, DeleteDropZoneFiles, GetSprayTargets,
    GetDFUServerQueues, GetRemoteTargets, and the HTTP-only UploadFile and DownloadFile."""

    #: uploads read their own body; ``.json``/``.xml`` are part of the method segment here
    streaming_handlers = frozenset({"uploadfile", "uploadfile.json", "uploadfile.xml"})

    @cached_property
    def dropzones(self) -> DropZones:
        return DropZones.for_cluster(self.cluster)

    # -- SOAP methods --------------------------------------------------------------------------
    def DropZoneFiles(self, req: Any) -> Any:
        listing = self.dropzones.list_files(
            req.DropZoneName, req.NetAddress, req.Path, req.Subfolder,
            visible_only=bool(req.ECLWatchVisibleOnly), directory_only=bool(req.DirectoryOnly))
        listed = listing.files is not None
        return models.DropZoneFilesResponse(
            DropZoneName=listing.dropzone, NetAddress=listing.net_address, Path=listing.directory,
            OS=None if listing.linux is None else int(listing.linux),
            ECLWatchVisibleOnly=bool(req.ECLWatchVisibleOnly) if listed else None,
            DropZones=_drop_zones(listing.servers), Files=_files(listing.files or (), omit_empty=True))

    def FileList(self, req: Any) -> Any:
        listing = self.dropzones.file_list(req.DropZoneName, req.Netaddr, req.Path, mask=req.Mask,
                                           directory_only=bool(req.DirectoryOnly))
        return models.FileListResponse(
            Netaddr=req.Netaddr, Path=listing.directory, Mask=req.Mask or None,
            OS=codec.atol(req.OS) if req.OS else None, DirectoryOnly=bool(req.DirectoryOnly),
            AcceptLanguage="en", files=_files(listing.files))

    def DropZoneFileSearch(self, req: Any) -> Any:
        result = self.dropzones.search(req.DropZoneName, req.NameFilter, server=req.Server,
                                       visible_only=bool(req.ECLWatchVisibleOnly))
        return models.DropZoneFileSearchResponse(Files=_files(result.files), Warning=result.warning)

    def DeleteDropZoneFiles(self, req: Any) -> Any:
        names = req.Names.Item if req.Names is not None else None
        results = self.dropzones.delete(req.DropZoneName, req.NetAddress, req.Path, names)
        return models.DFUWorkunitsActionResponse(FirstColumn="File", DFUActionResults=_action_results(
            [(r.name, "Delete", r.result) for r in results]))

    def GetSprayTargets(self, req: Any) -> Any:
        nodes = [models.GroupNode(Name=t.name, ClusterType=t.cluster_type,
                                  ReplicateOutputs=True if t.replicate_outputs else None)
                 for t in self.dropzones.spray_targets()]
        return models.GetSprayTargetsResponse(
            GroupNodes=models.GetSprayTargetsResponse_GroupNodes(GroupNode=nodes) if nodes else None)

    def GetDFUServerQueues(self, req: Any) -> Any:
        return models.GetDFUServerQueuesResponse(
            Names=_strings(self.dropzones.dfu_server_queues(req.DFUServerName)))

    def GetRemoteTargets(self, req: Any) -> Any:
        names, allow_foreign = self.dropzones.remote_targets()
        names = tuple(names) + tuple(r.name for r in self.cluster.settings.remotes)   # [[remote]] environments
        return models.GetRemoteTargetsResponse(TargetNames=_strings(names), AllowForeign=allow_foreign)

    # -- HTTP-only methods -------------------------------------------------------------------
    def http_handlers(self) -> dict[str, Any]:
        handlers = dict(super().http_handlers())  # type: ignore[misc]
        handlers.update({name: self.upload_file for name in self.streaming_handlers})
        handlers["downloadfile"] = self.download_file
        return handlers

    def upload_file(self, request: Request, params: dict[str, str]) -> Response:
        """UploadFile: see the module docstring."""
        fmt = _output_format(request, params)
        ctype = request.headers.get("Content-Type", "")
        if request.method != "POST" or "upload_" not in params or not ctype.lower().startswith("multipart"):
            _drain(request)  # not an upload: a form submission of a method ESP does not have
            return Response(pages.not_found_page(), 404, content_type=HTML)
        try:
            self.check_feature("UploadFile")
            limit = self.cluster.settings.max_upload_bytes
            if request.content_length is not None and request.content_length > limit:
                raise _too_large(limit)
            target = self.dropzones.upload_target(params.get("DropZoneName"),
                                                  params.get("NetAddress"), params.get("Path"))
            stored = self._receive_files(request, target, ctype, limit)
        except DomainError as exc:
            if not isinstance(exc, BrokenBody):  # a broken body is never read again (CPython 3.12.1
                _drain(request)                  # crashes reading a chunked stream after its error)
            return _exceptions(fmt, "FileSpray::UploadFile()", exc)
        if fmt is None:
            location = (f"/FileSpray/DropZoneFiles?NetAddress={quote(params.get('NetAddress', ''))}"
                        f"&Path={quote(params.get('Path', ''))}")
            return Response("", 302, headers={"Location": location})
        results = [(name, "Upload File", "Success") for name in stored] or [
            ("<N/A>", "Upload File", "No file uploaded")]
        if fmt == "json":
            items = [{"ID": i, "Action": a, "Result": r} for i, a, r in results]
            body = {"UploadFilesResponse": {"UploadFileResults": {"DFUActionResult": items}}}
            return Response(_json(body), content_type="application/json")
        out = ['<?xml version="1.0" encoding="UTF-8"?>']
        codec.encode(UploadFilesResponse(UploadFileResults=_action_results(results)),
                     UploadFilesResponse, "UploadFilesResponse", out, self.omit_unset)
        return Response("".join(out), content_type=XML)

    def download_file(self, request: Request, params: dict[str, str]) -> Response:
        """DownloadFile: see the module docstring."""
        try:
            self.check_feature("DownloadFile")
            download = self.dropzones.open_download(params.get("DropZoneName"), params.get("NetAddress"),
                                                    params.get("Path"), params.get("Name"))
        except DomainError as exc:
            return _exceptions(_output_format(request, params), "FileSpray::DOWNLOADFILE()", exc)
        response = Response(wrap_file(request.environ, download.stream),
                            content_type="application/octet-stream", direct_passthrough=True)
        response.content_length = download.size
        response.headers["Content-disposition"] = f"attachment;filename={_header_text(download.name)}"
        response.headers["Expires"] = "0"
        return response

    def _receive_files(self, request: Request, target: UploadTarget, ctype: str, limit: int) -> list[str]:
        """Stream every file part of the body into the drop zone; returns the stored names.
        A body longer than `limit` (chunked, or longer than announced) fails the whole upload."""
        boundary = parse_options_header(ctype)[1].get("boundary")
        if not boundary:
            raise InvalidArgument("Invalid multipart/form-data request: no boundary.")
        received: list[Upload] = []   # complete, fsynced, not yet visible
        upload = None
        size = 0
        try:
            for event in _multipart_events(request.stream, boundary.encode("latin-1")):
                if isinstance(event, File):
                    filename = _raw_filename(event)
                    upload = self.dropzones.begin_upload(target, filename) if filename else None
                    if upload is not None:
                        received.append(upload)
                elif isinstance(event, Field):
                    upload = None  # text fields carry nothing an upload uses
                elif isinstance(event, Data) and upload is not None:
                    size += len(event.data)
                    if size > limit:
                        raise _too_large(limit)
                    upload.write(event.data)
                    if not event.more_data:
                        upload.finish()
                        upload = None
            if upload is not None:  # the body ended inside a file part
                raise InvalidArgument(MULTIPART_ERROR)
            return [u.commit() for u in received]
        finally:
            for u in received:
                if not u.done:
                    u.abort()


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------

def _drop_zones(servers: tuple[DropZoneServer, ...]) -> Any:
    zones = [models.DropZone(Name=s.name, NetAddress=s.net_address, Path=s.path, Computer=s.computer,
                             Linux="true" if s.linux else None) for s in servers]
    return models.ArrayOfDropZone(DropZone=zones) if zones else None


def _files(entries: tuple[FileEntry, ...], omit_empty: bool = False) -> Any:
    if omit_empty and not entries:
        return None
    return models.ArrayOfPhysicalFileStruct(PhysicalFileStruct=[
        models.PhysicalFileStruct(name=e.name, Server=e.server, isDir=e.is_dir, filesize=e.size,
                                  modifiedtime=e.modified, Path=e.path) for e in entries])


def _action_results(rows: list[tuple[str, str, str]]) -> Any:
    if not rows:
        return None
    return models.ArrayOfDFUActionResult(DFUActionResult=[
        models.DFUActionResult(ID=i, Action=a, Result=r) for i, a, r in rows])


def _strings(values: tuple[str, ...]) -> Any:
    return models.EspStringArray(Item=list(values)) if values else None


def _output_format(request: Request, params: dict[str, str]) -> str | None:
    """``json`` or ``xml`` (a ``.json``/``.xml`` method suffix, or ``rawxml_``), else None."""
    segments = request.path.lstrip("/").split("/")
    suffix = segments[1].rpartition(".")[2].lower() if len(segments) > 1 and "." in segments[1] else ""
    if suffix in ("json", "xml"):
        return suffix
    return "xml" if "rawxml_" in params else None


def _multipart_events(stream: Any, boundary: bytes) -> Iterator[Event]:
    """The parts of a multipart body, read in chunks; file data arrives as `Data` events."""
    decoder = MultipartDecoder(boundary, max_form_memory_size=_MAX_PART_HEADERS, max_parts=_MAX_PARTS)
    while True:
        try:
            chunk = stream.read(_CHUNK)
        except (ValueError, *BODY_ERRORS):
            raise BrokenBody(BODY_ERROR_TEXT) from None
        try:
            decoder.receive_data(chunk or None)
            while not isinstance(event := decoder.next_event(), NeedData):
                if isinstance(event, Epilogue):  # only once the whole body was read
                    return
                yield event
        except (ValueError, RequestEntityTooLarge):
            raise InvalidArgument(MULTIPART_ERROR) from None


def _raw_filename(part: File) -> str:
    """The part's file name as sent: browsers and hpcc4j do not escape backslashes (a Windows
    path), so the quoted value is taken literally rather than unquoted."""
    match = _FILENAME.search(part.headers.get("Content-Disposition", ""))
    if match is None:
        return part.filename
    return match.group(1) if match.group(1) is not None else match.group(2).strip()


class BrokenBody(InvalidArgument):
    """The request body itself could not be read (bad chunk framing, shorter than announced)."""


def _too_large(limit: int) -> InvalidArgument:
    """The upload limit (ESP has none of its own; the text follows its style)."""
    return InvalidArgument(f"The upload is larger than the limit of {limit} bytes (max_upload_bytes).")


def _drain(request: Request) -> None:
    _drain_stream(request.stream)


def _drain_stream(stream: Any) -> None:
    left = _MAX_DRAIN
    try:
        while left > 0 and (chunk := stream.read(min(_CHUNK, left))):
            left -= len(chunk)
    except BODY_ERRORS:  # a broken body: nothing more to read
        pass


def _exceptions(fmt: str | None, source: str, exc: DomainError) -> Response:
    """ESP's exception rendering for the HTTP-only methods (no timestamp prefix)."""
    return form_exceptions(fmt, source, exc.code, exc.message)


def _json(body: Any) -> str:
    return json.dumps(body, separators=(", ", ": "), ensure_ascii=False)


def _header_text(text: str) -> str:
    return "".join(c if c >= " " and c != "\x7f" else "_" for c in text)
