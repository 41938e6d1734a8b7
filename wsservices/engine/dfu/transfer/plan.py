"""Pure arithmetic of the DFU engine: part counts, split points, part names, placement.

filespray.md §6.2 (part count, names, placement), §6.3 (N:M split points), §6.4.7
(dealing whole files to parts when nothing may be split).

Not emulated: plane-level "default spray parts" come in as an argument; key files (one
extra part) and containerized per-part sub-directories are not modelled. The notes give no
cap on part size, so none is applied.
"""
from __future__ import annotations

from typing import Sequence, TypeVar

from ... import names

N = TypeVar("N")


def num_target_parts(group_width: int, dest_num_parts: int = 0, *,
                     plane_default_parts: int = 0, wrap: bool = False,
                     source_parts: int = 0) -> int:
    """How many parts the target gets (WUC getNumParts; RUN).

    ``wrap`` (and key copies) keep the source part count; otherwise ``destNumParts`` if
    > 0, else the plane's default spray parts, else the width of the destination group.
    """
    if wrap and source_parts > 0:
        return source_parts
    if dest_num_parts > 0:
        return dest_num_parts
    if plane_default_parts > 0:
        return plane_default_parts
    return max(group_width, 1)


def split_points(total: int, num_parts: int) -> list[int]:
    """The N-1 ideal split offsets of a content stream of ``total`` bytes (§6.3).

    ``partSize = total div N`` and the points are ``k * partSize``; when ``partSize`` is 0
    (``total < N``) they are ``(k * total) div N``.
    """
    if num_parts <= 1:
        return []
    part_size = total // num_parts
    if part_size:
        return [k * part_size for k in range(1, num_parts)]
    return [(k * total) // num_parts for k in range(1, num_parts)]


def part_mask(tail: str) -> str:
    """``<tail>._$P$_of_$N$`` (SVC constructFileMask), the tail as names.py writes it in a path."""
    return names.part_mask(tail)


def expand_mask(mask: str, part_number: int, num_parts: int) -> str:
    return mask.replace("$P$", str(part_number)).replace("$N$", str(num_parts))


def part_name(tail: str, part_number: int, num_parts: int) -> str:
    """Physical name of 1-based part ``part_number``: ``people._1_of_3``; single-part files
    are also named ``._1_of_1``."""
    return expand_mask(part_mask(tail), part_number, num_parts)


def part_node(part_index: int, nodes: Sequence[N]) -> N:
    """Node holding 0-based part ``part_index``: ``p mod width``."""
    return nodes[part_index % len(nodes)]


def replica_node(part_index: int, nodes: Sequence[N], replicate_offset: int = 1) -> N:
    """Node holding the replica (copy 1) of a part: ``(p + offset) mod width``."""
    return nodes[(part_index + replicate_offset) % len(nodes)]


def placement(num_parts: int, nodes: Sequence[N], replicate_offset: int = 1
              ) -> list[tuple[N, N]]:
    """``(primary node, replica node)`` of every part, in part order."""
    return [(part_node(p, nodes), replica_node(p, nodes, replicate_offset))
            for p in range(num_parts)]


def deal_whole_files(num_sources: int, num_targets: int) -> list[int]:
    """0-based target index of each source for a no-split spray (FC
    calculateNoSplitPartition): ``n = min(S, T)`` targets get contiguous runs of about
    ``S/n`` sources, by a running tally (add n per source; on reaching S subtract S and move
    to the next target). Targets ``n..T-1`` stay empty."""
    if num_sources <= 0 or num_targets <= 0:
        return []
    n = min(num_sources, num_targets)
    out = []
    target, tally = 0, 0
    for _ in range(num_sources):
        out.append(target)
        tally += n
        if tally >= num_sources:
            tally -= num_sources
            target += 1
    return out


def wrap_destination(dest_path: str, part_number: int, num_parts: int) -> str:
    """Despray with ``wrap``: ``._$P$_of_$N$`` appended unless the path has ``$P$``."""
    mask = dest_path if "$P$" in dest_path else dest_path + "._$P$_of_$N$"
    return expand_mask(mask, part_number, num_parts)
