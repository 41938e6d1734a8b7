"""Seed files: a known cluster state written down in TOML, applied with a `Seeder`.

``hpccemu seed FILE`` and ``hpccemu serve --seed FILE`` read one; so can a script::

    apply_seed_file("seed.toml", HPCCClient("http://127.0.0.1:8010"))

The file (every table optional; relative ``file`` paths are read from the seed file's folder)::

    cluster = "mythor"                      # default destination of the logical files

    [[landing_zone]]                        # a file uploaded to the drop zone
    name = "people.csv"
    data = "1,Ann\\n2,Bob\\n"                # or file = "people.csv"
    path = "incoming"                       # optional folder inside the drop zone

    [[logical_file]]                        # uploaded, then sprayed for real
    name = "tutorial::people"
    data = "1,Ann\\n2,Bob\\n"                # or file = "...", or rows = [[1, "Ann"], [2, "Bob"]]
    format = "csv"                          # csv (default), fixed, xml, json, ...
    record_size = 16                        # fixed; row_tag = "Row" for xml
    cluster = "mythor"
    options = { recordStructurePresent = true, separator = ";" }   # more spray fields

    [[superfile]]
    name = "tutorial::all"
    subfiles = ["tutorial::people"]

    [[package_map]]                         # AddPackage (activated unless activate = false)
    target = "roxie"
    id = "people.pkg"
    xml = "<RoxiePackages>...</RoxiePackages>"   # or file = "people.pkg"

    [[package_part]]                        # AddPartToPackageMap (+ ActivatePackage)
    target = "roxie"
    map = "people.pkg"
    part = "data.pkg"
    xml = "..."                             # or file = "..."

    [[roxie_query]]                         # emulator only: POST /hpccemu/roxie/publish
    name = "people_query"
    files = ["~tutorial::all"]
    keys = ["id"]

The whole file is checked before anything is sent (`SeedFileError` names the entry and key);
the sections are applied in the order above, entries in file order. It is applied onto what the
cluster holds, as a script would: files are sprayed with overwrite, package maps replaced and
superfiles refilled, but a file that a superfile or a Roxie query holds cannot be overwritten
(``Cannot remove file ... as owned by SuperFile(s)``), as on a real cluster. To apply a file
again, empty the cluster first (``hpccemu seed --reset``, or ``hpccemu reset``).
"""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from .errors import HPCCError
from .seed import Seeder

SECTIONS = ("landing_zone", "logical_file", "superfile", "package_map", "package_part", "roxie_query")
_KEYS = {
    "landing_zone": ({"name"}, {"data", "file", "path"}),
    "logical_file": ({"name"}, {"data", "file", "rows", "format", "record_size", "row_tag", "cluster", "options"}),
    "superfile": ({"name", "subfiles"}, set()),
    "package_map": ({"target", "id"}, {"xml", "file", "activate"}),
    "package_part": ({"target", "map", "part"}, {"xml", "file", "activate"}),
    "roxie_query": ({"name", "files"}, {"keys", "target", "activate"}),
}


class SeedFileError(HPCCError):
    """A seed file that cannot be read or applied; says which entry and key."""


@dataclass
class SeedPlan:
    """A checked seed file: the calls to make, each with a line saying what it does."""
    source: Path
    steps: list[tuple[str, Callable[[Seeder], Any]]] = field(default_factory=list)

    def apply(self, seeder: Seeder, echo: Callable[[str], None] = lambda _: None) -> list[str]:
        done = []
        for text, step in self.steps:
            try:
                step(seeder)
            except HPCCError as exc:
                raise SeedFileError(f"{self.source}: {text}: {exc}") from exc
            echo(text)
            done.append(text)
        return done


