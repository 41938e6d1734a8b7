"""Drop zones (landing zones): list, search, delete, upload and download their files, and the
spray-target, DFU-queue and remote-target listings (filespray.md §5).

`DropZones(environment, datadir)` is what FileSpray's drop-zone methods call. Every client path
goes through `DataDir.resolve_dropzone_path` (datadir.py, the one path-safety check), so ``..``,
a leading ``~``, NUL bytes, absolute paths outside the zone and symlinks leading out are refused
with ESP's errors before anything is read, listed, written or deleted. Clients only ever see
client-visible paths (``/var/lib/HPCCSystems/mydropzone/...``), never the data directory.

Which check answers when follows ESP (SVC onDropZoneFiles, onFileList, onDropZoneFileSearch,
onDeleteDropZoneFiles; TPC validateDropZoneReq / getDropZoneAndValidateHostAndPath; BIND upload
and download): ``Invalid path`` before any drop-zone lookup, the lookup, then the folder.

Not emulated:
* several machines per drop zone: a drop zone's addresses are aliases of one emulated server
  whose files live in one folder, so a folder is listed or searched once, not once per address;
* permissions and drop-zone scopes; ``useDropZoneRestriction=false``;
* FileList's log-directory listing and its "Only cfg or log file allowed." mask check;
* the ``OS`` parameter's separator switch: ``/`` and ``\\`` are both separators, answers use ``/``;
* ESP's case-insensitive, not boundary-aware prefix test of checkDropZoneIPAndPath: the
  emulator's (`DropZone.contains_path`) is case-sensitive and stops at directory boundaries;
* name resolution: a host "resolves" when it is an IP address or a well-formed host name, so
  "DeleteDropZoneFiles: cannot resolve network IP from %s." never fires (the drop-zone lookup
  refuses such hosts first);
* directory-iterator order: entries are sorted by name. Symlinks inside a zone that lead out of
  it (or nowhere) are left out of listings, and searches do not descend into symlinked folders;
* uploads are written under a unique ``<name>.<random>.part`` name (ESP: ``<name>.part``), then
  fsynced and renamed over ``<name>``.
"""
from __future__ import annotations

import datetime as _dt
import ipaddress
import os
import re
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator

from .. import codes
from ..datadir import DataDir, check_client_path, shown_path
from ..environment import DropZone, Environment
from ..jlib.wildcards import Wildcard
from ..errors import DomainError, DropZoneNotFound, FileNotFound, InternalError, InvalidArgument, InvalidPath, os_reason

#: DropZoneFileSearch stops after this many matches (SVC dropZoneFileSearchMaxFiles)
MAX_SEARCH_RESULTS = 1000
SEARCH_LIMIT_WARNING = (f"More than {MAX_SEARCH_RESULTS} files are found. "
                        f"Only {MAX_SEARCH_RESULTS} files are returned.")
DELETED = "Success"
NOT_THERE = "Warning: this file does not exist."

_HOST_NAME = re.compile(r"[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?"
                        r"(\.[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?)*\.?")
_WRITE_CHUNK = 1 << 16
UPLOAD_TOKEN_BYTES = 6
_PARTIAL_UPLOAD = re.compile(rf".+\.[0-9a-f]{{{2 * UPLOAD_TOKEN_BYTES}}}\.part")
_SPACE_CHECK_EVERY = 8 << 20  # bytes an upload writes between two free-space checks


# ---------------------------------------------------------------------------------------------
# results
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class DropZoneServer:
    """One (drop zone, address) pair, as DropZoneFiles lists them."""

    name: str
    net_address: str
    path: str          # the configured directory, no trailing slash
    computer: str      # the emulator has no machine names: the address
    linux: bool        # a ``/`` path


@dataclass(frozen=True)
class FileEntry:
    """A file or folder of a drop zone (ESP's PhysicalFileStruct)."""

    name: str
    is_dir: bool
    size: int          # -1 for folders, as a local directory listing gives
    modified: str      # local time, ``YYYY-MM-DD HH:MM:SS``
    path: str | None   # listings: the listed folder with a trailing ``/``; search: the folder
                       # relative to the zone root, None at the top
    server: str


@dataclass(frozen=True)
class DropZoneListing:
    """What DropZoneFiles answers. ``files`` is None when no folder was asked for (then the
    other echoes are None too); ``linux`` is set only when a NetAddress was given."""

    servers: tuple[DropZoneServer, ...]
    files: tuple[FileEntry, ...] | None = None
    dropzone: str | None = None
    net_address: str | None = None
    directory: str | None = None
    linux: bool | None = None


