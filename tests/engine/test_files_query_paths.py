"""DFUQuery's index-served paths (dali/query.py `_sole_filter`, `FileQuery._count_files`) give
the page and the count the filter defines: a filter alone read through its own index in name
order (Owner, ContentType), counted as all files less the few it leaves out (Prefix,
NodeGroup, Not in Superfiles, the inverted ContentType), and dates as plain ranges; checked
against the definition on a real store of a few hundred files, in both directions, at several
pages, and with the complement count both taken and refused."""
from __future__ import annotations

import pytest

from .files_support import TWO_CLUSTERS, open_cluster
from wsservices.engine.dali.catalog import catalog
from wsservices.engine.dali.files import NewLogicalFile, PartRecord
from wsservices.engine.dali.query import FileQuery

OWNERS = ("Alice", "alice", "bob", "", "ALICE")
KINDS = ("csv", "CSV", "flat", "", "key")
COUNT = 300


def _file(i: int) -> dict:
    scope = ("data::a", "data::b", "other", "data::a::deep")[i % 4]
    return {"name": f"{scope}::f{(i * 7919) % 1000:03d}_{i}", "owner": OWNERS[i % 5],
            "kind": KINDS[(i // 2) % 5], "group": "thor2" if i % 6 == 0 else "mythor",
            "modified": f"2024-01-{1 + i % 3:02d}T{'23:59:59' if i % 2 else '00:00:00'}"
                        + ("" if i % 5 else f".{i:03d}")}


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    with open_cluster(tmp_path_factory.mktemp("paths") / "d", TWO_CLUSTERS) as cluster:
        cat = catalog(cluster)
        files = [_file(i) for i in range(COUNT)]
        cat.bulk_register(NewLogicalFile(
            name=f["name"], group=f["group"], directory="", part_mask="",
            parts=[PartRecord(1, cluster.environment.thor_cluster(f["group"]).nodes[0].name, 10)],
            attrs={"owner": f["owner"], "kind": f["kind"], "size": 10, "modified": f["modified"]})
            for f in files)
        cat.superfiles.create("data::supers::sf")
        cat.superfiles.add("data::supers::sf", [files[1]["name"], files[2]["name"]])
        q = FileQuery(cat)
        made = q.dfu_query(logical_name="data::supers::sf").rows[0].modified
        supers = {"data::supers::sf": {"name": "data::supers::sf", "owner": "", "kind": "",
                                       "group": "", "modified": made}}
        members = {files[1]["name"], files[2]["name"]}
        yield q, {f["name"]: f for f in files} | supers, members


def _defined(files: dict, members: set, kw: dict) -> list[str]:
    """The names `kw` matches, by the filter's definition (wsdfu.md §4.1)."""
    def ok(f: dict) -> bool:
        if kw.get("owner") and (not f["owner"] or f["owner"].lower() != kw["owner"].lower()):
            return False
        if kw.get("content_type"):
            same = bool(f["kind"]) and f["kind"].lower() == kw["content_type"].lower()
            if same == bool(kw.get("invert_content")):
                return False
        if kw.get("prefix") and not f["name"].startswith(kw["prefix"] + "::"):
            return False
        if kw.get("node_group") and f["group"] != kw["node_group"]:
            return False
        if kw.get("file_type") == "Not in Superfiles" and f["name"] in members:
            return False
        if kw.get("start_date") and not f["modified"][:19] >= kw["start_date"]:
            return False
        if kw.get("end_date") and not (f["modified"] and f["modified"][:19] <= kw["end_date"]):
            return False
        return True
    return sorted(n for n, f in files.items() if ok(f))


FILTERS = [
    {"owner": "alice"}, {"owner": "BOB"}, {"content_type": "csv"}, {"content_type": "KEY"},
    {"content_type": "csv", "invert_content": True}, {"prefix": "data"}, {"prefix": "data::a"},
    {"node_group": "mythor"}, {"node_group": "thor2"}, {"file_type": "Not in Superfiles"},
    {"start_date": "2024-01-02T00:00:00"}, {"end_date": "2024-01-02T23:59:59"},
    {"start_date": "2024-01-02T00:00:00", "end_date": "2024-01-02T00:00:00"},
    {"owner": "alice", "content_type": "csv"}, {"prefix": "data", "node_group": "thor2"},
]


@pytest.mark.parametrize("few_unmatched", [1_000, 3])
@pytest.mark.parametrize("kw", FILTERS, ids=lambda kw: ",".join(f"{k}={v}" for k, v in kw.items()))
def test_pages_and_counts_are_those_the_filter_defines(seeded, kw, few_unmatched):
    q, files, members = seeded
    q.few_unmatched = few_unmatched  # 3: the complement is too big, the matches are counted
    try:
        every = _defined(files, members, kw)
        assert every, "each case matches something"
        for descending in (False, True):
            ordered = every[::-1] if descending else every
            for start in (1, 8, len(every) - 2):
                r = q.dfu_query(page_size=7, page_start_from=start, descending=descending, **kw)
                assert [x.name for x in r.rows] == ordered[start - 1:start + 6]
                assert r.num_files == len(every)
        # another order reads through the general path: the same files and count
        r = q.dfu_query(page_size=1000, sort_by="Modified", descending=True, **kw)
        assert sorted(x.name for x in r.rows) == every and r.num_files == len(every)
        stamps = [x.modified for x in r.rows]
        assert stamps == sorted(stamps, reverse=True)
    finally:
        q.few_unmatched = FileQuery.few_unmatched


def test_a_stamp_is_compared_to_the_second(seeded):
    """Fractions of a second never move a file across a bound of whole seconds."""
    q, files, _ = seeded

    def found(**kw):
        return {x.name for x in q.dfu_query(page_size=1000, **kw).rows}
    late = {n for n, f in files.items() if f["modified"].startswith("2024-01-02T23:59:59")}
    assert any("." in files[n]["modified"] for n in late)
    assert late <= found(end_date="2024-01-02T23:59:59")
    assert not late & found(end_date="2024-01-02T23:59:58")
    assert late <= found(start_date="2024-01-02T23:59:59")
    assert not late & found(start_date="2024-01-03T00:00:00")
