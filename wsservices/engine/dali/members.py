"""Superfile member rows and the attributes aggregated from them, changed incrementally.

A member row (``superfile_members``) carries a position ``num``; only the order of the numbers
matters (readers ``ORDER BY num``; SubFile ``num`` in file XML is the rank), so positions may
have gaps or go below 1: appending takes ``max + 1``, adding in front takes ``min - k``, and
only an insertion in the middle shifts the members after it. Removing deletes the rows and
renumbers nothing. A change therefore costs what it changes, not what the superfile holds.

Aggregates (``size``, ``recordCount``, ``compressedSize`` summed when every member has them;
``recordSize``, ``kind``, ``format`` when all members agree) come from a tally kept per
superfile (``superfile_tallies``: per summed key, the members without a number and the sum of
the others; per common key, how many members have each value), changed by the members that
come and go. A superfile without a tally (made before it existed), or whose member superfile
changed, is tallied again from every member in one query. The tally stays exact as long as a
member's aggregated attributes change only through membership (a file that belongs to a
superfile cannot be replaced); `FileCatalog.set_attrs` of one of them drops its owners' tallies,
so that they are tallied again at their next change. Not emulated: Dali has no such table.
"""
from __future__ import annotations

import json
from typing import Iterable, Sequence

from .records import to_int

#: attributes recomputed from the members
SUMMED = ("size", "recordCount", "compressedSize")
COMMON = ("recordSize", "kind", "format")
AGGREGATED = frozenset(SUMMED + COMMON)
_KEYS = ", ".join(f"'{k}'" for k in SUMMED + COMMON)


# -- reading ---------------------------------------------------------------------------------------
def count(conn, super_id: int) -> int:
    return conn.execute("SELECT COUNT(*) FROM superfile_members WHERE super_id = ?",
                        (super_id,)).fetchone()[0]


def all_members(conn, super_id: int) -> list[tuple[int, str, int]]:
    """Every member as (id, name, position), in order."""
    return [(r[0], r[1], r[2]) for r in conn.execute(
        "SELECT f.id, f.name, m.num FROM superfile_members m JOIN logical_files f "
        "ON f.id = m.sub_id "
        "WHERE m.super_id = ? ORDER BY m.num", (super_id,))]


def find(conn, super_id: int, name: str) -> tuple[int, int] | None:
    """(member id, position) of the member called ``name`` (normalised), or None."""
    row = conn.execute(
        "SELECT f.id, m.num FROM logical_files f JOIN superfile_members m ON m.sub_id = f.id "
        "WHERE f.name = ? AND m.super_id = ?", (name, super_id)).fetchone()
    return (row[0], row[1]) if row else None


def contains(conn, super_id: int, sub_id: int) -> bool:
    return conn.execute("SELECT 1 FROM superfile_members WHERE super_id = ? AND sub_id = ?",
                        (super_id, sub_id)).fetchone() is not None


def first(conn, super_id: int) -> int | None:
    """The id of the first member, or None when empty."""
    row = conn.execute("SELECT sub_id FROM superfile_members WHERE super_id = ? "
                       "ORDER BY num LIMIT 1", (super_id,)).fetchone()
    return row[0] if row else None


def position_at(conn, super_id: int, rank: int) -> int | None:
    """The position number of the ``rank``-th member (0-based), or None past the end."""
    row = conn.execute("SELECT num FROM superfile_members WHERE super_id = ? ORDER BY num "
                       "LIMIT 1 OFFSET ?", (super_id, rank)).fetchone()
    return row[0] if row else None


