"""The Roxie engine without HTTP: publishing, resolution outcomes, lock moves, the index cache,
record reading (fixed ECL layouts, CSV with a header and quotes) and a restart."""
from __future__ import annotations

import pytest

from .files_support import make_file, make_people, open_cluster
from wsservices.engine.errors import DomainError
from wsservices.engine.dali.files import DeleteFailed
from wsservices.engine.packagemaps.maps import PackageMaps
from wsservices.engine.roxie.server import QuerySetNotFound, RoxieError
from wsservices.engine.roxie.keys import build_index

CSV_ECL = "RECORD\n    STRING id;\n    STRING name;\nEND;"


def csv_file(cat, name: str, text: str, **attrs) -> None:
    make_file(cat, name, text.encode(), format="csv", kind="csv", ecl=CSV_ECL, csvSeparate="\\,",
              csvQuote='"', csvTerminate="\\n,\\r\\n", **attrs)


def superkey_map(cluster, pmid: str, query: str, superkey: str, subs: list[str]) -> None:
    content = "".join(f'<SubFile value="{s}"/>' for s in subs)
    PackageMaps.for_cluster(cluster).add("roxie", pmid, f'<RoxiePackages><Package id="{query}"><SuperFile '
                                                       f'id="{superkey}">{content}</SuperFile></Package>'
                                                       "</RoxiePackages>", activate=True, overwrite=True)


def holders(cat, name: str) -> list[str]:
    return [lk.holder for lk in cat.locks.locks_on(name)]


def test_fixed_layout_lookup_and_numeric_keys(cluster, cat):
    make_people(cat, "p::people", count=30)
    q = cluster.roxie.publish("roxie", "people", [("p::people", False)], ["ID"])
    assert (q.id, q.activated) == ("people.1", True)
    [res] = cluster.roxie.run("roxie", "people", {"id": "07"})        # numbers compare as numbers
    assert res.rows == ({"name": "n7", "id": 7},)
    assert cluster.roxie.run("roxie", "PEOPLE", {"id": "x"})[0].rows == ()
    assert holders(cat, "p::people") == ["roxie query roxie/people.1"]


def test_csv_header_quotes_and_several_rows_per_key(cat):
    csv_file(cat, "c::emp", 'id,name\n1,"Smith, J"\n2,"say ""hi"""\n1,second\n')
    index = build_index(cat, "c::emp", ["id"])
    assert index.count == 3 and index.fields == ("id", "name")
    assert index.find({"id": "1"}) == [{"id": "1", "name": "Smith, J"}, {"id": "1", "name": "second"}]
    assert index.find({"id": "2"}) == [{"id": "2", "name": 'say "hi"'}]
    assert index.find({}) == []


def test_outcomes_suspended_opt_unknown_and_compulsory(cluster, cat):
    roxie = cluster.roxie
    roxie.publish("roxie", "needs", [("x::missing", False)], ["id"])
    roxie.publish("roxie", "maybe", [("x::missing", True)], ["id"])
    with pytest.raises(RoxieError) as err:
        roxie.run("roxie", "needs", {})
    assert (err.value.code, err.value.message) == (
        1402, "Query needs.1 is suspended because Could not resolve filename x::missing")
    assert roxie.run("roxie", "maybe", {"id": "1"})[0].rows == ()
    with pytest.raises(RoxieError) as err:
        roxie.run("roxie", "nosuch", {})
    assert (err.value.code, err.value.message) == (1403, "Unknown query nosuch, in target roxie")
    with pytest.raises(QuerySetNotFound):
        roxie.run("mythor", "needs", {})
    pm = PackageMaps.for_cluster(cluster)
    pm.add("roxie", "m", "<RoxiePackages/>")                           # loaded, never activated
    with pytest.raises(RoxieError) as err:
        roxie.run("roxie", "maybe", {})
    assert err.value.code == 1450
    make_people(cat, "x::present")
    roxie.publish("roxie", "strict", [("x::present", False)], ["id"])
    pm.add("roxie", "m", '<RoxiePackages><Package id="strict" compulsory="1"/></RoxiePackages>', activate=True,
           overwrite=True)
    with pytest.raises(RoxieError) as err:
        roxie.run("roxie", "strict", {})
    assert err.value.message.endswith("Could not resolve filename x::present (Package is compulsory)")


