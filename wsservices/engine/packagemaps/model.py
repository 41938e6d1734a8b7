"""The package-map model: normalising stored XML, loading packages, matching queries, resolving
superfiles. Pure Python over lxml elements; no store access (callers pass a DFS lookup).

Facts from packageprocess.md:

* normalisation on store (§3.2 step 7, ``fixPackageMapFileIds``): on every ``Package`` (top level
  or ``Part/Package``) ``SuperFile/@id`` is lower-cased and loses one ``~``; ``SubFile/@value``
  loses one ``~`` and keeps its case; ``File/@value`` is untouched; PreloadAllPackages sets
  ``preload="1"``;
* files a map declares (§3.2 step 8): every ``SubFile/@value`` and ``File/@value``; SuperFile ids
  are not files, which is why virtual superkeys never count as missing;
* loading (§4.3, §4.4): top-level Packages first, then each Part's Packages in document order,
  into one case-insensitive id -> package map where a later id replaces an earlier one; Bases
  resolved afterwards across all parts, a missing one or a cycle is a load error;
* query -> package (§4.5 steps 2-4): the query id, then the id without ``.<digits>``, then the
  first package whose ``@queries`` wildcard matches, in load order;
* superfile lookup: ESP looks in the package and its *direct* Bases only (quirk Q5); Roxie walks
  the package, then its Bases depth-first at any depth, first definition wins (§5 step 2);
* Roxie subfile resolution (§5 step 2): non-empty SubFiles in order, each first as a package
  superfile, then through Dali; unresolved ones skipped; nothing resolved = not found.

Not emulated: Roxie's own ``File[@id]`` entries with physical part information (``File/@value``
is a declaration only), ``@resolveLocally``, ``@daliip``/``@sourceCluster`` copy sources.
A subfile that is itself a package superfile is flattened into its resolved subfiles (Roxie
builds a nested superfile); a cycle between package superfiles is cut (the inner reference is
skipped) where Roxie would recurse.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Iterator

from ..jlib.wildcards import wildmatch
from . import xmlio as X
from .errors import PackageLoadError

Element = X.Element


# ------------------------------------------------------------------------------- names

def wildcard_match(pattern: str, text: str) -> bool:
    """jlib WildMatch: ``*`` and ``?``, case-insensitive, whole string. Empty matches nothing
    but the empty string."""
    return wildmatch(text, pattern, ignore_case=True)


def is_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


def strip_tilde(name: str) -> str:
    return name[1:] if name.startswith("~") else name


@dataclass(frozen=True)
class DeclaredFile:
    """A file a package map names: ``name`` is the local logical name (lower case, no ``~``, no
    ``foreign::<ip>::`` or ``remote::<name>::`` prefix); ``foreign`` the Dali it lives on."""

    name: str
    foreign: str | None = None
    remote: str | None = None


def declared_file(value: str) -> DeclaredFile:
    """ReferencedFileList's normalisation of a SubFile/File value (§3.2 step 8)."""
    name = strip_tilde(value.strip()).lower()
    for kind in ("foreign", "remote"):
        prefix = kind + "::"
        if name.startswith(prefix):
            host, _, rest = name[len(prefix):].partition("::")
            if rest:
                return DeclaredFile(rest, foreign=host) if kind == "foreign" \
                    else DeclaredFile(rest, remote=host)
    return DeclaredFile(name)


# ------------------------------------------------------------------------------- documents

def package_elements(root: Element) -> list[Element]:
    """``Package`` and ``Part/Package`` children of a map, in the loaders' order: top-level
    Packages first, then each Part's Packages."""
    top = X.children(root, "Package")
    parts = [p for part in X.children(root, "Part") for p in X.children(part, "Package")]
    return top + parts


def is_multipart_document(root: Element) -> bool:
    """A document with ``Part`` children is stored as given (§3.2 step 7)."""
    return bool(X.children(root, "Part"))


