"""Reading the rows of logical files for DFUBrowseData, DFUGetDataColumns, DFUGetFileMetaData and
DFUSearchData (wsdfu.md §4.8-4.11, §8; the file-view library's data-source rules).

Which columns a file shows:

* ``@format`` ``csv`` or starting with ``utf`` (sprayed CSV, XML and JSON, ECL-written CSV/XML/
  JSON): one column ``line`` (``string``; ``utf8`` for UTF formats), one row per text line with
  the terminator stripped; Total = ``@recordCount`` or -1.
* an ``ECL`` record: its fields (flat Thor layout, see eclrecord.py, eclrows.py); Total = size / row size for
  fixed-size rows, else ``@recordCount`` or -1. Unparsable text: ``Could not process record
  description for '<lfn>'`` (6702).
* no ECL but ``@recordSize`` N: one column ``contents`` (``string N``); N = 0 gives ``File <lfn>
  appears to have a zero length row`` (6712).
* nothing: ``DFS did not contain a record description for '<lfn>'`` (6701).
* legacy (row-)compressed files: ``Cannot view compressed file '<lfn>'`` (6708); block-compressed
  parts (``@blockCompressed``) are read expanded, through `transfer.open_part` like every reader.
Disk files also show the virtual column ``__fileposition__``: the row's byte offset in the whole
logical file (its parts taken in order). A superfile shows the rows of its (flattened) members
in order, with the layout of the first member.

Rows are read with bounded, positioned reads: a fixed-size page seeks straight to its first row;
variable rows and text lines stream from the start in 64 KiB chunks, so no file is loaded whole.
A filtered search stops after `FILTER_SCAN_LIMIT` rows and says so with ESP's time-out message.

Not emulated: index (key) files' B-trees (a ``key`` file with ECL is read as a flat file, no
keyed columns), row-compressed parts, remote/foreign files, XPATH-driven XML row layouts, the
``Need queue/cluster`` and complex-key errors.
"""
from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from .eclrecord import EclField, EclParseError, EclRecord, contents_record, line_record, parse_record
from .eclrows import RowTooShort, decode_row
from .ecltypes import xml_schema
from ..errors import DomainError
from ..dali.files import FileCatalog, LogicalFileInfo, iter_leaf_names
from ..dfu.transfer.partfile import open_part, part_size
CHUNK = 64 * 1024
MAX_LINE = 1024 * 1024    # a longer "line" is cut (the emulator's bound, not ESP's)
MAX_ROW_BUFFER = 16 * 1024 * 1024
FILTER_SCAN_LIMIT = 1_000_000
TIMED_OUT = "This search has timed out due to the restrictive filter. There may be more records."
FILEPOS = EclField("__fileposition__", "unsigned", length=8)

# file-view error codes (common/fileview2/fverror.hpp; wsdfu.md §8)
FVERR_CouldNotResolveX = 6700
FVERR_NoRecordDescription = 6701
FVERR_BadRecordDesc = 6702
FVERR_NeedClusterToBrowseX = 6703
FVERR_FailedOpenFile = 6707
FVERR_CompressedFile = 6708
FVERR_ViewComplexKey = 6710
FVERR_ZeroSizeRecord = 6712


class FileViewError(DomainError):
    """The file-view library's errors, with their texts and codes."""

    @classmethod
    def not_resolved(cls, name: str) -> "FileViewError":
        return cls(f"Could not resolve file '{name}' in DFS", FVERR_CouldNotResolveX)

    @classmethod
    def no_record(cls, name: str) -> "FileViewError":
        return cls(f"DFS did not contain a record description for '{name}'",
                   FVERR_NoRecordDescription)

    @classmethod
    def bad_record(cls, name: str) -> "FileViewError":
        return cls(f"Could not process record description for '{name}'", FVERR_BadRecordDesc)

    @classmethod
    def failed_open(cls, name: str) -> "FileViewError":
        return cls(f"Failed to open file {name} for browsing", FVERR_FailedOpenFile)

    @classmethod
    def compressed(cls, name: str) -> "FileViewError":
        return cls(f"Cannot view compressed file '{name}'", FVERR_CompressedFile)

    @classmethod
    def zero_length_row(cls, name: str) -> "FileViewError":
        return cls(f"File {name} appears to have a zero length row", FVERR_ZeroSizeRecord)


