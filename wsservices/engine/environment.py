"""The emulated cluster topology: Thor clusters, drop zones, Roxie targets, DFU queues.

The default (no config file, or a file without topology tables) mirrors the stock bare-metal
environment (filespray.md §7.2, §5.8; packageprocess.md §3) spread over four emulated nodes:

* Thor cluster ``mythor``: node group ``mythor``, topology target ``thor``, replicateOutputs off,
  4 nodes named ``node1`` .. ``node4`` with the loopback addresses ``127.0.0.1`` .. ``127.0.0.4``.
  A node's name is its directory: ``<data>/nodes/node1/`` (see datadir.py). The addresses are
  labels shown to clients (part locations); nothing listens on them.
* Drop zone ``mydropzone``: client-visible path ``/var/lib/HPCCSystems/mydropzone``, address
  ``127.0.0.1``; its files live in ``<data>/dropzones/mydropzone/``.
* Roxie target ``roxie`` served by the process ``myroxie``.
* DFU server ``mydfuserver`` with the queue ``dfuserver_queue``.

TOML schema (every table is optional; an absent table means "the default for that table"; an
explicitly empty array, e.g. ``roxie = []``, means "none")::

    [[thor]]
    name = "mythor"                 # required; lower-cased
    group = "mythor"                # node group name, default = name
    target = "thor"                 # topology target name, default = name
    replicate = false               # replicateOutputs
    nodes = 4                       # a count, or ["10.0.0.1", ...], or [{name=, address=}, ...]

    [[dropzone]]
    name = "mydropzone"             # required; also the folder name under <data>/dropzones/
    path = "/var/lib/HPCCSystems/mydropzone"   # required, absolute, client-visible
    address = "127.0.0.1"           # or addresses = ["127.0.0.1", "myhost"]
    umask = "022"
    visible = true                  # ECLWatchVisible

    [[roxie]]
    name = "roxie"                  # required (the query-set / target name)
    process = "myroxie"             # or processes = [...]; default "my" + name

    [dfu]
    server = "mydfuserver"
    queue = "dfuserver_queue"       # or queues = [...]; the first is the default queue

Nodes without an explicit name are numbered across all clusters (``node1`` .. ``nodeN``, then
``node<N+1>`` ...) with address ``127.0.0.<k>``, so two clusters never share a directory unless a
node name is given twice on purpose.

Not emulated: hthor/eclagent spray targets, topology target lists beyond one per Thor cluster,
containerized storage planes, remote storage, the DFU monitor queue.
"""
from __future__ import annotations

import re
import socket
from dataclasses import dataclass, field
from typing import Any, Mapping

from .errors import ConfigError

DEFAULT_NODE_COUNT = 4
_SAFE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
_LOCAL_ALIASES = frozenset({"127.0.0.1", "localhost", ".", "::1"})


@dataclass(frozen=True)
class Node:
    """One emulated machine: ``name`` is its directory under ``<data>/nodes/``."""

    name: str
    address: str


@dataclass(frozen=True)
class ThorCluster:
    """A Thor cluster and its node group. Part ``p`` (0-based) lives on node ``p mod width``;
    its replica on ``(p + offset) mod width`` (filespray.md §6.2, DFD calcPartLocation)."""

    name: str
    group: str
    nodes: tuple[Node, ...]
    replicate: bool = False
    target: str = "thor"

    @property
    def width(self) -> int:
        return len(self.nodes)

    def node_for_part(self, part_index: int) -> Node:
        return self.nodes[part_index % self.width]

    def replica_node_for_part(self, part_index: int, offset: int = 1) -> Node:
        return self.nodes[(part_index + offset) % self.width]


