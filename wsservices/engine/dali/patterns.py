"""Name filters as SQL whose cost does not grow with a hostile filter.

A client's filter (DFUQuery ``LogicalName``/``Prefix``/``Owner``/``ContentType``, DFUFileView's
scope, DFUSpace's ``ScopeUnder``) can be 100,000 characters. SQLite refuses a LIKE or GLOB
pattern over 50,000 bytes ("LIKE or GLOB pattern too complex"), and a backtracking regular
expression takes exponential time on ``a*a*a*...b``. So:
* a filter without wildcards is an equality, one ending in its only ``*`` a range comparison
  (`prefix_clause`), which an index can serve;
* a filter with wildcards has its runs of ``*`` collapsed (same meaning); it runs as GLOB when
  short enough, else through `wildcards.wildmatch` (never exponential), which the store
  registers on every connection as ``wild_match``.

Wildcards are Dali's: ``*`` any run, ``?`` one character; nothing else is special.
"""
from __future__ import annotations

import re

from ..jlib.wildcards import wildmatch

#: SQLite's SQLITE_MAX_LIKE_PATTERN_LENGTH (bytes).
GLOB_LIMIT = 50_000
_STARS = re.compile(r"\*{2,}")


def prefix_clause(column: str, prefix: str) -> tuple[str, list[str]]:
    """``column`` starts with ``prefix`` (no wildcards), as a range comparison."""
    if not prefix:
        return "1", []
    last = ord(prefix[-1]) + 1
    if last > 0x10FFFF or 0xD800 <= last <= 0xDFFF:  # no next character to bound the range
        return f"substr({column}, 1, ?) = ?", [len(prefix), prefix]
    return f"({column} >= ? AND {column} < ?)", [prefix, prefix[:-1] + chr(last)]


def collapse_stars(pattern: str) -> str:
    """`pattern` with each run of ``*`` as one (the same matches)."""
    return _STARS.sub("*", pattern)


def pattern_clause(column: str, pattern: str) -> tuple[str, list[str]]:
    """``column`` matches the wildcard `pattern`; see the module docstring."""
    pattern = collapse_stars(pattern)
    wild = [i for i, ch in enumerate(pattern) if ch in "*?"]
    if not wild:
        return f"{column} = ?", [pattern]
    if wild == [len(pattern) - 1] and pattern[-1] == "*":
        return prefix_clause(column, pattern[:-1])
    glob = pattern.replace("[", "[[]")
    if len(glob.encode("utf-8")) <= GLOB_LIMIT:
        return f"{column} GLOB ?", [glob]
    return f"wild_match({column}, ?)", [pattern]


def reversed_text(text: str | None) -> str | None:
    """``text`` backwards: ``logical_files.rname``, so that a name's ending is a range of it."""
    return None if text is None else text[::-1]


def suffix_clause(rcolumn: str, suffix: str) -> tuple[str, list[str]]:
    """The column `rcolumn` reverses ends with ``suffix`` (no wildcards), as a range on it."""
    return prefix_clause(rcolumn, suffix[::-1])


def register(conn) -> None:
    """Make ``wild_match`` and ``reversed_text`` available on a connection (the store does, for
    each it opens; the triggers of ``logical_files.rname`` need the latter)."""
    conn.create_function("wild_match", 2, wildmatch, deterministic=True)
    conn.create_function("reversed_text", 1, reversed_text, deterministic=True)