def load_seed_file(path: str | Path) -> SeedPlan:
    """Read and check a seed file (see the module docstring); nothing is sent yet."""
    source = Path(path)
    try:
        doc = tomllib.loads(source.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SeedFileError(f"seed file {source}: not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SeedFileError(f"seed file {source}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SeedFileError(f"seed file {source}: {exc}") from None
    unknown = set(doc) - set(SECTIONS) - {"cluster"}
    if unknown:
        raise SeedFileError(f"{source}: unknown key(s) {', '.join(sorted(unknown))} "
                            f"(known: cluster, {', '.join(SECTIONS)})")
    default_cluster = _text(doc.get("cluster", "mythor"), f"{source}: cluster")
    plan = SeedPlan(source)
    for section in SECTIONS:
        entries = doc.get(section, [])
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise SeedFileError(f"{source}: {section} must be an array of tables ([[{section}]])")
        for number, entry in enumerate(entries, 1):
            where = f"{source}: {section} #{number}"
            required, optional = _KEYS[section]
            missing, extra = required - set(entry), set(entry) - required - optional
            if missing or extra:
                raise SeedFileError(f"{where}: " + "; ".join(
                    ([f"missing {', '.join(sorted(missing))}"] if missing else [])
                    + ([f"unknown {', '.join(sorted(extra))}"] if extra else [])))
            plan.steps.append(_STEP[section](entry, where, source.parent, default_cluster))
    return plan


def apply_seed_file(path: str | Path, client, echo: Callable[[str], None] = lambda _: None) -> list[str]:
    """Check, then apply, the seed file at `path` through `client` (an `HPCCClient`)."""
    plan = load_seed_file(path)
    return plan.apply(Seeder(client), echo)


# -- one builder per section: check the entry now, return (description, call) ------------------

def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise SeedFileError(f"{where}: expected a non-empty string, got {value!r}")
    return value


def _content(entry: dict, where: str, base: Path, keys=("data", "file"), binary: bool = True):
    given = [k for k in keys if k in entry]
    if len(given) != 1:
        raise SeedFileError(f"{where}: give exactly one of {', '.join(keys)}")
    key = given[0]
    if key == "file":
        local = base / _text(entry["file"], f"{where}: file")
        try:
            return local.read_bytes() if binary else local.read_text(encoding="utf-8")
        except OSError as exc:
            raise SeedFileError(f"{where}: file {local}: {exc.strerror}") from None
    if key == "rows":
        rows = entry["rows"]
        if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
            raise SeedFileError(f"{where}: rows must be an array of arrays")
        return rows
    value = entry[key]
    if not isinstance(value, str):
        raise SeedFileError(f"{where}: {key} must be a string")
    return value


def _landing_zone(entry, where, base, cluster):
    name = _text(entry["name"], f"{where}: name")
    data = _content(entry, where, base)
    path = entry.get("path")
    return f"landing zone file {name}", lambda s: s.landing_zone_file(name, data, path=path)


def _logical_file(entry, where, base, cluster):
    name = _text(entry["name"], f"{where}: name")
    data = _content(entry, where, base, ("data", "file", "rows"))
    options = entry.get("options", {})
    if not isinstance(options, dict):
        raise SeedFileError(f"{where}: options must be a table")
    kwargs = dict(format=_text(entry.get("format", "csv"), f"{where}: format"),
                  cluster=_text(entry.get("cluster", cluster), f"{where}: cluster"),
                  record_size=entry.get("record_size"), row_tag=entry.get("row_tag"), **options)
    return f"logical file {name}", lambda s: s.logical_file(name, data, **kwargs)


def _superfile(entry, where, base, cluster):
    name = _text(entry["name"], f"{where}: name")
    subs = entry["subfiles"]
    if not isinstance(subs, list) or not all(isinstance(x, str) and x for x in subs):
        raise SeedFileError(f"{where}: subfiles must be an array of logical names")
    return f"superfile {name} ({len(subs)} subfiles)", lambda s: s.superfile(name, subs)


def _package_map(entry, where, base, cluster):
    target, pmid = _text(entry["target"], f"{where}: target"), _text(entry["id"], f"{where}: id")
    xml = _content(entry, where, base, ("xml", "file"), binary=False)
    activate = bool(entry.get("activate", True))
    return f"package map {target}::{pmid}", lambda s: s.package_map(target, pmid, xml, activate=activate)


def _package_part(entry, where, base, cluster):
    target, pmid = _text(entry["target"], f"{where}: target"), _text(entry["map"], f"{where}: map")
    part = _text(entry["part"], f"{where}: part")
    xml = _content(entry, where, base, ("xml", "file"), binary=False)
    activate = bool(entry.get("activate", True))
    return (f"package map part {target}::{pmid}/{part}",
            lambda s: s.package_part(target, pmid, part, xml, activate=activate))


def _roxie_query(entry, where, base, cluster):
    name = _text(entry["name"], f"{where}: name")
    files, keys = entry["files"], entry.get("keys", [])
    if not isinstance(files, list) or not isinstance(keys, list):
        raise SeedFileError(f"{where}: files and keys must be arrays")
    target = _text(entry.get("target", "roxie"), f"{where}: target")
    activate = bool(entry.get("activate", True))
    return (f"roxie query {target}/{name}",
            lambda s: s.roxie_query(name, files, keys=keys, target=target, activate=activate))


_STEP = {"landing_zone": _landing_zone, "logical_file": _logical_file, "superfile": _superfile,
         "package_map": _package_map, "package_part": _package_part, "roxie_query": _roxie_query}
