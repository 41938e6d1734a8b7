"""Byte patterns for text in any of the DFU text encodings (UTF-8, UTF-16/32 LE/BE).

The partitioners search raw bytes, never decoded text, so that a boundary is a byte offset
and big files are never decoded. For single-byte-unit encodings the patterns are ordinary
``re`` byte patterns; for 2- and 4-byte units each ASCII character becomes its code unit and
every match is checked to start on a unit boundary (``search``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .formats import Encoding


@dataclass(frozen=True)
class TextCodec:
    codec: str
    unit: int

    @classmethod
    def of(cls, enc: Encoding) -> "TextCodec":
        return cls(enc.codec, enc.unit)

    @property
    def big_endian(self) -> bool:
        return self.codec.endswith("-be")

    def encode(self, text: str) -> bytes:
        return text.encode(self.codec)

    def lit(self, text: str) -> bytes:
        """A regex matching ``text`` literally."""
        return re.escape(self.encode(text))

    def one_of(self, chars: str) -> bytes:
        """A regex matching one code unit that is one of the (ASCII) ``chars``."""
        if self.unit == 1:
            return b"[" + re.escape(chars.encode("ascii")) + b"]"
        return b"(?:" + b"|".join(self.lit(c) for c in chars) + b")"

    def none_of(self, chars: str) -> bytes:
        """A regex matching one code unit that is not one of the (ASCII) ``chars``."""
        cls = b"[" + re.escape(chars.encode("ascii")) + b"]"
        neg = b"[^" + re.escape(chars.encode("ascii")) + b"]"
        z = b"\\x00"
        if self.unit == 1:
            return neg
        if self.unit == 2:
            if self.big_endian:
                return b"(?:[^\\x00].|" + z + neg + b")"
            return b"(?:" + neg + b".|" + cls + b"[^\\x00])"
        if self.big_endian:
            return b"(?:(?!" + z * 3 + b")....|" + z * 3 + neg + b")"
        return b"(?:" + neg + b"...|" + cls + b"(?!" + z * 3 + b")...)"

    def ws(self) -> bytes:
        return self.one_of(" \t\r\n")

    def compile(self, pattern: bytes) -> "re.Pattern[bytes]":
        return re.compile(pattern, re.DOTALL)

    def search(self, pat: "re.Pattern[bytes]", buf: bytes, pos: int = 0,
               endpos: int | None = None, base: int = 0) -> "re.Match[bytes] | None":
        """First match at or after ``pos`` whose start is unit-aligned relative to ``base``."""
        end = len(buf) if endpos is None else endpos
        while True:
            m = pat.search(buf, pos, end)
            if m is None or self.unit == 1 or (m.start() - base) % self.unit == 0:
                return m
            pos = m.start() + 1

    def find(self, buf: bytes, token: bytes, pos: int = 0, end: int | None = None,
             base: int = 0) -> int:
        """``bytes.find`` restricted to unit-aligned positions."""
        end = len(buf) if end is None else end
        while True:
            i = buf.find(token, pos, end)
            if i < 0 or self.unit == 1 or (i - base) % self.unit == 0:
                return i
            pos = i + 1

    def rfind(self, buf: bytes, token: bytes, pos: int = 0, end: int | None = None,
              base: int = 0) -> int:
        end = len(buf) if end is None else end
        while True:
            i = buf.rfind(token, pos, end)
            if i < 0 or self.unit == 1 or (i - base) % self.unit == 0:
                return i
            end = i + len(token) - 1

    def align_up(self, offset: int, base: int = 0) -> int:
        r = (offset - base) % self.unit
        return offset if r == 0 else offset + self.unit - r
