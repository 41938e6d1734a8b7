"""jlib's WildMatch: ``*`` any run of characters, ``?`` one, everything else literal, matched
against the whole text.

A greedy matcher with one backtrack point: its time is at most the product of the two lengths,
never exponential, whatever a client sends (a regular expression built from ``a*a*a*...b``
backtracks exponentially). It first compares the number of literal characters with the text's
length, so a 100,000-character filter against a short name costs almost nothing.
"""
from __future__ import annotations


def wildmatch(text: str, pattern: str, ignore_case: bool = False) -> bool:
    """Does the whole of `text` match `pattern`?"""
    if ignore_case:
        text, pattern = text.lower(), pattern.lower()
    if len(pattern) - pattern.count("*") > len(text):
        return False
    t = p = 0
    star, mark = -1, 0
    while t < len(text):
        if p < len(pattern) and pattern[p] != "*" and (pattern[p] == "?" or pattern[p] == text[t]):
            t, p = t + 1, p + 1
        elif p < len(pattern) and pattern[p] == "*":
            star, mark, p = p, t, p + 1
        elif star >= 0:
            mark += 1
            t, p = mark, star + 1
        else:
            return False
    return pattern[p:].strip("*") == ""


class Wildcard:
    """One pattern, matched like a compiled regular expression (`fullmatch`)."""

    def __init__(self, pattern: str, ignore_case: bool = False):
        self.pattern = pattern
        self.ignore_case = ignore_case

    def fullmatch(self, text: str) -> bool:
        return wildmatch(text, self.pattern, self.ignore_case)
