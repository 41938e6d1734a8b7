"""`PackageProcessClient`: Roxie package maps and their parts (WsPackageProcess).

Typed results: `PackageStatus` (status code, description, FilesNotFound), `PackageMapInfo`
(ListPackage/ListPackages rows), `ValidateResult`, `QueryFileMapping`; `raw` keeps the zeep object.
Process defaults to ``*`` where ``ecl packagemap`` sends it.

The package-map recipes as single calls:

* `replace_data_part`: AddPartToPackageMap with DeletePrevious, then ActivatePackage, so Roxie
  reloads the map with the new part (the GenIndex / blog way of swapping a data part);
* `roll_up_subkeys`: once the subkeys listed in a data part's SuperFile have been merged into one
  key, make that key the SuperFile's only SubFile (same part, same package) and activate;
  returns the subkeys it replaced so the caller can delete them once Roxie has let go of them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable

from lxml import etree

from .errors import HPCCError
from .soap import EspClient, text_list

_SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=False)


@dataclass
class PackageStatus:
    code: int
    description: str
    files_not_found: list[str] = field(default_factory=list)
    raw: Any = field(default=None, repr=False, compare=False)


@dataclass
class PackageMapInfo:
    id: str
    active: bool
    target: str = ""
    process: str = ""
    packages: list[tuple[str, str]] = field(default_factory=list)   # (package id, queries)
    raw: Any = field(default=None, repr=False, compare=False)


@dataclass
class ValidateResult:
    target: str
    pmid: str
    errors: list[str]
    warnings: list[str]
    unmatched_queries: list[str]
    unmatched_packages: list[str]
    unmatched_files: list[str]
    not_in_dfs: list[str]
    raw: Any = field(default=None, repr=False, compare=False)


@dataclass
class QueryFileMapping:
    unmapped_files: list[str]
    superfiles: dict[str, list[str]]
    raw: Any = field(default=None, repr=False, compare=False)


def _status(resp: Any) -> PackageStatus:
    st = getattr(resp, "status", None)
    missing = text_list(getattr(resp, "FilesNotFound", None), "File")
    return PackageStatus(st.Code if st is not None and st.Code is not None else 0,
                         (st.Description if st is not None else "") or "", missing, raw=resp)


def _pmid_fields(kw: dict[str, Any]) -> dict[str, Any]:
    """Python names -> WsPackageProcess field names for the add/copy/part options."""
    names = {"daliip": "DaliIp", "global_scope": "GlobalScope", "source_process": "SourceProcess",
             "allow_foreign": "AllowForeignFiles", "preload_all": "PreloadAllPackages",
             "update_superfiles": "UpdateSuperFiles", "update_clone_from": "UpdateCloneFrom",
             "append_cluster": "AppendCluster", "replace": "ReplacePackageMap"}
    return {names.get(k, k): v for k, v in kw.items()}


class PackageProcessClient(EspClient):
    SERVICE = "WsPackageProcess"

    # -- whole maps ------------------------------------------------------------------------------
    def add_package(self, target: str, pmid: str, info: str, *, activate: bool = False, overwrite: bool = False,
                    process: str | None = "*", **options: Any) -> PackageStatus:
        """AddPackage. Options: daliip, global_scope, source_process, allow_foreign, preload_all,
        replace, update_superfiles, update_clone_from, append_cluster, or WSDL field names."""
        return _status(self._call("AddPackage", Target=target, PackageMap=pmid, Info=info, Activate=activate,
                                  OverWrite=overwrite, Process=process, **_pmid_fields(options)))

    def copy_package_map(self, source_path: str, target: str, *, pmid: str | None = None, activate: bool = False,
                         process: str | None = "*", **options: Any) -> PackageStatus:
        """CopyPackageMap from ``target/pmid`` (or ``//ip:port/target/pmid``) to `target`."""
        return _status(self._call("CopyPackageMap", SourcePath=source_path, Target=target, PMID=pmid,
                                  Activate=activate, Process=process, **_pmid_fields(options)))

    def delete_package(self, target: str, pmid: str, *, process: str | None = "*",
                       global_scope: bool = False) -> PackageStatus:
        return _status(self._call("DeletePackage", Target=target, PackageMap=pmid, Process=process,
                                  GlobalScope=global_scope))

    def activate(self, target: str, pmid: str, *, process: str | None = "*", global_scope: bool = False) -> None:
        self._call("ActivatePackage", Target=target, PackageMap=pmid, Process=process, GlobalScope=global_scope)

    def deactivate(self, target: str, pmid: str, *, process: str | None = "*", global_scope: bool = False) -> None:
        self._call("DeActivatePackage", Target=target, PackageMap=pmid, Process=process, GlobalScope=global_scope)

    def list_package(self, target: str = "", process: str = "*") -> list[PackageMapInfo]:
        """ListPackage (what ``ecl packagemap list`` calls)."""
        return _maps(getattr(self._call("ListPackage", Target=target, Process=process).PkgListMapData,
                             "PackageListMapData", None))

    def list_packages(self, target: str | None = None, process: str | None = None,
                      process_filter: str | None = None) -> list[PackageMapInfo]:
        """ListPackages (ECL Watch's and hpcc4j's list)."""
        resp = self._call("ListPackages", Target=target, Process=process, ProcessFilter=process_filter)
        return _maps(getattr(resp.PackageMapList, "PackageListMapData", None))

    def get_package(self, target: str, process: str = "*") -> str:
        """GetPackage: the XML of the target's active maps (``ecl packagemap info``)."""
        return self._call("GetPackage", Target=target, Process=process).Info or ""

    def get_package_map(self, pmid: str) -> str:
        """GetPackageMapById (`pmid` as stored, e.g. ``roxie::mymap.pkg``)."""
        return self._call("GetPackageMapById", PackageMapId=pmid).Info or ""

    def validate(self, target: str, *, info: str | None = None, pmid: str | None = None, active: bool = False,
                 queries: Iterable[str] = (), ignore_queries: Iterable[str] = (), check_dfs: bool = False,
                 global_scope: bool = False, ignore_warnings: bool = False,
                 ignore_optional: bool = False) -> list[ValidateResult]:
        resp = self._call("ValidatePackage", Target=target, Info=info, PMID=pmid, Active=active,
                          QueriesToVerify={"Item": list(queries)}, QueriesToIgnore={"Item": list(ignore_queries)},
                          CheckDFS=check_dfs, GlobalScope=global_scope, IgnoreWarnings=ignore_warnings,
                          IgnoreOptionalFiles=ignore_optional)
        out = []
        for r in getattr(resp.Results, "Result", None) or []:
            files = r.files
            out.append(ValidateResult(r.Target or "", r.PMID or "", text_list(r.Errors), text_list(r.Warnings),
                                      text_list(getattr(r.queries, "Unmatched", None)),
                                      text_list(getattr(r.packages, "Unmatched", None)),
                                      text_list(getattr(files, "Unmatched", None)),
                                      text_list(getattr(files, "NotInDFS", None), "File"), raw=r))
        return out

    def query_files(self, target: str, query: str, *, pmid: str | None = None,
                    global_scope: bool = False) -> QueryFileMapping:
        resp = self._call("GetQueryFileMapping", Target=target, QueryName=query, PMID=pmid, GlobalScope=global_scope)
        supers = {s.Name: text_list(s.SubFiles, "File") for s in (getattr(resp.SuperFiles, "SuperFile", None) or [])}
        return QueryFileMapping(text_list(resp.UnmappedFiles, "File"), supers, raw=resp)

    # -- parts -----------------------------------------------------------------------------------
    def add_part(self, target: str, pmid: str, part_name: str, content: str, *, delete_previous: bool = False,
                 **options: Any) -> PackageStatus:
        return _status(self._call("AddPartToPackageMap", Target=target, PackageMap=pmid, PartName=part_name,
                                  Content=content, DeletePrevious=delete_previous, **_pmid_fields(options)))

    def remove_part(self, target: str, pmid: str, part_name: str, *, global_scope: bool = False) -> PackageStatus:
        return _status(self._call("RemovePartFromPackageMap", Target=target, PackageMap=pmid, PartName=part_name,
                                  GlobalScope=global_scope))

    def get_part(self, target: str, pmid: str, part_name: str, *, global_scope: bool = False) -> str:
        return self._call("GetPartFromPackageMap", Target=target, PackageMap=pmid, PartName=part_name,
                          GlobalScope=global_scope).Content or ""

    # -- recipes ---------------------------------------------------------------------------------
    def replace_data_part(self, target: str, pmid: str, part_name: str, content: str, *, activate: bool = True,
                          process: str = "*", **options: Any) -> PackageStatus:
        """Replace (or add) one part of a map and activate the map so Roxie picks it up."""
        status = self.add_part(target, pmid, part_name, content, delete_previous=True, **options)
        if activate:
            self.activate(target, pmid, process=process, global_scope=bool(options.get("global_scope")))
        return status

    def roll_up_subkeys(self, target: str, pmid: str, part_name: str, superkey: str, rolled_key: str, *,
                        package_id: str | None = None, activate: bool = True) -> list[str]:
        """Make `rolled_key` the only SubFile of SuperFile `superkey` in part `part_name`
        (optionally only in package `package_id`); returns the subkeys it replaced."""
        root = etree.fromstring(self.get_part(target, pmid, part_name).encode("utf-8"), _SAFE_XML)
        wanted = superkey.lstrip("~").lower()
        replaced: list[str] = []
        found = False
        for package in root.iter("Package"):
            if package_id is not None and (package.get("id") or "").lower() != package_id.lower():
                continue
            for sf in package.iter("SuperFile"):
                if (sf.get("id") or "").lstrip("~").lower() != wanted:
                    continue
                found = True
                for sub in sf.findall("SubFile"):
                    if sub.get("value"):
                        replaced.append(sub.get("value"))
                    sf.remove(sub)
                etree.SubElement(sf, "SubFile", value=rolled_key)
        if not found:
            raise HPCCError(f"SuperFile {superkey} not found in part {part_name} of package map {pmid}")
        if root.tag != "RoxiePackages":  # GetPartFromPackageMap answers <Part id=..>; AddPart takes RoxiePackages
            packages = etree.Element("RoxiePackages")
            packages.extend(root.findall("Package"))
            root = packages
        content = etree.tostring(root, encoding="unicode")
        self.replace_data_part(target, pmid, part_name, content, activate=activate)
        return replaced


def _maps(rows: Any) -> list[PackageMapInfo]:
    out = []
    for m in rows or []:
        pkgs = [(p.Id or "", p.Queries or "") for p in (getattr(m.PkgListData, "PackageListData", None) or [])]
        out.append(PackageMapInfo(m.Id or "", bool(m.Active), m.Target or "", m.Process or "", pkgs, raw=m))
    return out
