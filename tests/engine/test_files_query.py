"""DFUQuery / DFUFileView over the catalogue (dali/query.py): filters, sort, paging, rows."""
from __future__ import annotations

import pytest

from .files_support import TWO_CLUSTERS, make_file, open_cluster
from wsservices.engine.dali.query import FileQuery, iso_bound, scoped_match
from wsservices.engine.dali.files import PartRecord
from wsservices.engine.dali.catalog import catalog


@pytest.fixture
def q(cat):
    make_file(cat, "thor::a::one", b"x" * 100, owner="Alice", kind="flat", recordSize=10,
              modified="2024-01-05T10:00:00")
    make_file(cat, "thor::a::two", b"x" * 300, owner="bob", kind="csv", format="csv",
              modified="2024-02-01T00:00:00", recordCount=7)
    make_file(cat, "thor::b::idx", b"x" * 50, owner="alice", kind="key",
              modified="2024-03-01T00:00:00")
    make_file(cat, "other::three", b"", modified="2023-12-31T23:59:59")
    cat.superfiles.add("thor::sup", ["thor::a::one", "thor::a::two"])
    return FileQuery(cat)


def names(result):
    return [r.name for r in result.rows]


def test_default_lists_everything_by_name_with_defaults(q):
    r = q.dfu_query()
    assert names(r) == ["other::three", "thor::a::one", "thor::a::two", "thor::b::idx", "thor::sup"]
    assert (r.num_files, r.page_size, r.page_start_from, r.page_end_at) == (5, 100, 1, 5)
    assert (r.prev_page_from, r.next_page_from, r.last_page_from) == (-1, -1, -1)
    assert r.filters == "FileSizeFrom=-1&FileSizeTo=-1&PageSize=100"
    assert r.parameters_for_paging == r.filters and r.basic_query == "FileSizeFrom=-1&FileSizeTo=-1"
    sup = r.rows[-1]
    assert sup.is_superfile and sup.node_group == "" and sup.num_subfiles == 2
    assert sup.attrs["size"] == "400" and sup.super_owners is None
    one = r.rows[1]
    assert (one.node_group, one.num_parts, one.is_protected) == ("mythor", 1, False)


@pytest.mark.parametrize("kwargs, expected", [
    ({"logical_name": "THOR::A::*"}, ["thor::a::one", "thor::a::two"]),
    ({"logical_name": "thor::*"}, ["thor::a::one", "thor::a::two", "thor::b::idx", "thor::sup"]),
    ({"logical_name": "*::one"}, []),                      # * before :: stays in one scope level
    ({"logical_name": "*::*::one"}, ["thor::a::one"]),
    ({"logical_name": "*o*"}, ["other::three", "thor::a::one", "thor::a::two", "thor::b::idx",
                               "thor::sup"]),
    ({"logical_name": "thor::a::on?"}, ["thor::a::one"]),
    ({"logical_name": "thor::a"}, []),                     # no implicit *
    ({"logical_name": "~thor::*"}, []),                    # ~ is not stripped
    ({"prefix": "thor::a"}, ["thor::a::one", "thor::a::two"]),
    ({"prefix": "thor", "logical_name": "other::*"}, ["other::three"]),
    ({"owner": "ALICE"}, ["thor::a::one", "thor::b::idx"]),
    ({"owner": "b*"}, ["thor::a::two"]),
    ({"content_type": "key"}, ["thor::b::idx"]),
    ({"content_type": "key", "invert_content": True}, ["other::three", "thor::a::one",
                                                       "thor::a::two", "thor::sup"]),
    ({"file_type": "Superfiles Only"}, ["thor::sup"]),
    ({"file_type": "logical files only", "logical_name": "thor::*"},
     ["thor::a::one", "thor::a::two", "thor::b::idx"]),
    ({"file_type": "Not in Superfiles"}, ["other::three", "thor::b::idx", "thor::sup"]),
    ({"node_group": "mythor", "logical_name": "thor::*"},
     ["thor::a::one", "thor::a::two", "thor::b::idx"]),
    ({"node_group": "nosuch"}, []),
    ({"size_from": 100, "size_to": 300}, ["thor::a::one", "thor::a::two"]),
    ({"size_to": 60}, ["other::three", "thor::b::idx"]),
    ({"size_from": 0, "size_to": -1}, ["other::three", "thor::a::one", "thor::a::two",
                                       "thor::b::idx", "thor::sup"]),
    ({"start_date": "2024-01-05T10:00:00", "end_date": "2024-01-31", "logical_name": "thor::*"},
     ["thor::a::one"]),
    ({"end_date": "2024-02-01", "logical_name": "thor::a::*"}, ["thor::a::one", "thor::a::two"]),
    ({"start_date": "2024-02-01T00:00:00.000Z", "file_type": "Logical Files Only"},
     ["thor::a::two", "thor::b::idx"]),
])
def test_filters(q, kwargs, expected):
    assert names(q.dfu_query(**kwargs)) == expected


