"""Delimited (CSV) sources: boundary finding and first-record parsing (filespray.md §6.4.2).

Split rule: from the split point, the first record terminator *starting at or after* it ends
the earlier part (the line containing the split point, or starting exactly at it, goes to
the earlier part). A split point at or before the previous boundary leaves its part empty
(CCsvQuickPartitioner::findSplitPoint returns at once: `1,Ann\n2,Bob\n3,Cid\n` on 4 parts
gives 6/6/0/6 bytes). Alternatives are matched longest first. An escape skips the next token.

Quote handling when a quote is defined and ``quotedTerminator`` is on:

* ``csv_quote_scan="local"`` (default, HPCC's quick partitioner): the next record start is
  deduced from the bytes after the split point by deduceStartNextLine (csvdeduce.py, ported
  token by token): the first terminator once the quote state is known to be "outside", else,
  when it stays unknown through the 256 KB block, the first terminator seen; a block more
  while nothing is found, up to maxRecordSize (8102). Like the real one it can cut a quoted
  field the bytes after the split point cannot tell from unquoted text.
* ``csv_quote_scan="exact"`` (the emulator's own): the local rule is used when it decides the
  quote state within maxRecordSize of the split point (for well-formed CSV that answer is
  exact). When it stays ambiguous, the quote
  state is tracked from the previous known-safe point (start of the content, then each
  boundary found) with RFC-4180 parity (every quote not skipped by an escape toggles the
  state), streaming in 4 MiB chunks with ``bytes.find``/``bytes.count``: exact for
  well-formed files, at the cost of reading the file up to the split point.

With ``quotedTerminator`` off (or no quote) any terminator is a boundary: HPCC's legacy
partitioner honours the flag, the new one ignores it; here it selects the fast rule.
No terminator within maxRecordSize of the split point: error 8102; a final line without a
terminator is accepted at the end of a source.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import BinaryIO

from .csvdeduce import BLOCK, Matcher, deduce_start_next_line
from .errors import CsvRecordEndNotFound, NotUtfMultiple, QuoteInconsistent
from .fileio import FIRST_WINDOW, growing, read_at
from .formats import Encoding, FileFormat, SourceFormat, detect_encoding
from .layout import Cut, Partitioner, SourceLayout
from .textcodec import TextCodec

CHUNK = 4 << 20
_LOOKBACK = 64
_NEVER = b"(?!)"


def _alt(tokens: list[bytes]) -> bytes:
    return b"|".join(re.escape(t) for t in sorted(set(tokens), key=len, reverse=True))


@dataclass
class _Tokens:
    """The CSV option strings encoded for one source encoding, with their regexes."""

    codec: TextCodec
    sep: list[bytes]
    term: list[bytes]
    quote: list[bytes]
    esc: list[bytes]
    matcher: Matcher | None = None

    def __post_init__(self) -> None:
        c = re.DOTALL
        self.unit = self.codec.unit
        self.maxlen = max([len(t) for t in self.sep + self.term + self.quote + self.esc]
                          + [self.unit])
        self.term_re = re.compile(_alt(self.term), c) if self.term else None
        self.quote_re = re.compile(_alt(self.quote), c) if self.quote else None
        septerm = self.sep + self.term
        self.septerm_re = re.compile(_alt(septerm), c) if septerm else None
        groups = []
        for name, toks in (("e", self.esc), ("q", self.quote), ("t", self.term), ("s", self.sep)):
            if toks:
                groups.append(b"(?P<" + name.encode() + b">" + _alt(toks) + b")")
        self.all_re = re.compile(b"|".join(groups) if groups else _NEVER, c)
        qe = self.esc + self.quote
        if self.quote:
            q = b"(?P<q>" + _alt(self.quote) + b")"
            self.qe_re = re.compile(b"(?P<e>" + _alt(self.esc) + b")|" + q if self.esc else q, c)
        else:
            self.qe_re = None
        self.simple = self.unit == 1 and all(len(t) == 1 for t in qe)

    def escaped(self, buf: bytes, i: int) -> bool:
        """Is the token at ``buf[i]`` preceded by an odd run of escape tokens?"""
        if not self.esc:
            return False
        n, j = 0, i
        while j > 0:
            for e in self.esc:
                if j >= len(e) and buf[j - len(e):j] == e:
                    n += 1
                    j -= len(e)
                    break
            else:
                break
        return n % 2 == 1

    def token_end(self, buf: bytes, i: int) -> int:
        """End of the token starting at ``i`` (one unit when no token matches)."""
        m = self.all_re.match(buf, i)
        return m.end() if m and m.end() > i else i + self.unit


class CsvPartitioner(Partitioner):
    def __init__(self, fmt: SourceFormat):
        super().__init__(fmt)
        self._tokens: dict[Encoding, _Tokens] = {}

    # -- analysis -----------------------------------------------------------------------
    def analyse(self, f: BinaryIO, size: int, label: str, only_source: bool) -> SourceLayout:
        head = read_at(f, 0, 4)
        fmt = self.fmt.format if self.fmt.format.is_utf else FileFormat.CSV
        enc = detect_encoding(fmt, head)
        bom = len(enc.bom)
        if (size - bom) % enc.unit:
            raise NotUtfMultiple(label, enc.unit)
        return SourceLayout(label, size, bom, size, bom_length=bom, encoding=enc)

    def tokens(self, enc: Encoding) -> _Tokens:
        t = self._tokens.get(enc)
        if t is None:
            codec = TextCodec.of(enc)
            fmt = self.fmt

            def e(xs: list[str]) -> list[bytes]:
                return [codec.encode(x) for x in xs]

            t = _Tokens(codec, e(fmt.separator_tokens), e(fmt.terminator_tokens),
                        e(fmt.quote_tokens), e(fmt.escape_tokens))
            t.matcher = Matcher.build(codec, t.sep, t.quote, t.term, t.esc, fmt.quote, fmt.separate)
            self._tokens[enc] = t
        return t

    # -- cuts -----------------------------------------------------------------------------
    def cuts(self, f: BinaryIO, layout: SourceLayout, points: list[int]) -> list[Cut]:
        tok = self.tokens(layout.encoding)
        fmt = self.fmt
        quote_aware = bool(tok.quote) and fmt.quoted_terminator
        exact = quote_aware and fmt.csv_quote_scan == "exact"
        out: list[Cut] = []
        floor = layout.content_start
        safe_inside = (layout.content_start, False)   # exact mode: (position, state there)
        for p in sorted(points):
            s = tok.codec.align_up(p)
            if s >= layout.content_end:
                b = layout.content_end
            elif s <= floor:
                b = floor   # CCsvQuickPartitioner: a split at or before the cursor "will contain nothing"
            elif exact:
                b = self._exact_boundary(f, layout, tok, s, safe_inside)
            elif quote_aware:
                b = self._deduced_boundary(f, layout, tok, s)[0]
            else:
                b = self._next_terminator(f, layout, tok, s)
            b = max(b, floor)
            out.append(Cut(b, b))
            floor = b
            safe_inside = (b, False)
        out.append(Cut(layout.content_end, layout.content_end))
        return out

    def _window(self, f: BinaryIO, layout: SourceLayout, tok: _Tokens, s: int, span: int
                ) -> tuple[bytes, int, int, int, bool, bool]:
        """Read around ``s``: (buf, buf_offset, index_of_s, index_limit, at_eof, final).

        Terminators must start before the limit, ``span`` bytes after ``s``; ``final`` says
        the limit is maxRecordSize (or the end of the content)."""
        maxrec = self.fmt.effective_max_record_size
        full = min(layout.content_end, s + maxrec)
        limit = min(full, s + span)
        read_end = min(layout.content_end, limit + 2 * tok.maxlen)
        lb = min(s - layout.content_start, _LOOKBACK)
        off = s - lb
        buf = read_at(f, off, read_end - off)
        return buf, off, lb, lb + (limit - s), limit >= layout.content_end, limit == full

    def _spans(self) -> list[int]:
        return growing(self.fmt.effective_max_record_size)

    def _next_terminator(self, f: BinaryIO, layout: SourceLayout, tok: _Tokens, s: int) -> int:
        for span in self._spans():
            buf, off, i0, lim, at_eof, final = self._window(f, layout, tok, s, span)
            b = self._first_term_in(buf, off, i0, lim, tok)
            if b is not None:
                return off + b
            if at_eof:
                return layout.content_end
            if final:
                raise CsvRecordEndNotFound(lim - i0)
        raise AssertionError("unreachable")

    @staticmethod
    def _first_term_in(buf: bytes, off: int, pos: int, lim: int, tok: _Tokens) -> int | None:
        if tok.term_re is None:
            return None
        while True:
            m = tok.codec.search(tok.term_re, buf, pos, len(buf), base=-off)
            if m is None or m.start() >= lim:
                return None
            if tok.escaped(buf, m.start()):
                pos = m.end()
                continue
            return m.end()

    def _deduced_boundary(self, f: BinaryIO, layout: SourceLayout, tok: _Tokens, s: int,
                          probe: bool = False) -> tuple[int, bool]:
        """CCsvQuickPartitioner::findSplitPoint: deduceStartNextLine (csvdeduce.py) over a
        256 KB block read from ``s``, one more block while it needs more, 8102 at maxRecordSize.
        Returns (boundary, decided): ``decided`` is False when the first-terminator rule was used.

        The same answer with less reading: a prefix of the block (one maxRecordSize first, then
        four times more) is scanned first; a record end found there with the quote state known,
        and not within two tokens of the prefix's end, is what the whole block gives.
        ``probe``: scan only that first prefix ((-1, False) when it does not decide)."""
        maxrec = self.fmt.effective_max_record_size
        ensure = min(BLOCK, layout.content_end - s)
        window = min(maxrec, ensure)
        while True:
            buf = read_at(f, s, window)
            at_eof = s + len(buf) >= layout.content_end
            b, decided = deduce_start_next_line(buf, tok.matcher, at_eof, maxrec)
            if window < ensure:
                if b is not None and decided and b + 2 * tok.maxlen <= len(buf):
                    return s + b, True
                if probe:
                    return -1, False
                window = min(window * 4, ensure)
                continue
            if b is not None:
                return s + b, decided
            if ensure >= maxrec:
                raise CsvRecordEndNotFound(ensure)
            ensure = window = min(ensure + BLOCK, maxrec, layout.content_end - s)

    # -- exact mode -------------------------------------------------------------------------
    def _exact_boundary(self, f: BinaryIO, layout: SourceLayout, tok: _Tokens, s: int,
                        safe: tuple[int, bool]) -> int:
        """The local rule when it is conclusive (for well-formed CSV a refuted hypothesis
        proves the other); otherwise quote parity streamed from the last safe point."""
        try:
            b, decided = self._deduced_boundary(f, layout, tok, s, probe=True)
            if decided:
                return b
        except QuoteInconsistent:
            pass
        inside, pos = parity_scan(f, tok, safe[0], s, safe[1])
        maxrec = self.fmt.effective_max_record_size
        limit = min(layout.content_end, s + maxrec)
        start = pos
        chunk = FIRST_WINDOW
        while start < limit:
            n = min(chunk, limit - start)
            chunk = min(chunk * 4, CHUNK)
            read_end = min(layout.content_end, start + n + 2 * tok.maxlen)
            buf = read_at(f, start, read_end - start)
            i = 0
            while True:
                m = tok.codec.search(tok.all_re, buf, i, len(buf), base=-start)
                if m is None or m.start() >= n:
                    break
                g = m.lastgroup
                if g == "e":
                    i = tok.token_end(buf, m.end())
                    continue
                i = m.end()
                if g == "q":
                    inside = not inside
                elif g == "t" and not inside:
                    return start + i
            start = start + max(i, n)
        if limit >= layout.content_end:
            return layout.content_end
        raise CsvRecordEndNotFound(maxrec)


def parity_scan(f: BinaryIO, tok: _Tokens, start: int, stop: int, inside: bool
                ) -> tuple[bool, int]:
    """Quote state after the tokens starting in ``[start, stop)``; also returns where the
    scan ended (past ``stop`` when an escape sequence straddles it). Streams in chunks."""
    pos = start
    while pos < stop:
        n = min(CHUNK, stop - pos)
        buf = read_at(f, pos, n + 2 * tok.maxlen)
        i = 0
        if tok.simple:
            flips = 0
            if tok.esc:
                e = tok.esc[0] if len(tok.esc) == 1 else None
                esc_re = None if e is not None else re.compile(_alt(tok.esc))
                while True:
                    if e is not None:
                        j = buf.find(e, i, n)
                    else:
                        mm = esc_re.search(buf, i, n)
                        j = mm.start() if mm else -1
                    if j < 0:
                        break
                    flips += sum(buf.count(q, i, j) for q in tok.quote)
                    i = tok.token_end(buf, j + 1)
            if i < n:
                # find() is memchr-fast: only count in chunks that hold a quote at all
                flips += sum(buf.count(q, i, n) for q in tok.quote if buf.find(q, i, n) >= 0)
            if flips % 2:
                inside = not inside
        else:
            while True:
                m = tok.codec.search(tok.qe_re, buf, i, len(buf), base=-pos)
                if m is None or m.start() >= n:
                    break
                if m.lastgroup == "e":
                    i = tok.token_end(buf, m.end())
                else:
                    inside = not inside
                    i = m.end()
        pos += max(i, n)
    return inside, max(pos, start)


def split_record(record: bytes, tok: _Tokens) -> list[bytes]:
    """Split one record (terminator excluded) into fields, quotes removed, "" -> "."""
    fields: list[bytes] = []
    cur = bytearray()
    inside = False
    i, n = 0, len(record)
    while i < n:
        m = tok.codec.search(tok.all_re, record, i, n)
        if m is None:
            cur += record[i:]
            break
        cur += record[i:m.start()]
        g = m.lastgroup
        if g == "e":
            end = tok.token_end(record, m.end())
            cur += record[m.end():end]
            i = end
            continue
        if g == "q":
            nxt = tok.quote_re.match(record, m.end()) if inside else None
            if nxt is not None and nxt.end() > m.end():
                cur += m.group()
                i = nxt.end()
                continue
            inside = not inside
        elif g == "s" and not inside:
            fields.append(bytes(cur))
            cur = bytearray()
        else:
            cur += m.group()
        i = m.end()
    fields.append(bytes(cur))
    return fields


def read_first_record(f: BinaryIO, layout: SourceLayout, part: CsvPartitioner) -> list[str]:
    """The fields of the first record of a CSV source (for the ECL record, §6.5)."""
    tok = part.tokens(layout.encoding)
    maxrec = part.fmt.effective_max_record_size
    start = layout.content_start
    end = min(layout.content_end, start + maxrec + 2 * tok.maxlen)
    buf = read_at(f, start, end - start)
    if not buf:
        return []
    inside = False
    i = 0
    rec_end = len(buf)
    while True:
        m = tok.codec.search(tok.all_re, buf, i, len(buf))
        if m is None:
            break
        g = m.lastgroup
        if g == "e":
            i = tok.token_end(buf, m.end())
            continue
        if g == "q" and tok.quote and part.fmt.quoted_terminator:
            inside = not inside
        elif g == "t" and not inside:
            rec_end = m.start()
            break
        i = m.end()
    codec = layout.encoding.codec
    return [x.decode(codec, errors="replace") for x in split_record(buf[:rec_end], tok)]