def normalise(packages: list[Element], preload: bool = False) -> None:
    """fixPackageMapFileIds, in place, on the given ``Package`` elements."""
    for pkg in packages:
        if preload:
            pkg.set("preload", "1")
        for sf in pkg.iter("SuperFile"):
            if sf.get("id") is not None:
                sf.set("id", strip_tilde(sf.get("id")).lower())
            for sub in sf.iter("SubFile"):
                if sub.get("value") is not None:
                    sub.set("value", strip_tilde(sub.get("value")))


def declared_files(packages: list[Element]) -> list[DeclaredFile]:
    """Every SubFile/@value and File/@value under the packages, in document order, once each."""
    seen: dict[tuple, DeclaredFile] = {}
    for pkg in packages:
        for el in pkg.iter("SubFile", "File"):
            value = el.get("value")
            if value is None or not value.strip():
                continue
            f = declared_file(value)
            seen.setdefault((f.name, f.foreign, f.remote), f)
    return list(seen.values())


# ------------------------------------------------------------------------------- the model

@dataclass
class SuperFileDef:
    """``SuperFile[@id]`` with its ``SubFile/@value`` values as stored (``""`` for ``<SubFile/>``)."""

    id: str
    subfiles: list[str]


@dataclass
class Package:
    id: str
    queries: str = ""
    bases: list[str] = field(default_factory=list)
    superfiles: list[SuperFileDef] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    compulsory: bool = False
    preload: bool = False
    environment: dict[str, str] = field(default_factory=dict)
    part: str | None = None            # the Part it came from; None for top-level packages

    def superfile(self, name: str) -> SuperFileDef | None:
        for sf in self.superfiles:
            if sf.id == name:
                return sf
        return None


def _package_from(el: Element, part: str | None) -> Package:
    pid = el.get("id")
    if not pid:
        raise PackageLoadError.package_missing_id()
    pkg = Package(id=pid, queries=el.get("queries") or "", part=part,
                  compulsory=X.read_bool(el.get("compulsory")), preload=X.read_bool(el.get("preload")))
    for child in X.children(el):
        kind = X.local(child)
        if kind == "Base":
            base = child.get("id")
            if not base:
                raise PackageLoadError.base_missing_id()
            pkg.bases.append(base)
        elif kind == "SuperFile":
            subs = [sub.get("value") or "" for sub in X.children(child, "SubFile")]
            pkg.superfiles.append(SuperFileDef(strip_tilde(child.get("id") or "").lower(), subs))
        elif kind == "File":
            if child.get("value"):
                pkg.files.append(child.get("value"))
        elif kind == "Environment":
            key, value = child.get("id"), child.get("value")
            if not key or value is None:
                raise PackageLoadError.environment_incomplete(X.to_xml(child).strip())
            pkg.environment[key] = value
    return pkg


