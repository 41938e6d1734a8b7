"""The emulated Roxie: published queries per Roxie target, their files resolved through the
package maps, the Dali locks they hold, and keyed lookups (what a query call returns).

How a query's files resolve (packageprocess.md §4.5, §5; `PackageMaps.resolve`): through the
active package map's package for the query id (the id, the id without ``.N``, ``queries``
wildcards), its SuperFile definitions and Base chains (virtual superkeys included), else
through Dali (files and superfiles, flattened to their subfiles), unless the package is
compulsory. Outcomes:

* unresolved, not OPT: the query is loaded as a suspended placeholder; calling it gives 1402
  ``Query <id> is suspended because Could not resolve filename <name>`` (plus
  `` (Package is compulsory)``);
* unresolved, OPT: the file counts as empty;
* maps loaded but none active for the target: 1403 ``Unknown query <name>, in target <t>``, or
  1450 ``Unknown query <name> (no packages active)`` when nothing is active at all.

State: every Roxie target has an immutable `TargetState` (queries, aliases, each query's files
as key indexes). A reload builds a new one and swaps the reference, so a request in flight keeps
the state it started with and never sees a mix. Reloads happen when a query is published or
unpublished and when a package-map write commits (`packagemaps.on_change`): with the default
``roxie_reload_delay`` of 0 the change is live before the SOAP call that made it returns; with a
delay (0.5 s mimics a real Roxie, autoreload.py) lookups see the old state until the reload,
and `package_info` (the ``control:state`` hash and the loaded maps) says when it happened. Locks: every loaded query holds HOLD locks (holder
``roxie query <target>/<id>``) on the regular files it reads, subfiles of (virtual) superkeys
included, superfiles themselves not (since 5.0, wsdfu.md §6); a reload moves them in one store
transaction, so a file is never unlocked while a query still resolves to it.

Queries are also resolved through every *inactive* map Roxie loads for the target, as real Roxie
loads them there too: the files they read there are locked as well (never served).

Several processes (`hpccemu serve --workers N`): each ESP worker has its own Roxie. With
``shared``, every lookup first compares the store's package-map and query-set generation
counters with those its state was built from and reloads (after ``roxie_reload_delay``) when
another process changed them. Lock moves are computed from the store inside one transaction,
so whichever process reloads leaves the same HOLD locks (they belong to the query, not to a
process). With a ``roxie_reload_delay``, a process that has not reloaded yet keeps serving
the files of its old state after another process's reload released their locks.

Not emulated: Roxie's ``control:`` commands (the /hpccemu/roxie/ routes stand in); reloads on
Dali superfile changes (call `reload`); publishing through WsWorkunits;
ECL: a query is a keyed lookup of its key fields in each of its files, one result per file.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field, replace
from typing import Iterable, Mapping

from .. import codes
from ..errors import DomainError, InvalidArgument
from ..dali.catalog import catalog
from ..dali.files import iter_leaf_names
from ..packagemaps.maps import GENERATION_KEY as MAPS_GENERATION, PackageMaps, on_change
from .autoreload import AutoReload
from .keys import IndexCache, LeafIndex, RecordError
from .publish import GENERATION_KEY as QUERIES_GENERATION, PublishedQuery, QueryFileSpec, QueryRegistry

log = logging.getLogger(__name__)
HOLDER_PREFIX = "roxie query {target}/"


class RoxieError(DomainError):
    """An error Roxie itself answers with (Source ``Roxie`` in the response)."""

    @classmethod
    def unknown_query(cls, name: str, target: str) -> "RoxieError":
        suffix = f", in target {target}" if target else ""
        return cls(f"Unknown query {name}{suffix}", codes.ROXIE_UNKNOWN_QUERY)

    @classmethod
    def no_packages_active(cls, name: str) -> "RoxieError":
        return cls(f"Unknown query {name} (no packages active)", codes.ROXIE_NO_PACKAGES_ACTIVE)

    @classmethod
    def suspended(cls, query_id: str, reason: str = "") -> "RoxieError":
        because = f" because {reason}" if reason else ""
        return cls(f"Query {query_id} is suspended{because}", codes.ROXIE_QUERY_SUSPENDED)


class QuerySetNotFound(DomainError):
    """The target is no Roxie query set (ESP's WsEcl text, code -1)."""

    @classmethod
    def named(cls, target: str) -> "QuerySetNotFound":
        return cls(f"QuerySet {target} not found")


@dataclass(frozen=True)
class ResultSet:
    name: str                 # result_1, result_2, ...
    rows: tuple[dict, ...]


@dataclass(frozen=True)
class LoadedFile:
    name: str
    optional: bool
    leaves: tuple[LeafIndex, ...]


@dataclass(frozen=True)
class LoadedQuery:
    query: PublishedQuery
    files: tuple[LoadedFile, ...] = ()
    error: str | None = None              # load failure: the query is a suspended placeholder

    @property
    def suspended(self) -> bool:
        return self.error is not None or self.query.suspended

    def run(self, params: Mapping[str, str]) -> tuple[ResultSet, ...]:
        if self.suspended:
            raise RoxieError.suspended(self.query.id, self.error or "")
        wanted = {k.lower(): v for k, v in params.items()}
        return tuple(ResultSet(f"result_{i}", tuple(row for leaf in f.leaves for row in leaf.find(wanted)))
                     for i, f in enumerate(self.files, 1))


@dataclass(frozen=True)
class TargetState:
    target: str
    served: bool = True
    reason: str | None = None
    queries: Mapping[str, LoadedQuery] = field(default_factory=dict)   # lower-case id -> query
    aliases: Mapping[str, str] = field(default_factory=dict)           # lower-case name -> id

    def find(self, name: str) -> LoadedQuery:
        key = name.strip().lower()
        for _ in range(10):
            if key not in self.aliases:
                break
            key = self.aliases[key].lower()
        if not self.served or key not in self.queries:
            if self.reason == "no_packages_active":
                raise RoxieError.no_packages_active(name)
            raise RoxieError.unknown_query(name, self.target)
        return self.queries[key]


@dataclass(frozen=True)
class _Plan:
    """A query's resolution: per file its leaf files, or why it cannot load."""

    query: PublishedQuery
    files: tuple[tuple[QueryFileSpec, tuple[str, ...]], ...] = ()
    error: str | None = None
    inactive_leaves: tuple[str, ...] = ()   # what the query reads under the inactive maps


class Roxie:
    """All Roxie targets of one cluster. Create one per cluster (`cluster.roxie`)."""

    def __init__(self, cluster, shared: bool = False):
        self.cluster = cluster
        self.shared = shared
        self._seen: tuple = ()                     # the store generations last acted on
        self.store = cluster.store
        self.registry = QueryRegistry(cluster.store)
        self.cache = IndexCache()
        self._reload_lock = threading.RLock()
        self._states: dict[str, TargetState] = {}
        self._plans: dict[str, tuple] = {}          # target -> the resolution its state was built from
        self._loaded: dict[str, tuple[int, tuple[tuple[str, bool], ...]]] = {}   # target -> (hash, maps)
        self.autoreload = AutoReload(self.reload, cluster.settings.roxie_reload_delay)
        on_change(cluster.store, self._package_maps_changed)
        self.reload()

    # -- the query sets -------------------------------------------------------------------------
    def target_name(self, target: str) -> str:
        """The configured name of Roxie target `target`, or InvalidArgument."""
        found = self.cluster.environment.roxie_target((target or "").strip())
        if found is None:
            raise InvalidArgument(f"Roxie target '{target}' not found") if target else \
                InvalidArgument("Roxie target required")
        return found.name

    def publish(self, target: str, name: str, files: Iterable[QueryFileSpec | tuple[str, bool]],
                keys: Iterable[str], activate: bool = True) -> PublishedQuery:
        """Publish ``<name>.<seq>``; it is loaded (files resolved and locked) on return."""
        query = self.registry.publish(self.target_name(target), name, files, keys, activate)
        self.reload(query.query_set)
        return self.query_info(query.query_set, query.id)[0]

    def unpublish(self, target: str, query: str) -> PublishedQuery:
        """Remove a query (by id or alias); its locks are released on return."""
        gone = self.registry.unpublish(self.target_name(target), query)
        self.reload(gone.query_set)
        return gone

    def queries(self, target: str) -> list[tuple[PublishedQuery, LoadedQuery | None]]:
        """Every query of the target with its loaded state (None: the target is not served)."""
        name = self.target_name(target)
        self._follow_store()
        state = self._states.get(name.lower(), TargetState(name))
        return [(q, state.queries.get(q.id.lower()) if state.served else None)
                for q in self.registry.queries(name)]

    def query_info(self, target: str, query_id: str) -> tuple[PublishedQuery, LoadedQuery | None]:
        for q, loaded in self.queries(target):
            if q.id.lower() == query_id.lower():
                return q, loaded
        raise DomainError(f"Query {query_id} not found", codes.PACKAGE_QUERY_NOT_FOUND)

    def locks(self, target: str, query_id: str) -> list[tuple[str, str]]:
        """The Dali locks a loaded query holds, as (logical name, mode)."""
        holder = HOLDER_PREFIX.format(target=self.target_name(target)) + query_id
        return [(lk.name, lk.mode) for lk in catalog(self.cluster).locks.locks_of(holder)]

    # -- calling a query ------------------------------------------------------------------------
    def state(self, target: str) -> TargetState:
        """The current state of a Roxie target (QuerySetNotFound for any other name)."""
        self._follow_store()
        state = self._states.get((target or "").lower())
        if state is None:
            raise QuerySetNotFound.named(target)
        return state

    def run(self, target: str, query: str, params: Mapping[str, str]) -> tuple[ResultSet, ...]:
        """Call `query` (id or alias) with its key values; RoxieError when Roxie refuses."""
        return self.state(target).find(query).run(params)

    # -- reloading ------------------------------------------------------------------------------
    def reset(self) -> None:
        """Forget cached indexes and loaded states, then reload (after the store was emptied)."""
        with self._reload_lock:
            self.cache = IndexCache()
            self._plans.clear()
            self._states = {}
            self.reload()

    def _package_maps_changed(self) -> None:
        self.autoreload.request()

    def _generations(self) -> tuple:
        rows = self.store.query("SELECT key, value FROM meta WHERE key IN (?, ?) ORDER BY key",
                                (MAPS_GENERATION, QUERIES_GENERATION))
        return tuple((r[0], r[1]) for r in rows)

    def _follow_store(self) -> None:
        """With ``shared``: reload when another process changed package maps or query sets."""
        if not self.shared:
            return
        now = self._generations()
        if now != self._seen:
            self._seen = now
            self.autoreload.request()

    def close(self) -> None:
        self.autoreload.stop()

    def package_info(self, target: str) -> tuple[int, tuple[tuple[str, bool], ...]]:
        """What the target has loaded, as ``control:state`` and ``control:queryPackageInfo``
        report it: (state hash, ((package map id, active), ...)). The hash changes with every
        reload that picked up a package-map change; until then the old maps are reported."""
        self._follow_store()
        return self._loaded.get(self.target_name(target).lower(), (0, ()))

    def reload(self, target: str | None = None) -> None:
        """Re-resolve the queries of one target (default: all), move their locks, swap states."""
        targets = [t.name for t in self.cluster.environment.roxie_targets
                   if target is None or t.name.lower() == target.lower()]
        with self._reload_lock:
            cat = catalog(self.cluster)
            pm = PackageMaps.for_cluster(self.cluster)
            if self.shared and target is None:
                self._seen = self._generations()
            state_hash = pm.generation()
            with self.store.transaction():
                plans = {t: self._plan(pm, cat, t) for t in targets}
                self._move_locks(cat, plans)
            failed: dict[str, list[str]] = {}
            states = dict(self._states)
            for t, (served, reason, query_plans, aliases) in plans.items():
                if self._plans.get(t) == plans[t] and t.lower() in states:
                    continue                    # nothing this target reads has changed
                self._plans[t] = plans[t]
                loaded = {}
                for plan in query_plans:
                    loaded[plan.query.id.lower()] = self._load(cat, plan, failed.setdefault(t, []))
                states[t.lower()] = TargetState(t, served, reason, loaded, aliases)
            if any(failed.values()):
                with self.store.transaction():
                    for t, ids in failed.items():
                        self._plans.pop(t, None)   # retry reading on the next reload
                        for qid in ids:
                            cat.locks.release(HOLDER_PREFIX.format(target=t) + qid)
            self._states = states
            for t in targets:
                maps = tuple((m.id, m.active) for m in pm.list_sets(t))
                self._loaded[t.lower()] = (state_hash, maps)
            self.cache.retain({leaf.version for s in states.values() for q in s.queries.values()
                               for f in q.files for leaf in f.leaves})

    def _plan(self, pm: PackageMaps, cat, target: str):
        queries = self.registry.queries(target)
        probe = pm.resolve(target, queries[0].id if queries else "")
        plans = []
        for q in queries:   # not served (no active map): loaded under the inactive maps only
            plan = self._resolve_files(cat, q, pm.resolve(target, q.id)) if probe.served else _Plan(q)
            held = []
            for res in pm.resolve_inactive(target, q.id):
                other = self._resolve_files(cat, q, res)
                held += [leaf for _, leaves in other.files for leaf in leaves]
            plans.append(replace(plan, inactive_leaves=tuple(dict.fromkeys(held))))
        if not probe.served:
            return False, probe.reason, plans, {}
        with self.store.connection() as conn:
            rows = conn.execute("SELECT name, id FROM query_aliases WHERE query_set = ? COLLATE NOCASE",
                                (target,)).fetchall()
        return True, None, plans, {r[0].lower(): r[1] for r in rows}

    @staticmethod
    def _resolve_files(cat, q: PublishedQuery, res) -> _Plan:
        if res.error:
            return _Plan(q, error=res.error)
        files = []
        for spec in q.files:
            subs = res.lookup(spec.name)
            if subs is not None:
                leaves = tuple(leaf for sub in subs for leaf in iter_leaf_names(cat, sub))
            elif not res.compulsory and cat.exists(spec.name):
                leaves = tuple(iter_leaf_names(cat, spec.name))
            elif spec.optional:
                leaves = ()
            else:
                compulsory = " (Package is compulsory)" if res.compulsory else ""
                return _Plan(q, error=f"Could not resolve filename {spec.name}{compulsory}")
            files.append((spec, tuple(dict.fromkeys(leaves))))
        return _Plan(q, tuple(files))

    def _move_locks(self, cat, plans) -> None:
        """Make each query's HOLD locks exactly the leaves it resolves to (one transaction)."""
        for target, (_served, _reason, query_plans, _aliases) in plans.items():
            prefix = HOLDER_PREFIX.format(target=target)
            wanted = {prefix + p.query.id: {leaf for _, leaves in p.files for leaf in leaves}
                      | set(p.inactive_leaves) for p in query_plans if not p.query.suspended}
            wanted = {holder: leaves for holder, leaves in wanted.items() if leaves}
            held = {r[0] for r in self.store.query(
                "SELECT DISTINCT holder FROM file_locks WHERE substr(holder, 1, ?) = ?", (len(prefix), prefix))}
            for holder in held | set(wanted):
                have = {lk.name for lk in cat.locks.locks_of(holder)}
                want = wanted.get(holder, set())
                if have - want:
                    cat.locks.release(holder, have - want)
                if want - have:
                    cat.locks.acquire(sorted(want - have), holder, "hold")

    def _load(self, cat, plan: _Plan, failed: list[str]) -> LoadedQuery:
        if plan.error is not None or plan.query.suspended:
            return LoadedQuery(plan.query, error=plan.error)
        files = []
        try:
            for spec, leaves in plan.files:
                indexes = []
                for leaf in leaves:
                    info = cat.get(leaf)
                    if info is None:
                        raise RecordError(f"Could not resolve filename {leaf}", codes.ROXIE_FILE_ERROR)
                    indexes.append(self.cache.get(cat, info, plan.query.keys))
                files.append(LoadedFile(spec.name, spec.optional, tuple(indexes)))
        except DomainError as exc:
            log.warning("query %s cannot load: %s", plan.query.id, exc.message)
            failed.append(plan.query.id)
            return LoadedQuery(plan.query, error=exc.message)
        return LoadedQuery(plan.query, tuple(files))