@dataclass(frozen=True)
class DropZone:
    """A landing zone: ``path`` is the directory clients see (no trailing slash)."""

    name: str
    path: str
    addresses: tuple[str, ...] = ("127.0.0.1",)
    umask: str = "022"
    visible: bool = True

    def matches_address(self, address: str | None) -> bool:
        """Whether a client-given host names this drop zone's server.

        Exact (case-insensitive) match on a configured address, or — for a drop zone on the
        local machine — any local alias: ``127.0.0.1``, ``localhost``, ``.``, ``::1`` or this
        machine's host name. Real ESP compares resolved IPs and does *not* accept ``localhost``
        for a drop zone that lists hosts (filespray.md §3.3); the emulator is lenient here.
        """
        addr = (address or "").strip().lower()
        if not addr:
            return False
        configured = {a.lower() for a in self.addresses}
        if addr in configured:
            return True
        local = _local_aliases()
        return addr in local and bool(configured & local)

    def contains_path(self, client_path: str) -> bool:
        """JP isPathInPrefix: case-sensitive prefix test that ends on a directory boundary
        (``/data/lz`` contains ``/data/lz/x`` but not ``/data/lz2/x``)."""
        prefix = self.path.rstrip("/") or "/"
        if client_path == prefix:
            return True
        return client_path.startswith(prefix if prefix.endswith("/") else prefix + "/")


@dataclass(frozen=True)
class RoxieTarget:
    """A Roxie query-set target and the Roxie process(es) that serve it."""

    name: str
    processes: tuple[str, ...] = ("myroxie",)


@dataclass(frozen=True)
class Environment:
    """The whole topology. Lookups are case-insensitive except drop-zone names."""

    thor_clusters: tuple[ThorCluster, ...]
    drop_zones: tuple[DropZone, ...]
    roxie_targets: tuple[RoxieTarget, ...]
    dfu_queues: tuple[str, ...] = ("dfuserver_queue",)
    dfu_server: str = "mydfuserver"

    # -- lookups ---------------------------------------------------------------------------
    @property
    def nodes(self) -> tuple[Node, ...]:
        """Every distinct node of every cluster, in order of first appearance."""
        seen: dict[str, Node] = {}
        for cluster in self.thor_clusters:
            for node in cluster.nodes:
                seen.setdefault(node.name, node)
        return tuple(seen.values())

    @property
    def default_dfu_queue(self) -> str | None:
        return self.dfu_queues[0] if self.dfu_queues else None

    def thor_cluster(self, name: str | None) -> ThorCluster | None:
        """The cluster whose name, group or topology target is ``name``."""
        key = (name or "").strip().lower()
        for cluster in self.thor_clusters:
            if key in (cluster.name, cluster.group, cluster.target.lower()):
                return cluster
        return None

    def drop_zone(self, name: str | None) -> DropZone | None:
        for dz in self.drop_zones:
            if dz.name == (name or "").strip():
                return dz
        return None

    def find_drop_zone(self, address: str | None, client_path: str) -> DropZone | None:
        """First drop zone on ``address`` (any, if empty) whose path contains ``client_path``."""
        for dz in self.drop_zones:
            if (not address or dz.matches_address(address)) and dz.contains_path(client_path):
                return dz
        return None

    def roxie_target(self, name: str | None) -> RoxieTarget | None:
        key = (name or "").strip().lower()
        for target in self.roxie_targets:
            if target.name.lower() == key:
                return target
        return None

    def summary(self) -> dict[str, Any]:
        """Plain data for ``/health``."""
        return {
            "thor_clusters": [
                {"name": c.name, "group": c.group, "target": c.target, "nodes": c.width,
                 "replicate": c.replicate} for c in self.thor_clusters],
            "drop_zones": [
                {"name": d.name, "path": d.path, "addresses": list(d.addresses)}
                for d in self.drop_zones],
            "roxie_targets": [
                {"name": r.name, "processes": list(r.processes)} for r in self.roxie_targets],
            "dfu_server": self.dfu_server,
            "dfu_queues": list(self.dfu_queues),
        }

    # -- construction ----------------------------------------------------------------------
    @classmethod
    def default(cls) -> "Environment":
        return cls.from_mapping({})

    @classmethod
    def from_mapping(cls, doc: Mapping[str, Any]) -> "Environment":
        """Build from a parsed TOML document (only the topology tables are read)."""
        counter = _NodeCounter()
        thor_src = doc.get("thor", [{"name": "mythor", "target": "thor"}])
        thor = tuple(_thor(entry, f"thor[{i}]", counter)
                     for i, entry in enumerate(_array(thor_src, "thor")))
        dz_src = doc.get("dropzone", [{"name": "mydropzone",
                                       "path": "/var/lib/HPCCSystems/mydropzone"}])
        zones = tuple(_dropzone(entry, f"dropzone[{i}]")
                      for i, entry in enumerate(_array(dz_src, "dropzone")))
        roxie_src = doc.get("roxie", [{"name": "roxie"}])
        roxie = tuple(_roxie(entry, f"roxie[{i}]")
                      for i, entry in enumerate(_array(roxie_src, "roxie")))
        dfu = doc.get("dfu", {})
        if not isinstance(dfu, Mapping):
            raise ConfigError("dfu: expected a table")
        _known(dfu, "dfu", {"server", "queue", "queues"})
        queues = _names(dfu, "dfu", "queue", "queues", ["dfuserver_queue"])
        server = _str(dfu, "dfu.server", "server", "mydfuserver")
        _unique([c.name for c in thor], "thor")
        _unique([z.name for z in zones], "dropzone")
        _unique([r.name.lower() for r in roxie], "roxie")
        return cls(thor_clusters=thor, drop_zones=zones, roxie_targets=roxie,
                   dfu_queues=tuple(queues), dfu_server=server)


