"""Errors of the package-map engine, with WsPackageProcess's codes and exact texts.

Texts and codes are from packageprocess.md §3 (per method), §3.12 (load errors) and §6. Several
are misleading on purpose, because real ESP is: "not found" in the part methods uses 11000
(PKG_NAME_EXISTS) and DeActivatePackage reuses 11005 (PKG_ACTIVATE_NOT_FOUND) (quirk Q8).
"""
from __future__ import annotations

from .. import codes
from ..errors import DomainError


class PackageProcessError(DomainError):
    """A WsPackageProcess request failed (inline Exceptions on the wire)."""

    code = codes.PKG_NAME_EXISTS

    # -- ids and parameters (§3.2 step 1, §3.6, §3.7) -----------------------------------------
    @classmethod
    def name_required(cls) -> "PackageProcessError":
        return cls("PackageMap name parameter required", codes.PKG_MISSING_PARAM)

    @classmethod
    def target_required(cls) -> "PackageProcessError":
        return cls("Target cluster parameter required", codes.PKG_MISSING_PARAM)

    @classmethod
    def unknown_target(cls, target: str) -> "PackageProcessError":
        """Note the trailing space: real ESP's text has it."""
        return cls(f"Could not find information about target cluster {target} ",
                   codes.PKG_TARGET_NOT_DEFINED)

    @classmethod
    def process_not_found(cls, process: str, location: str) -> "PackageProcessError":
        return cls(f"Process cluster {process} not found on {location or 'local'} remote",
                   codes.PKG_INVALID_CLUSTER_TYPE)

    @classmethod
    def no_target_defined(cls) -> "PackageProcessError":
        return cls("No target defined", codes.PKG_TARGET_NOT_DEFINED)

    @classmethod
    def no_pmid(cls) -> "PackageProcessError":
        return cls("No pmid specified", codes.PKG_MISSING_PARAM)

    # -- content (§3.2 step 5, §3.3) ------------------------------------------------------------
    @classmethod
    def no_content(cls) -> "PackageProcessError":
        return cls("No PackageMap content provided", codes.PKG_INFO_NOT_DEFINED)

    @classmethod
    def no_part_name(cls) -> "PackageProcessError":
        return cls("No PackageMap Part name provided", codes.PKG_INFO_NOT_DEFINED)

    @classmethod
    def foreign_not_allowed(cls, lfn: str) -> "PackageProcessError":
        return cls(f"Foreign file not allowed (declared in package): {lfn}", codes.GENERIC_ERROR)

    # -- existence (§3.2 step 6, §3.3-§3.7) -----------------------------------------------------
    @classmethod
    def map_exists(cls, pmid: str) -> "PackageProcessError":
        return cls(f"PackageMap {pmid} already exists, either delete it or specify overwrite",
                   codes.PKG_NAME_EXISTS)

    @classmethod
    def part_exists(cls, part: str) -> "PackageProcessError":
        return cls(f"Package Part {part} already exists, remove, or specify 'delete previous'",
                   codes.PKG_NAME_EXISTS)

    @classmethod
    def map_not_found(cls, pmid: str) -> "PackageProcessError":
        return cls(f"PackageMap {pmid} not found", codes.PKG_NAME_EXISTS)

    @classmethod
    def part_not_found(cls, pmid: str, part: str) -> "PackageProcessError":
        return cls(f"PackageMap {pmid} Part {part} not found", codes.PKG_NAME_EXISTS)

    @classmethod
    def activate_not_found(cls, name: str, target: str) -> "PackageProcessError":
        return cls(f"PackageMap {name} not found on target {target}", codes.PKG_ACTIVATE_NOT_FOUND)

    @classmethod
    def no_package_sets(cls) -> "PackageProcessError":
        return cls("No package sets defined", codes.PKG_NONE_DEFINED)

    @classmethod
    def no_package_sets_for(cls, process: str) -> "PackageProcessError":
        return cls(f"No package sets defined for {process}", codes.PKG_TARGET_NOT_DEFINED)

    @classmethod
    def delete_not_found(cls, name: str) -> "PackageProcessError":
        return cls(f"Unable to delete {name} - information not found", codes.PKG_DELETE_NOT_FOUND)

    # -- ValidatePackage / GetQueryFileMapping (§3.12, §3.13, §6) -------------------------------
    @classmethod
    def target_cluster_required(cls) -> "PackageProcessError":
        return cls("Target cluster required", codes.PKG_TARGET_NOT_DEFINED)

    @classmethod
    def target_cluster_not_found(cls) -> "PackageProcessError":
        return cls("Target cluster not found", codes.PKG_TARGET_NOT_DEFINED)

    @classmethod
    def unable_to_find_target(cls) -> "PackageProcessError":
        return cls("Unable to find target cluster", codes.PKG_TARGET_NOT_DEFINED)

    @classmethod
    def roxie_process_not_found(cls) -> "PackageProcessError":
        return cls("Roxie process not found", codes.PKG_TARGET_NOT_DEFINED)

    @classmethod
    def roxie_target_required(cls) -> "PackageProcessError":
        return cls("Roxie target required", codes.PKG_INVALID_CLUSTER_TYPE)

    @classmethod
    def need_pmid_or_content(cls) -> "PackageProcessError":
        return cls("Please specify PMID or Package Map content", codes.ECLWATCH_INVALID_INPUT)

    @classmethod
    def too_large(cls, what: str, limit: int, setting: str) -> "PackageProcessError":
        """A document over one of the emulator's bounds (xmlio.Limits; real ESP has none):
        `what` says what it holds, e.g. ``100002 attributes on <Package>``."""
        return cls(f"Error processing package file content: {what}, more than the {limit} allowed "
                   f"(setting {setting})", codes.PKG_LOAD_PACKAGEMAP_FAILED)

    @classmethod
    def bad_content(cls) -> "PackageProcessError":
        return cls("Error processing package file content", codes.PKG_LOAD_PACKAGEMAP_FAILED)

    @classmethod
    def active_map_not_found(cls) -> "PackageProcessError":
        return cls("Active package map not found", codes.PKG_PACKAGEMAP_NOT_FOUND)

    @classmethod
    def pmid_not_found(cls, pmid: str) -> "PackageProcessError":
        return cls(f"Package map {pmid} not found", codes.PKG_PACKAGEMAP_NOT_FOUND)

    @classmethod
    def query_name_required(cls) -> "PackageProcessError":
        return cls("Query name required", codes.PKG_INVALID_QUERY_NAME)

    @classmethod
    def query_not_found(cls, name: str) -> "PackageProcessError":
        return cls(f"Query {name} not found", codes.PACKAGE_QUERY_NOT_FOUND)

    @classmethod
    def queryset_not_found(cls, target: str) -> "PackageProcessError":
        return cls(f"Target {target} not found", codes.PACKAGE_TARGET_NOT_FOUND)

    # -- CopyPackageMap (§3.15) -----------------------------------------------------------------
    @classmethod
    def invalid_source_path(cls) -> "PackageProcessError":
        return cls("Invalid source PackageMap path", codes.ECLWATCH_INVALID_INPUT)

    @classmethod
    def source_not_found(cls) -> "PackageProcessError":
        return cls("Source PackageMap not found", codes.ECLWATCH_INVALID_INPUT)