@dataclass(frozen=True)
class FileListing:
    """What FileList answers: the listed folder (client-visible, trailing ``/``) and entries."""

    directory: str
    files: tuple[FileEntry, ...]


@dataclass(frozen=True)
class SearchResult:
    files: tuple[FileEntry, ...]
    truncated: bool = False

    @property
    def warning(self) -> str | None:
        return SEARCH_LIMIT_WARNING if self.truncated else None


@dataclass(frozen=True)
class DeleteResult:
    """One name of a DeleteDropZoneFiles request: ``result`` is ``Success``,
    ``Warning: this file does not exist.`` or ``Failed: <reason>``."""

    name: str
    result: str


@dataclass(frozen=True)
class UploadTarget:
    """A validated upload folder (see `DropZones.upload_target`)."""

    dropzone: DropZone
    folder: Path            # real folder, inside the zone
    client_directory: str   # client-visible, trailing ``/``


@dataclass
class Download:
    """An open drop-zone file: ``stream`` is positioned at 0; the caller closes it."""

    name: str
    client_path: str
    size: int
    stream: BinaryIO


@dataclass(frozen=True)
class SprayTarget:
    name: str
    cluster_type: str
    replicate_outputs: bool = False


class Upload:
    """One file being received: `write` chunks, `finish` (fsync, close), then `commit` (rename
    over the final name) or `abort` (the temporary file is removed). As a context manager it aborts unless
    committed."""

    def __init__(self, fd: int, temp: Path, final: Path, name: str, client_path: str,
                 space_check: Callable[[int], None] | None = None):
        self._fd: int | None = fd
        self._space_check = space_check
        self._checked_at = 0
        self.temp = temp
        self.final = final
        self.name = name
        self.client_path = client_path
        self.size = 0
        self._settled = False   # committed or aborted

    def write(self, data: bytes) -> None:
        if self._space_check is not None and self.size + len(data) - self._checked_at >= _SPACE_CHECK_EVERY:
            self._checked_at = self.size
            try:
                self._space_check(len(data))
            except DomainError:
                self.abort()
                raise
        view = memoryview(data)
        try:
            while view:
                written = os.write(self._fd, view[:_WRITE_CHUNK])
                view = view[written:]
                self.size += written
        except OSError as exc:  # e.g. a full disk: never a real path in the message
            self.abort()
            raise InternalError(f"Cannot write file {self.client_path}: {os_reason(exc)}") from None

    def finish(self) -> None:
        """All data written: flush it to disk and close the file (still under its temporary name)."""
        if self._fd is None:
            return
        try:
            os.fsync(self._fd)
            os.close(self._fd)
            self._fd = None
        except OSError as exc:
            self.abort()
            raise InternalError(f"Cannot write file {self.client_path}: {os_reason(exc)}") from None

    def commit(self) -> str:
        """Make the file visible under its final name (after `finish`); returns that name."""
        self.finish()
        try:
            os.replace(self.temp, self.final)
            self._settled = True
        except OSError as exc:
            self.abort()
            raise InternalError(f"Cannot write file {self.client_path}: {os_reason(exc)}") from None
        _fsync_dir(self.final.parent)
        return self.name

    def abort(self) -> None:
        self._settled = True
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
        try:
            os.unlink(self.temp)
        except FileNotFoundError:
            pass

    @property
    def done(self) -> bool:
        """Committed or aborted."""
        return self._settled

    def __enter__(self) -> "Upload":
        return self

    def __exit__(self, *exc: object) -> None:
        if not self.done:
            self.abort()


# ---------------------------------------------------------------------------------------------
# the drop-zone engine
# ---------------------------------------------------------------------------------------------