# ---------------------------------------------------------------------------------------------
# Filters (DFUBrowseData FilterBy)
# ---------------------------------------------------------------------------------------------

def parse_filter_by(text: str | None) -> list[tuple[str, str]]:
    """``FilterBy``: two digits giving the widths n and m, then repeated
    ``<name length, n digits><value length, m digits><name><value>`` (e.g. ``340020001id1``)."""
    text = text or ""
    if len(text) < 2 or not text[:2].isdigit():
        return []
    n, m = int(text[0]), int(text[1])
    pos, out = 2, []
    while pos + n + m <= len(text):
        head = text[pos:pos + n + m]
        if not head.isdigit():
            break
        name_len, value_len = int(head[:n]), int(head[n:])
        pos += n + m
        name, value = text[pos:pos + name_len], text[pos + name_len:pos + name_len + value_len]
        pos += name_len + value_len
        if name:
            out.append((name, value))
    return out


def filter_echo(filters: list[tuple[str, str]]) -> tuple[str, str]:
    """(``FilterBy`` as ``name[value]...``, ``FilterForGoBack`` as ``34`` + ``%03d%04d<n><v>``)."""
    shown = "".join(f"{n}[{v}]" for n, v in filters if n and v)
    back = "34" + "".join(f"{len(n):03d}{len(v):04d}{n}{v}" for n, v in filters if n and v)
    return shown, back


def parse_show_columns(text: str | None) -> list[int] | None:
    """0-based column indexes separated by any non-digit; None when not given."""
    if not text:
        return None
    return [int(d) for d in re.findall(r"\d+", text)]


# ---------------------------------------------------------------------------------------------
# Data sources
# ---------------------------------------------------------------------------------------------

@dataclass
class Row:
    values: dict
    position: int


@dataclass
class Page:
    rows: list[Row]
    total: int
    timed_out: bool = False


@dataclass
class ColumnInfo:
    """One DFUDataColumn / DFUGetFileMetaData column."""

    field: EclField
    natural: bool = True
    keyed: bool = False


