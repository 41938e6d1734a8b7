"""The data directory: where the emulated cluster keeps its state, and drop-zone path safety.

Layout (DESIGN.md "State on disk")::

    <data>/dali.sqlite                              metadata (dali/store.py)
    <data>/dropzones/<dropzone name>/               one folder per drop zone
    <data>/nodes/<node>/hpcc-data/thor/<scopes>/    file parts: <tail>._<p>_of_<N>
    <data>/nodes/<node>/hpcc-mirror/thor/<scopes>/  replicas
    <data>/offline/<node>/                          a node taken offline (nodes/failures.py)

Clients see the real HPCC paths instead: a drop zone's configured path (e.g.
``/var/lib/HPCCSystems/mydropzone``) and ``/var/lib/HPCCSystems/hpcc-data/thor/...`` for parts
(filespray.md §6.2, §7.2). This module maps between the two.

`resolve_in_dropzone` is the one path-safety check for every drop-zone operation. It refuses,
with ``Invalid path <path>`` (20052):
* ESP's `containsRelPaths` cases: a leading ``~``, or any ``.``/``..`` component, with ``/`` and
  ``\\`` both treated as separators (filespray.md §5.1);
* NUL bytes, paths whose real location (after following symlinks) is outside the drop-zone
  folder, and paths the file system could not hold (a name over `NAME_MAX` bytes, a path
  over `PATH_MAX`) — emulator safeguards real ESP does not have;
and an absolute path that is not under the drop zone's client path (boundary-aware, case
sensitive) with `PathNotInDropZone` (``The path '<p>' is not valid for dropzone <name>.``).
Symlinks are checked when the path is resolved; one created afterwards is not re-checked.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

from .environment import DropZone, Environment, Node
from .errors import InsufficientSpace, InvalidLogicalName, InvalidPath, NodeUnreachable, PathNotInDropZone
from .names import LogicalName, logical_directory, parse_logical_name, part_file_name

#: Linux's limits on one file-name component and on a whole path (bytes).
NAME_MAX, PATH_MAX = 255, 4096
#: A scope, or a tail with its part suffix, is one file-name component on disk, and Linux
#: allows 255 bytes; 64 are kept for the part suffix ``._<p>_of_<N>`` and the suffix of the
#: temporary name a DFU job writes under.
MAX_NAME_COMPONENT = NAME_MAX - 64
#: The path of a part below a node's base directory; Linux allows 4095 bytes in all, the rest
#: is kept for the data directory itself.
MAX_RELATIVE_PATH = 3072
CLIENT_DATA_BASE = "/var/lib/HPCCSystems/hpcc-data/thor"
CLIENT_MIRROR_BASE = "/var/lib/HPCCSystems/hpcc-mirror/thor"
DALI_FILE = "dali.sqlite"
DFU_SERVER_LOCK = "dfuserver.lock"


def contains_rel_paths(path: str) -> bool:
    """jlib ``containsRelPaths``: starts with ``~`` or has a ``.``/``..`` component."""
    if path.startswith("~"):
        return True
    return any(part in (".", "..") for part in path.replace("\\", "/").split("/"))


def shown_path(path: str) -> str:
    """The path as quoted in messages (a NUL cannot travel in XML)."""
    return path.replace("\0", "\\0")


def check_client_path(path: str, error=InvalidPath.invalid_path) -> None:
    """ESP's containsRelPaths check (plus NUL bytes), raised as `error(shown path)`: the one
    place every client path is refused before any lookup."""
    if "\0" in path or contains_rel_paths(path):
        raise error(shown_path(path))


def check_storable(name: LogicalName, shown: str) -> None:
    """Refuse a local logical name whose parts could not be stored on a Linux file system:
    a scope or tail over `MAX_NAME_COMPONENT` characters on disk, or scopes and tail over
    `MAX_RELATIVE_PATH` in all. Raised as FileSpray's ``Invalid destination filename:'<shown>'``
    with the reason (20052). Real HPCC has no such check: its DFU server fails when it cannot
    create the part; the emulator refuses the request instead, and never names a server path."""
    directory = logical_directory(name)
    components = directory.split("/") if directory else []
    last = part_file_name(name.tail, 1, 1)
    if any(len(c) > MAX_NAME_COMPONENT for c in components) or \
            len(last) - len("._1_of_1") > MAX_NAME_COMPONENT:
        raise InvalidLogicalName.destination_too_long(
            shown, f"a scope or the file name is longer than {MAX_NAME_COMPONENT} characters")
    if len(directory) + 1 + len(last) > MAX_RELATIVE_PATH:
        raise InvalidLogicalName.destination_too_long(
            shown, f"its scopes and file name are longer than {MAX_RELATIVE_PATH} characters")


def resolve_in_dropzone(root: Path, dropzone: DropZone, client_path: str | None) -> Path:
    """Map a client path (absolute under ``dropzone.path``, or relative to it) to a real path
    strictly inside ``root`` (the drop zone's folder). The result need not exist."""
    raw = client_path or ""
    check_client_path(raw)
    path = raw.replace("\\", "/")
    if path.startswith("/"):
        if not dropzone.contains_path(path):
            raise PathNotInDropZone.for_dropzone(raw, dropzone.name, dropzone.path)
        path = path[len(dropzone.path.rstrip("/")):]
    parts = [p for p in path.split("/") if p]
    candidate = root.joinpath(*parts)
    if any(len(os.fsencode(p)) > NAME_MAX for p in parts) or len(os.fsencode(candidate)) >= PATH_MAX:
        raise InvalidPath.invalid_path(raw)  # the file system could not hold it
    real_root = root.resolve()
    try:
        real = candidate.resolve()
    except (OSError, RuntimeError):  # symlink loop (Python 3.12 and earlier)
        raise InvalidPath.invalid_path(raw) from None
    if any(p.is_symlink() for p in (real, *real.parents)):  # a link left unresolved: a loop (3.13+)
        raise InvalidPath.invalid_path(raw)
    if real != real_root and real_root not in real.parents:
        raise InvalidPath.invalid_path(raw)
    return candidate


def client_path_in_dropzone(root: Path, dropzone: DropZone, real_path: str | Path) -> str:
    """The reverse of `resolve_in_dropzone`: the path a client sees for a real path."""
    real = Path(real_path)
    try:
        rel = real.relative_to(root)
    except ValueError:
        try:
            rel = real.resolve().relative_to(root.resolve())
        except ValueError:
            raise InvalidPath.invalid_path(str(real_path)) from None
    base = dropzone.path.rstrip("/")
    tail = rel.as_posix()
    return base + "/" + tail if tail != "." else (base or "/")


class DataDir:
    """The on-disk layout of one emulated cluster."""

    def __init__(self, root: str | Path, environment: Environment, min_free_bytes: int = 0):
        self.root = Path(root).absolute()
        self.environment = environment
        self.min_free_bytes = min_free_bytes

    def ensure_free_space(self, needed: int = 0) -> None:
        """Refuse (`InsufficientSpace`) when writing `needed` more bytes would leave less than
        ``min_free_bytes`` free on the data directory's disk (0: no floor)."""
        if self.min_free_bytes <= 0:
            return
        free = shutil.disk_usage(self.root).free
        if free - max(needed, 0) < self.min_free_bytes:
            raise InsufficientSpace.below_floor(free, self.min_free_bytes, max(needed, 0))

    # -- layout ------------------------------------------------------------------------------
    @property
    def dali_path(self) -> Path:
        return self.root / DALI_FILE

    @property
    def dropzones_root(self) -> Path:
        return self.root / "dropzones"

    @property
    def nodes_root(self) -> Path:
        return self.root / "nodes"

    @property
    def offline_root(self) -> Path:
        return self.root / "offline"

    @property
    def dfu_server_lock(self) -> Path:
        """Locked (``flock``) by the DFU server process of `hpccemu serve --workers N` for its
        whole life, with its pid written in it."""
        return self.root / DFU_SERVER_LOCK

    def dfu_server_pid(self) -> int | None:
        """The pid of the DFU server process that holds `dfu_server_lock`; None when none does."""
        try:
            import fcntl
        except ImportError:        # no flock: trust the file
            fcntl = None
        try:
            with open(self.dfu_server_lock, "rb") as handle:
                if fcntl is not None:
                    try:
                        fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
                    except BlockingIOError:
                        pass           # held: its holder is alive
                    else:
                        return None    # nobody holds it (our shared lock goes with the handle)
                text = handle.read().decode("ascii", "replace").strip()
        except FileNotFoundError:
            return None
        return int(text) if text.isdigit() else None

    def create(self) -> "DataDir":
        """Create every directory of the layout (idempotent; a node taken offline stays away)."""
        for dz in self.environment.drop_zones:
            self.dropzone_dir(dz).mkdir(parents=True, exist_ok=True)
        for node in self.environment.nodes:
            if self.is_offline(node):
                continue
            self.node_data_dir(node).mkdir(parents=True, exist_ok=True)
            self.node_mirror_dir(node).mkdir(parents=True, exist_ok=True)
        return self

    def dropzone_dir(self, dropzone: DropZone | str) -> Path:
        name = dropzone.name if isinstance(dropzone, DropZone) else dropzone
        return self.dropzones_root / name

    def node_dir(self, node: Node | str) -> Path:
        return self.nodes_root / (node.name if isinstance(node, Node) else node)

    def offline_dir(self, node: Node | str) -> Path:
        """Where the folders of a node taken offline wait (unreachable under ``nodes/``)."""
        return self.offline_root / (node.name if isinstance(node, Node) else node)

    def is_offline(self, node: Node | str) -> bool:
        return self.offline_dir(node).is_dir()

    def check_reachable(self, node: Node | str) -> None:
        """Raise `NodeUnreachable` (dafilesrv's connect failure) for a node taken offline."""
        if self.is_offline(node):
            name = node.name if isinstance(node, Node) else node
            address = next((n.address for n in self.environment.nodes if n.name == name), name)
            raise NodeUnreachable.on(address)

    def node_data_dir(self, node: Node | str) -> Path:
        return self.node_dir(node) / "hpcc-data" / "thor"

    def node_mirror_dir(self, node: Node | str) -> Path:
        return self.node_dir(node) / "hpcc-mirror" / "thor"

    # -- logical file parts --------------------------------------------------------------------
    def part_path(self, node: Node | str, logical_name: str | LogicalName, part_no: int,
                  num_parts: int, mirror: bool = False) -> Path:
        """Real path of part ``part_no`` (1-based) of a logical file on ``node``."""
        lfn = _parsed(logical_name)
        base = self.node_mirror_dir(node) if mirror else self.node_data_dir(node)
        directory = logical_directory(lfn)
        folder = base.joinpath(*directory.split("/")) if directory else base
        return folder / part_file_name(lfn.tail, part_no, num_parts)

    @staticmethod
    def client_directory(logical_name: str | LogicalName, mirror: bool = False) -> str:
        """The directory a client sees for a logical file, e.g.
        ``/var/lib/HPCCSystems/hpcc-data/thor/tutorial/yn``."""
        directory = logical_directory(_parsed(logical_name))
        base = CLIENT_MIRROR_BASE if mirror else CLIENT_DATA_BASE
        return f"{base}/{directory}" if directory else base

    # -- drop zones ----------------------------------------------------------------------------
    def resolve_dropzone_path(self, dropzone: DropZone, client_path: str | None) -> Path:
        """See `resolve_in_dropzone`."""
        return resolve_in_dropzone(self.dropzone_dir(dropzone), dropzone, client_path)

    def client_path(self, dropzone: DropZone, real_path: str | Path) -> str:
        """See `client_path_in_dropzone`."""
        return client_path_in_dropzone(self.dropzone_dir(dropzone), dropzone, real_path)


def _parsed(name: str | LogicalName) -> LogicalName:
    return name if isinstance(name, LogicalName) else parse_logical_name(name)
