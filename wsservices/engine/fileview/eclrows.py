"""Decoding rows of Thor's flat binary layout by an ECL record (eclrecord.py), for the data views.

Fixed strings padded, variable strings/data/unicode/utf8 with a 4-byte little-endian length
(characters for unicode/utf8), varstrings NUL-ended, little-endian integers (big-endian where the
field says so), IEEE reals, packed BCD decimals, sets as ``isAll`` byte + 4-byte byte length +
items, child datasets as 4-byte byte length + rows. A row cut short raises `RowTooShort`.
"""
from __future__ import annotations

import struct
from decimal import Decimal

from .eclrecord import EclField, EclParseError, EclRecord

# ---------------------------------------------------------------------------------------------
# Decoding rows
# ---------------------------------------------------------------------------------------------

class RowTooShort(ValueError):
    pass


def _take(buf: bytes, pos: int, n: int) -> tuple[bytes, int]:
    if n < 0 or pos + n > len(buf):
        raise RowTooShort()
    return buf[pos:pos + n], pos + n


def _u32(buf: bytes, pos: int) -> tuple[int, int]:
    raw, pos = _take(buf, pos, 4)
    return struct.unpack("<I", raw)[0], pos


def _qstring(raw: bytes, chars: int) -> str:
    bits = int.from_bytes(raw, "big") if raw else 0
    total = len(raw) * 8
    out = []
    for k in range(chars):
        shift = total - 6 * (k + 1)
        out.append(chr(((bits >> shift) & 0x3F) + 32) if shift >= 0 else " ")
    return "".join(out)


def _bcd(raw: bytes, digits: int, precision: int, signed: bool) -> str:
    nibbles = []
    for b in raw:
        nibbles += [b >> 4, b & 0xF]
    negative = False
    if signed:
        sign = nibbles.pop()
        negative = sign in (0xB, 0xD)
    text = "".join(str(n if n < 10 else 0) for n in nibbles).lstrip("0") or "0"
    value = Decimal(text).scaleb(-(precision or 0))
    if negative and value:
        value = -value
    out = format(value, "f")
    if "." in out:
        out = out.rstrip("0").rstrip(".")
    return out


def format_real(value: float) -> str:
    text = format(value, ".15g")
    return text


def decode_field(f: EclField, buf: bytes, pos: int):
    """(value, new position) of one field at ``pos``. Values: str for strings (trailing
    spaces removed), hex text for data, int, float text, bool, list for sets, list of rows
    (dicts) for datasets, dict for records."""
    t, n = f.type, f.length
    if t == "boolean":
        raw, pos = _take(buf, pos, 1)
        return raw != b"\x00", pos
    if t in ("integer", "unsigned"):
        raw, pos = _take(buf, pos, n or 8)
        order = "big" if f.big_endian else "little"
        return int.from_bytes(raw, order, signed=(t == "integer")), pos
    if t == "real":
        raw, pos = _take(buf, pos, n or 8)
        return format_real(struct.unpack("<f" if len(raw) == 4 else "<d", raw)[0]), pos
    if t in ("decimal", "udecimal"):
        raw, pos = _take(buf, pos, f.fixed_size)
        return _bcd(raw, n or 32, f.precision or 0, t == "decimal"), pos
    if t == "string":
        if n is None:
            n, pos = _u32(buf, pos)
        raw, pos = _take(buf, pos, n)
        return raw.decode("latin-1").rstrip(" "), pos
    if t == "data":
        if n is None:
            n, pos = _u32(buf, pos)
        raw, pos = _take(buf, pos, n)
        return raw.hex().upper(), pos
    if t == "qstring":
        if n is None:
            n, pos = _u32(buf, pos)
        raw, pos = _take(buf, pos, (n * 3 + 3) // 4)
        return _qstring(raw, n).rstrip(" "), pos
    if t == "varstring":
        if n is not None:
            raw, pos = _take(buf, pos, n + 1)
            return raw.split(b"\x00", 1)[0].decode("latin-1"), pos
        end = buf.find(b"\x00", pos)
        if end < 0:
            raise RowTooShort()
        return buf[pos:end].decode("latin-1"), end + 1
    if t == "unicode":
        if n is None:
            n, pos = _u32(buf, pos)
        raw, pos = _take(buf, pos, 2 * n)
        return raw.decode("utf-16-le", "replace").rstrip(" "), pos
    if t == "varunicode":
        if n is not None:
            raw, pos = _take(buf, pos, 2 * (n + 1))
        else:
            end = pos
            while True:
                if end + 2 > len(buf):
                    raise RowTooShort()
                if buf[end:end + 2] == b"\x00\x00":
                    break
                end += 2
            raw, pos = buf[pos:end + 2], end + 2
        text = raw.decode("utf-16-le", "replace")
        return text.split("\x00", 1)[0], pos
    if t == "utf8":
        chars, pos = _u32(buf, pos)
        out_bytes = bytearray()
        seen = 0
        while seen < chars:
            if pos >= len(buf):
                raise RowTooShort()
            lead = buf[pos]
            width = 1 if lead < 0x80 else 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4
            out_bytes += buf[pos:pos + width]
            pos += width
            seen += 1
        return out_bytes.decode("utf-8", "replace"), pos
    if t == "record":
        row = {}
        for child in f.children:
            row[child.name], pos = decode_field(child, buf, pos)
        return row, pos
    if t == "set":
        raw, pos = _take(buf, pos, 1)
        size, pos = _u32(buf, pos)
        end = pos + size
        if end > len(buf):
            raise RowTooShort()
        items = []
        while pos < end:
            item, pos = decode_field(f.element, buf, pos)
            items.append(item)
        return items, end
    if t == "dataset":
        size, pos = _u32(buf, pos)
        end = pos + size
        if end > len(buf):
            raise RowTooShort()
        rows = []
        while pos < end:
            row = {}
            for child in f.children:
                row[child.name], pos = decode_field(child, buf, pos)
            rows.append(row)
        return rows, end
    raise EclParseError(f"cannot decode {t}")  # pragma: no cover


def decode_row(record: EclRecord, buf: bytes, pos: int = 0) -> tuple[dict, int]:
    """One row at ``pos`` of ``buf``: (field values, position after the row).
    `RowTooShort` when the buffer ends inside the row."""
    row = {}
    for f in record.fields:
        row[f.name], pos = decode_field(f, buf, pos)
    return row, pos