@dataclass
class DataSource:
    name: str                     # the normalised name of the viewed file
    mode: str                     # "fixed" | "variable" | "lines"
    record: EclRecord
    parts: list[tuple[Path, int]]  # the bytes, in order: (path, size)
    total: int                    # -1 when unknown
    row_size: int = 0
    encoding: str = "latin-1"
    keyed_count: int = 0
    info: LogicalFileInfo | None = field(default=None, repr=False)
    compressed: tuple[bool, ...] = ()   # per part: block-compressed on disk (default: none)

    def open_part(self, index: int):
        """A seekable reader of the (expanded) bytes of part ``index`` of `parts`; a part that
        went away under the view (the file was deleted or replaced meanwhile) is the file view's
        ``Failed to open file <lfn> for browsing`` (6707), never an OS error."""
        packed = index < len(self.compressed) and self.compressed[index]
        try:
            return open_part(self.parts[index][0], packed)
        except OSError:
            raise FileViewError.failed_open(self.name) from None

    # -- description ------------------------------------------------------------------------
    @property
    def columns(self) -> list[ColumnInfo]:
        cols = [ColumnInfo(f, keyed=i < self.keyed_count) for i, f in enumerate(self.record.fields)]
        cols.append(ColumnInfo(FILEPOS, natural=False))
        return cols

    def schema(self) -> str:
        return xml_schema(self.record, [FILEPOS], self.keyed_count)

    # -- rows -------------------------------------------------------------------------------
    def rows(self, start: int, count: int, filters: list[tuple[str, str]] | None = None,
             uppercase: bool = True) -> Page:
        start = max(0, start)
        if not filters:
            if self.mode == "fixed":
                return Page(self._fixed(start, count), self.total)
            taken = []
            for i, row in enumerate(self._stream()):
                if i >= start + count:
                    break
                if i >= start:
                    taken.append(row)
            return Page(taken, self.total)
        matcher = _Matcher(self.record, filters, uppercase)
        taken, matched = [], 0
        iterator = self._fixed_iter() if self.mode == "fixed" else self._stream()
        for scanned, row in enumerate(iterator):
            if scanned >= FILTER_SCAN_LIMIT:
                return Page(taken, self.total, timed_out=True)
            if not matcher(row.values):
                continue
            if matched >= start:
                taken.append(row)
                if len(taken) >= count:
                    break
            matched += 1
        return Page(taken, self.total)

    def _fixed(self, start: int, count: int) -> list[Row]:
        size = self.row_size
        first = start * size
        want = count * size
        data = self._read_range(first, want)
        out = []
        for k in range(len(data) // size):
            values, _ = decode_row(self.record, data, k * size)
            out.append(Row(values, first + k * size))
        return out

    def _fixed_iter(self) -> Iterator[Row]:
        batch = max(1, CHUNK // self.row_size)
        index = 0
        while True:
            rows = self._fixed(index, batch)
            yield from rows
            if len(rows) < batch:
                return
            index += batch

    def _read_range(self, offset: int, length: int) -> bytes:
        """Bytes [offset, offset+length) of the parts taken as one file."""
        out = bytearray()
        base = 0
        for index, (_path, size) in enumerate(self.parts):
            if length <= 0:
                break
            if offset < base + size:
                local = max(0, offset - base)
                n = min(size - local, length)
                with self.open_part(index) as fh:
                    fh.seek(local)
                    chunk = fh.read(n)
                out += chunk
                offset += len(chunk)
                length -= len(chunk)
            base += size
        return bytes(out)

    def _stream(self) -> Iterator[Row]:
        if self.mode == "lines":
            yield from self._lines()
        else:
            yield from self._variable()

    def _variable(self) -> Iterator[Row]:
        base = 0
        for index, (_path, size) in enumerate(self.parts):
            with self.open_part(index) as fh:
                buf = b""
                consumed = 0          # bytes of this part before buf
                eof = False
                while True:
                    pos = 0
                    while pos < len(buf):
                        try:
                            values, end = decode_row(self.record, buf, pos)
                        except RowTooShort:
                            break
                        if end == pos:  # cannot happen with a valid layout; avoid looping
                            return
                        yield Row(values, base + consumed + pos)
                        pos = end
                    buf = buf[pos:]
                    consumed += pos
                    if eof:
                        break
                    more = fh.read(CHUNK)
                    if not more:
                        eof = True
                        if not buf:
                            break
                        continue
                    buf += more
                    if len(buf) > MAX_ROW_BUFFER:
                        return
            base += size

    def _chunks(self) -> Iterator[bytes]:
        """The parts' bytes in order, as one stream of bounded chunks."""
        for index in range(len(self.parts)):
            with self.open_part(index) as fh:
                while True:
                    chunk = fh.read(CHUNK)
                    if not chunk:
                        break
                    yield chunk

    def _lines(self) -> Iterator[Row]:
        """One row per text line of the parts taken as one stream (a line may span parts)."""
        field_name = self.record.fields[0].name
        encoding = self.encoding
        unit = 2 if "16" in encoding else 4 if "32" in encoding else 1
        newline = "\n".encode(encoding)
        pending = b""
        position = 0          # offset of pending[0] in the whole file
        first = True
        skipping = False      # inside an over-long line whose start was already shown
        for chunk in self._chunks():
            data = pending + chunk
            if first and unit == 1:
                if len(data) < 3 and data == codecs.BOM_UTF8[:len(data)]:
                    pending = data
                    continue
                if data.startswith(codecs.BOM_UTF8):
                    data = data[3:]
                    position = 3
                first = False
            first = False
            start = 0
            while True:
                idx = _find_aligned(data, newline, start, unit)
                if idx < 0:
                    break
                if not skipping:
                    yield Row({field_name: _decode_line(data[start:idx][:MAX_LINE], encoding)},
                              position + start)
                skipping = False
                start = idx + len(newline)
            pending = data[start:]
            position += start
            if len(pending) > MAX_LINE and not skipping:
                yield Row({field_name: _decode_line(pending[:MAX_LINE], encoding)}, position)
                skipping = True
            if skipping:
                keep = len(newline) - 1
                position += len(pending) - keep
                pending = pending[len(pending) - keep:] if keep else b""
        if pending and not skipping:
            yield Row({field_name: _decode_line(pending, encoding)}, position)


def _find_aligned(data: bytes, needle: bytes, start: int, unit: int) -> int:
    idx = data.find(needle, start)
    while idx >= 0 and unit > 1 and idx % unit:
        idx = data.find(needle, idx + 1)
    return idx


def _decode_line(raw: bytes, encoding: str) -> str:
    text = raw.decode(encoding, "replace")
    return text[:-1] if text.endswith("\r") else text


class _Matcher:
    """Equality per column (names case-insensitive); a trailing ``*`` makes a prefix match;
    values are upper-cased unless the translation is disabled (wsdfu.md §4.8)."""

    def __init__(self, record: EclRecord, filters: list[tuple[str, str]], uppercase: bool):
        names = {f.name.lower(): f.name for f in record.fields}
        self.tests = []
        for name, value in filters:
            column = names.get(name.lower())
            if column is None:
                continue
            wanted = value.upper() if uppercase else value
            self.tests.append((column, wanted))

    def __call__(self, values: dict) -> bool:
        for column, wanted in self.tests:
            actual = values.get(column)
            text = (("true" if actual else "false") if isinstance(actual, bool)
                    else str(actual) if actual is not None else "")
            if wanted.endswith("*"):
                if not text.startswith(wanted[:-1]):
                    return False
            elif text != wanted and text.rstrip() != wanted.rstrip():
                return False
        return True


# ---------------------------------------------------------------------------------------------
# Opening a file for viewing
# ---------------------------------------------------------------------------------------------

def _encoding(fmt: str) -> str:
    f = fmt.lower().replace("-", "").replace("_", "")
    if f.startswith("utf16"):
        return "utf-16-be" if f.endswith("be") else "utf-16-le"
    if f.startswith("utf32"):
        return "utf-32-be" if f.endswith("be") else "utf-32-le"
    if f.startswith("utf"):
        return "utf-8"
    return "latin-1"


def open_source(catalog: FileCatalog, name: str) -> DataSource:
    """The data source of a file or superfile; the texts of wsdfu.md §8 when it has none."""
    shown = (name or "").strip()
    info = resolve(catalog, shown)
    if info is None:
        raise FileViewError.not_resolved(shown)
    leaves = [catalog.get(n) for n in iter_leaf_names(catalog, info.name)]
    leaves = [leaf for leaf in leaves if leaf is not None]
    layout = leaves[0] if leaves else info
    lfn = info.name
    if layout.is_compressed and not layout.flag("blockCompressed"):
        raise FileViewError.compressed(lfn)
    parts: list[tuple[Path, int]] = []
    packed: list[bool] = []
    for leaf in leaves:
        block_compressed = leaf.flag("blockCompressed")
        for part, path in catalog.part_paths(leaf.name):
            try:
                if block_compressed and part.size is not None and path.exists():
                    size = part.size
                else:
                    size = part_size(path, block_compressed)
            except OSError:
                continue
            parts.append((path, size))
            packed.append(block_compressed)
    record_count = _sum_counts(leaves)
    fmt = layout.format.lower()
    if fmt == "csv" or fmt.startswith("utf"):
        unicode = fmt.startswith("utf")
        return DataSource(lfn, "lines", line_record(unicode), parts,
                          record_count if record_count is not None else -1,
                          encoding=_encoding(fmt) if unicode else "latin-1", info=info,
                          compressed=tuple(packed))
    if layout.ecl.strip():
        try:
            record = parse_record(layout.ecl)
        except EclParseError:
            raise FileViewError.bad_record(lfn) from None
    elif layout.record_size is not None:
        record = contents_record(layout.record_size)
    else:
        raise FileViewError.no_record(lfn)
    size = record.fixed_size
    total_bytes = sum(s for _, s in parts)
    if size is not None:
        if size == 0:
            raise FileViewError.zero_length_row(lfn)
        return DataSource(lfn, "fixed", record, parts, total_bytes // size, row_size=size,
                          info=info, compressed=tuple(packed))
    return DataSource(lfn, "variable", record, parts,
                      record_count if record_count is not None else -1, info=info,
                      compressed=tuple(packed))


def resolve(catalog: FileCatalog, name: str) -> LogicalFileInfo | None:
    if not name:
        return None
    try:
        return catalog.get(name)
    except DomainError:
        if name.startswith("~"):
            try:
                return catalog.get(name[1:])
            except DomainError:
                return None
        return None


def _sum_counts(leaves: list[LogicalFileInfo]) -> int | None:
    counts = [leaf.attr_int("recordCount") for leaf in leaves]
    if not counts or any(c is None for c in counts):
        return None
    return sum(counts)
