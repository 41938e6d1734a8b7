"""DFUInfo's package-map branch (wsdfu.md §4.2 step 2): with ``QuerySet`` and ``Query``, a name
that the active package map of that Roxie target defines as a superfile for the query is
answered from the package, without looking in Dali.

Uses the emulated Roxie's resolution (maps.py `PackageMaps.resolve`): the package is the
one matched for the query (ESP reports the package that defines the superfile, which differs
only when it is inherited from a base package), and subfiles are listed in **reverse** order,
as ESP does.
"""
from __future__ import annotations

from ..errors import DomainError
from ..names import parse_logical_name


def package_superfile(cluster, query_set: str | None, query: str | None,
                      name: str | None) -> tuple[str, list[str]] | None:
    """(package id, subfiles in reverse order) or None to fall through to Dali."""
    if not (query_set and query and name):
        return None
    if cluster.environment.roxie_target(query_set) is None:
        return None
    from .maps import PackageMaps

    try:
        resolution = PackageMaps.for_cluster(cluster).resolve(query_set, query)
        wanted = parse_logical_name(name).name
    except DomainError:
        return None
    if not resolution.served or resolution.pmid is None:
        return None
    subfiles = resolution.lookup(name)
    if subfiles is None:
        if wanted not in {parse_logical_name(u).name for u in resolution.unresolved}:
            return None
        subfiles = ()
    return resolution.package or "", [parse_logical_name(s).name for s in reversed(subfiles)]
