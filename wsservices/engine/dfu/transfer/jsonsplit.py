"""JSON sources: rows at a path, header/footer, row boundaries (filespray.md §6.4.4).

Row path ``/`` (default): every top-level object is a row, whether inside a root array
``[ {...}, {...} ]`` or as a sequence of top-level objects; ``/a/b``: the objects found at
that key path (arrays are transparent). Header = bytes before the first row, footer = bytes
after the last row. Split rule: the first row whose end is at or after the split point stays
in the earlier part; the next part starts at the next row's first byte, and the delimiter
between the two rows is dropped. Parts are written as header + rows + footer, and pieces of
different sources within one part (and parts joined by a despray) are glued with ``,\\n``.

Cost: finding row ends needs the nesting state, so boundaries are found by one streaming
scan of each source up to its last split point (bounded memory: 1 MiB chunks plus the
nesting stack), in a Python loop over structural characters: much slower than the
fixed/CSV/XML partitioners. The footer of a ``/`` file is found from the last ``}`` in the
tail; other paths scan the whole source once more.

Not emulated: validation of the JSON text (malformed input gives unspecified rows, never a
crash).
"""
from __future__ import annotations

import json
import re
from typing import BinaryIO, Iterator

from .errors import NoFirstJsonRecord, NotUtfMultiple
from .fileio import FIRST_WINDOW, growing, read_at
from .formats import Encoding, SourceFormat, detect_encoding, json_path_components
from .layout import Cut, Partitioner, SourceLayout
from .textcodec import TextCodec

CHUNK = 1 << 20
_MAX_KEY = 4096


class _JsonPatterns:
    def __init__(self, enc: Encoding):
        c = self.codec = TextCodec.of(enc)
        self.unit = c.unit
        self.struct_re = c.compile(c.one_of('{}[],:"'))
        self.strend_re = c.compile(c.one_of('"\\'))
        self.tokens = {c.encode(ch): ch for ch in '{}[],:"\\'}
        self.close_brace = c.encode("}")


_TOKEN_RE = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\]:,]|"', re.DOTALL)


def iter_rows(f: BinaryIO, pats: _JsonPatterns, start: int, end: int,
              path: tuple[str, ...]) -> Iterator[tuple[int, int]]:
    """Yield ``(row_start, row_end)`` of every row in ``[start, end)``, in order."""
    if pats.unit == 1:
        return _iter_rows_bytes(f, pats, start, end, path)
    return _iter_rows_units(f, pats, start, end, path)


class _Nesting:
    """The container stack of a JSON scan and the row being collected."""

    __slots__ = ("stack", "path", "row_depth", "row_start")

    def __init__(self, path: tuple[str, ...]):
        self.stack: list[list] = []      # [is_object, path, key, expect_key]
        self.path = path
        self.row_depth: int | None = None
        self.row_start = 0

    def expects_key(self) -> bool:
        top = self.stack[-1] if self.stack else None
        return bool(top and top[0] and top[3])

    def open(self, is_object: bool, at: int) -> None:
        stack = self.stack
        if not stack:
            vpath: tuple[str, ...] = ()
        elif stack[-1][0]:
            vpath = stack[-1][1] + ((stack[-1][2] or ""),)
        else:
            vpath = stack[-1][1]
        stack.append([is_object, vpath, None, is_object])
        if is_object and self.row_depth is None and vpath == self.path:
            self.row_depth = len(stack)
            self.row_start = at

    def close(self, end: int) -> tuple[int, int] | None:
        """Pop a container; returns the row when it was one."""
        if not self.stack:
            return None
        row = None
        if self.row_depth == len(self.stack):
            self.row_depth = None
            row = (self.row_start, end)
        self.stack.pop()
        return row


