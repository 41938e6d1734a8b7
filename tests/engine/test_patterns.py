"""Client name filters as SQL: same answers as a plain wildcard match, for any filter size."""
from __future__ import annotations

import random
import re
import sqlite3

import pytest

from wsservices.engine.dali.patterns import pattern_clause, prefix_clause, register
from wsservices.engine.jlib.wildcards import wildmatch as wildcard_match

NAMES = ["a::b", "a::bc", "a::b::c", "ab", "a[b]", "x?y", "", "aaaa", "thor::data::people", "a*b", "\u00e9t\u00e9"]


def _reference(text: str, pattern: str) -> bool:
    regex = "".join(".*" if ch == "*" else "." if ch == "?" else re.escape(ch) for ch in pattern)
    return re.fullmatch(regex, text, re.DOTALL) is not None


@pytest.fixture
def conn():
    c = sqlite3.connect(":memory:")
    register(c)
    c.execute("CREATE TABLE t (name TEXT)")
    c.executemany("INSERT INTO t VALUES (?)", [(n,) for n in NAMES])
    yield c
    c.close()


def _select(conn, clause: tuple[str, list]) -> set[str]:
    sql, params = clause
    return {n for (n,) in conn.execute(f"SELECT name FROM t WHERE {sql}", params)}


def test_wildcard_match_agrees_with_a_regular_expression():
    rng = random.Random(12)
    for _ in range(3000):
        text = "".join(rng.choice("ab:") for _ in range(rng.randint(0, 7)))
        pattern = "".join(rng.choice("ab:*?") for _ in range(rng.randint(0, 6)))
        assert wildcard_match(text, pattern) == _reference(text, pattern), (text, pattern)


@pytest.mark.parametrize("pattern", ["a::b", "a::*", "a*", "*b", "a?b", "a[b]", "x?y", "*", "**a**", "a*b",
                                     "thor::*::people", "", "\u00e9*", "?"])
def test_every_form_of_clause_selects_what_the_wildcard_match_selects(conn, pattern):
    assert _select(conn, pattern_clause("name", pattern)) == {n for n in NAMES if wildcard_match(n, pattern)}


def test_a_filter_too_long_for_sqlite_glob_still_answers(conn):
    conn.execute("INSERT INTO t VALUES (?)", ("q" * 60_000,))
    long_match = "q" * 30_000 + "*" + "q?" * 14_000 + "*"
    assert _select(conn, pattern_clause("name", long_match)) == {"q" * 60_000}
    assert _select(conn, pattern_clause("name", "*a" * 50_000 + "*")) == set()
    assert _select(conn, pattern_clause("name", "a" * 100_000)) == set()
    assert _select(conn, prefix_clause("name", "a" * 100_000)) == set()


def test_a_prefix_is_a_range_comparison(conn):
    sql, params = prefix_clause("name", "a::")
    assert "GLOB" not in sql and "LIKE" not in sql
    assert _select(conn, (sql, params)) == {"a::b", "a::bc", "a::b::c"}
    assert _select(conn, prefix_clause("name", "\U0010ffff")) == set()


def test_case_is_ignored_on_request():
    assert wildcard_match("Thor::People", "thor::p*", ignore_case=True)
    assert not wildcard_match("Thor::People", "thor::p*")


def test_backtracking_stays_polynomial():
    # a backtracking regular expression takes exponential time here (the test would hang)
    assert not wildcard_match("a" * 3000, "*a" * 40 + "b")
    assert not wildcard_match("a" * 200, "a*" * 150 + "b")
