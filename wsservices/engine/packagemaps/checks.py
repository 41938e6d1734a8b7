"""What the package maps say about queries and files: ValidatePackage (§3.12, §6),
GetQueryFileMapping, and the resolution the emulated Roxie loads (`resolve`, §4.5).

`PackageChecks` is a part of `packagemaps.PackageMaps` (it uses its store helpers `_read`,
`_entries`, `_read_map`, ...); it is kept apart only to keep each module readable in one sitting.
"""
from __future__ import annotations

from typing import Iterable

from . import xmlio as X
from .errors import PackageLoadError, PackageProcessError
from .model import (PackageMapModel, SelfContainedSuperfile, declared_files, is_wildcard, normalise,
                    package_elements, resolve_superfile, strip_tilde, superfile_ids, wildcard_match)
from .querysets import QuerySets
from .values import FileMapping, Resolution, ValidationResult, _Entry


class PackageChecks:
    # -- ValidatePackage ----------------------------------------------------------------------------
    def validate(self, target: str, *, info: str = "", pmid: str = "", active: bool = False,
                 query_id: str = "", queries_to_verify: Iterable[str] = (),
                 queries_to_ignore: Iterable[str] = (), check_dfs: bool = False,
                 global_scope: bool = False, ignore_warnings: bool = False,
                 ignore_optional_files: bool = False) -> list[ValidationResult]:
        """ValidatePackage (§3.12, §6): one result per target (every Roxie target for ``*``).
        The map comes from `active`, else `pmid` (not lower-cased), else `info`."""
        if not target:
            raise PackageProcessError.target_cluster_required()
        document = None
        if not active and not pmid:
            if not info:
                raise PackageProcessError.need_pmid_or_content()
            document = X.parse(info, self.limits)
            if document is None:
                raise PackageProcessError.bad_content()
            normalise(package_elements(document))
        verify = [q for q in queries_to_verify if q]
        if query_id and query_id not in verify:
            verify.append(query_id)
        if target == "*":
            targets = [r.name for r in self.environment.roxie_targets]
        elif not self._target_known(target):
            raise PackageProcessError.target_cluster_not_found()
        else:
            targets = [target]
        ignore = [q for q in queries_to_ignore if q]
        with self._read() as conn:
            return [self._validate_target(conn, t, document, pmid, active, global_scope, verify, ignore,
                                          check_dfs, ignore_warnings, ignore_optional_files)
                    for t in targets]

    def _validate_target(self, conn, target, document, pmid, active, global_scope, verify, ignore,
                         check_dfs, ignore_warnings, ignore_optional) -> ValidationResult:
        roxie = self.environment.roxie_target(target)
        if roxie is None or not roxie.processes:
            raise PackageProcessError.roxie_process_not_found()
        if active:
            root = self._esp_active_map(conn, target, roxie.processes[0])
            if root is None:
                raise PackageProcessError.active_map_not_found()
        elif pmid:
            root = self._map_by_pmid(conn, target, pmid, global_scope)
            if root is None:
                raise PackageProcessError.pmid_not_found(pmid)
        else:
            root = document
        result = ValidationResult(target=target, pmid=root.get("id") or "")
        if check_dfs:
            result.not_in_dfs = [f.name for f in declared_files(package_elements(root))
                                 if not self._in_dfs(conn, f.name)]
        model = PackageMapModel.load(root)
        queries = QuerySets(conn)
        if not (queries.exists(target) or self.environment.roxie_target(target)):
            raise PackageProcessError.queryset_not_found(target)
        _check_model(model, queries, target, verify, ignore, ignore_optional, result)
        if ignore_warnings:
            result.warnings = []
        return result

    def _map_by_pmid(self, conn, target: str, pmid: str, global_scope: bool) -> X.Element | None:
        """ValidatePackage/GetQueryFileMapping: ``<target>::<PMID>`` then ``<PMID>``, as sent."""
        for key in ([f"{target}::{pmid}"] if not global_scope else []) + [pmid]:
            root = self._read_map(conn, key)
            if root is not None:
                return root
        return None

    def _esp_active_map(self, conn, target: str, process: str) -> X.Element | None:
        """resolveActivePackageMap: the PackageSet whose process is `process`, else the first
        whose process pattern matches it; then its first ``active='1'`` entry whose querySet
        (a pattern) matches `target`."""
        sets = self._sets(conn)
        chosen = next((s for s, p in sets if p == process), None)
        if chosen is None:
            chosen = next((s for s, p in sets if p and wildcard_match(p, process)), None)
        if chosen is None:
            return None
        for entry in self._entries(conn, chosen):
            if entry.active == 1 and entry.query_set and wildcard_match(entry.query_set, target):
                root = self._read_map(conn, entry.map_id)
                return root if root is not None else X.new("PackageMap", {"id": entry.map_id})
        return None

    # -- GetQueryFileMapping ------------------------------------------------------------------------
    def query_file_mapping(self, target: str, query_name: str, *, pmid: str = "",
                           global_scope: bool = False) -> FileMapping:
        """GetQueryFileMapping (§3.13). An unknown `pmid` is an empty map, not an error."""
        if not query_name:
            raise PackageProcessError.query_name_required()
        if not target:
            raise PackageProcessError.target_cluster_required()
        if not self._target_known(target):
            raise PackageProcessError.unable_to_find_target()
        roxie = self.environment.roxie_target(target)
        if roxie is None:
            raise PackageProcessError.roxie_target_required()
        with self._read() as conn:
            if pmid:
                root = self._map_by_pmid(conn, target, pmid, global_scope)
            else:
                root = self._esp_active_map(conn, target, roxie.processes[0]) if roxie.processes else None
                if root is None:
                    raise PackageProcessError.active_map_not_found()
            model = PackageMapModel.load(root, pmid=pmid or None)
            queries = QuerySets(conn)
            query_id = queries.resolve(target, query_name)
            if query_id is None:
                raise PackageProcessError.query_not_found(query_name)
            package = model.match(query_id)
            unmapped: list[str] = []
            supers: list[tuple[str, list[str]]] = []
            for f in queries.files(target, query_id):
                found = model.locate_superfile(package, f.name)
                if found is None:
                    unmapped.append(f.name)
                elif found[1].subfiles:
                    subs = [strip_tilde(v).lower() for v in reversed(found[1].subfiles) if v]
                    supers.append((f.name, subs))
            return FileMapping(unmapped, supers)

    # =====================================================================================
    # Roxie
    # =====================================================================================

    def resolve(self, target: str, query_id: str, *, process: str | None = None) -> Resolution:
        """How the emulated Roxie process (default: the target's first) resolves the files of
        query `query_id` on `target` through its package maps (§4.2, §4.5, §5). Reads the store
        once; the caller decides caching and reload timing."""
        roxie = self.environment.roxie_target(target)
        if process is None:
            process = roxie.processes[0] if roxie and roxie.processes else ""
        with self._read() as conn:
            loaded, failed, any_active = self._roxie_maps(conn, target, process)
            failed_maps = tuple(failed)
            if not loaded:
                return Resolution(target, query_id, failed_maps=failed_maps)
            active = [model for entry, model in loaded if self._roxie_active(entry)]
            if not active:
                reason = "not_active_for_target" if any_active else "no_packages_active"
                return Resolution(target, query_id, served=False, reason=reason, failed_maps=failed_maps)
            return self._resolve_in(conn, target, query_id, active[0], failed_maps)

    def resolve_inactive(self, target: str, query_id: str, *, process: str | None = None) -> list[Resolution]:
        """How query `query_id` resolves through each map Roxie loads for `target` that is *not*
        active: real Roxie loads the queries of those maps too (and so locks their files),
        it only does not serve them."""
        roxie = self.environment.roxie_target(target)
        if process is None:
            process = roxie.processes[0] if roxie and roxie.processes else ""
        with self._read() as conn:
            loaded, failed, _any = self._roxie_maps(conn, target, process)
            return [self._resolve_in(conn, target, query_id, model, tuple(failed))
                    for entry, model in loaded if not self._roxie_active(entry)]

    def _resolve_in(self, conn, target: str, query_id: str, model: PackageMapModel,
                    failed_maps: tuple) -> Resolution:
        wanted = QuerySets(conn).package_attribute(target, query_id)
        if wanted:
            package = model.package(wanted)
            if package is None:
                return Resolution(target, query_id, pmid=model.pmid, failed_maps=failed_maps,
                                  error=f"Package {wanted} specified by query {query_id} not found")
        else:
            package = model.match(query_id)
        mapping: dict[str, tuple[str, ...]] = {}
        unresolved: list[str] = []
        error = None
        for name in superfile_ids(model, package):
            try:
                subs = resolve_superfile(model, package, name, lambda n: self._in_dfs(conn, n))
            except SelfContainedSuperfile as exc:
                error = error or exc.message
                continue
            if subs is None:
                unresolved.append(name)
            else:
                mapping[name] = tuple(subs)
        return Resolution(target, query_id, pmid=model.pmid,
                          package=package.id if package else None,
                          compulsory=bool(package and package.compulsory), superfiles=mapping,
                          unresolved=tuple(unresolved), error=error, failed_maps=failed_maps)

    def _roxie_active(self, entry: _Entry) -> bool:
        return entry.active == 1 or (entry.active is None and self.missing_active_means_active)

    def _roxie_maps(self, conn, target: str, process: str):
        """The maps Roxie `process` loads for `target`, in load order: entries of every
        PackageSet whose process pattern matches (an empty one matches all), whose querySet
        pattern matches the target (an empty querySet matches nothing, Q9). Maps that fail to
        load are skipped; a missing map is an empty one (§5.7, §5.8)."""
        loaded: list[tuple[_Entry, PackageMapModel]] = []
        failed: list[tuple[str, str]] = []
        any_active = False
        for set_id, set_process in self._sets(conn):
            if set_process and not wildcard_match(set_process, process):
                continue
            for entry in self._entries(conn, set_id):
                any_active = any_active or self._roxie_active(entry)
                if not entry.query_set or not wildcard_match(entry.query_set, target):
                    continue
                root = self._read_map(conn, entry.map_id)
                try:
                    model = PackageMapModel.load(root, pmid=entry.map_id)
                except PackageLoadError as exc:
                    failed.append((entry.map_id, exc.message))
                    continue
                loaded.append((entry, model))
        return loaded, failed, any_active