def test_sorting(q):
    base = {"file_type": "Logical Files Only"}
    assert names(q.dfu_query(sort_by="FileSize", **base)) == [
        "other::three", "thor::b::idx", "thor::a::one", "thor::a::two"]
    assert names(q.dfu_query(sort_by="FileSize", descending=True, **base))[0] == "thor::a::two"
    # Records sorts by the @recordCount attribute only (one has a record size, not a count)
    assert names(q.dfu_query(sort_by="Records", descending=True, **base))[0] == "thor::a::two"
    assert names(q.dfu_query(sort_by="Modified", descending=True, **base)) == [
        "thor::b::idx", "thor::a::two", "thor::a::one", "other::three"]
    assert names(q.dfu_query(sort_by="owner", **base)) == [
        "other::three", "thor::a::one", "thor::b::idx", "thor::a::two"]
    assert names(q.dfu_query(sort_by="ContentType", **base))[1:] == [
        "thor::a::two", "thor::a::one", "thor::b::idx"]
    assert names(q.dfu_query(sort_by="nonsense", **base)) == sorted(names(q.dfu_query(**base)))


def test_paging_numbers(cat):
    for i in range(23):
        make_file(cat, f"pg::f{i:02d}", b"1")
    q = FileQuery(cat)
    r = q.dfu_query(logical_name="pg::*", page_size=5, page_start_from=11)
    assert names(r) == [f"pg::f{i:02d}" for i in range(10, 15)]
    assert (r.page_start_from, r.page_end_at, r.prev_page_from) == (11, 15, 6)
    assert (r.next_page_from, r.last_page_from, r.num_files) == (16, 21, 23)
    assert r.filters == "LogicalName=pg::*&FileSizeFrom=-1&FileSizeTo=-1&PageSize=5"
    r = q.dfu_query(logical_name="pg::*", page_size=5, page_start_from=3, sort_by="Name",
                    descending=True)
    assert (r.prev_page_from, names(r)[0]) == (1, "pg::f20")
    assert r.parameters_for_paging.endswith("&PageSize=5&Sortby=Name&Descending=1")
    assert r.basic_query == "LogicalName=pg::*&FileSizeFrom=-1&FileSizeTo=-1&Sortby=Name&Descending=1"
    r = q.dfu_query(logical_name="pg::*", page_size=5, page_start_from=21)
    assert (len(r.rows), r.next_page_from, r.last_page_from) == (3, -1, -1)
    r = q.dfu_query(logical_name="pg::*", first_n=3, page_size=5, page_start_from=21)
    assert names(r) == ["pg::f00", "pg::f01", "pg::f02"] and r.page_size == 3
    r = q.dfu_query(logical_name="pg::*", max_files=20)
    assert r.is_subset and r.num_files == 20 and len(r.rows) == 20
    assert r.warning == ("The returned results (20 files) represent a subset of the total number "
                         "of matches. Using a correct filter may reduce the number of matches.")
    assert q.dfu_query(one_level=True).empty


def test_super_owners_and_protection_on_rows(q, cat):
    cat.set_protect("thor::a::one", "hpcc")
    rows = {r.name: r for r in q.dfu_query(logical_name="thor::*", include_super_owners=True).rows}
    assert rows["thor::a::one"].super_owners == ["thor::sup"]
    assert rows["thor::b::idx"].super_owners == []
    assert rows["thor::a::one"].is_protected and not rows["thor::a::two"].is_protected