# ---------------------------------------------------------------------------------------------
# parsing helpers
# ---------------------------------------------------------------------------------------------

def _local_aliases() -> frozenset[str]:
    try:
        host = socket.gethostname().lower()
    except OSError:  # pragma: no cover - no host name configured
        host = ""
    return _LOCAL_ALIASES | ({host} if host else set())


@dataclass
class _NodeCounter:
    next_index: int = 1
    by_name: dict[str, str] = field(default_factory=dict)

    def auto(self) -> Node:
        k = self.next_index
        self.next_index += 1
        return Node(f"node{k}", f"127.{(k >> 16) & 255}.{(k >> 8) & 255}.{k & 255}")


def _array(value: Any, key: str) -> list[Mapping[str, Any]]:
    if not isinstance(value, list) or not all(isinstance(v, Mapping) for v in value):
        raise ConfigError(f"{key}: expected an array of tables ([[{key}]])")
    return value


def _known(entry: Mapping[str, Any], where: str, allowed: set[str]) -> None:
    for key in entry:
        if key not in allowed:
            raise ConfigError(f"{where}.{key}: unknown key (allowed: {', '.join(sorted(allowed))})")


def _str(entry: Mapping[str, Any], where: str, key: str, default: str | None = None) -> str:
    value = entry.get(key, default)
    if value is None:
        raise ConfigError(f"{where}: required")
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: expected a non-empty string, got {value!r}")
    return value.strip()


def _safe_name(entry: Mapping[str, Any], where: str, key: str, default: str | None = None) -> str:
    value = _str(entry, where, key, default)
    if not _SAFE_NAME.match(value):
        raise ConfigError(f"{where}: {value!r} is not a valid name "
                          "(letters, digits, '_', '-', '.'; not starting with '.' or '-')")
    return value


def _bool(entry: Mapping[str, Any], where: str, key: str, default: bool) -> bool:
    value = entry.get(key, default)
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: expected true or false, got {value!r}")
    return value


def _names(entry: Mapping[str, Any], where: str, one: str, many: str,
           default: list[str]) -> list[str]:
    if one in entry and many in entry:
        raise ConfigError(f"{where}: give either {one} or {many}, not both")
    if one in entry:
        return [_str(entry, f"{where}.{one}", one)]
    values = entry.get(many, default)
    if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
        raise ConfigError(f"{where}.{many}: expected a list of non-empty strings")
    return [v.strip() for v in values]


