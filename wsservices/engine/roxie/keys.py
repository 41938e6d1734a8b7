"""Key indexes over the records of logical files, for the emulated Roxie's keyed lookups.

Records are read once per file through fileview/source.py's public functions (`open_source` and
`DataSource.rows`), so whatever that module can read (fixed, variable, CSV, UTF text,
compressed parts once supported there) Roxie can look up:

* files with an ECL record and a flat layout: the decoded fields;
* CSV files (``@format`` csv or utf*): each text line split on the file's ``csvSeparate`` /
  ``csvQuote`` / ``csvEscape`` into the fields of its ECL record (a sprayed CSV's record is all
  STRINGs); a first line that repeats the field names (a spray with ``recordStructurePresent``
  keeps the header line in the data) is skipped, as ECL's ``HEADING(1)`` would.

Key values compare as ECL does for the field's type: STRINGs without trailing spaces, numbers
as numbers (a request value that is not a number matches nothing).

Not emulated: Roxie's B-tree index files and their payload/keyed split (the emulator indexes
the sprayed data directly), wild/range matches, ``__fileposition__``, XML/JSON row layouts.
"""
from __future__ import annotations

import csv
import threading
from dataclasses import dataclass, field, replace
from typing import Iterable, Iterator, Mapping

from ..fileview.source import open_source
from ..fileview.eclrecord import EclParseError, parse_record
from ..errors import DomainError
from ..dali.files import FileCatalog, LogicalFileInfo
from ..dfu.transfer.formats import split_alternatives

MAX_INDEX_ROWS = 10_000_000
_NO_MATCH = object()


class RecordError(DomainError):
    """A file whose records cannot be read (the query using it is suspended with this text)."""


@dataclass(frozen=True)
class LeafIndex:
    """The records of one regular file, grouped by the values of its key fields. Immutable once
    built; shared by every snapshot that reads the same version of the file."""

    name: str
    fields: tuple[str, ...]
    numeric: tuple[bool, ...]
    key_positions: tuple[int, ...]          # positions in `fields` of the keys present
    key_names: tuple[str, ...]               # the query's keys, lower case, in query order
    rows: Mapping[tuple, tuple[tuple, ...]] = field(repr=False)
    count: int = 0
    version: tuple = ()                      # the IndexCache key it was built for

    def find(self, params: Mapping[str, str]) -> list[dict]:
        """Rows whose keys equal the request values (`params` keyed by lower-case name; a
        missing key matches ECL's default, the empty string / 0)."""
        if not self.key_positions:
            return []
        wanted = []
        for pos in self.key_positions:
            value = normal_key(params.get(self.fields[pos].lower(), ""), self.numeric[pos], request=True)
            if value is _NO_MATCH:
                return []
            wanted.append(value)
        return [dict(zip(self.fields, values)) for values in self.rows.get(tuple(wanted), ())]


def normal_key(value, numeric: bool, request: bool = False):
    if numeric:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return value
        text = str(value).strip()
        try:
            return int(text)
        except ValueError:
            try:
                return float(text)
            except ValueError:
                return _NO_MATCH if request else text
    return str(value).rstrip(" ")


def _clean(value):
    return value.rstrip(" ") if isinstance(value, str) else value


def build_index(catalog: FileCatalog, name: str, keys: Iterable[str]) -> LeafIndex:
    """Read every record of the regular file `name` and index it by the `keys` it has."""
    key_names = tuple(k.lower() for k in keys)
    try:
        source = open_source(catalog, name)
    except DomainError as exc:
        raise RecordError(exc.message, exc.code) from None
    info = source.info
    if source.mode == "lines":
        fields, numeric, rows = _csv_rows(info, source)
    else:
        fields = tuple(f.name for f in source.record.fields)
        numeric = tuple(f.is_numeric for f in source.record.fields)
        rows = (tuple(_clean(r.values.get(f)) for f in fields) for r in source.rows(0, MAX_INDEX_ROWS).rows)
    lower = [f.lower() for f in fields]
    positions = tuple(lower.index(k) for k in key_names if k in lower)
    grouped: dict[tuple, list[tuple]] = {}
    count = 0
    for values in rows:
        key = tuple(normal_key(values[p], numeric[p]) for p in positions)
        grouped.setdefault(key, []).append(values)
        count += 1
    frozen = {k: tuple(v) for k, v in grouped.items()}
    return LeafIndex(name, fields, numeric, positions, key_names, frozen, count)


