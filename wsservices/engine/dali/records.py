"""The records and helpers of the logical-file catalogue (files.py): parts, history, the file
being created and the file as read (`LogicalFileInfo`), the errors the catalogue adds, and small
conversions of Dali attribute values. Import them from files.py, the catalogue's API."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable

from .. import codes
from ..errors import DomainError, FileNotFound, ForeignFileOperation
from ..names import LogicalName, parse_logical_name

_ATTR_ALIASES = {"ecl": "ecl", "recordcount": "recordCount", "recordsize": "recordSize",
                 "maxrecordsize": "maxRecordSize", "expiredays": "expireDays",
                 "blockcompressed": "blockCompressed", "compressedsize": "compressedSize",
                 "rowtag": "rowTag", "csvseparate": "csvSeparate", "csvterminate": "csvTerminate",
                 "csvquote": "csvQuote", "csvescape": "csvEscape",
                 "quotedterminator": "quotedTerminator"}


# ---------------------------------------------------------------------------------------------
# Records
# ---------------------------------------------------------------------------------------------

@dataclass
class PartRecord:
    """One part of a logical file on one node group. ``number`` is 1-based; ``node`` is the
    emulated node's name (its directory under ``<data>/nodes``)."""

    number: int
    node: str
    size: int
    record_count: int | None = None
    crc: int | None = None
    replica_node: str | None = None
    compressed_size: int | None = None


@dataclass
class HistoryRecord:
    """One ``History/Origin`` entry (wsdfu.md §4.16, filespray.md §6.5)."""

    operation: str
    timestamp: str = ""
    ip: str = ""
    path: str = ""
    name: str = ""
    owner: str = ""
    workunit: str = ""


@dataclass
class NewLogicalFile:
    """What a writer (spray, copy, Add, tests) registers.

    ``attrs`` are Dali ``Attr`` names (format, recordSize, maxRecordSize, csvSeparate,
    csvTerminate, csvQuote, csvEscape, quotedTerminator, rowTag, ecl, kind, owner, workunit, job,
    expireDays (-1 or absent = never), blockCompressed, size, recordCount, description,
    compressedSize, persistent, ...); values are stored as text (booleans as 1/0, None = absent).
    ``attrs["history"]`` may carry a list of `HistoryRecord` (or dicts of its fields).
    ``size`` defaults to the sum of the part sizes; ``attrs["modified"]`` (UTC
    ``YYYY-MM-DDTHH:MM:SS``) overrides the registration time (imports, fixtures).
    """

    name: str
    group: str
    directory: str
    part_mask: str
    parts: list[PartRecord]
    attrs: dict[str, object] = field(default_factory=dict)


@dataclass
class ProtectEntry:
    owner: str
    modified: str


@dataclass
class LogicalFileInfo:
    """Everything known about one logical file or superfile (what DFUInfo shows)."""

    id: int
    name: str
    is_superfile: bool
    directory: str
    part_mask: str
    num_parts: int
    modified: str
    attrs: dict[str, str]
    clusters: list[str]
    parts: dict[str, list[PartRecord]]
    protect: list[ProtectEntry]
    super_owners: list[str]
    subfiles: list[str]
    #: the node groups of a superfile's (recursive) members, in order of first appearance
    member_clusters: list[str] = field(default_factory=list)

    # -- naming ----------------------------------------------------------------------------
    @property
    def parsed(self) -> LogicalName:
        return parse_logical_name(self.name)

    @property
    def tail(self) -> str:
        return self.name.rsplit("::", 1)[-1]

    @property
    def prefix(self) -> str:
        """Text before the first ``::`` (the whole name if none), as DFUQuery shows it."""
        return self.name.split("::", 1)[0]

    # -- attributes --------------------------------------------------------------------------
    def attr(self, key: str, default: str = "") -> str:
        value = self.attrs.get(key)
        return default if value is None else value

    def attr_int(self, key: str) -> int | None:
        return to_int(self.attrs.get(key))

    def flag(self, key: str) -> bool:
        return truthy(self.attrs.get(key))

    @property
    def owner(self) -> str:
        return self.attr("owner")

    @property
    def description(self) -> str:
        return self.attr("description")

    @property
    def kind(self) -> str:
        return self.attr("kind")

    @property
    def format(self) -> str:
        return self.attr("format")

    @property
    def ecl(self) -> str:
        return self.attr("ecl")

    @property
    def size(self) -> int | None:
        return self.attr_int("size")

    @property
    def record_size(self) -> int | None:
        return self.attr_int("recordSize")

    @property
    def record_count(self) -> int | None:
        """``recordCount``, else size / recordSize when both are known, else None."""
        count = self.attr_int("recordCount")
        if count is not None:
            return count
        size, rsize = self.size, self.record_size
        if size is not None and rsize:
            return size // rsize
        return None

    @property
    def is_key(self) -> bool:
        return self.kind.lower() == "key"

    @property
    def is_compressed(self) -> bool:
        return self.flag("compressed") or self.flag("blockCompressed")

    @property
    def is_restricted(self) -> bool:
        return self.flag("restricted")

    @property
    def is_protected(self) -> bool:
        return bool(self.protect)

    @property
    def expire_days(self) -> int | None:
        return self.attr_int("expireDays")

    @property
    def accessed(self) -> str:
        return self.attr("accessed")