class DropZones:
    """Drop-zone operations over one environment and data directory."""

    def __init__(self, environment: Environment, datadir: DataDir):
        self.environment = environment
        self.datadir = datadir

    @classmethod
    def for_cluster(cls, cluster) -> "DropZones":
        return cls(cluster.environment, cluster.datadir)

    # -- DropZoneFiles -----------------------------------------------------------------------
    def servers(self, visible_only: bool = False) -> tuple[DropZoneServer, ...]:
        """One entry per address of every drop zone (only ECL-Watch-visible ones if asked)."""
        return tuple(DropZoneServer(dz.name, address, dz.path, address, dz.path.startswith("/"))
                     for dz in self.environment.drop_zones if dz.visible or not visible_only
                     for address in dz.addresses)

    def list_files(self, dropzone_name: str | None = None, net_address: str | None = None,
                   path: str | None = None, subfolder: str | None = None, *,
                   visible_only: bool = False, directory_only: bool = False) -> DropZoneListing:
        """DropZoneFiles: every drop zone, and the files of ``Path`` + ``Subfolder`` when a drop
        zone (by name or address) and a folder are given (filespray.md §5.2)."""
        net = (net_address or "").strip()
        if net and not _is_host(net):
            raise InvalidArgument(f"Invalid server {net} specified.")
        servers = self.servers(visible_only)
        path, subfolder, name = path or "", subfolder or "", (dropzone_name or "").strip()
        _refuse_relative(path, InvalidPath.invalid_path)
        _refuse_relative(subfolder, InvalidPath.invalid_subfolder)
        if not (name or net) or not (path or subfolder):
            return DropZoneListing(servers)
        directory = _with_sep(_with_sep(path) + subfolder if path and subfolder else path or subfolder)
        if net:
            dz = self.environment.drop_zone(name) if name else self._find(net, directory)
            if dz is None or self._on_host_with_path(dz.name, net, directory) is None:
                raise DropZoneNotFound.not_in_environment()
            server = net
        else:
            dz = self.environment.drop_zone(name)
            if dz is None or (visible_only and not dz.visible):
                return DropZoneListing(servers)
            server = dz.addresses[0]
            if not dz.contains_path(_slashes(directory)):
                return DropZoneListing(servers, (), dz.name, None, directory)
        folder, shown = self._folder(dz, directory)
        files = self._list(dz, folder, shown, server, directory_only=directory_only)
        return DropZoneListing(servers, files, dz.name, net or None, shown,
                               dz.path.startswith("/") if net else None)

    # -- FileList ----------------------------------------------------------------------------
    def file_list(self, dropzone_name: str | None, netaddr: str | None, path: str | None, *,
                  mask: str | None = None, directory_only: bool = False) -> FileListing:
        """FileList: one folder of a drop zone; ``mask`` is a case-insensitive wildcard on file
        names (folders are always listed unless ``directory_only``) (filespray.md §5.3)."""
        path = path or ""
        if not path:
            raise InvalidArgument("Path not specified.")
        _refuse_relative(path, InvalidPath.invalid_path)
        name, net = (dropzone_name or "").strip(), (netaddr or "").strip()
        if not name and not net:
            raise InvalidArgument("DropZoneName or Netaddr must be specified.")
        directory = _with_sep(path)
        dz = self._locate(name, net, directory)
        folder, shown = self._folder(dz, directory)
        pattern = _wildcard(mask, ignore_case=True) if mask else None
        return FileListing(shown, self._list(dz, folder, shown, net or dz.addresses[0],
                                             pattern=pattern, directory_only=directory_only))

    # -- DropZoneFileSearch ------------------------------------------------------------------
    def search(self, dropzone_name: str | None, name_filter: str | None, *,
               server: str | None = None, visible_only: bool = False) -> SearchResult:
        """DropZoneFileSearch: files and folders anywhere in the zone whose name matches the
        case-sensitive wildcard; at most `MAX_SEARCH_RESULTS` (filespray.md §5.4)."""
        name = dropzone_name or ""
        if not name:
            raise InvalidArgument("DropZone not specified.")
        if not name_filter:
            raise InvalidArgument("Name Filter not specified.")
        if not name_filter.strip("*"):
            raise InvalidArgument("Invalid Name Filter '*'")
        pattern = _wildcard(name_filter, ignore_case=False)
        host = (server or "").strip()
        found: list[FileEntry] = []
        server_found = False
        for dz in self.environment.drop_zones:
            if dz.name != name or (visible_only and not dz.visible):
                continue
            if host and not dz.matches_address(host):
                continue
            server_found = True
            root = self.datadir.dropzone_dir(dz)
            if not root.is_dir():
                raise InvalidArgument(f"{dz.path} is not a directory.", codes.ECLWATCH_INVALID_DIRECTORY)
            self._walk(root, root.resolve(), "", pattern, _configured(dz, host), found)
        if host and not server_found:
            raise InvalidArgument(f"Server {host} not found in dropzone {name}.")
        return SearchResult(tuple(found[:MAX_SEARCH_RESULTS]), len(found) > MAX_SEARCH_RESULTS)

    # -- DeleteDropZoneFiles -----------------------------------------------------------------
    def delete(self, dropzone_name: str | None, net_address: str | None, path: str | None,
               names: Iterable[str | None] | None) -> tuple[DeleteResult, ...]:
        """DeleteDropZoneFiles: remove files (or empty folders) named relative to ``path``.
        Every name is checked before anything is removed (filespray.md §5.5)."""
        path = path or ""
        _refuse_relative(path, InvalidPath.invalid_path)
        names = [n or "" for n in (names or [])]
        if not names:
            raise InvalidArgument("File not specified.")
        for n in names:
            _refuse_relative(n, InvalidPath.invalid_file)
        net = (net_address or "").strip()
        if not net or not path:
            raise InvalidArgument("NetworkAddress or Path not defined.")
        directory = _with_sep(path)
        dz = self._on_host_with_path((dropzone_name or "").strip(), net, directory)
        if dz is None:
            raise DropZoneNotFound.not_in_environment()
        folder = self.datadir.resolve_dropzone_path(dz, directory)
        if not folder.is_dir():
            raise InvalidArgument(f"{path} is not a directory.", codes.ECLWATCH_INVALID_DIRECTORY)
        zone = self.datadir.dropzone_dir(dz).resolve()
        targets: list[tuple[str, Path]] = []
        for n in names:
            if not n:
                continue
            try:
                target = self.datadir.resolve_dropzone_path(dz, directory + n)
            except InvalidPath:
                raise InvalidPath.invalid_file(shown_path(n)) from None
            if target.resolve() == zone:  # the zone itself is never removed
                raise InvalidPath.invalid_file(n)
            targets.append((n, target))
        return tuple(DeleteResult(n, _remove(target)) for n, target in targets)

    # -- UploadFile --------------------------------------------------------------------------
    def upload_target(self, dropzone_name: str | None, net_address: str | None,
                      path: str | None) -> UploadTarget:
        """Validate an upload's drop zone and folder (TPC validateDropZoneReq) before any byte of
        the body is read."""
        dz = self._validate_request(dropzone_name, net_address, path)
        folder, shown = self._folder(dz, path or "")
        return UploadTarget(dz, folder, shown)

    def begin_upload(self, target: UploadTarget, filename: str | None) -> Upload:
        """Start receiving one uploaded file. The client's file name is reduced to its last
        path component, as ESP does; a name that is empty, ``.``, ``..``, starts with ``~`` or
        holds a NUL is refused with ``Invalid file name <name>``. An existing file of that name
        is replaced when the upload is committed."""
        name = upload_file_name(filename)
        self.datadir.ensure_free_space()
        try:
            final = self.datadir.resolve_dropzone_path(target.dropzone, target.client_directory + name)
        except InvalidPath:
            raise InvalidPath.invalid_file_name(shown_path(filename or "")) from None
        client = target.client_directory + name
        if final.is_dir():
            raise InvalidArgument(f"{client} is a directory.")
        mode = 0o666 & ~int(target.dropzone.umask, 8)
        temp = final.with_name(f"{name}.{secrets.token_hex(UPLOAD_TOKEN_BYTES)}.part")
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(temp, flags, mode)
        except OSError as exc:
            raise InternalError(f"Cannot write file {client}: {os_reason(exc)}") from None
        os.fchmod(fd, mode)
        return Upload(fd, temp, final, name, client, self.datadir.ensure_free_space)

    def write_upload(self, target: UploadTarget, filename: str | None,
                     chunks: Iterable[bytes]) -> str:
        """Write one whole file atomically; returns the stored name."""
        with self.begin_upload(target, filename) as upload:
            for chunk in chunks:
                upload.write(chunk)
            return upload.commit()

    # -- DownloadFile ------------------------------------------------------------------------
    def open_download(self, dropzone_name: str | None, net_address: str | None,
                      path: str | None, name: str | None) -> Download:
        """Open ``Path``/``Name`` for reading (BIND downloadFile; filespray.md §5.7). ``Name``
        is reduced to its last path component."""
        name = name or ""
        if not name:
            raise InvalidArgument("File name not specified.")
        _refuse_relative(name, InvalidPath.invalid_file_name)
        if not path:
            raise InvalidArgument("Path not specified.")
        dz = self._validate_request(dropzone_name, net_address, path)
        shown = _with_sep(self.datadir.client_path(dz, self.datadir.resolve_dropzone_path(dz, path)))
        tail = _tail(name)
        if not tail:
            raise InvalidPath.invalid_file_name(name)
        try:
            real = self.datadir.resolve_dropzone_path(dz, shown + tail)
        except InvalidPath:
            raise InvalidPath.invalid_file_name(name) from None
        client = shown + tail
        if not real.is_file():
            raise FileNotFound(f"Cannot open file {client}.", codes.ECLWATCH_CANNOT_OPEN_FILE)
        try:
            stream = open(real, "rb")
        except OSError:
            raise InternalError(f"Cannot read file {client}.", codes.ECLWATCH_CANNOT_READ_FILE) from None
        return Download(tail, client, os.fstat(stream.fileno()).st_size, stream)

    # -- GetSprayTargets, GetDFUServerQueues, GetRemoteTargets -------------------------------
    def spray_targets(self) -> tuple[SprayTarget, ...]:
        """One target per Thor node group (filespray.md §5.8). hthor (``hthor__<agent>``)
        targets are not emulated: the environment has no ECL agents."""
        seen: dict[str, SprayTarget] = {}
        for cluster in self.environment.thor_clusters:
            seen.setdefault(cluster.group, SprayTarget(cluster.group, "thor", cluster.replicate))
        return tuple(seen.values())

    def dfu_server_queues(self, server_name: str | None = None) -> tuple[str, ...]:
        """The DFU server's queue names; none for a server name that is not the configured one."""
        wanted = (server_name or "").strip().lower()
        if wanted and wanted != self.environment.dfu_server.lower():
            return ()
        names: dict[str, None] = {}
        for queue in self.environment.dfu_queues:
            for part in queue.split(","):
                if part.strip():
                    names.setdefault(part.strip())
        return tuple(names)

    def remote_targets(self) -> tuple[tuple[str, ...], bool]:
        """(remote storage names, AllowForeign): no remote storage is emulated; bare metal
        allows foreign files."""
        return (), True

    # -- helpers -----------------------------------------------------------------------------
    def _validate_request(self, dropzone_name: str | None, host: str | None,
                          path: str | None) -> DropZone:
        """TPC validateDropZoneReq (upload, download)."""
        host, path = (host or "").strip(), path or ""
        if not host or not path:
            raise InvalidArgument("Host or file path not defined.")
        _refuse_relative(path, InvalidPath.invalid_path)
        return self._locate((dropzone_name or "").strip(), host, path)

    def _locate(self, name: str, host: str, path: str) -> DropZone:
        """TPC getDropZoneAndValidateHostAndPath: by name (then the host must be one of its
        addresses; the path is checked when it is resolved), or by host and path."""
        if not name:
            return self._find(host, path)
        dz = self.environment.drop_zone(name)
        if dz is None:
            raise DropZoneNotFound.named(name)
        if host and not dz.matches_address(host):
            raise InvalidArgument(f"The host '{host}' is not valid for dropzone {name}.")
        return dz

    def _find(self, host: str, path: str) -> DropZone:
        dz = self.environment.find_drop_zone(host, _slashes(path))
        if dz is None:
            raise DropZoneNotFound.for_host_path(host, path)
        return dz

    def _on_host_with_path(self, name: str, host: str, path: str) -> DropZone | None:
        """SVC checkDropZoneIPAndPath: a drop zone (of that name, if given) on ``host`` whose
        directory contains ``path``."""
        for dz in self.environment.drop_zones:
            if name and dz.name != name:
                continue
            if dz.contains_path(_slashes(path)) and dz.matches_address(host):
                return dz
        return None

    def _folder(self, dz: DropZone, client_path: str) -> tuple[Path, str]:
        """(real folder, client-visible folder with a trailing ``/``); refuses non-folders."""
        folder = self.datadir.resolve_dropzone_path(dz, client_path)
        if not folder.is_dir():
            raise InvalidArgument(f"{client_path} is not a directory.", codes.ECLWATCH_INVALID_DIRECTORY)
        return folder, _with_sep(self.datadir.client_path(dz, folder))

    def _list(self, dz: DropZone, folder: Path, shown: str, server: str, *,
              pattern: Wildcard | None = None, directory_only: bool = False) -> tuple[FileEntry, ...]:
        zone = self.datadir.dropzone_dir(dz).resolve()
        entries = []
        for name, st, _ in _scan(folder, zone):
            is_dir = stat.S_ISDIR(st.st_mode)
            if not is_dir and (directory_only or (pattern is not None and not pattern.fullmatch(name))):
                continue
            entries.append(_entry(name, st, shown, server))
        return tuple(entries)

    def _walk(self, folder: Path, zone: Path, rel: str, pattern: Wildcard, server: str,
              found: list[FileEntry]) -> bool:
        """Depth first, a folder's matches before the folder itself (as ESP); False once more
        than `MAX_SEARCH_RESULTS` were found."""
        for name, st, is_link in _scan(folder, zone):
            is_dir = stat.S_ISDIR(st.st_mode)
            if is_dir and not is_link:
                inner = f"{rel}/{name}" if rel else name
                if not self._walk(folder / name, zone, inner, pattern, server, found):
                    return False
            if pattern.fullmatch(name):
                found.append(_entry(name, st, rel or None, server))
                if len(found) > MAX_SEARCH_RESULTS:
                    return False
        return True


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------

