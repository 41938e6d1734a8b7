"""Blob prefixes: ``prefix`` for sprays and ``splitprefix`` for desprays (§6.4.7, §6.6).

Grammar (comma-separated items, case-insensitive):
``FILENAME`` = 4-byte little-endian length + the source's base name; ``FILENAME:n`` = the
name padded or cut to ``n`` bytes; ``FILESIZE`` (= ``FILESIZE:L4``), ``FILESIZE:Ln`` /
``FILESIZE:Bn`` (n = 1..8) = the file length, little or big endian; a bare ``L4``/``B8``
item is a FILESIZE. Split prefixes also accept ``SKIP:n`` and ``SEQ:n`` (bytes skipped).

Not stated by the notes (choices made here): names are UTF-8; ``FILENAME:n`` pads with
spaces, and desprayed names have trailing spaces and NULs stripped; an embedded name is
reduced to its last path component (it can never leave the destination directory).
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import BinaryIO, Iterator

from .errors import InvalidPrefix, PrefixTooSmall, SplitPrefixFailed
from .fileio import read_at


@dataclass(frozen=True)
class PrefixItem:
    kind: str           # "filename", "filesize", "skip"
    length: int = 0     # bytes; 0 for the length-prefixed FILENAME
    big_endian: bool = False


def _int_item(spec: str, item: str) -> PrefixItem:
    if len(spec) >= 2 and spec[0] in "LB" and spec[1:].isdigit() and 1 <= int(spec[1:]) <= 8:
        return PrefixItem("filesize", int(spec[1:]), spec[0] == "B")
    raise InvalidPrefix(item)


def parse_prefix(text: str, *, split: bool = False) -> list[PrefixItem]:
    """Parse a ``prefix`` (or, with ``split``, a ``splitprefix``); 8085 when invalid."""
    items: list[PrefixItem] = []
    for raw in text.split(","):
        item = raw.strip()
        if not item:
            continue
        up = item.upper()
        name, _, arg = up.partition(":")
        if name == "FILENAME":
            if not arg:
                items.append(PrefixItem("filename"))
            elif arg.isdigit() and int(arg) > 0:
                items.append(PrefixItem("filename", int(arg)))
            else:
                raise InvalidPrefix(item)
        elif name == "FILESIZE":
            items.append(_int_item(arg or "L4", item))
        elif split and name in ("SKIP", "SEQ"):
            if not arg.isdigit():
                raise InvalidPrefix(item)
            items.append(PrefixItem("skip", int(arg)))
        elif not arg:
            items.append(_int_item(up, item))
        else:
            raise InvalidPrefix(item)
    return items


def encode_prefix(items: list[PrefixItem], name: str, size: int) -> bytes:
    """The bytes written before a source file's data (FC insertHeaders)."""
    out = bytearray()
    base = name.replace("\\", "/").rsplit("/", 1)[-1].encode("utf-8")
    for it in items:
        if it.kind == "filename":
            if it.length:
                out += base[:it.length].ljust(it.length, b" ")
            else:
                out += len(base).to_bytes(4, "little") + base
        elif it.kind == "filesize":
            if size >= 1 << (8 * it.length):
                raise PrefixTooSmall()
            out += size.to_bytes(it.length, "big" if it.big_endian else "little")
    return bytes(out)


@dataclass(frozen=True)
class Blob:
    name: str
    offset: int       # of the data in the part file
    length: int


def iter_blobs(f: BinaryIO, size: int, items: list[PrefixItem], label: str
               ) -> Iterator[Blob]:
    """Walk a part written with ``items`` as a sequence of blobs (reads prefixes only).

    Without a FILESIZE item a blob runs to the end of the part. 8091 when a prefix runs
    past the end of the part or no name can be derived.
    """
    if not any(i.kind == "filename" for i in items):
        raise SplitPrefixFailed(label)
    pos = 0
    while pos < size:
        name = None
        length = None
        for it in items:
            if it.kind == "skip":
                pos += it.length
            elif it.kind == "filename":
                if it.length:
                    raw = read_at(f, pos, it.length)
                    if len(raw) < it.length:
                        raise SplitPrefixFailed(label)
                    pos += it.length
                    name = raw.rstrip(b" \0")
                else:
                    head = read_at(f, pos, 4)
                    if len(head) < 4:
                        raise SplitPrefixFailed(label)
                    n = int.from_bytes(head, "little")
                    raw = read_at(f, pos + 4, n)
                    if len(raw) < n:
                        raise SplitPrefixFailed(label)
                    pos += 4 + n
                    name = raw
            else:
                raw = read_at(f, pos, it.length)
                if len(raw) < it.length:
                    raise SplitPrefixFailed(label)
                pos += it.length
                length = int.from_bytes(raw, "big" if it.big_endian else "little")
        if length is None:
            length = size - pos
        if pos + length > size:
            raise SplitPrefixFailed(label)
        text = os.path.basename(name.decode("utf-8", errors="replace").replace("\\", "/"))
        if text in ("", ".", ".."):
            raise SplitPrefixFailed(label)
        yield Blob(text, pos, length)
        pos += length