# ---------------------------------------------------------------------------------------------
# Errors this module adds (errors.py holds the shared ones)
# ---------------------------------------------------------------------------------------------

class OwnedBySuperfile(DomainError):
    """Dali's reason when a superfile member is deleted or renamed (code -1; wsdfu.md §6 rule 2)."""

    code = codes.GENERIC_ERROR

    @classmethod
    def named(cls, name: str, owners: Iterable[str]) -> "OwnedBySuperfile":
        return cls(f"Cannot remove file {name} as owned by SuperFile(s): {', '.join(owners)}")


class DeleteFailed(DomainError):
    """Dali ``removeEntry`` failed: ``DFS Exception: 12: Failed to delete file: <lfn> - cause:
    [ -1: <cause>] `` (note the trailing space; wsdfu.md §4.3a, §6). ``reason`` is the underlying
    error (protection, superfile ownership or lock) for callers that want the bare text."""

    code = codes.DFSERR_FailedToDeleteFile

    def __init__(self, lfn: str, cause: str, reason: DomainError | None = None):
        super().__init__(f"DFS Exception: {codes.DFSERR_FailedToDeleteFile}: Failed to delete "
                         f"file: {lfn} - cause: {multi_exception(codes.GENERIC_ERROR, cause)}")
        self.lfn = lfn
        self.cause = cause
        self.reason = reason


class RenameFailed(DomainError):
    """Dali ``renamePhysical`` texts (code -1; wsdfu.md §4.18)."""

    code = codes.GENERIC_ERROR


def multi_exception(code: int, message: str) -> str:
    """jlib's multi-exception text for one inner error: ``[%3d: %s] `` (wsdfu.md §0.3)."""
    return f"[{code:3d}: {message}] "


# ---------------------------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------------------------

def now_utc() -> str:
    """Dali's ``modified`` format: UTC ``YYYY-MM-DDTHH:MM:SS``."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")


def now_utc_precise() -> str:
    """As `now_utc`, with microseconds appended when non-zero (superfile ``setModified``,
    Protect entries; wsdfu.md §2, §7)."""
    now = datetime.now(timezone.utc)
    text = now.strftime("%Y-%m-%dT%H:%M:%S")
    return f"{text}.{now.microsecond:06d}" if now.microsecond else text


def truthy(value: Any) -> bool:
    return str(value or "").strip().lower() in ("1", "true", "yes", "on")


def to_int(value: Any) -> int | None:
    if value is None:
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        return None


def attr_text(value: object) -> str | None:
    """How an attribute value is stored: text, booleans as 1/0, None = absent."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


def canonical_attr(key: str) -> str:
    return _ATTR_ALIASES.get(key.lower(), key)


def local_name(name: str | None) -> LogicalName:
    """Parse a name that must live in this Dali (not foreign, external or a brace list)."""
    parsed = parse_logical_name(name)
    if parsed.is_foreign:
        raise ForeignFileOperation.not_allowed()
    if parsed.is_external or parsed.is_multi:
        raise FileNotFound.cannot_find(parsed.name)
    return parsed