def _iter_rows_bytes(f: BinaryIO, pats: _JsonPatterns, start: int, end: int,
                     path: tuple[str, ...]) -> Iterator[tuple[int, int]]:
    """Single-byte encodings: one regex match per string or structural character."""
    nest = _Nesting(path)
    want_keys = bool(path)
    pending_key: str | None = None
    pos = start
    chunk = FIRST_WINDOW
    while pos < end:
        n = min(chunk, end - pos)
        chunk = min(chunk * 4, CHUNK)
        buf = read_at(f, pos, n)
        if not buf:
            return
        nxt = pos + len(buf)
        for m in _TOKEN_RE.finditer(buf):
            j = m.start()
            ch = buf[j]
            if ch == 0x22:                                   # '"'
                if m.end() - j == 1:                          # string not closed in buf
                    if j > 0:
                        nxt = pos + j                         # re-read from the string
                    else:
                        key = nest.expects_key() and want_keys
                        nxt, raw = _skip_long_string(f, pats, pos, end, key)
                        if key:
                            pending_key = _decode_key(raw, pats.codec.codec)
                    break
                if want_keys and nest.expects_key():
                    pending_key = _decode_key(m.group()[1:-1], pats.codec.codec)
            elif ch == 0x3A:                                 # ':'
                if nest.stack and nest.stack[-1][0]:
                    nest.stack[-1][2] = pending_key
                    nest.stack[-1][3] = False
            elif ch == 0x2C:                                 # ','
                if nest.stack and nest.stack[-1][0]:
                    nest.stack[-1][3] = True
            elif ch == 0x7B or ch == 0x5B:                   # '{' '['
                nest.open(ch == 0x7B, pos + j)
            else:                                            # '}' ']'
                row = nest.close(pos + j + 1)
                if row is not None:
                    yield row
        pos = nxt


def _skip_long_string(f: BinaryIO, pats: _JsonPatterns, pos: int, end: int, key: bool
                      ) -> tuple[int, bytes]:
    """End of a string starting at ``pos`` that is longer than a read chunk (streamed)."""
    raw = bytearray()
    i = pos + 1
    escaped = False
    while i < end:
        buf = read_at(f, i, min(CHUNK, end - i))
        if not buf:
            break
        k = 0
        if escaped:
            k, escaped = 1, False
        while True:
            m = pats.strend_re.search(buf, k)
            if m is None:
                if key and len(raw) < _MAX_KEY:
                    raw += buf
                k = len(buf)
                break
            if buf[m.start()] == 0x5C:                       # backslash
                if m.start() + 1 >= len(buf):
                    escaped = True
                    if key and len(raw) < _MAX_KEY:
                        raw += buf
                    k = len(buf)
                    break
                k = m.start() + 2
                continue
            if key and len(raw) < _MAX_KEY:
                raw += buf[:m.start()]
            return i + m.start() + 1, bytes(raw)
        i += len(buf)
    return end, bytes(raw)


def _iter_rows_units(f: BinaryIO, pats: _JsonPatterns, start: int, end: int,
                     path: tuple[str, ...]) -> Iterator[tuple[int, int]]:
    """Any unit size (UTF-16/32): a search per structural character and per string end."""
    c = pats.codec
    u = pats.unit
    stack: list[list] = []          # [is_object, path, key, expect_key]
    in_str = False
    esc_pending = False
    collecting = False
    key_buf = bytearray()
    pending_key: str | None = None
    row_depth: int | None = None
    row_start = 0
    pos = start
    chunk = FIRST_WINDOW
    while pos < end:
        n = min(chunk, end - pos)
        chunk = min(chunk * 4, CHUNK)
        buf = read_at(f, pos, n)
        if not buf:
            return
        n = len(buf)
        i = 0
        while i < n:
            if in_str:
                if esc_pending:
                    i += u
                    esc_pending = False
                    continue
                m = c.search(pats.strend_re, buf, i, n, base=-pos)
                if m is None:
                    if collecting and len(key_buf) < _MAX_KEY:
                        key_buf += buf[i:n]
                    i = n
                    break
                j = m.start()
                if collecting and len(key_buf) < _MAX_KEY:
                    key_buf += buf[i:j]
                if pats.tokens.get(buf[j:j + u]) == "\\":
                    if collecting and len(key_buf) < _MAX_KEY:
                        key_buf += buf[j:j + 2 * u]
                    if j + 2 * u > n:
                        esc_pending = True
                    i = j + 2 * u
                    continue
                in_str = False
                i = j + u
                if collecting:
                    pending_key = _decode_key(bytes(key_buf), c.codec)
                    collecting = False
                continue
            m = c.search(pats.struct_re, buf, i, n, base=-pos)
            if m is None:
                break
            j = m.start()
            ch = pats.tokens[buf[j:j + u]]
            i = j + u
            if ch == '"':
                in_str = True
                top = stack[-1] if stack else None
                collecting = bool(top and top[0] and top[3])
                key_buf.clear()
            elif ch == ":":
                if stack and stack[-1][0]:
                    stack[-1][2] = pending_key
                    stack[-1][3] = False
            elif ch == ",":
                if stack and stack[-1][0]:
                    stack[-1][3] = True
            elif ch in "{[":
                if not stack:
                    vpath: tuple[str, ...] = ()
                elif stack[-1][0]:
                    vpath = stack[-1][1] + ((stack[-1][2] or ""),)
                else:
                    vpath = stack[-1][1]
                stack.append([ch == "{", vpath, None, ch == "{"])
                if ch == "{" and row_depth is None and vpath == path:
                    row_depth = len(stack)
                    row_start = pos + j
            elif ch in "}]":
                if stack:
                    if row_depth == len(stack):
                        row_depth = None
                        yield row_start, pos + j + u
                    stack.pop()
        pos += n


