"""DFUXRefUnusedFiles: the files of a Roxie process cluster that nothing of that Roxie uses
(esp/services/ws_dfu/ws_dfuXRefService.cpp onDFUXRefUnusedFiles).

Used files: every file the loaded queries of the process's Roxie targets read (Roxie's
``control:getQueryXrefInfo``: each query's declared files and the files they resolve to), and
with ``CheckPackageMaps`` every ``SubFile`` value of the active package maps of those targets in
the process's package set. Unused files: the regular files (not superfiles) of the checked
clusters (``CheckPlanes``, else the process cluster) that are not used, names normalised.

The emulator's Roxie has no disks of its own: it reads the Thor clusters' files. So when no
node group bears the process's name, the process cluster stands for every Thor node group.
Not emulated: containerized planes, the 100,000-file limit of the detailed answer.
"""
from __future__ import annotations

from .. import codes
from ..dali.catalog import catalog
from ..dali.files import iter_leaf_names
from ..errors import DomainError
from ..names import normalize_logical_name
from ..packagemaps import xmlio as X
from ..packagemaps.maps import PackageMaps

ECLWATCH_CANNOT_GET_ENV_INFO = codes.ECLWATCH_ERROR_START + 45


def process_targets(cluster, process: str) -> list[str]:
    """The Roxie targets a process cluster serves (getTargetClusters("RoxieCluster", process))."""
    targets = [t.name for t in cluster.environment.roxie_targets
               if any(p.lower() == process.lower() for p in t.processes)]
    if not targets:
        raise DomainError(f"Connection info for '{process}' process cluster not found.", ECLWATCH_CANNOT_GET_ENV_INFO)
    return targets


def used_files(cluster, process: str, check_package_maps: bool) -> set[str]:
    """getRoxieFiles: what the process's queries (and, if asked, its active maps) use."""
    targets = process_targets(cluster, process)
    cat = catalog(cluster)
    used: set[str] = set()
    for target in targets:
        for query, loaded in cluster.roxie.queries(target):
            for spec in query.files:
                used.add(spec.name)
            for f in (loaded.files if loaded is not None else ()):
                used.update(_normal(name) for name in iter_leaf_names(cat, f.name))
    if check_package_maps:
        maps = PackageMaps.for_cluster(cluster)
        seen: set[str] = set()
        for target in targets:
            for listing in maps.list_sets(target=target, process=process):
                if not listing.active or listing.id in seen:
                    continue
                seen.add(listing.id)
                doc = X.parse(maps.get_by_id(listing.id))
                used.update(_normal(el.get("value") or "") for el in doc.iter("SubFile"))
    used.discard("")
    return used


def checked_groups(cluster, process: str, planes: list[str]) -> list[str]:
    """The clusters whose files are listed: ``CheckPlanes``, else the process cluster (the Thor
    node groups when no group has its name)."""
    if planes:
        return [p.strip().lower() for p in planes if p.strip()]
    groups = [c.group for c in cluster.environment.thor_clusters]
    return [process.lower()] if process.lower() in groups else groups


def _normal(name: str) -> str:
    try:
        return normalize_logical_name(name)
    except DomainError:
        return ""