def _ignored(query_id: str, patterns: list[str]) -> bool:
    for p in patterns:
        if is_wildcard(p):
            if wildcard_match(p, query_id):
                return True
        elif p == query_id:
            return True
    return False


def _check_model(model: PackageMapModel, queries: QuerySets, target: str, verify: list[str],
                 ignore: list[str], ignore_optional: bool, result: ValidationResult) -> None:
    """CPackageMapOf::validate and CPackageNode::validate (§6, steps 2-5)."""
    referenced: set[str] = set()
    for pkg in model.packages:
        for sf in pkg.superfiles:
            if not sf.id:
                result.errors.append("SuperFile has no id attribute")
            elif not sf.subfiles:
                result.warnings.append(f"Package['{pkg.id}']/SuperFile['{sf.id}'] has no SubFiles defined")
        for base in pkg.bases:
            referenced.add(base.lower())
    if verify:
        ids = []
        for q in verify:
            if queries.has_query(target, q):
                ids.append(q)
            else:
                result.errors.append(f"Query {q} not found in {target} queryset")
    else:
        ids = queries.query_ids(target)
    if not ids:
        result.warnings.append("No Queries found")
        return
    for q in ids:
        if _ignored(q, ignore):
            continue
        package = model.match(q)
        libraries = {}
        for lib in queries.libraries(target, q):
            lib_package = model.match(lib)
            if lib_package is None:
                result.unmatched_queries.append(lib)
            else:
                referenced.add(lib_package.id.lower())
                libraries[lib] = lib_package
        unmatched = 0
        for f in queries.files(target, q):
            if f.optional and ignore_optional:
                continue
            found = model.locate_superfile(package, f.name)
            if found is not None:
                owner = found[0]
                for lib, lib_package in libraries.items():
                    other = model.locate_superfile(lib_package, f.name)
                    if other is not None and other[0].id.lower() != owner.id.lower():
                        result.warnings.append(f"For query {q} SuperFile {f.name} defined in package "
                                               f"{owner.id} redefined for library {lib} in package "
                                               f"{other[0].id}")
                continue
            if f.optional:
                suffix = "/Optional"
            elif package is not None and package.compulsory:
                suffix = "/Compulsory"
            else:
                suffix = ""
            result.unmatched_files.append(f"{q}/{f.name}{suffix}")
            unmatched += 1
        if package is None:
            result.unmatched_queries.append(q)
            continue
        referenced.add(package.id.lower())
        if package.compulsory and unmatched:
            result.errors.append(f"Compulsory query {q} has query files not defined in package {package.id}")
    result.unmatched_packages = [p.id for p in model.packages if p.id.lower() not in referenced]