def _csv_rows(info: LogicalFileInfo | None, source) -> tuple[tuple[str, ...], tuple[bool, ...], Iterator[tuple]]:
    ecl = info.ecl.strip() if info is not None else ""
    if not ecl:
        raise RecordError(f"DFS did not contain a record description for '{source.name}'")
    try:
        record = parse_record(ecl)
    except EclParseError:
        raise RecordError(f"Could not process record description for '{source.name}'") from None
    fields = tuple(f.name for f in record.fields)
    numeric = tuple(f.is_numeric for f in record.fields)
    separators = split_alternatives(info.attr("csvSeparate", "\\,")) or [","]
    quotes = split_alternatives(info.attr("csvQuote", '"'))
    escape = split_alternatives(info.attr("csvEscape", ""))
    lines = (row.values.get("line", "") + "\n" for row in source.rows(0, MAX_INDEX_ROWS).rows)
    if len(separators) == 1 and len(separators[0]) == 1 and all(len(q) == 1 for q in quotes[:1]):
        reader: Iterable[list[str]] = csv.reader(
            lines, delimiter=separators[0], quotechar=quotes[0] if quotes else None,
            escapechar=escape[0][0] if escape else None, quoting=csv.QUOTE_MINIMAL if quotes else csv.QUOTE_NONE,
            doublequote=not escape, strict=False)
    else:
        reader = (line.rstrip("\n").split(separators[0]) for line in lines)

    def rows() -> Iterator[tuple]:
        header = [f.lower() for f in fields]
        for n, values in enumerate(reader):
            if n == 0 and [v.strip().lower() for v in values] == header:
                continue
            values = (values + [""] * len(fields))[:len(fields)]
            yield tuple(_typed(v, is_num) for v, is_num in zip(values, numeric))

    return fields, numeric, rows()


def _typed(text: str, numeric: bool):
    value = normal_key(text, numeric)
    return value if numeric and not isinstance(value, str) else text.rstrip(" ")


class IndexCache:
    """Built indexes by file version (logical name, Dali id, modified time, size) and keys, so a
    reload that keeps a file, or swaps back to one used a moment ago, reuses its index.
    Thread-safe; `retain` keeps the entries in use plus the `spare` most recently used others."""

    def __init__(self, spare: int = 8):
        self._lock = threading.Lock()
        self._entries: dict[tuple, LeafIndex] = {}     # least recently used first
        self.spare = spare

    @staticmethod
    def version(catalog: FileCatalog, info: LogicalFileInfo, keys: Iterable[str]) -> tuple:
        """What identifies the file's current bytes: its Dali entry and its part files' stats
        (a file re-created under the same name in the same second has new part files)."""
        parts = []
        for _, path in catalog.part_paths(info.name):
            try:
                st = path.stat()
                parts.append((str(path), st.st_mtime_ns, st.st_size, st.st_ino))
            except OSError:
                parts.append((str(path), None, None, None))
        return (info.name, info.id, info.modified, tuple(parts), tuple(k.lower() for k in keys))

    def get(self, catalog: FileCatalog, info: LogicalFileInfo, keys: tuple[str, ...]) -> LeafIndex:
        key = self.version(catalog, info, keys)
        with self._lock:
            found = self._entries.pop(key, None)
            if found is not None:
                self._entries[key] = found
                return found
        built = replace(build_index(catalog, info.name, keys), version=key)
        with self._lock:
            return self._entries.setdefault(key, built)

    def retain(self, keep: set[tuple]) -> None:
        with self._lock:
            unused = [k for k in self._entries if k not in keep]
            for key in unused[:max(0, len(unused) - self.spare)]:
                del self._entries[key]

    def __len__(self) -> int:
        return len(self._entries)
