"""XML sources: header/footer location and row boundaries (filespray.md §6.4.3).

* Header = everything before the first ``<rowtag`` followed by whitespace, ``>`` or ``/>``;
  when only blanks precede that tag on its line, the header ends at the start of the line.
  Found by a chunked forward scan (bounded memory).
* Footer = everything after the last row end (``</rowtag>`` or the ``/>`` of a self-closing
  ``<rowtag .../>``) and the one newline that follows it; only the last
  ``2 x maxRecordSize`` bytes are searched.
* Split rule: the first row end whose last byte is at or after the split point (plus one
  newline) is the boundary, so the row containing or starting at the split point goes to
  the earlier part. Each split reads 64 KiB after the split point (plus 4 KiB before it, to
  see a row end that straddles the point), widening x4 up to maxRecordSize when needed.
* UTF-16/32 sources are searched in whole code units; a matching BOM is dropped.

Not emulated: comments, CDATA sections or processing instructions that contain row tags
are not recognised as such (a real XML parser is never run).
"""
from __future__ import annotations

from typing import BinaryIO

from .errors import NoFirstXmlRecord, NotUtfMultiple, XmlRecordEndNotFound
from .fileio import FIRST_WINDOW, growing, read_at
from .formats import Encoding, SourceFormat, detect_encoding
from .layout import Cut, Partitioner, SourceLayout
from .textcodec import TextCodec

CHUNK = 1 << 20
_BACK = 4096


class _XmlPatterns:
    def __init__(self, enc: Encoding, tag: str):
        c = self.codec = TextCodec.of(enc)
        self.unit = c.unit
        ws = c.ws()
        self.lt_tag = c.encode("<" + tag)
        self.end_lit = c.encode("</" + tag)
        self.start_re = c.compile(c.lit("<" + tag) + b"(?=" + ws + b"|" + c.lit(">") + b"|"
                                  + c.lit("/>") + b")")
        self.rowend_re = c.compile(
            c.lit("</" + tag) + b"(?:" + ws + b")*" + c.lit(">") + b"|"
            + c.lit("<" + tag) + b"(?:" + ws + b"(?:" + c.none_of("<>") + b")*)?" + c.lit("/>"))
        self.crlf = c.encode("\r\n")
        self.lf = c.encode("\n")
        self.blanks = (c.encode(" "), c.encode("\t"))
        self.overlap = len(self.lt_tag) + 4 * self.unit

    def newline_after(self, buf: bytes, i: int) -> int:
        if buf.startswith(self.crlf, i):
            return len(self.crlf)
        if buf.startswith(self.lf, i):
            return len(self.lf)
        return 0


class XmlPartitioner(Partitioner):
    has_header = True

    def __init__(self, fmt: SourceFormat):
        super().__init__(fmt)
        self._pats: dict[Encoding, _XmlPatterns] = {}

    def patterns(self, enc: Encoding) -> _XmlPatterns:
        p = self._pats.get(enc)
        if p is None:
            p = self._pats[enc] = _XmlPatterns(enc, self.fmt.row_tag)
        return p

    def analyse(self, f: BinaryIO, size: int, label: str, only_source: bool) -> SourceLayout:
        enc = detect_encoding(self.fmt.format, read_at(f, 0, 4))
        bom = len(enc.bom)
        if (size - bom) % enc.unit:
            raise NotUtfMultiple(label, enc.unit)
        pats = self.patterns(enc)
        first = self._first_row_start(f, pats, bom, size)
        if first is None:
            if only_source:
                raise NoFirstXmlRecord()
            return SourceLayout(label, size, size, size, bom, enc, empty=True)
        header_end = self._line_start(f, pats, bom, first)
        footer_start = self._footer_start(f, pats, header_end, size, first)
        return SourceLayout(label, size, header_end, footer_start, bom, enc)

    @staticmethod
    def _first_row_start(f: BinaryIO, pats: _XmlPatterns, pos: int, size: int) -> int | None:
        chunk = FIRST_WINDOW
        while pos < size:
            n = min(chunk, size - pos)
            buf = read_at(f, pos, n + pats.overlap)
            m = pats.codec.search(pats.start_re, buf, 0, len(buf), base=-pos)
            if m is not None and m.start() < n:
                return pos + m.start()
            pos += n
            chunk = min(chunk * 2, CHUNK)
        return None

    @staticmethod
    def _line_start(f: BinaryIO, pats: _XmlPatterns, bom: int, tag_pos: int) -> int:
        a = max(bom, tag_pos - _BACK)
        buf = read_at(f, a, tag_pos - a)
        u = pats.unit
        j = len(buf)
        while j >= u and buf[j - u:j] in pats.blanks:
            j -= u
        if j == 0 and a == bom:
            return bom
        if j >= u and buf[j - u:j] == pats.lf:
            return a + j
        return tag_pos

    def _footer_start(self, f: BinaryIO, pats: _XmlPatterns, header_end: int, size: int,
                      first: int) -> int:
        c = pats.codec
        lowest = c.align_up(max(header_end, size - 2 * self.fmt.effective_max_record_size))
        for span in growing(size - lowest):
            ws = c.align_up(size - span)
            buf = read_at(f, ws, size - ws)
            pos = len(buf)
            while True:
                i = c.rfind(buf, pats.end_lit, 0, pos + len(pats.end_lit) - 1, base=-ws)
                j = c.rfind(buf, pats.lt_tag, 0, pos + len(pats.lt_tag) - 1, base=-ws)
                k = max(i, j)
                if k < 0:
                    break
                m = pats.rowend_re.match(buf, k)
                if m is not None:
                    return ws + m.end() + pats.newline_after(buf, m.end())
                pos = k
        raise XmlRecordEndNotFound(first if lowest == header_end else lowest)

    def cuts(self, f: BinaryIO, layout: SourceLayout, points: list[int]) -> list[Cut]:
        pats = self.patterns(layout.encoding)
        c = pats.codec
        maxrec = self.fmt.effective_max_record_size
        cs, ce = layout.content_start, layout.content_end
        out: list[Cut] = []
        floor = cs
        for p in sorted(points):
            s = c.align_up(p)
            if s >= ce:
                b = ce
            else:
                b = self._row_end_after(f, pats, cs, ce, s, maxrec)
            b = max(b, floor)
            out.append(Cut(b, b))
            floor = b
        out.append(Cut(ce, ce))
        return out

    @staticmethod
    def _row_end_after(f: BinaryIO, pats: _XmlPatterns, cs: int, ce: int, s: int,
                       maxrec: int) -> int:
        """Boundary after the first row end whose last byte is at or after ``s``."""
        c = pats.codec
        a = s - min(s - cs, _BACK)
        hard_end = min(ce, s + maxrec + 64 * pats.unit)
        slack = 2 * len(pats.crlf)
        for span in growing(hard_end - s):
            wend = s + span
            buf = read_at(f, a, wend - a)
            pos = 0
            while True:
                m = c.search(pats.rowend_re, buf, pos, len(buf), base=-a)
                if m is None or a + m.end() > s:
                    break
                pos = m.end()
            if m is not None and a + m.start() < s + maxrec and \
                    (m.end() + slack <= len(buf) or wend >= ce):
                return min(ce, a + m.end() + pats.newline_after(buf, m.end()))
        if hard_end < ce:
            raise XmlRecordEndNotFound(s)
        return ce
