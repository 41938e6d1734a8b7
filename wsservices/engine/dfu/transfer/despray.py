"""Planning a despray (export): how the parts of a logical file are reassembled (§6.6).

* Default, one destination file: parts 1..N concatenated in order. XML/JSON: every part's
  header and footer (known from the file's or part's ``headerLength``/``footerLength``)
  are stripped, one header (from the first non-empty part) and one footer (from the last
  non-empty part) surround all rows; JSON inserts ``,\\n`` between parts. A 1-part file is
  copied verbatim.
* ``wrap`` (Preserve File Parts): each part verbatim to ``<destPath>._<p>_of_<N>`` (or the
  ``$P$``/``$N$`` mask the path already has).
* ``splitprefix``: every part is read as a sequence of blobs; each blob becomes a file
  named by its embedded name in the directory of ``destPath``.

Not emulated: overwrite checks and drop-zone umask (the worker's business), multiCopy.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Sequence

from .blob import iter_blobs, parse_prefix
from .errors import SplitPrefixSingleTarget, SplitPrefixWithNoSplit
from .formats import codec_for_format_name
from .plan import wrap_destination
from .segments import CopyRange, Literal, Segment, total_size
from .spray import Opener, default_opener


@dataclass(frozen=True)
class PartFile:
    """One physical part of the logical file being desprayed."""

    path: str
    size: int
    header_length: int = 0
    footer_length: int = 0


@dataclass(frozen=True)
class DesprayTarget:
    path: str
    segments: tuple[Segment, ...]   # CopyRange.source = 0-based part index
    size: int


def plan_despray(parts: Sequence[PartFile], dest_path: str, *, kind: str = "flat",
                 text_format: str | None = None, wrap: bool = False,
                 split_prefix: str = "", nosplit: bool = False,
                 opener: Opener = default_opener) -> list[DesprayTarget]:
    """Plan the destination file(s) of a despray of ``parts`` (in part order).

    ``kind`` is the logical file's ``@kind`` (``xml``/``json`` strip headers); ``text_format``
    its ``@format``, used to encode the JSON ``,\\n`` glue.
    """
    if split_prefix and nosplit:
        raise SplitPrefixWithNoSplit()
    if split_prefix and wrap:
        raise SplitPrefixSingleTarget()
    n = len(parts)
    if wrap:
        return [DesprayTarget(wrap_destination(dest_path, k + 1, n),
                              _whole(k, p), p.size) for k, p in enumerate(parts)]
    if split_prefix:
        return _split(parts, dest_path, split_prefix, opener)
    if n == 1:
        return [DesprayTarget(dest_path, _whole(0, parts[0]), parts[0].size)]
    kind = (kind or "").lower()
    segs: list[Segment] = []
    if kind in ("xml", "json"):
        nonempty = [k for k, p in enumerate(parts) if p.size]
        if nonempty:
            first, last = parts[nonempty[0]], parts[nonempty[-1]]
            if first.header_length:
                segs.append(CopyRange(nonempty[0], 0, first.header_length, role="header"))
            glue = Literal(",\n".encode(codec_for_format_name(text_format)), "glue") \
                if kind == "json" else None
            had_rows = False
            for k in nonempty:
                p = parts[k]
                rows = p.size - p.header_length - p.footer_length
                if rows <= 0:
                    continue
                if glue is not None and had_rows:
                    segs.append(glue)
                segs.append(CopyRange(k, p.header_length, rows))
                had_rows = True
            if last.footer_length:
                segs.append(CopyRange(nonempty[-1], last.size - last.footer_length,
                                      last.footer_length, role="footer"))
    else:
        segs = [CopyRange(k, 0, p.size) for k, p in enumerate(parts) if p.size]
    t = tuple(segs)
    return [DesprayTarget(dest_path, t, total_size(t))]


def _whole(k: int, p: PartFile) -> tuple[Segment, ...]:
    return (CopyRange(k, 0, p.size),) if p.size else ()


def _split(parts: Sequence[PartFile], dest_path: str, split_prefix: str,
           opener: Opener) -> list[DesprayTarget]:
    items = parse_prefix(split_prefix, split=True)
    directory = os.path.dirname(dest_path)
    out = []
    for k, p in enumerate(parts):
        if not p.size:
            continue
        f = opener(p.path)
        try:
            for blob in iter_blobs(f, p.size, items, p.path):
                segs = (CopyRange(k, blob.offset, blob.length),) if blob.length else ()
                out.append(DesprayTarget(os.path.join(directory, blob.name), segs,
                                         blob.length))
        finally:
            f.close()
    return out