class PackageLoadError(DomainError):
    """A package map that does not load (missing ids, Bases, cycles): §3.12, §4.4.

    AddPackage never raises these (quirk Q11); ValidatePackage and GetQueryFileMapping do, and
    the emulated Roxie skips a map that fails this way ("Failed to load package map <id>").
    """

    code = codes.PACKAGE_MISSING_ID

    @classmethod
    def package_missing_id(cls) -> "PackageLoadError":
        return cls("Invalid package map - Package element missing id attribute",
                   codes.PACKAGE_MISSING_ID)

    @classmethod
    def base_missing_id(cls) -> "PackageLoadError":
        return cls("PACKAGE_ERROR: base element missing id attribute", codes.PACKAGE_MISSING_ID)

    @classmethod
    def base_not_found(cls, base: str) -> "PackageLoadError":
        return cls(f"PACKAGE_ERROR: base package {base} not found", codes.PACKAGE_NOT_FOUND)

    @classmethod
    def circular(cls) -> "PackageLoadError":
        return cls("PACKAGE_ERROR: circular or invalid base package definition", 0)

    @classmethod
    def environment_incomplete(cls, xml: str) -> "PackageLoadError":
        return cls(f"PACKAGE_ERROR: Environment element missing id or value: {xml}",
                   codes.PACKAGE_MISSING_ID)


class XmlParseError(DomainError):
    """Package-map text that does not parse: code 1 (end of stream) or 2 (syntax error)."""

    code = 2
