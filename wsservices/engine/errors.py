"""Typed domain errors of the emulated cluster.

Every error carries the ESP code and the exact message text a real ESP/Dali would give.
The engine raises them; only the ESP layer (wsservices/esp) decides how they look on the wire.
"""
from __future__ import annotations

from . import codes


class DomainError(Exception):
    """Base of every error the engine raises on purpose.

    `code` is the numeric ESP/Dali error code, `message` the text clients see (without the
    timestamp prefix ESP adds on the wire).
    """

    code: int = -1

    def __init__(self, message: str, code: int | None = None):
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


class NotImplementedByEmulator(DomainError):
    """An operation of the official contract that this emulator does not implement (yet)."""

    code = -1


class ConfigError(ValueError):
    """A bad setting or topology entry. Not an ESP error: it stops the emulator from starting.

    The message always names the offending key (e.g. ``port (HPCCEMU_PORT)``).
    """


# ---------------------------------------------------------------------------------------------
# Generic request errors
# ---------------------------------------------------------------------------------------------

class InternalError(DomainError):
    """Something failed inside the emulated cluster (ECLWATCH_INTERNAL_ERROR)."""

    code = codes.ECLWATCH_INTERNAL_ERROR


def os_reason(exc: OSError) -> str:
    """The part of an OSError a client may see: the system's reason ("No space left on
    device"), never the server path or Python's own text."""
    return exc.strerror or "I/O error"


class InvalidArgument(DomainError):
    """A request field has a bad value (ECLWATCH_INVALID_INPUT, 20052).

    ESP uses 20052 for almost every validation failure of FileSpray and WsDfu, e.g.
    "Action not defined." or "Destination file not specified." (filespray.md §3.1).
    """

    code = codes.ECLWATCH_INVALID_INPUT


class MissingArgument(DomainError):
    """A required request field is empty (ECLWATCH_MISSING_PARAMS, 20051).

    Note that real ESP reports many "not specified" conditions with 20052 instead
    (filespray.md §3.1); use `InvalidArgument` for those.
    """

    code = codes.ECLWATCH_MISSING_PARAMS


class InsufficientSpace(DomainError):
    """The data directory's disk is below the configured free-space floor (``min_free_bytes``):
    the emulator refuses to write rather than fill the disk. Not an HPCC message (a real Thor
    node fails the write itself); code 20052 as for other refused input."""

    code = codes.ECLWATCH_INVALID_INPUT

    @classmethod
    def below_floor(cls, free: int, floor: int, needed: int = 0) -> "InsufficientSpace":
        need = f" plus the {needed} bytes this needs" if needed else ""
        return cls(f"Not enough free disk space: {free} bytes free, {floor} bytes must stay free{need}.")


class PermissionDenied(DomainError):
    """An access check failed. Default code ECLWATCH_DFU_ACCESS_DENIED (20011).

    Raised by the ESP layer's feature checks (wsservices/esp/features.py) and for file scopes
    when security is configured (wsdfu.md §0.3, filespray.md §2.4, esp-protocol.md A.9).
    """

    code = codes.ECLWATCH_DFU_ACCESS_DENIED

    @classmethod
    def dfu_access(cls, method: str) -> "PermissionDenied":
        """``WsDfu::<Method>: Permission denied.`` (20011)."""
        return cls(f"WsDfu::{method}: Permission denied.", codes.ECLWATCH_DFU_ACCESS_DENIED)

    @classmethod
    def lookup_scope(cls, scope: str, user: str, level: int, level_name: str, dali: str) -> "PermissionDenied":
        """Dali checkLogicalName, read: ``DFS Exception: 3 Lookup access denied for scope ...``."""
        return cls(f"DFS Exception: {codes.DFSERR_LookupAccessDenied} Lookup access denied for scope "
                   f"{scope} user '{user}', assigned access {level_name} ({level}) at Dali {dali}",
                   codes.DFSERR_LookupAccessDenied)

    @classmethod
    def create_scope(cls, scope: str, user: str, level: int, level_name: str) -> "PermissionDenied":
        """Dali checkLogicalName, write: ``DFS Exception: 4 Create access denied for scope ...``."""
        return cls(f"DFS Exception: {codes.DFSERR_CreateAccessDenied} Create access denied for scope "
                   f"{scope} user '{user}', assigned access {level_name} ({level})",
                   codes.DFSERR_CreateAccessDenied)