def _decode_key(raw: bytes, codec: str) -> str:
    try:
        text = raw.decode(codec)
        return json.loads('"' + text + '"') if "\\" in text else text
    except (UnicodeDecodeError, ValueError):
        return raw.decode(codec, errors="replace")


class JsonPartitioner(Partitioner):
    has_header = True
    glue_text = ",\n"

    def __init__(self, fmt: SourceFormat):
        super().__init__(fmt)
        self.path = json_path_components(fmt.row_tag)
        self._pats: dict[Encoding, _JsonPatterns] = {}

    def patterns(self, enc: Encoding) -> _JsonPatterns:
        p = self._pats.get(enc)
        if p is None:
            p = self._pats[enc] = _JsonPatterns(enc)
        return p

    def analyse(self, f: BinaryIO, size: int, label: str, only_source: bool) -> SourceLayout:
        enc = detect_encoding(self.fmt.format, read_at(f, 0, 4))
        bom = len(enc.bom)
        if (size - bom) % enc.unit:
            raise NotUtfMultiple(label, enc.unit)
        pats = self.patterns(enc)
        rows = iter_rows(f, pats, bom, size, self.path)
        first = next(rows, None)
        if first is None:
            if only_source:
                raise NoFirstJsonRecord()
            return SourceLayout(label, size, size, size, bom, enc, empty=True)
        if not self.path:
            c = pats.codec
            lowest = c.align_up(max(first[0], size - 2 * self.fmt.effective_max_record_size))
            last_end = first[1]
            for span in growing(size - lowest):
                ws = c.align_up(size - span)
                buf = read_at(f, ws, size - ws)
                k = c.rfind(buf, pats.close_brace, 0, len(buf), base=-ws)
                if k >= 0:
                    last_end = ws + k + pats.unit
                    break
        else:
            last_end = first[1]
            for _, last_end in rows:
                pass
        return SourceLayout(label, size, first[0], max(last_end, first[1]), bom, enc)

    def cuts(self, f: BinaryIO, layout: SourceLayout, points: list[int]) -> list[Cut]:
        ce = layout.content_end
        out: list[Cut] = []
        pts = sorted(points)
        if pts and not layout.empty:
            pats = self.patterns(layout.encoding)
            rows = iter_rows(f, pats, layout.bom_length, ce, self.path)
            cur = next(rows, None)
            nxt = next(rows, None)
            for p in pts:
                s = p
                while cur is not None and cur[1] < s:
                    cur, nxt = nxt, next(rows, None)
                if s >= ce or cur is None:
                    out.append(Cut(ce, ce))
                    continue
                out.append(Cut(cur[1], nxt[0] if nxt is not None else ce))
        else:
            out = [Cut(ce, ce) for _ in pts]
        out.append(Cut(ce, ce))
        return out
