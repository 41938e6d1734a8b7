"""What the new logical file records after a spray (filespray.md §6.5), as pure functions.

File attributes use Dali's names without the ``@`` (``kind``, ``format``, ``recordSize``,
``recordCount``, ``csvSeparate`` ...); the store decides how to keep them. Also: the ECL
record built from a CSV first line, and the signed CRC-32 Dali stores.

Not computed here: owner/workunit/job, History/Origin, timestamps, compression, costs
(they come from the workunit, not from the data).
"""
from __future__ import annotations

import time
import zlib

from .formats import Kind, stored_csv_option
from .spray import SprayPlan


def file_attributes(plan: SprayPlan) -> dict[str, object]:
    """File-level attributes of the target of ``plan`` (sizes as planned)."""
    fmt = plan.source_format
    kind = fmt.kind
    attrs: dict[str, object] = {}
    if kind == Kind.FIXED:
        attrs["kind"] = "flat"
        attrs["recordSize"] = fmt.record_size
    elif kind in (Kind.VARIABLE, Kind.VARIABLE_BE, Kind.RECFMV, Kind.RECFMVB):
        attrs["format"] = "variable"
        attrs["kind"] = "flat"
    elif kind == Kind.CSV:
        attrs["format"] = plan.text_format or "csv"
        attrs["kind"] = "csv"
        attrs["csvSeparate"] = stored_csv_option(fmt.separate)
        attrs["csvTerminate"] = fmt.terminate
        attrs["csvQuote"] = fmt.quote
        if fmt.escape:
            attrs["csvEscape"] = fmt.escape
        if fmt.max_record_size:
            attrs["maxRecordSize"] = fmt.max_record_size
    elif kind in (Kind.XML, Kind.JSON):
        attrs["format"] = plan.text_format or "utf-8n"
        attrs["kind"] = kind.value
        attrs["rowTag"] = fmt.row_tag
        attrs["maxRecordSize"] = fmt.effective_max_record_size
        common = plan.common_header_footer()
        if common is not None:
            attrs["headerLength"], attrs["footerLength"] = common
    else:
        attrs["kind"] = "flat"
    size = plan.size
    attrs["size"] = size
    if "recordSize" in attrs:
        attrs["recordCount"] = size // fmt.record_size
    return attrs


def part_attributes(plan: SprayPlan) -> list[dict[str, object]]:
    """Per-part attributes: ``size``, plus ``headerLength``/``footerLength`` for XML/JSON
    parts when the lengths differ between parts (otherwise the file records them)."""
    per_part = plan.kind in (Kind.XML, Kind.JSON) and plan.common_header_footer() is None
    out = []
    for p in plan.parts:
        d: dict[str, object] = {"size": p.size}
        if per_part:
            d["headerLength"] = p.header_length
            d["footerLength"] = p.footer_length
        out.append(d)
    return out


def _field_name(raw: str, quotes: str) -> str:
    name = raw.strip()
    for q in quotes:
        name = name.replace(q, "")
    name = name.strip()
    if not name:
        return ""
    chars = [c if (c.isascii() and (c.isalnum() or c == "_")) else "_" for c in name]
    if not (chars[0].isalpha() or chars[0] == "_"):
        chars[0] = "_"
    return "".join(chars)


def csv_ecl_record(first_record: list[str], record_structure_present: bool = False,
                   now: int | None = None, quotes: str = '"') -> str:
    """The ``ECL`` record text of a CSV spray, from the fields of its first record.

    Without ``recordStructurePresent`` the names are ``field1``, ``field2``, ...; with it,
    the header values cleaned (trimmed, quotes removed, first character made a letter or
    ``_``, other non-alphanumerics ``_``); a duplicate gets ``_<n>_<unixtime>`` appended
    (n = the field's 1-based position: the notes do not say what n counts); an empty name
    falls back to ``field<n>``.
    """
    stamp = int(time.time()) if now is None else now
    names: list[str] = []
    seen: set[str] = set()
    for n, raw in enumerate(first_record, 1):
        name = _field_name(raw, quotes) if record_structure_present else ""
        if not name:
            name = f"field{n}"
        if name.lower() in seen:
            name = f"{name}_{n}_{stamp}"
        seen.add(name.lower())
        names.append(name)
    return "RECORD\n" + "".join(f"    STRING {n};\n" for n in names) + "END;"


def ecl_record(plan: SprayPlan, now: int | None = None) -> str | None:
    """The ECL record of a CSV spray plan (None for other formats or an empty file)."""
    if plan.kind != Kind.CSV or not plan.first_record:
        return None
    fmt = plan.source_format
    return csv_ecl_record(plan.first_record, fmt.record_structure_present, now,
                          "".join(fmt.quote_tokens))


def signed_crc32(value: int) -> int:
    """Dali stores CRCs with setPropInt: the zlib CRC-32 as a signed 32-bit integer."""
    value &= 0xFFFFFFFF
    return value - (1 << 32) if value >= 1 << 31 else value


def crc32_of(data: bytes) -> int:
    return signed_crc32(zlib.crc32(data))


def _gf2_times(mat: list[int], vec: int) -> int:
    total, i = 0, 0
    while vec:
        if vec & 1:
            total ^= mat[i]
        vec >>= 1
        i += 1
    return total


def _gf2_square(mat: list[int]) -> list[int]:
    return [_gf2_times(mat, mat[n]) for n in range(32)]


def crc32_combine(crc1: int, crc2: int, len2: int) -> int:
    """CRC-32 of ``A + B`` from ``crc(A)``, ``crc(B)`` and ``len(B)`` (unsigned values), so
    the file CRC can be derived from part CRCs without re-reading the data."""
    crc1 &= 0xFFFFFFFF
    crc2 &= 0xFFFFFFFF
    if len2 <= 0:
        return crc1
    # operator for one zero bit, then squared to 2, 4 ... zero bits
    odd = [0xEDB88320] + [1 << n for n in range(31)]
    even = _gf2_square(odd)      # 2 zero bits
    odd = _gf2_square(even)      # 4 zero bits
    while True:
        even = _gf2_square(odd)  # first pass: 1 zero byte
        if len2 & 1:
            crc1 = _gf2_times(even, crc1)
        len2 >>= 1
        if not len2:
            break
        odd = _gf2_square(even)
        if len2 & 1:
            crc1 = _gf2_times(odd, crc1)
        len2 >>= 1
        if not len2:
            break
    return crc1 ^ crc2