# ---------------------------------------------------------------------------------------------
# Logical files (wsdfu.md §3, §6, §10)
# ---------------------------------------------------------------------------------------------

class InvalidLogicalName(DomainError):
    """A logical file name breaks the Dali naming rules (`dautils` normalizeName; code -1).

    FileSpray reports the same failures for a spray/copy target as
    ``Invalid destination filename:'<name>'`` with 20052 (filespray.md §3.1 step 4, §7.1):
    see `destination`.
    """

    code = codes.GENERIC_ERROR

    @classmethod
    def unexpected_character(cls, char: str, name: str) -> "InvalidLogicalName":
        return cls(f"Unexpected character '{char}' in logical name '{name}' detected")

    @classmethod
    def blank_scope(cls, name: str) -> "InvalidLogicalName":
        return cls(f"Scope is blank in file name '{name}'")

    @classmethod
    def ends_with_self_scope(cls) -> "InvalidLogicalName":
        return cls('Logical filename cannot end with scope "."')

    @classmethod
    def wildcards(cls, name: str) -> "InvalidLogicalName":
        return cls(f"Wildcards not allowed in filename ({name})")

    @classmethod
    def empty(cls) -> "InvalidLogicalName":
        """Dali's text for an empty name (wsdfu.md §6 rule 4: ``empty filename``)."""
        return cls("empty filename")

    @classmethod
    def destination(cls, name: str) -> "InvalidLogicalName":
        """FileSpray's wrapper text for a bad target name (no space after the colon; 20052)."""
        return cls(f"Invalid destination filename:'{name}'", codes.ECLWATCH_INVALID_INPUT)

    @classmethod
    def destination_too_long(cls, name: str, reason: str) -> "InvalidLogicalName":
        """FileSpray's wrapper text with the reason a target cannot be stored (the emulator's
        own check, `datadir.check_storable`; real ESP has none)."""
        return cls(f"Invalid destination filename:'{name}' ({reason})", codes.ECLWATCH_INVALID_INPUT)


class FileNotFound(DomainError):
    """A logical file does not exist (ECLWATCH_FILE_NOT_EXIST, 20038, unless noted)."""

    code = codes.ECLWATCH_FILE_NOT_EXIST

    @classmethod
    def cannot_find(cls, name: str, cluster: str | None = None) -> "FileNotFound":
        """DFUInfo / AddtoSuperfile: ``Cannot find file <name>.`` or ``... on <cluster>.``"""
        if cluster:
            return cls(f"Cannot find file {name} on {cluster}.")
        return cls(f"Cannot find file {name}.")

    @classmethod
    def failed_to_find(cls, name: str) -> "FileNotFound":
        """FileSpray Copy: ``Failed to find file: <name>`` (filespray.md §3.5)."""
        return cls(f"Failed to find file: {name}")

    @classmethod
    def dfile(cls, name: str) -> "FileNotFound":
        """DFU helper (Savexml): ``DFile <name> not found`` (8294)."""
        return cls(f"DFile {name} not found", codes.DFUERR_DFileNotFound)

    @classmethod
    def superfile(cls, name: str) -> "FileNotFound":
        """DFU helper: ``SuperFile <name> not found`` (8300)."""
        return cls(f"SuperFile {name} not found", codes.DFUERR_DSuperFileNotFound)


class NotASuperfile(DomainError):
    """``<name> is not a superfile.`` (ECLWATCH_NOT_SUPERFILE, 20041; AddtoSuperfile)."""

    code = codes.ECLWATCH_NOT_SUPERFILE

    @classmethod
    def named(cls, name: str) -> "NotASuperfile":
        return cls(f"{name} is not a superfile.")


