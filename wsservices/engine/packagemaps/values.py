"""The values the package-map engine takes and returns (`packagemaps.PackageMaps`): request
options, listings, validation results, query file mappings and Roxie's resolution."""
from __future__ import annotations

from dataclasses import dataclass, field

from .model import strip_tilde

@dataclass(frozen=True)
class UpdateOptions:
    """The request fields AddPackage, AddPartToPackageMap and CopyPackageMap share."""

    process: str = ""
    global_scope: bool = False
    dali_ip: str = ""
    source_process: str = ""
    remote_storage: str = ""
    allow_foreign_files: bool = True
    preload_all: bool = False
    update_superfiles: bool = False
    update_clone_from: bool = False
    append_cluster: bool = True
    dfu_copy_files: bool = False
    only_copy_files: bool = False
    stop_if_files_copied: bool = False
    publisher_wuid: str = ""


@dataclass(frozen=True)
class UpdateResult:
    """``description`` is None when nothing was stored (OnlyCopyFiles)."""

    pmid: str
    description: str | None
    files_not_found: list[str]
    publisher_wuid: str = ""
    publisher_state: str = ""


@dataclass(frozen=True)
class MapRef:
    """One entry of DeletePackage's batch array."""

    id: str = ""
    target: str = ""
    process: str = ""


@dataclass
class MapListing:
    """One PackageListMapData: ``packages`` are (id, queries) of the map's top-level Packages."""

    id: str
    target: str
    process: str
    active: bool
    packages: list[tuple[str, str]] = field(default_factory=list)
    description: str | None = None


@dataclass(frozen=True)
class TargetOption:
    name: str
    type: str
    processes: list[str] | None


@dataclass(frozen=True)
class SelectOptions:
    targets: list[TargetOption] | None
    process_filters: list[str] | None


@dataclass
class ValidationResult:
    target: str
    pmid: str
    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    unmatched_packages: list[str] = field(default_factory=list)
    unmatched_queries: list[str] = field(default_factory=list)
    unmatched_files: list[str] = field(default_factory=list)
    not_in_dfs: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FileMapping:
    """GetQueryFileMapping: files no package covers, and covered superfiles with their subfiles
    (in reverse document order, as ESP lists them)."""

    unmapped: list[str]
    superfiles: list[tuple[str, list[str]]]


@dataclass(frozen=True)
class Resolution:
    """How the emulated Roxie resolves a query's files through the package maps (§4.5, §5).

    * ``served`` False: maps are loaded for the target but none is active, so Roxie does not
      serve the target's queries; ``reason`` is ``"no_packages_active"`` (nothing active at all
      for the process: ROXIE_NO_PACKAGES_ACTIVE, 1450) or ``"not_active_for_target"``
      (ROXIE_UNKNOWN_QUERY, 1403).
    * ``pmid`` is the active map answering, None when no map is loaded (Roxie's empty
      ``<none>`` map: every file resolves through Dali).
    * ``package`` is the matched package id (None = the root package, no overrides).
    * ``superfiles``: every superfile the package chain defines that resolves, lower-cased
      name -> resolved subfiles in order (virtual superkeys included; subfiles that are
      themselves package superfiles are flattened; Dali superfiles stay as names).
    * ``unresolved``: superfiles the package defines but none of whose subfiles resolve; Roxie
      then looks the name up in Dali, unless ``compulsory``.
    * ``error``: the query cannot load (e.g. "Superfile x contains itself as a subfile", or its
      registry ``package`` attribute names a missing package); Roxie suspends it.
    * ``failed_maps``: (pmid, message) of maps skipped because they do not load.
    """

    target: str
    query_id: str
    served: bool = True
    reason: str | None = None
    pmid: str | None = None
    package: str | None = None
    compulsory: bool = False
    superfiles: dict[str, tuple[str, ...]] = field(default_factory=dict)
    unresolved: tuple[str, ...] = ()
    error: str | None = None
    failed_maps: tuple[tuple[str, str], ...] = ()

    def lookup(self, name: str) -> tuple[str, ...] | None:
        """The package's subfiles for a logical name (``~`` and case ignored), or None when
        the package does not resolve it (then: Dali, unless compulsory)."""
        return self.superfiles.get(strip_tilde(name.strip()).lower())


@dataclass(frozen=True)
class _Entry:
    set_id: str
    process: str
    map_id: str
    query_set: str
    active: int | None