# -- changing ----------------------------------------------------------------------------------------
def insert(conn, super_id: int, sub_ids: Sequence[int], before: int | None) -> None:
    """Insert ``sub_ids`` in order before the member at position ``before`` (None = append)."""
    # one aggregate per query: SQLite answers a lone MIN or MAX from the index, not both
    low = conn.execute("SELECT MIN(num) FROM superfile_members WHERE super_id = ?",
                       (super_id,)).fetchone()[0]
    high = conn.execute("SELECT MAX(num) FROM superfile_members WHERE super_id = ?",
                        (super_id,)).fetchone()[0]
    k = len(sub_ids)
    if high is None:
        start = 1
    elif before is None or before > high:
        start = high + 1
    elif before <= low:
        start = low - k
    else:  # positions need not be unique while they move: (super_id, num) is a plain index
        conn.execute("UPDATE superfile_members SET num = num + ? WHERE super_id = ? AND num >= ?",
                     (k, super_id, before))
        start = before
    conn.executemany("INSERT INTO superfile_members(super_id, sub_id, num) VALUES (?, ?, ?)",
                     [(super_id, sub_id, start + n) for n, sub_id in enumerate(sub_ids)])


def delete(conn, super_id: int, sub_ids: Iterable[int]) -> None:
    conn.executemany("DELETE FROM superfile_members WHERE super_id = ? AND sub_id = ?",
                     [(super_id, i) for i in sub_ids])


# -- aggregates ------------------------------------------------------------------------------------
def attrs_of(conn, file_ids: Sequence[int]) -> list[dict[str, str]]:
    """The aggregated attributes of ``file_ids``, read in one query per 500."""
    out: dict[int, dict[str, str]] = {i: {} for i in file_ids}
    for start in range(0, len(file_ids), 500):
        chunk = list(file_ids[start:start + 500])
        marks = ", ".join("?" * len(chunk))
        for fid, key, value in conn.execute(
                f"SELECT file_id, key, value FROM file_attrs WHERE file_id IN ({marks}) "
                f"AND key IN ({_KEYS})", chunk):
            out[fid][key] = value
    return list(out.values())


def every_member_attrs(conn, super_id: int) -> list[dict[str, str]]:
    """The aggregated attributes of every member, read in one query."""
    values: dict[int, dict[str, str]] = {}
    for sub_id, key, value in conn.execute(
            f"SELECT m.sub_id, a.key, a.value FROM superfile_members m LEFT JOIN file_attrs a "
            f"ON a.file_id = m.sub_id AND a.key IN ({_KEYS}) WHERE m.super_id = ?", (super_id,)):
        found = values.setdefault(sub_id, {})
        if key is not None:
            found[key] = value
    return list(values.values())


def tally(values: Iterable[dict[str, str]], sign: int = 1, into: dict | None = None) -> dict:
    """Count members' attributes into a tally (or take them out, ``sign=-1``): per summed key
    [members without a number, sum of the numbers]; per common key [[value, members], ...]."""
    t = into if into is not None else {"sums": {k: [0, 0] for k in SUMMED},
                                       "common": {k: [] for k in COMMON}}
    for v in values:
        for key in SUMMED:
            n = to_int(v.get(key))
            entry = t["sums"][key]
            if n is None:
                entry[0] += sign
            else:
                entry[1] += sign * n
        for key in COMMON:
            pairs, value = t["common"][key], v.get(key)
            for pair in pairs:
                if pair[0] == value:
                    pair[1] += sign
                    break
            else:
                pairs.append([value, sign])
            t["common"][key] = [p for p in pairs if p[1]]
    return t


def derived(t: dict) -> dict[str, object]:
    """The aggregates a tally of a non-empty superfile stands for."""
    changes: dict[str, object] = {}
    for key in SUMMED:
        missing, total = t["sums"][key]
        changes[key] = total if missing == 0 else None
    for key in COMMON:
        pairs = t["common"][key]
        changes[key] = pairs[0][0] if len(pairs) == 1 else None
    return changes


def load_tally(conn, super_id: int) -> dict | None:
    row = conn.execute("SELECT tallies FROM superfile_tallies WHERE super_id = ?",
                       (super_id,)).fetchone()
    return json.loads(row[0]) if row else None


def save_tally(conn, super_id: int, t: dict) -> None:
    conn.execute("INSERT INTO superfile_tallies(super_id, tallies) VALUES (?, ?) "
                 "ON CONFLICT(super_id) DO UPDATE SET tallies = excluded.tallies",
                 (super_id, json.dumps(t, separators=(",", ":"))))