def test_multi_cluster_files_give_one_row_per_group(tmp_path):
    with open_cluster(tmp_path / "d", TWO_CLUSTERS) as c:
        cat = catalog(c)
        make_file(cat, "mc::f", b"abc")
        node = c.environment.thor_cluster("thor2").nodes[0].name
        p = c.datadir.part_path(node, "mc::f", 1, 1)
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(b"abc")
        cat.add_cluster("mc::f", "thor2", [PartRecord(1, node, 3)])
        make_file(cat, "mc::g", b"1")
        q = FileQuery(cat)
        r = q.dfu_query(logical_name="mc::*")
        assert [(x.name, x.node_group) for x in r.rows] == [
            ("mc::f", "mythor"), ("mc::f", "thor2"), ("mc::g", "mythor")]
        assert r.num_files == 3
        r = q.dfu_query(logical_name="mc::*", node_group="thor2")
        assert [(x.name, x.node_group) for x in r.rows] == [("mc::f", "thor2")]
        assert [x.node_group for x in q.dfu_query(logical_name="mc::*", sort_by="NodeGroup",
                                                  descending=True).rows][0] == "thor2"


def test_scope_view(q):
    scope, rows, count = q.scope_view("")
    assert count == 0 and [(r.directory, r.is_directory) for r in rows] == [("other", True), ("thor", True)]
    scope, rows, count = q.scope_view("THOR")
    assert scope == "THOR" and count == 1
    assert [(r.name or r.directory, r.is_directory) for r in rows] == [
        ("thor::sup", False), ("a", True), ("b", True)]
    scope, rows, count = q.scope_view("thor::a")
    assert sorted(r.name for r in rows) == ["thor::a::one", "thor::a::two"] and count == 2


def test_root_scope_files_live_in_dot(cat):
    make_file(cat, "lonely", b"1")
    q = FileQuery(cat)
    assert [r.directory for r in q.scope_view("")[1]] == ["."]
    assert [r.name for r in q.scope_view(".")[1]] == [".::lonely"]


def test_helpers():
    assert scoped_match("a::b::c", "*::c") is False
    assert scoped_match("a::c", "*::c") and scoped_match("a::b::c", "a::*")
    assert iso_bound("2024-01-02") == "2024-01-02T00:00:00"
    assert iso_bound("2024-01-02T03:04:05.123Z") == "2024-01-02T03:04:05"
    assert iso_bound("garbage") == ""


# -- filters served by indexes (tail, name and owner ranges, size and date ranges): the same
#    answers as the filters' own definitions, on names shaped to trip a wrong narrowing

SHAPES = ["bench::s1::file0001", "bench::s2::file0002", "bench::s1::sub::file0003", "bench::file0004",
          "other::s1::file0005", "bench::s3::file000x", "bench::s1::filez", "bench::s11::file0001x"]
PATTERNS = ["bench::*::file000?", "bench::*::file0001", "*::s1::file*", "bench::s?::file000?",
            "bench::*::file*", "*::file000?", "bench::s1*", "bench::s1::*", "b*h::*::f?le0003",
            "bench::*::sub::file0003", "*::*::file0001", "bench::**::file000?", "bench::*::fil?0001x"]


def _by_definition(name: str, pattern: str) -> bool:
    from wsservices.engine.jlib.wildcards import wildmatch
    head = pattern.split("::")
    scoped = len(head) > 1 and any(ch in "*?" for ch in "::".join(head[:-1]))
    return wildmatch(name, pattern) and (not scoped or scoped_match(name, pattern))


@pytest.mark.parametrize("pattern", PATTERNS)
def test_index_narrowed_name_patterns_match_as_defined(cat, pattern):
    for i, name in enumerate(SHAPES):
        make_file(cat, name, b"x" * (10 + i), owner=["Alice", "alfred", "bob", ""][i % 4],
                  modified=f"2024-01-0{1 + i % 5}T12:00:00.{i}")
    got = sorted(r.name for r in FileQuery(cat).dfu_query(logical_name=pattern, page_size=100).rows)
    assert got == sorted(n for n in SHAPES if _by_definition(n, pattern))


def test_owner_size_and_date_filters_served_by_indexes_keep_their_meaning(cat):
    for i, name in enumerate(SHAPES):
        make_file(cat, name, b"x" * (10 + i), owner=["Alice", "alfred", "bob", ""][i % 4],
                  modified=f"2024-01-0{1 + i % 5}T12:00:00.{i}")
    q = FileQuery(cat)

    def found(**kw):
        return sorted(r.name for r in q.dfu_query(page_size=100, **kw).rows)
    assert found(owner="ALICE") == sorted(SHAPES[i] for i in (0, 4))
    assert found(owner="AL*") == sorted(SHAPES[i] for i in (0, 1, 4, 5))
    assert found(owner="*f*") == sorted(SHAPES[i] for i in (1, 5))
    assert found(size_from=12, size_to=13) == sorted(SHAPES[i] for i in (2, 3))
    # a fractional second on the end day still counts as that second (seconds compared)
    assert found(start_date="2024-01-02T12:00:00", end_date="2024-01-03T12:00:00") == \
        sorted(SHAPES[i] for i in (1, 2, 6, 7))
    assert found(node_group="mythor", owner="bob") == sorted(SHAPES[i] for i in (2, 6))