class FileExists(DomainError):
    """A logical file already exists (ECLWATCH_FILE_ALREADY_EXISTS, 20042, unless noted)."""

    code = codes.ECLWATCH_FILE_ALREADY_EXISTS

    @classmethod
    def already_exists(cls, name: str) -> "FileExists":
        """AddtoSuperfile: ``The file <name> already exists.``"""
        return cls(f"The file {name} already exists.")

    @classmethod
    def dfs(cls, name: str) -> "FileExists":
        """Dali addEntry: ``DFS Exception: 1: logical name <lfn> already exists`` (code 1)."""
        return cls(f"DFS Exception: 1: logical name {name} already exists",
                   codes.DFSERR_LogicalNameAlreadyExists)


class FileLocked(DomainError):
    """A Dali lock blocks the operation (SDS LockHeld = 30, LockTimeout = 1; wsdfu.md §6).

    The emulator never waits: a HOLD lock (a published Roxie query) fails at once with
    `lock_held`; `lock_timeout` exists for plain read locks. ``xpath`` is the Dali node path of
    the file (see `names.LogicalName.dali_xpath`), ``info`` a free-text summary of the holders.
    """

    code = codes.SDSExcpt_LockHeld

    @classmethod
    def lock_held(cls, xpath: str, info: str) -> "FileLocked":
        detail = (f"Lock is held performing changeMode on connection to : {xpath}, "
                  f"existing lock info: {info}")
        return cls(f"SDS: Lock held - SDS Reply Error  : SDS: Lock held - {detail}",
                   codes.SDSExcpt_LockHeld)

    @classmethod
    def lock_timeout(cls, xpath: str, info: str) -> "FileLocked":
        detail = (f"Lock timeout performing changeMode on connection to : {xpath}, "
                  f"existing lock info: {info}")
        return cls(f"SDS: Lock timeout - SDS Reply Error  : SDS: Lock timeout - {detail}",
                   codes.SDSExcpt_LockTimeout)


class FileProtected(DomainError):
    """The file carries Protect entries (Dali reason text, code -1; wsdfu.md §6 rule 1)."""

    code = codes.GENERIC_ERROR

    @classmethod
    def protected_by(cls, name: str, owners: list[str] | tuple[str, ...]) -> "FileProtected":
        return cls(f"file {name} protected by {', '.join(owners)}")


class ForeignFileOperation(DomainError):
    """An operation Dali refuses on a ``foreign::`` name (code -1; wsdfu.md §3 rule 8)."""

    code = codes.GENERIC_ERROR

    @classmethod
    def cannot_remove(cls, name: str) -> "ForeignFileOperation":
        return cls(f"{name} is foreign")

    @classmethod
    def cannot_rename(cls) -> "ForeignFileOperation":
        return cls("rename: cannot rename foreign files")

    @classmethod
    def cannot_be_superfile(cls, name: str) -> "ForeignFileOperation":
        return cls(f"cannot have a superfile with a foreign file name ({name})")

    @classmethod
    def not_allowed(cls) -> "ForeignFileOperation":
        return cls("Operation not allowed on foreign file")


# ---------------------------------------------------------------------------------------------
# Drop zones and paths (filespray.md §5)
# ---------------------------------------------------------------------------------------------

class InvalidPath(DomainError):
    """A client path is refused (ECLWATCH_INVALID_INPUT, 20052).

    Real ESP refuses paths that start with ``~`` or contain a ``.`` or ``..`` component
    (`containsRelPaths`, filespray.md §5.1) with one of the texts below; the emulator also
    refuses NUL bytes and symlinks that lead out of the drop zone, with ``Invalid path %s``.
    """

    code = codes.ECLWATCH_INVALID_INPUT

    @classmethod
    def invalid_path(cls, path: str) -> "InvalidPath":
        return cls(f"Invalid path {path}")

    @classmethod
    def invalid_subfolder(cls, path: str) -> "InvalidPath":
        return cls(f"Invalid Subfolder {path}")

    @classmethod
    def invalid_file(cls, name: str) -> "InvalidPath":
        return cls(f"Invalid file {name}")

    @classmethod
    def invalid_file_name(cls, name: str) -> "InvalidPath":
        return cls(f"Invalid file name {name}")


