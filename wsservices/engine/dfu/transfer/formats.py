"""The DFU format-code table and the source-format descriptor (filespray.md §3.1, §3.2, §4.1).

One place for: DFU format numbers and names (``DFUfileformat``), the SprayFixed record-size
escapes, the partitioner family a format selects, text encodings and byte-order marks, the
C-escaped, comma-separated CSV option strings ESP receives, and the defaults ESP applies.

Not emulated: the legacy "blocked" format, key files, and encryption/compression options
(those never change how a file is partitioned).
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, replace

from ...errors import DomainError

#: ``DEFAULT_MAX_CSV_SIZE`` (ftbase.ipp): max record size when a CSV spray gives none.
DEFAULT_MAX_CSV_SIZE = 8096
#: XML/JSON max record size is raised to at least this (FC checkFormats).
MIN_XML_MAX_RECORD_SIZE = 1 << 20

DEFAULT_CSV_SEPARATE = "\\,"
DEFAULT_CSV_TERMINATE = "\\n,\\r\\n"
DEFAULT_CSV_QUOTE = '"'

#: ESP's code for the "Invalid record size" validation error (ECLWATCH_INVALID_INPUT).
_ESP_INVALID_INPUT = 20052


class FileFormat(enum.IntEnum):
    """``DFUfileformat`` numbers, as carried by SourceFormat/DestFormat and SprayVariable."""

    FIXED = 0
    CSV = 1
    UTF8 = 2
    UTF8N = 3
    UTF16 = 4
    UTF16LE = 5
    UTF16BE = 6
    UTF32 = 7
    UTF32LE = 8
    UTF32BE = 9
    VARIABLE = 10
    RECFMVB = 11
    RECFMV = 12
    VARIABLEBIGENDIAN = 13

    @property
    def dfu_name(self) -> str:
        """The ``CDFUfileformat`` name (``fixed``, ``csv``, ``utf8``, ...)."""
        return self.name.lower()

    @classmethod
    def from_name(cls, name: str | None) -> "FileFormat":
        """Decode a format name; ``ascii`` is csv and unknown names decode to fixed (§4.1)."""
        key = (name or "").strip().lower()
        if key == "ascii":
            return cls.CSV
        for member in cls:
            if member.dfu_name == key:
                return member
        return cls.FIXED

    @property
    def is_utf(self) -> bool:
        return FileFormat.UTF8 <= self <= FileFormat.UTF32BE


#: SprayFixed ``sourceRecordSize`` escapes (WUH ``*_RECSIZE_ESCAPE``).
RECSIZE_ESCAPES = {
    -1: FileFormat.RECFMVB,
    -2: FileFormat.RECFMV,
    -3: FileFormat.VARIABLE,
    -4: FileFormat.VARIABLEBIGENDIAN,
}


class Kind(enum.Enum):
    """The partitioner family a source format selects (FMT)."""

    FIXED = "fixed"
    CSV = "csv"
    XML = "xml"
    JSON = "json"
    VARIABLE = "variable"
    VARIABLE_BE = "variablebigendian"
    RECFMV = "recfmv"
    RECFMVB = "recfmvb"
    UNKNOWN = "unknown"  # no record structure known: blobs, or sourceFormat 0 with no size

    @property
    def converts_to_variable(self) -> bool:
        """Sprays of these formats write little-endian ``variable`` records (§6.4.5-6)."""
        return self in (Kind.VARIABLE_BE, Kind.RECFMV, Kind.RECFMVB)


# --- text encodings ---------------------------------------------------------------------

@dataclass(frozen=True)
class Encoding:
    """How the bytes of a text format are laid out: Python codec, unit size, byte-order mark."""

    codec: str          # Python codec name used to encode option strings
    unit: int           # 1, 2 or 4 bytes
    bom: bytes          # the BOM this encoding may start with ("" for none)
    format: FileFormat  # the resolved DFU format (utf16 -> utf16le/utf16be ...)


_BOM8 = b"\xef\xbb\xbf"
_BOM16BE, _BOM16LE = b"\xfe\xff", b"\xff\xfe"
_BOM32BE, _BOM32LE = b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00"

_ENCODINGS = {
    FileFormat.CSV: Encoding("latin-1", 1, b"", FileFormat.CSV),
    FileFormat.UTF8: Encoding("utf-8", 1, _BOM8, FileFormat.UTF8N),
    FileFormat.UTF8N: Encoding("utf-8", 1, _BOM8, FileFormat.UTF8N),
    FileFormat.UTF16LE: Encoding("utf-16-le", 2, _BOM16LE, FileFormat.UTF16LE),
    FileFormat.UTF16BE: Encoding("utf-16-be", 2, _BOM16BE, FileFormat.UTF16BE),
    FileFormat.UTF32LE: Encoding("utf-32-le", 4, _BOM32LE, FileFormat.UTF32LE),
    FileFormat.UTF32BE: Encoding("utf-32-be", 4, _BOM32BE, FileFormat.UTF32BE),
}


def detect_encoding(fmt: FileFormat, head: bytes) -> Encoding:
    """Resolve the encoding of a text source from its first bytes (FC analyseFileHeaders).

    A BOM that matches the format is reported in ``Encoding.bom`` (the caller strips it); a
    file without one gets ``bom=b""``. Generic ``utf16``/``utf32`` pick the byte order from
    the BOM; without a BOM they are read big-endian (the Unicode default: the notes do not say
    what HPCC assumes). Non-text formats get a single-byte pseudo encoding.
    """
    if fmt == FileFormat.UTF16:
        fmt = FileFormat.UTF16LE if head.startswith(_BOM16LE) else FileFormat.UTF16BE
    elif fmt == FileFormat.UTF32:
        fmt = FileFormat.UTF32LE if head.startswith(_BOM32LE) else FileFormat.UTF32BE
    enc = _ENCODINGS.get(fmt, _ENCODINGS[FileFormat.CSV])
    if enc.bom and head.startswith(enc.bom):
        return enc
    return replace(enc, bom=b"")


def target_format_name(fmt: FileFormat) -> str:
    """The ``@format`` text a sprayed text file ends with (filespray.md §6.5).

    UTF-8 (with or without BOM) ends as ``utf-8n`` (the override has no case for it); the
    UTF-16/32 variants as ``utf16le`` ... ``utf32be``; csv stays ``csv``.
    """
    if fmt in (FileFormat.UTF8, FileFormat.UTF8N):
        return "utf-8n"
    return fmt.dfu_name


# --- C-escaped option strings (FC replaceEscapeSequence) ---------------------------------

_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "a": "\a", "b": "\b", "f": "\f",
                   "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?", ",": ","}


def split_alternatives(text: str) -> list[str]:
    """Parse an ESP option like ``\\n,\\r\\n`` into its alternatives, escapes decoded.

    Unescaped commas separate alternatives; ``\\,`` is a literal comma; ``\\n \\r \\t \\a
    \\b \\f \\v \\\\ \\' \\" \\?``, ``\\xHH`` and up to three octal digits are understood
    (an unknown escape keeps the character). Empty alternatives are dropped, except that a
    string made only of commas (e.g. a bare ``,``) means the comma itself.
    """
    alternatives: list[str] = []
    current: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n:
            nxt = text[i + 1]
            if nxt in _SIMPLE_ESCAPES:
                current.append(_SIMPLE_ESCAPES[nxt])
                i += 2
            elif nxt in "xX":
                j = i + 2
                while j < n and j < i + 4 and text[j] in "0123456789abcdefABCDEF":
                    j += 1
                if j > i + 2:
                    current.append(chr(int(text[i + 2:j], 16)))
                else:
                    current.append(nxt)
                i = j if j > i + 2 else i + 2
            elif nxt in "01234567":
                j = i + 1
                while j < n and j < i + 4 and text[j] in "01234567":
                    j += 1
                current.append(chr(int(text[i + 1:j], 8)))
                i = j
            else:
                current.append(nxt)
                i += 2
        elif ch == ",":
            alternatives.append("".join(current))
            current = []
            i += 1
        else:
            current.append(ch)
            i += 1
    alternatives.append("".join(current))
    result = [a for a in alternatives if a]
    if not result and text and set(text) == {","}:
        return [","]
    return result


def stored_csv_option(text: str) -> str:
    """The value Dali records for a CSV option: a bare ``,`` separator is stored as ``\\,``."""
    return "\\," if text == "," else text


# --- the source-format descriptor ---------------------------------------------------------

@dataclass(frozen=True)
class SourceFormat:
    """Everything the partitioner needs to know about a source's record layout.

    Option strings are kept exactly as ESP stores them (C escapes, comma lists); use the
    ``*_tokens`` properties for the decoded alternatives. ``max_record_size`` 0 means
    "unset": the engine then uses 8096 for CSV and at least 1 MiB for XML/JSON.
    ``record_size`` 0 with format ``fixed`` means "unknown format" (blob / no-split sprays).
    """

    format: FileFormat = FileFormat.FIXED
    record_size: int = 0
    max_record_size: int = 0
    separate: str = DEFAULT_CSV_SEPARATE
    terminate: str = DEFAULT_CSV_TERMINATE
    quote: str = DEFAULT_CSV_QUOTE
    escape: str = ""
    quoted_terminator: bool = True
    row_tag: str = ""
    record_structure_present: bool = False
    #: CSV boundary search when ``quoted_terminator`` is on: ``"local"`` (HPCC's new
    #: partitioner: quote state deduced near each split point, bounded reads) or ``"exact"``
    #: (quote parity tracked from the last safe point; streams the file up to the last split).
    csv_quote_scan: str = "local"

    # -- constructors ---------------------------------------------------------------------
    @classmethod
    def fixed(cls, record_size: int) -> "SourceFormat":
        return cls(FileFormat.FIXED, record_size=record_size)

    @classmethod
    def blob(cls) -> "SourceFormat":
        """Unknown format (fixed with no record size): only copy / no-split sprays."""
        return cls(FileFormat.FIXED, record_size=0)

    @classmethod
    def csv(cls, separate: str = DEFAULT_CSV_SEPARATE, terminate: str = DEFAULT_CSV_TERMINATE,
            quote: str = DEFAULT_CSV_QUOTE, escape: str = "", *, format: FileFormat =
            FileFormat.CSV, max_record_size: int = 0, quoted_terminator: bool = True,
            record_structure_present: bool = False, csv_quote_scan: str = "local",
            ) -> "SourceFormat":
        return cls(format, max_record_size=max_record_size, separate=separate,
                   terminate=terminate, quote=quote, escape=escape,
                   quoted_terminator=quoted_terminator,
                   record_structure_present=record_structure_present,
                   csv_quote_scan=csv_quote_scan)

    @classmethod
    def xml(cls, row_tag: str, format: FileFormat = FileFormat.UTF8,
            max_record_size: int = 0) -> "SourceFormat":
        return cls(format, max_record_size=max_record_size, row_tag=row_tag)

    @classmethod
    def json(cls, row_path: str = "/", format: FileFormat = FileFormat.UTF8,
             max_record_size: int = 0) -> "SourceFormat":
        return cls(format, max_record_size=max_record_size, row_tag=json_row_tag(row_path))

    @classmethod
    def variable(cls, big_endian: bool = False) -> "SourceFormat":
        return cls(FileFormat.VARIABLEBIGENDIAN if big_endian else FileFormat.VARIABLE)

    @classmethod
    def recfmv(cls) -> "SourceFormat":
        return cls(FileFormat.RECFMV)

    @classmethod
    def recfmvb(cls) -> "SourceFormat":
        return cls(FileFormat.RECFMVB)

    # -- derived ----------------------------------------------------------------------------
    @property
    def kind(self) -> Kind:
        f = self.format
        if f == FileFormat.FIXED:
            return Kind.FIXED if self.record_size > 0 else Kind.UNKNOWN
        if f == FileFormat.CSV:
            return Kind.CSV
        if f.is_utf:
            if not self.row_tag:
                return Kind.CSV
            return Kind.JSON if self.row_tag.startswith("/") else Kind.XML
        return {FileFormat.VARIABLE: Kind.VARIABLE,
                FileFormat.VARIABLEBIGENDIAN: Kind.VARIABLE_BE,
                FileFormat.RECFMV: Kind.RECFMV,
                FileFormat.RECFMVB: Kind.RECFMVB}[f]

    @property
    def effective_max_record_size(self) -> int:
        kind = self.kind
        if kind in (Kind.XML, Kind.JSON):
            return max(self.max_record_size, MIN_XML_MAX_RECORD_SIZE)
        if kind == Kind.CSV:
            return self.max_record_size or DEFAULT_MAX_CSV_SIZE
        return self.max_record_size

    @property
    def separator_tokens(self) -> list[str]:
        return split_alternatives(self.separate)

    @property
    def terminator_tokens(self) -> list[str]:
        return split_alternatives(self.terminate)

    @property
    def quote_tokens(self) -> list[str]:
        return split_alternatives(self.quote)

    @property
    def escape_tokens(self) -> list[str]:
        """Escape alternatives; an escape equal to a quote is ignored (§6.4.2)."""
        quotes = set(self.quote_tokens)
        return [e for e in split_alternatives(self.escape) if e not in quotes]

    @property
    def target(self) -> "SourceFormat":
        """The format the sprayed logical file gets: variable for BE/recfmv/recfmvb; UTF-8
        becomes BOM-less utf8n; everything else is unchanged."""
        if self.kind.converts_to_variable:
            return SourceFormat(FileFormat.VARIABLE)
        if self.format == FileFormat.UTF8:
            return replace(self, format=FileFormat.UTF8N)
        return self


def json_row_tag(row_path: str | None) -> str:
    """``"/" + rowPath`` with a leading slash added when missing; empty path -> ``/`` (§3.2)."""
    path = (row_path or "").strip()
    return path if path.startswith("/") else "/" + path


def json_path_components(row_tag: str) -> tuple[str, ...]:
    return tuple(p for p in row_tag.split("/") if p)


# --- ESP request -> format (SVC onSprayFixed / onSprayVariable) ---------------------------

def spray_fixed_format(source_record_size: int, source_format: str | None = None,
                       nosplit: bool = False) -> SourceFormat:
    """SprayFixed step 7 (§3.1): pick the source format; first match wins.

    Raises ``DomainError("Invalid record size", 20052)`` for size 0 without nosplit.
    """
    name = (source_format or "").strip().lower()
    for escape, fmt in RECSIZE_ESCAPES.items():
        if source_record_size == escape or name == fmt.dfu_name:
            return SourceFormat(fmt)
    if source_record_size == 0 and not nosplit:
        raise DomainError("Invalid record size", _ESP_INVALID_INPUT)
    return SourceFormat.fixed(max(source_record_size, 0))


def spray_variable_format(source_format: int = 0, *, max_record_size: int = 0,
                          no_separator: bool = False, separate: str | None = None,
                          terminate: str | None = None, quote: str | None = None,
                          escape: str | None = None, row_tag: str | None = None,
                          row_path: str | None = None, is_json: bool = False,
                          quoted_terminator: bool = True,
                          record_structure_present: bool = False) -> SourceFormat:
    """SprayVariable format handling (§3.2). ``None`` means "field not sent".

    JSON: the row tag is ``/`` + ``row_path`` and ``row_tag`` is ignored. A row tag makes
    XML/JSON only with a UTF ``source_format``; with csv (1) it stays CSV with default
    options (no CSV options are stored); with 0 (fixed) the format is unknown.
    """
    try:
        fmt = FileFormat(int(source_format))
    except ValueError:
        fmt = FileFormat.FIXED
    tag = json_row_tag(row_path) if is_json else (row_tag or "")
    rsp = bool(record_structure_present)
    if tag:
        if fmt.is_utf:
            return SourceFormat(fmt, max_record_size=max_record_size, row_tag=tag,
                                record_structure_present=rsp)
        if fmt == FileFormat.CSV:
            return SourceFormat(fmt, max_record_size=max_record_size,
                                record_structure_present=rsp)
    if fmt == FileFormat.FIXED:
        return SourceFormat.blob()
    if fmt in (FileFormat.CSV,) or fmt.is_utf:
        sep = "" if no_separator else (separate or DEFAULT_CSV_SEPARATE)
        return SourceFormat(fmt, max_record_size=max_record_size, separate=sep,
                            terminate=terminate or DEFAULT_CSV_TERMINATE,
                            quote=DEFAULT_CSV_QUOTE if quote is None else quote,
                            escape=escape or "", quoted_terminator=quoted_terminator,
                            record_structure_present=rsp)
    return SourceFormat(fmt, max_record_size=max_record_size)


def codec_for_format_name(name: str | None) -> str:
    """Python codec for a recorded ``@format`` (``utf-8n``, ``utf16le``, ``csv`` ...)."""
    key = (name or "").lower().replace("-", "")
    if key.startswith("utf16"):
        return "utf-16-le" if key.endswith("le") else "utf-16-be"
    if key.startswith("utf32"):
        return "utf-32-le" if key.endswith("le") else "utf-32-be"
    return "utf-8" if key.startswith("utf") else "latin-1"