def partial_uploads(dropzones_root: Path) -> Iterator[Path]:
    """The temporary files of uploads that never finished (a crash mid-upload), for start-up
    recovery: ``<name>.<12 hex digits>.part`` anywhere below the drop zones."""
    if dropzones_root.is_dir():
        for path in dropzones_root.rglob("*.part"):
            if _PARTIAL_UPLOAD.fullmatch(path.name) and path.is_file():
                yield path


def upload_file_name(filename: str | None) -> str:
    """The name an upload is stored under: the last component of the client's file name."""
    raw = filename or ""
    tail = _tail(raw)
    if not tail:
        raise InvalidPath.invalid_file_name(shown_path(raw))
    check_client_path(tail, lambda _: InvalidPath.invalid_file_name(shown_path(raw)))
    return tail


def _tail(name: str) -> str:
    return re.split(r"[\\/]", name)[-1]


def _refuse_relative(path: str, error) -> None:
    """ESP's containsRelPaths check, raised with the field's own text (before any lookup)."""
    check_client_path(path, error)


def _with_sep(path: str) -> str:
    return path if path.endswith(("/", "\\")) else path + "/"


def _slashes(path: str) -> str:
    return path.replace("\\", "/")


def _is_host(text: str) -> bool:
    """An IP address, ``.``, or a well-formed host name (no name resolution)."""
    if text == ".":
        return True
    try:
        ipaddress.ip_address(text)
        return True
    except ValueError:
        return len(text) <= 253 and bool(_HOST_NAME.fullmatch(text))