def _unique(names: list[str], key: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ConfigError(f"{key}: duplicate name {name!r}")
        seen.add(name)


def _thor(entry: Mapping[str, Any], where: str, counter: _NodeCounter) -> ThorCluster:
    _known(entry, where, {"name", "group", "target", "replicate", "nodes"})
    name = _safe_name(entry, f"{where}.name", "name").lower()
    group = _safe_name(entry, f"{where}.group", "group", name).lower()
    target = _str(entry, f"{where}.target", "target", name)
    replicate = _bool(entry, f"{where}.replicate", "replicate", False)
    spec = entry.get("nodes", DEFAULT_NODE_COUNT)
    nodes: list[Node] = []
    if isinstance(spec, bool) or not isinstance(spec, (int, list)):
        raise ConfigError(f"{where}.nodes: expected a count or a list of nodes")
    if isinstance(spec, int):
        if spec < 1:
            raise ConfigError(f"{where}.nodes: a cluster needs at least one node, got {spec}")
        nodes = [counter.auto() for _ in range(spec)]
    else:
        if not spec:
            raise ConfigError(f"{where}.nodes: a cluster needs at least one node")
        for j, item in enumerate(spec):
            here = f"{where}.nodes[{j}]"
            auto = counter.auto()
            if isinstance(item, str):
                if not item.strip():
                    raise ConfigError(f"{here}: expected a non-empty address")
                nodes.append(Node(auto.name, item.strip()))
            elif isinstance(item, Mapping):
                _known(item, here, {"name", "address"})
                nodes.append(Node(_safe_name(item, f"{here}.name", "name", auto.name),
                                  _str(item, f"{here}.address", "address", auto.address)))
            else:
                raise ConfigError(f"{here}: expected an address or a {{name, address}} table")
    for node in nodes:
        known = counter.by_name.setdefault(node.name, node.address)
        if known != node.address:
            raise ConfigError(f"{where}.nodes: node {node.name!r} is given two addresses "
                              f"({known!r} and {node.address!r})")
    if len({n.name for n in nodes}) != len(nodes):
        raise ConfigError(f"{where}.nodes: a node appears twice in one cluster")
    return ThorCluster(name=name, group=group, nodes=tuple(nodes), replicate=replicate,
                       target=target)


def _dropzone(entry: Mapping[str, Any], where: str) -> DropZone:
    _known(entry, where, {"name", "path", "address", "addresses", "umask", "visible"})
    name = _safe_name(entry, f"{where}.name", "name")
    path = _str(entry, f"{where}.path", "path").replace("\\", "/")
    if not path.startswith("/"):
        raise ConfigError(f"{where}.path: must be an absolute path, got {path!r}")
    parts = [p for p in path.split("/") if p]
    if any(p in (".", "..") for p in parts):
        raise ConfigError(f"{where}.path: must not contain '.' or '..' components")
    path = "/" + "/".join(parts)
    addresses = _names(entry, where, "address", "addresses", ["127.0.0.1"])
    if not addresses:
        raise ConfigError(f"{where}.addresses: at least one address is required")
    umask = _str(entry, f"{where}.umask", "umask", "022")
    if not re.fullmatch(r"[0-7]{3,4}", umask):
        raise ConfigError(f"{where}.umask: expected an octal string like '022', got {umask!r}")
    return DropZone(name=name, path=path, addresses=tuple(addresses), umask=umask,
                    visible=_bool(entry, f"{where}.visible", "visible", True))


def _roxie(entry: Mapping[str, Any], where: str) -> RoxieTarget:
    _known(entry, where, {"name", "process", "processes"})
    name = _str(entry, f"{where}.name", "name")
    processes = _names(entry, where, "process", "processes", [f"my{name}"])
    return RoxieTarget(name=name, processes=tuple(processes))
