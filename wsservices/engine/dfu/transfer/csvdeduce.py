"""Where the next CSV record starts after a split point: CCsvPartitioner::deduceStartNextLine
(dali/ft/daftformat.cpp), ported token by token.

The scan starts at the split point with the quote state unknown (known "outside" when no quote
is defined) and reads tokens: separators, terminators, quotes, escapes, and blanks (space and
tab, which keep the previous token). A quote followed by ordinary text that cannot be a doubled
quote proves the scan is *inside* that quote; a quote after ordinary text, not doubled, proves
it closed a field (now *outside*). Once the state is known, the first terminator outside quotes
ends the record. While it is unknown, the first terminator is only remembered: if the state
stays unknown to the end of the bytes read, that first terminator is the answer. Known outside
or inside with no terminator found: read more (None), unless at the end of the file.

The DFU server reads 256 KB blocks (`BLOCK`) from the split point and adds a block while the
answer is None, failing with 8102 at maxRecordSize. A quote after ordinary text while the state
is known outside fails with 8118 (quote and separator inconsistent).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .errors import QuoteInconsistent, TransferError

BLOCK = 0x40000
NONE, SEPARATOR, TERMINATOR, WHITESPACE, QUOTE, ESCAPE, UNKNOWN = range(7)


class Pathological(TransferError):
    """deduceStartNextLine's last resort: inside quotes at the end of a file longer than
    maxRecordSize (the real text has code 0 and a trailing blank)."""
    code = 0

    def __init__(self) -> None:
        super().__init__("Could not deduce the end of the record - pathological ")


@dataclass
class Matcher:
    """The partitioner's StringMatcher: token bytes -> match id (kind + alternative << 8)."""

    ids: dict[bytes, int]
    unit: int
    quote_text: str = '"'
    separator_text: str = ","

    @classmethod
    def build(cls, codec, sep: list[bytes], quote: list[bytes], term: list[bytes], esc: list[bytes],
              quote_text: str, separator_text: str) -> "Matcher":
        ids: dict[bytes, int] = {}
        for kind, toks in ((SEPARATOR, sep), (QUOTE, quote), (TERMINATOR, term), (ESCAPE, esc)):
            for idx, t in enumerate(toks):
                ids.setdefault(t, kind + (idx << 8))
        for blank in (" ", "\t"):
            ids.setdefault(codec.encode(blank), WHITESPACE)
        return cls(ids, codec.unit, quote_text, separator_text)

    def __post_init__(self) -> None:
        alts = sorted(self.ids, key=len, reverse=True)
        self._re = re.compile(b"|".join(re.escape(t) for t in alts), re.DOTALL) if alts else None
        self.has_quote = any(kind(m) == QUOTE for m in self.ids.values())
        self._special = [t for t, m in self.ids.items() if kind(m) in (QUOTE, ESCAPE)]
        terms = sorted((t for t, m in self.ids.items() if kind(m) == TERMINATOR), key=len, reverse=True)
        self._term_re = re.compile(b"|".join(re.escape(t) for t in terms), re.DOTALL) if terms else None

    def last_special(self, buf: bytes, start: int) -> int:
        """Where the last quote or escape in ``buf[start:]`` starts (-1: none)."""
        return max((buf.rfind(t, start) for t in self._special), default=-1)

    def ends_with_terminator(self, buf: bytes) -> bool:
        return any(buf.endswith(t) for t, m in self.ids.items() if kind(m) == TERMINATOR)

    def first_terminator_end(self, buf: bytes, i: int) -> int | None:
        """End of the first terminator at or after ``i`` in a stretch without quotes or escapes."""
        while self._term_re is not None:
            m = self._term_re.search(buf, i)
            if m is None:
                return None
            match, length = self.match(buf, m.start())
            if kind(match) == TERMINATOR:
                return m.start() + length
            i = m.start() + 1
        return None

    def match(self, buf: bytes, i: int) -> tuple[int, int]:
        """(match id, length) of the token at ``i``; (NONE, one unit) for ordinary text."""
        m = self._re.match(buf, i) if self._re is not None else None
        if m is None or m.end() == i:
            return NONE, self.unit
        return self.ids[m.group()], m.end() - i

    def next_token(self, buf: bytes, i: int) -> int:
        """Where the next token at or after ``i`` starts (unit-aligned), else the end of ``buf``."""
        base, pos = i, i
        while self._re is not None:
            m = self._re.search(buf, pos)
            if m is None:
                break
            if (m.start() - base) % self.unit == 0:
                return m.start()
            pos = m.start() + 1
        return len(buf)


def kind(match: int) -> int:
    return match & 255


def deduce_start_next_line(buf: bytes, mt: Matcher, at_eof: bool, max_record_size: int,
                           start: int = 0) -> tuple[int | None, bool]:
    """(offset in ``buf`` where the next record starts, decided): None when more bytes are
    needed; ``decided`` is False when the quote state stayed unknown (first-terminator rule)."""
    quote = 0
    end_first: int | None = None
    known = not mt.has_quote
    possible_double = True
    prev = UNKNOWN
    cur, end = start, len(buf)
    last_special = mt.last_special(buf, start)
    while cur < end:
        if cur > last_special:
            # no quote or escape ahead, so the quote state cannot change: outside or unknown,
            # only the first terminator matters; inside, only whether the bytes end with one
            if quote == 0:
                stop = mt.first_terminator_end(buf, cur)
                if stop is not None and known:
                    return stop, True
                end_first = stop if end_first is None else end_first
                prev = NONE
            else:
                prev = TERMINATOR if mt.ends_with_terminator(buf) else NONE
            break
        match, length = mt.match(buf, cur)
        k = kind(match)
        if k == NONE:
            if not known:
                if kind(prev) == QUOTE and not possible_double:
                    known, quote = True, prev
                possible_double = False
            length = mt.next_token(buf, cur + length) - cur    # a run of text acts as one
        elif k == WHITESPACE:
            match = prev
            possible_double = False
        elif k == TERMINATOR:
            if known:
                if quote == 0:
                    return cur + length, True
            elif end_first is None:
                end_first = cur + length
            possible_double = False
        elif k == SEPARATOR:
            possible_double = False
        elif k == QUOTE:
            nxt = cur + length
            next_match, next_len = mt.match(buf, nxt) if nxt < end else (UNKNOWN, 0)
            if known:
                if quote == 0:
                    quote = match
                    if kind(prev) not in (UNKNOWN, QUOTE, SEPARATOR, TERMINATOR):
                        raise QuoteInconsistent(mt.quote_text, mt.separator_text)
                elif quote == match:
                    if next_match == quote:
                        length += next_len
                        match = NONE
                    else:
                        quote = 0
            elif kind(prev) not in (UNKNOWN, QUOTE, SEPARATOR, TERMINATOR) and match != next_match:
                known, quote = True, 0
        elif k == ESCAPE:
            if cur + length < end:
                cur += length
                match, length = mt.match(buf, cur)
        prev = match
        cur += length
    if not known and end_first is not None:
        return end_first, False
    if not at_eof:
        return None, known
    if start == end or kind(prev) == TERMINATOR:
        return end, known
    if end - start <= max_record_size:
        return end, known
    raise Pathological()