class PackageMapModel:
    """One loaded package map: packages by case-insensitive id, in load order."""

    def __init__(self, pmid: str, packages: list[Package], part_ids: list[str] | None = None):
        self.pmid = pmid
        self.part_ids = list(part_ids or [])
        self._packages: dict[str, Package] = {}
        for pkg in packages:
            self._packages.pop(pkg.id.lower(), None)  # a later definition replaces an earlier one
            self._packages[pkg.id.lower()] = pkg

    @classmethod
    def empty(cls, pmid: str) -> "PackageMapModel":
        return cls(pmid, [])

    @classmethod
    def load(cls, root: Element | None, pmid: str | None = None) -> "PackageMapModel":
        """Load a stored map (``PackageMap``/``PackageMaps`` root) or a client document
        (``RoxiePackages``): top-level Packages, then Part/Packages; then check the Bases."""
        if root is None:
            return cls.empty(pmid or "")
        packages = [_package_from(el, None) for el in X.children(root, "Package")]
        part_ids = []
        for part in X.children(root, "Part"):
            part_ids.append(part.get("id") or "")
            packages += [_package_from(el, part.get("id")) for el in X.children(part, "Package")]
        model = cls(pmid if pmid is not None else (root.get("id") or ""), packages, part_ids)
        model._check_bases()
        return model

    def _check_bases(self) -> None:
        for pkg in self._packages.values():
            for base in pkg.bases:
                if base.lower() not in self._packages:
                    raise PackageLoadError.base_not_found(base)
        state: dict[str, int] = {}  # 1 = on the current path, 2 = done

        def visit(key: str) -> None:
            state[key] = 1
            for base in self._packages[key].bases:
                b = base.lower()
                if state.get(b) == 1:
                    raise PackageLoadError.circular()
                if b not in state:
                    visit(b)
            state[key] = 2

        for key in self._packages:
            if key not in state:
                visit(key)

    # -- lookups ------------------------------------------------------------------------------
    @property
    def packages(self) -> list[Package]:
        return list(self._packages.values())

    def package(self, pid: str) -> Package | None:
        return self._packages.get(pid.lower())

    def match(self, query_id: str) -> Package | None:
        """matchPackage (§4.5 steps 2-4)."""
        found = self.package(query_id)
        if found is not None:
            return found
        m = re.fullmatch(r"(.+)\.\d+", query_id)
        if m:
            found = self.package(m.group(1))
            if found is not None:
                return found
        for pkg in self._packages.values():
            if pkg.queries and wildcard_match(pkg.queries, query_id):
                return pkg
        return None

    def bases(self, pkg: Package) -> list[Package]:
        return [self._packages[b.lower()] for b in pkg.bases if b.lower() in self._packages]

    def chain(self, pkg: Package) -> Iterator[Package]:
        """The package, then its Bases depth-first in Base order (each once)."""
        seen: set[str] = set()

        def walk(p: Package) -> Iterator[Package]:
            if p.id.lower() in seen:
                return
            seen.add(p.id.lower())
            yield p
            for base in self.bases(p):
                yield from walk(base)

        yield from walk(pkg)

    def locate_superfile(self, pkg: Package | None, name: str) -> tuple[Package, SuperFileDef] | None:
        """ESP's locateSuperFile: the package itself, then its direct Bases only (quirk Q5)."""
        if pkg is None:
            return None
        for p in [pkg, *self.bases(pkg)]:
            sf = p.superfile(name)
            if sf is not None:
                return p, sf
        return None

    def find_superfile(self, pkg: Package | None, name: str) -> SuperFileDef | None:
        """Roxie's lookup: the package, then its Bases at any depth; first definition wins."""
        if pkg is None:
            return None
        for p in self.chain(pkg):
            sf = p.superfile(name)
            if sf is not None:
                return sf
        return None


# ------------------------------------------------------------------------------- Roxie resolution

class SelfContainedSuperfile(Exception):
    def __init__(self, name: str):
        super().__init__(f"Superfile {name} contains itself as a subfile")
        self.message = str(self)


def resolve_superfile(model: PackageMapModel, pkg: Package | None, name: str,
                      in_dfs: Callable[[str], bool], _stack: frozenset[str] = frozenset()
                      ) -> list[str] | None:
    """The subfiles a package superfile resolves to (§5 step 2), or None when the package does
    not define `name` or none of its subfiles resolve. Raises SelfContainedSuperfile."""
    sf = model.find_superfile(pkg, name)
    if sf is None:
        return None
    out: list[str] = []
    for value in sf.subfiles:
        sub = strip_tilde(value.strip()).lower()
        if not sub:
            continue
        if sub == name:
            raise SelfContainedSuperfile(name)
        if sub in _stack:
            continue
        inner = resolve_superfile(model, pkg, sub, in_dfs, _stack | {name})
        if inner is not None:
            out.extend(inner)
        elif in_dfs(sub):
            out.append(sub)
    return out or None


def superfile_ids(model: PackageMapModel, pkg: Package | None) -> list[str]:
    """Every superfile id the package chain defines, first definition first."""
    if pkg is None:
        return []
    seen: dict[str, None] = {}
    for p in model.chain(pkg):
        for sf in p.superfiles:
            if sf.id:
                seen.setdefault(sf.id, None)
    return list(seen)