class PathNotInDropZone(InvalidPath):
    """An absolute client path lies outside the drop zone (TPC getDropZoneAndValidateHostAndPath).

    Default text ``The path '<path>' is not valid for dropzone <name>.`` (filespray.md §5.1; the
    notes give no code for it, 20052 is used). Callers with a method-specific text (e.g. Despray's
    ``The absolute destination path: ...`` with 20070) can catch this and re-raise using
    ``.path``, ``.dropzone`` and ``.prefix``.
    """

    path: str = ""
    dropzone: str = ""
    prefix: str = ""

    @classmethod
    def for_dropzone(cls, path: str, dropzone: str, prefix: str) -> "PathNotInDropZone":
        err = cls(f"The path '{path}' is not valid for dropzone {dropzone}.")
        err.path, err.dropzone, err.prefix = path, dropzone, prefix
        return err


class DropZoneNotFound(DomainError):
    """No drop zone matches (ECLWATCH_DROP_ZONE_NOT_FOUND, 20070, unless noted)."""

    code = codes.ECLWATCH_DROP_ZONE_NOT_FOUND

    @classmethod
    def not_in_environment(cls) -> "DropZoneNotFound":
        """DropZoneFiles / DeleteDropZoneFiles (filespray.md §5.2, §5.5)."""
        return cls("Dropzone is not found in the environment settings.")

    @classmethod
    def named(cls, name: str) -> "DropZoneNotFound":
        """TPC with a drop-zone name (filespray.md §5.1); TpCommon.cpp raises it as 20052."""
        return cls(f"DropZone '{name}' not found.", codes.ECLWATCH_INVALID_INPUT)

    @classmethod
    def for_host_path(cls, host: str, path: str) -> "DropZoneNotFound":
        """TPC without a name; empty values print as ``unspecified`` (filespray.md §5.1); 20052."""
        return cls(f"DropZone not found for host '{host or 'unspecified'}' "
                   f"path '{path or 'unspecified'}'.", codes.ECLWATCH_INVALID_INPUT)


# ---------------------------------------------------------------------------------------------
# DFU workunits (filespray.md §3.7, §4.6)
# ---------------------------------------------------------------------------------------------

class WorkunitNotFound(DomainError):
    """``Dfu workunit <wuid> not found.`` — ECLWATCH_CANNOT_OPEN_WORKUNIT (20081) by default.

    Real ESP uses the same text with a method-specific code: 20081 (GetDFUProgress,
    GetDFUWorkunits), 20080 (Abort, GetDFUExceptions), 20082 (Update, Delete); pass it to
    `dfu`. GetDFUWorkunit on a stock system answers `cannot_read` (20080) instead.
    """

    code = codes.ECLWATCH_CANNOT_OPEN_WORKUNIT

    @classmethod
    def dfu(cls, wuid: str, code: int = codes.ECLWATCH_CANNOT_OPEN_WORKUNIT) -> "WorkunitNotFound":
        return cls(f"Dfu workunit {wuid} not found.", code)

    @classmethod
    def cannot_read(cls, wuid: str) -> "WorkunitNotFound":
        return cls(f"Cannot read workunit {wuid}.", codes.ECLWATCH_CANNOT_GET_WORKUNIT)


# ---------------------------------------------------------------------------------------------
# Nodes
# ---------------------------------------------------------------------------------------------

#: the port of dafilesrv (aka daliservix) on every node (system/include/portlist.h)
DAFILESRV_PORT = 7100


class NodeUnreachable(DomainError):
    """A node whose folders cannot be reached (taken offline): what dafilesrv's client says when
    it cannot connect (fs/dafsclient/rmtclient.cpp)."""

    code = -1

    @classmethod
    def on(cls, address: str) -> "NodeUnreachable":
        return cls(f"Failed to connect (setting host down) to dafilesrv/daliservix on {address}:{DAFILESRV_PORT}")