def _configured(dz: DropZone, host: str) -> str:
    """The configured address a requested host stands for (the first one for an alias)."""
    for address in dz.addresses:
        if address.lower() == host.lower():
            return address
    return dz.addresses[0]


def _wildcard(mask: str, ignore_case: bool) -> Wildcard:
    """jlib WildMatch: ``*`` any run, ``?`` one character, everything else literal."""
    return Wildcard(mask, ignore_case)


def _scan(folder: Path, zone: Path) -> list[tuple[str, os.stat_result, bool]]:
    """(name, stat, is_symlink) of a folder's entries, sorted by name. Symlinks are followed
    only when they stay inside ``zone`` (the zone's real root); others are left out."""
    out = []
    with os.scandir(folder) as entries:
        for entry in entries:
            try:
                is_link = entry.is_symlink()
                if is_link:
                    target = Path(entry.path).resolve(strict=True)
                    if target != zone and zone not in target.parents:
                        continue
                out.append((entry.name, entry.stat(), is_link))
            except (OSError, RuntimeError):
                continue
    out.sort(key=lambda item: item[0])
    return out


def _entry(name: str, st: os.stat_result, path: str | None, server: str) -> FileEntry:
    is_dir = stat.S_ISDIR(st.st_mode)
    modified = _dt.datetime.fromtimestamp(st.st_mtime).strftime("%Y-%m-%d %H:%M:%S")
    return FileEntry(name, is_dir, -1 if is_dir else st.st_size, modified, path, server)


def _remove(target: Path) -> str:
    if not os.path.lexists(target):
        return NOT_THERE
    try:
        if target.is_dir() and not target.is_symlink():
            target.rmdir()
        else:
            target.unlink()
    except OSError as exc:
        return f"Failed: {os_reason(exc)}"
    return DELETED


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory handles
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)
