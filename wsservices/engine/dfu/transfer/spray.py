"""Planning a spray (import) or re-partitioning copy: which bytes go into which part.

``plan_spray`` follows FC FileSprayer::spray (filespray.md §6.1): it opens each source,
checks sizes, locates byte-order marks and XML/JSON headers and footers, chooses the scheme
(one-to-one, no-split, many-to-one, N:M re-partition), computes the ideal split points of
§6.3 over the content stream of all sources, resolves each to a record boundary with the
format's partitioner (§6.4) and returns, per target part, the segments to write. Nothing is
written and no source is read beyond the bounded reads each partitioner documents.

The same planner serves Copy of a logical file to a different part count: pass the source
parts as sources (each part's own header/footer is found and dropped, §6.4.3).

Not emulated: replication (a separate phase), encryption/compression (they never change
the plan), key files, the "blocked" format, the overlap check (8061) which needs the target
paths, and the legacy CSV partitioner.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import BinaryIO, Callable, Sequence

from .blob import encode_prefix, parse_prefix
from .csvsplit import CsvPartitioner, read_first_record
from .errors import NoSourceMatched, SourceOpenFailed, UnsuitableFormat
from .fixedlen import FixedPartitioner
from .formats import FileFormat, Kind, SourceFormat, target_format_name
from .jsonsplit import JsonPartitioner
from .layout import Cut, Partitioner, SourceLayout
from .plan import deal_whole_files, split_points
from .segments import CopyRange, Literal, Segment, role_size, total_size
from .varlen import VarLenPartitioner
from .xmlsplit import XmlPartitioner

Opener = Callable[[str], BinaryIO]


def default_opener(path: str) -> BinaryIO:
    return open(path, "rb", buffering=0)


@dataclass(frozen=True)
class SourceFile:
    """One source piece: a drop-zone file (or a part of a logical file, for Copy)."""

    path: str
    size: int | None = None     # taken from the file when None
    label: str | None = None    # how errors name it (e.g. ``//host/path``); default: path

    @property
    def name(self) -> str:
        return self.label or self.path


@dataclass(frozen=True)
class PartPlan:
    number: int                         # 1-based part number
    segments: tuple[Segment, ...]
    size: int                           # bytes the part file will have
    header_length: int = 0
    footer_length: int = 0
    record_count: int | None = None     # known for fixed-length records only


@dataclass(frozen=True)
class SourceInfo:
    label: str
    size: int
    content_start: int
    content_end: int
    bom_length: int
    header_length: int
    footer_length: int
    empty: bool


@dataclass
class SprayPlan:
    scheme: str                          # one-to-one | no-split | many-to-one | n-to-m | empty
    source_format: SourceFormat
    target_format: SourceFormat
    parts: list[PartPlan]
    sources: list[SourceInfo] = field(default_factory=list)
    total_content: int = 0
    split_points: list[int] = field(default_factory=list)
    text_format: str | None = None       # resolved @format of text files (utf-8n, utf16le ...)
    first_record: list[str] | None = None  # CSV: fields of the first record (ECL, §6.5)

    @property
    def kind(self) -> Kind:
        return self.source_format.kind

    @property
    def num_parts(self) -> int:
        return len(self.parts)

    @property
    def size(self) -> int:
        return sum(p.size for p in self.parts)

    def common_header_footer(self) -> tuple[int, int] | None:
        """(header, footer) lengths when equal for every non-empty part, else None."""
        seen = {(p.header_length, p.footer_length) for p in self.parts if p.size}
        return seen.pop() if len(seen) == 1 else (None if seen else (0, 0))


def partitioner_for(fmt: SourceFormat) -> Partitioner:
    kind = fmt.kind
    if kind == Kind.FIXED:
        return FixedPartitioner(fmt)
    if kind == Kind.CSV:
        return CsvPartitioner(fmt)
    if kind == Kind.XML:
        return XmlPartitioner(fmt)
    if kind == Kind.JSON:
        return JsonPartitioner(fmt)
    if kind == Kind.UNKNOWN:
        return Partitioner(fmt)
    return VarLenPartitioner(fmt)


class _Sources:
    """Opens sources lazily and closes them at the end of planning."""

    def __init__(self, sources: Sequence[SourceFile], opener: Opener):
        self.sources = sources
        self.opener = opener
        self.files: dict[int, BinaryIO] = {}

    def __getitem__(self, i: int) -> BinaryIO:
        f = self.files.get(i)
        if f is None:
            try:
                f = self.opener(self.sources[i].path)
            except OSError:
                raise SourceOpenFailed(self.sources[i].name) from None
            self.files[i] = f
        return f

    def size(self, i: int) -> int:
        s = self.sources[i].size
        if s is None:
            s = self[i].seek(0, os.SEEK_END)
        return s

    def close(self) -> None:
        for f in self.files.values():
            f.close()
        self.files.clear()


def _info(layout: SourceLayout) -> SourceInfo:
    return SourceInfo(layout.label, layout.size, layout.content_start, layout.content_end,
                      layout.bom_length, layout.header_length, layout.footer_length,
                      layout.empty)


def plan_spray(sources: Sequence[SourceFile], fmt: SourceFormat, num_parts: int, *,
               nosplit: bool = False, prefix: str = "", fail_if_no_source: bool = False,
               opener: Opener = default_opener) -> SprayPlan:
    """Plan how ``sources`` are written into ``num_parts`` target parts (§6.1-6.4)."""
    num_parts = max(1, num_parts)
    target = fmt.target
    if not sources:
        if fail_if_no_source:
            raise NoSourceMatched()
        parts = [PartPlan(k, (), 0) for k in range(1, num_parts + 1)]
        return SprayPlan("empty", fmt, target, parts)
    items = parse_prefix(prefix) if prefix else []
    kind = fmt.kind
    if kind == Kind.UNKNOWN and not (nosplit or items) and num_parts > 1 \
            and len(sources) != num_parts:
        raise UnsuitableFormat()
    files = _Sources(sources, opener)
    try:
        part = partitioner_for(fmt)
        only = len(sources) == 1
        layouts = [part.analyse(files[i], files.size(i), sources[i].name, only)
                   for i in range(len(sources))]
        plan = _choose(sources, fmt, target, part, layouts, files, num_parts, nosplit, items)
        plan.sources = [_info(lo) for lo in layouts]
        if kind in (Kind.CSV, Kind.XML, Kind.JSON):
            enc = layouts[0].encoding
            plan.text_format = target_format_name(enc.format if enc else FileFormat.CSV)
        if kind == Kind.CSV:
            first = next((i for i, lo in enumerate(layouts) if lo.content_length), None)
            plan.first_record = [] if first is None else read_first_record(
                files[first], layouts[first], part)
        return plan
    finally:
        files.close()


def _choose(sources: Sequence[SourceFile], fmt: SourceFormat, target: SourceFormat,
            part: Partitioner, layouts: list[SourceLayout], files: _Sources,
            num_parts: int, nosplit: bool, items: list) -> SprayPlan:
    kind = fmt.kind
    n_src = len(sources)
    if n_src == num_parts and not items and not kind.converts_to_variable:
        parts = [_verbatim_part(k + 1, [k], layouts, fmt, part, files)
                 for k in range(num_parts)]
        return SprayPlan("one-to-one", fmt, target, parts)
    if nosplit or items or kind == Kind.UNKNOWN:
        deal = deal_whole_files(n_src, num_parts)
        parts = []
        for k in range(num_parts):
            mine = [i for i, t in enumerate(deal) if t == k]
            if items:
                segs: list[Segment] = []
                for i in mine:
                    name = os.path.basename(sources[i].path)
                    segs.append(Literal(encode_prefix(items, name, layouts[i].size), "prefix"))
                    if layouts[i].size:
                        segs.append(CopyRange(i, 0, layouts[i].size))
                parts.append(PartPlan(k + 1, tuple(segs), total_size(tuple(segs))))
            else:
                parts.append(_verbatim_part(k + 1, mine, layouts, fmt, part, files))
        return SprayPlan("no-split", fmt, target, parts)
    return _repartition(fmt, target, part, layouts, files, num_parts)


def _verbatim_part(number: int, indices: list[int], layouts: list[SourceLayout],
                   fmt: SourceFormat, part: Partitioner, files: _Sources) -> PartPlan:
    """Whole sources, unsplit; length-prefixed formats are still converted to variable."""
    segs = []
    for i in indices:
        lo = layouts[i]
        if not lo.size:
            continue
        if part.transform:
            start, end = lo.start_cut(), part.cuts(files[i], lo, [])[-1]
            out = part.output_length(start, end)
            segs.append(CopyRange(i, lo.content_start, lo.content_length, part.transform,
                                  None if out == lo.content_length else out))
        else:
            segs.append(CopyRange(i, 0, lo.size))
    t = tuple(segs)
    size = total_size(t)
    rc = size // fmt.record_size if fmt.kind == Kind.FIXED else None
    return PartPlan(number, t, size, record_count=rc)


def _repartition(fmt: SourceFormat, target: SourceFormat, part: Partitioner,
                 layouts: list[SourceLayout], files: _Sources, num_parts: int) -> SprayPlan:
    offsets, total = [], 0
    for lo in layouts:
        offsets.append(total)
        total += lo.content_length
    points = split_points(total, num_parts)

    # which source resolves each split point: the one whose content contains it
    per_source: dict[int, list[int]] = {i: [] for i in range(len(layouts))}
    owner: list[int | None] = []
    for s in points:
        i = next((j for j, lo in enumerate(layouts)
                  if lo.content_length and offsets[j] <= s < offsets[j] + lo.content_length),
                 None)
        owner.append(i)
        if i is not None:
            per_source[i].append(layouts[i].content_start + s - offsets[i])
    cuts = {i: part.cuts(files[i], layouts[i], pts) for i, pts in per_source.items()}

    last = len(layouts) - 1
    end_cut = cuts[last][-1]
    bounds: list[tuple[int, Cut]] = [(0, layouts[0].start_cut())]
    used = {i: 0 for i in cuts}
    for s, i in zip(points, owner):
        if i is None:
            bounds.append((last, end_cut))
        else:
            bounds.append((i, cuts[i][used[i]]))
            used[i] += 1
    bounds.append((last, end_cut))

    single = len(layouts) == 1
    parts = []
    for k in range(1, num_parts + 1):
        (a_src, a_cut), (b_src, b_cut) = bounds[k - 1], bounds[k]
        pieces: list[CopyRange] = []
        for j in range(a_src, b_src + 1):
            lo = layouts[j]
            ca = a_cut if j == a_src else lo.start_cut()
            cb = b_cut if j == b_src else cuts[j][-1]
            start, length = ca.next_start, max(0, cb.end - ca.next_start)
            out_len = part.output_length(ca, cb)
            pieces.append(CopyRange(j, start, length, part.transform,
                                    None if out_len == length else out_len))
        entries = [p for p in pieces if p.length > 0]
        if single and total > 0 and not entries:
            entries = pieces[:1]                 # a zero-row entry: header + footer only
        parts.append(_assemble(k, entries, layouts, part, fmt))
    scheme = "many-to-one" if num_parts == 1 else "n-to-m"
    return SprayPlan(scheme, fmt, target, parts, total_content=total, split_points=points)


def _assemble(number: int, entries: list[CopyRange], layouts: list[SourceLayout],
              part: Partitioner, fmt: SourceFormat) -> PartPlan:
    if not entries:
        return PartPlan(number, (), 0)
    segs: list[Segment] = []
    if part.has_header:
        lo = layouts[entries[0].source]
        if lo.header_length:
            segs.append(CopyRange(entries[0].source, lo.bom_length, lo.header_length,
                                  role="header"))
    glue_text = getattr(part, "glue_text", "")
    prev = None
    for e in entries:
        if glue_text and prev is not None and e.length and prev.length:
            segs.append(Literal(part.encode(layouts[e.source], glue_text), "glue"))
        if e.length:
            segs.append(e)
            prev = e
    if part.has_header:
        src = entries[-1].source
        lo = layouts[src]
        if lo.footer_length:
            segs.append(CopyRange(src, lo.content_end, lo.footer_length, role="footer"))
    t = tuple(segs)
    size = total_size(t)
    rc = None
    if fmt.kind == Kind.FIXED:
        rc = size // fmt.record_size
    return PartPlan(number, t, size, role_size(t, "header"), role_size(t, "footer"), rc)
