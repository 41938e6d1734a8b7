"""The README's table of services agrees with its generated coverage section."""
from __future__ import annotations

import re
from pathlib import Path

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_service_table_counts_match_the_coverage_section():
    section = README.split("## Services and versions emulated", 1)[1].split("\n\n", 2)[1]
    table = {m.group(1): int(re.findall(r"\d+", m.group(2))[-1])
             for m in re.finditer(r"^\| (\w+) \| `/\w+` \| `[^`]+` \| (.+) \|$", section, re.M)}
    coverage = {m.group(1): int(m.group(2))
                for m in re.finditer(r"^### (\w+) [\d.]+: \d+ of (\d+) operations$", README, re.M)}
    assert table and table == coverage