def test_map_change_moves_locks_in_one_step(cluster, cat):
    for v in ("a", "b"):
        csv_file(cat, f"k::{v}", f"id,name\n1,{v}\n")
    cluster.roxie.publish("roxie", "q", [("~k::super", False)], ["id"])
    superkey_map(cluster, "m", "q", "~k::super", ["~k::a"])
    assert holders(cat, "k::a") == ["roxie query roxie/q.1"] and holders(cat, "k::b") == []
    assert cluster.roxie.run("roxie", "q", {"id": "1"})[0].rows[0]["name"] == "a"
    superkey_map(cluster, "m", "q", "~k::super", ["~k::a", "~k::b"])
    assert [r["name"] for r in cluster.roxie.run("roxie", "q", {"id": "1"})[0].rows] == ["a", "b"]
    superkey_map(cluster, "m", "q", "~k::super", ["~k::b"])
    assert holders(cat, "k::a") == [] and holders(cat, "k::b") == ["roxie query roxie/q.1"]
    cat.delete("k::a")
    with pytest.raises(DeleteFailed):
        cat.delete("k::b")
    cluster.roxie.unpublish("roxie", "q")
    assert holders(cat, "k::b") == []


def test_index_cache_reuses_unchanged_files(cluster, cat):
    csv_file(cat, "r::a", "id,name\n1,a\n")
    cluster.roxie.publish("roxie", "q", [("r::a", False)], ["id"])
    [before] = cluster.roxie.state("roxie").queries["q.1"].files[0].leaves
    PackageMaps.for_cluster(cluster).add("roxie", "m", "<RoxiePackages/>", activate=True)
    [after] = cluster.roxie.state("roxie").queries["q.1"].files[0].leaves
    assert after is before and len(cluster.roxie.cache) == 1


def test_unreadable_file_suspends_the_query_and_keeps_no_lock(cluster, cat):
    make_file(cat, "u::bad", b"xyz", ecl="RECORD garbage")
    cluster.roxie.publish("roxie", "q", [("u::bad", False)], ["id"])
    with pytest.raises(RoxieError) as err:
        cluster.roxie.run("roxie", "q", {})
    assert err.value.message == "Query q.1 is suspended because Could not process record description for 'u::bad'"
    assert holders(cat, "u::bad") == []


def test_restart_finds_queries_and_locks(tmp_path):
    with open_cluster(tmp_path / "d") as first:
        make_people(first.files, "s::p", count=5)
        first.roxie.publish("roxie", "q", [("s::p", False)], ["id"])
    with open_cluster(tmp_path / "d") as again:
        assert again.roxie.run("roxie", "q", {"id": 3})[0].rows == ({"name": "n3", "id": 3},)
        assert holders(again.files, "s::p") == ["roxie query roxie/q.1"]


def test_publish_errors(cluster):
    with pytest.raises(DomainError, match="Roxie target 'mythor' not found"):
        cluster.roxie.publish("mythor", "q", [], ["id"])
    with pytest.raises(DomainError, match="Invalid query name"):
        cluster.roxie.publish("roxie", "q.1", [], ["id"])
    with pytest.raises(DomainError, match="Key fields must be unique"):
        cluster.roxie.publish("roxie", "q", [], ["id", "ID"])
    assert cluster.roxie.queries("roxie") == []


def test_recreated_file_is_read_again_and_reset_forgets_everything(cluster, cat):
    csv_file(cat, "n::f", "id,name\n1,a\n")
    cluster.roxie.publish("roxie", "q", [("n::f", False)], ["id"])
    cluster.roxie.unpublish("roxie", "q")
    cat.delete("n::f")
    csv_file(cat, "n::f", "id,name\n1,b\n")          # same name, size and second: new part files
    cluster.roxie.publish("roxie", "q", [("n::f", False)], ["id"])
    assert cluster.roxie.run("roxie", "q", {"id": "1"})[0].rows == ({"id": "1", "name": "b"},)
    cluster.roxie.reset()
    assert len(cluster.roxie.cache) == 1 and cluster.roxie.run("roxie", "q", {"id": "1"})[0].rows[0]["name"] == "b"