def test_columns_kept_by_triggers_follow_every_change(q, cat):
    """Skews, superfile membership and the reversed name (migration 10) follow the changes
    that make them: the filters answer as the attributes and members say, after each one."""
    cat.set_attrs("thor::a::one", {"maxSkew": 15, "minSkew": "7"})
    cat.set_attrs("thor::a::two", {"maxSkew": "30"})
    assert names(q.dfu_query(max_skew_from=10, max_skew_to=20)) == ["thor::a::one"]
    assert names(q.dfu_query(min_skew_from=5)) == ["thor::a::one"]
    # an upper bound alone counts an absent skew as 0, as before
    assert names(q.dfu_query(max_skew_to=20, logical_name="thor::a::*")) == ["thor::a::one"]
    cat.set_attrs("thor::a::one", {"maxSkew": None})
    assert names(q.dfu_query(max_skew_from=10, max_skew_to=20)) == []
    assert names(q.dfu_query(max_skew_from=25)) == ["thor::a::two"]
    cat.superfiles.remove("thor::sup", ["thor::a::one"])
    assert names(q.dfu_query(file_type="Not in Superfiles")) == \
        ["other::three", "thor::a::one", "thor::b::idx", "thor::sup"]
    cat.superfiles.add("thor::sup2", ["thor::a::two", "thor::b::idx"])
    assert names(q.dfu_query(file_type="Not in Superfiles")) == \
        ["other::three", "thor::a::one", "thor::sup", "thor::sup2"]
    cat.superfiles.remove("thor::sup2", ["thor::b::idx"])
    assert "thor::b::idx" in names(q.dfu_query(file_type="Not in Superfiles"))
    assert names(q.dfu_query(logical_name="*idx")) == ["thor::b::idx"]
    cat.rename("thor::b::idx", "thor::b::index")
    assert names(q.dfu_query(logical_name="*idx")) == []
    assert names(q.dfu_query(logical_name="*ndex")) == ["thor::b::index"]
    assert names(q.dfu_query(logical_name="*DEX")) == ["thor::b::index"]


def test_the_inverted_content_type_keeps_files_without_one(q):
    assert names(q.dfu_query(content_type="CSV", invert_content=True)) == \
        ["other::three", "thor::a::one", "thor::b::idx", "thor::sup"]
    assert names(q.dfu_query(content_type="*", invert_content=True)) == []
    assert names(q.dfu_query(content_type="*")) == ["thor::a::one", "thor::a::two", "thor::b::idx"]


def test_a_page_read_in_name_order_is_the_same_page(cat):
    """Many matches: the page is read by walking the names (dali/query.py `_by_name`); the rows
    and their order are those of the filter's own plan."""
    for i in range(60):
        make_file(cat, f"t::s{i % 3}::f{i:03d}", b"x", owner=["ann", "bo"][i % 2], kind="csv")
    q = FileQuery(cat)
    for kw in ({"owner": "an*"}, {"content_type": "csv"}, {"node_group": "mythor"}):
        got = [(r.name, r.node_group) for r in q.dfu_query(page_size=7, page_start_from=8, **kw).rows]
        every = [(r.name, r.node_group) for r in q.dfu_query(page_size=1000, **kw).rows]
        assert got == every[7:14] and len(got) == 7


def test_a_deep_page_of_few_matches_is_the_same_page(cat):
    for i in range(40):
        make_file(cat, f"t::d::f{i:03d}", b"x", owner="ann" if i % 3 else "bo")
    q = FileQuery(cat)
    every = [r.name for r in q.dfu_query(owner="bo", page_size=1000).rows]
    assert [r.name for r in q.dfu_query(owner="bo", page_size=3, page_start_from=4).rows] == every[3:6]
    assert [r.name for r in q.dfu_query(owner="bo", page_size=3, page_start_from=6000).rows] == []
