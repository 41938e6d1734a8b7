"""Package maps against queries: ValidatePackage (§3.12, §6), GetQueryFileMapping (§3.13) and the
resolver the emulated Roxie uses (§4.2, §4.5, §5). Queries are written straight into the query
tables, as the Roxie publishing code will."""
from __future__ import annotations

import pytest

from wsservices.engine.errors import DomainError
from wsservices.engine.environment import Environment
from wsservices.engine.packagemaps.maps import PackageMaps, UpdateOptions
from wsservices.engine.packagemaps.model import wildcard_match

from .pkg_support import add_file


def publish(store, query_id: str, files=(), libraries=(), query_set="roxie", alias=True, package=None,
            is_library=False) -> None:
    """A published query: `files` are names or (name, optional) pairs, one row per reference."""
    name, _, seq = query_id.rpartition(".")
    store.execute("INSERT INTO queries(query_set, id, name, seq, is_library, package) VALUES (?, ?, ?, ?, ?, ?)",
                  (query_set, query_id, name, int(seq), int(is_library), package))
    for i, f in enumerate(files):
        fname, opt = (f, False) if isinstance(f, str) else f
        store.execute("INSERT INTO query_files(query_set, query_id, ord, file_name, optional) VALUES (?, ?, ?, ?, ?)",
                      (query_set, query_id, i, fname, int(opt)))
    for lib in libraries:
        store.execute("INSERT INTO query_libraries(query_set, query_id, library) VALUES (?, ?, ?)",
                      (query_set, query_id, lib))
    if alias:
        store.execute("INSERT OR REPLACE INTO query_aliases(query_set, name, id) VALUES (?, ?, ?)",
                      (query_set, name, query_id))


def err(fn, *args, **kw) -> DomainError:
    with pytest.raises(DomainError) as info:
        fn(*args, **kw)
    return info.value


TOY = ('<RoxiePackages>'
       '<Package id="toy_query"><Base id="toy_data"/></Package>'
       '<Package id="toy_data"><SuperFile id="~employee::id_lookup_super">'
       '<SubFile value="~employee::id_lookup_v3"/></SuperFile></Package>'
       '</RoxiePackages>')


# ------------------------------------------------------------------------------ ValidatePackage

def test_validate_request_errors(pm):
    assert (err(pm.validate, "").code, err(pm.validate, "").message) == (11004, "Target cluster required")
    e = err(pm.validate, "roxie")
    assert (e.code, e.message) == (20052, "Please specify PMID or Package Map content")
    e = err(pm.validate, "roxie", info="   ")
    assert (e.code, e.message) == (11011, "Error processing package file content")
    assert err(pm.validate, "roxie", info="<RoxiePackages>").code == 1
    e = err(pm.validate, "nosuch", info=TOY)
    assert (e.code, e.message) == (11004, "Target cluster not found")
    e = err(pm.validate, "thor", info=TOY)
    assert (e.code, e.message) == (11004, "Roxie process not found")
    e = err(pm.validate, "roxie", active=True)
    assert (e.code, e.message) == (11010, "Active package map not found")
    e = err(pm.validate, "roxie", pmid="Nope")
    assert (e.code, e.message) == (11010, "Package map Nope not found")


@pytest.mark.parametrize("info, message, code", [
    ('<RoxiePackages><Package/></RoxiePackages>', "Invalid package map - Package element missing id attribute", 5201),
    ('<RoxiePackages><Package id="a"><Base/></Package></RoxiePackages>',
     "PACKAGE_ERROR: base element missing id attribute", 5201),
    ('<RoxiePackages><Package id="a"><Base id="zz"/></Package></RoxiePackages>',
     "PACKAGE_ERROR: base package zz not found", 5203),
    ('<RoxiePackages><Package id="a"><Base id="b"/></Package><Package id="B"><Base id="A"/></Package></RoxiePackages>',
     "PACKAGE_ERROR: circular or invalid base package definition", 0),
    ('<RoxiePackages><Package id="a"><Environment id="x"/></Package></RoxiePackages>',
     'PACKAGE_ERROR: Environment element missing id or value: <Environment id="x"/>', 5201),
])
def test_validate_load_errors(pm, info, message, code):
    e = err(pm.validate, "roxie", info=info)
    assert (e.code, e.message) == (code, message)


def test_validate_without_queries(pm):
    """§6 steps 2-3: superfile checks; no queries = warning and no unused-package report."""
    info = ('<RoxiePackages><Package id="p"><SuperFile id="empty"/><SuperFile id="placeholder"><SubFile/>'
            '</SuperFile><SuperFile><SubFile value="x"/></SuperFile></Package></RoxiePackages>')
    [r] = pm.validate("roxie", info=info)
    assert (r.target, r.pmid) == ("roxie", "")
    assert r.errors == ["SuperFile has no id attribute"]
    assert r.warnings == ["Package['p']/SuperFile['empty'] has no SubFiles defined", "No Queries found"]
    assert r.unmatched_packages == []
    assert pm.validate("roxie", info=info, ignore_warnings=True)[0].warnings == []


def test_validate_against_queries(pm, store):
    """§6 steps 3-5 and §11.5."""
    publish(store, "toy_query.1", ["employee::id_lookup_super", "~Other::File", ("opt::file", True)])
    publish(store, "orphan.1", ["x::y"])
    publish(store, "comp.2", ["c::mapped", "c::unmapped"])
    info = TOY.replace("</RoxiePackages>",
                       '<Package id="unused"/><Package id="comp" compulsory="1"><SuperFile id="c::mapped">'
                       '<SubFile value="z"/></SuperFile></Package></RoxiePackages>')
    [r] = pm.validate("roxie", info=info)
    assert r.unmatched_files == ["toy_query.1/other::file", "toy_query.1/opt::file/Optional", "orphan.1/x::y",
                                 "comp.2/c::unmapped/Compulsory"]
    assert r.unmatched_queries == ["orphan.1"]
    assert r.unmatched_packages == ["unused"]
    assert r.errors == ["Compulsory query comp.2 has query files not defined in package comp"]
    [r] = pm.validate("roxie", info=info, ignore_optional_files=True, queries_to_ignore=["ORPH*", "comp.2"])
    assert r.unmatched_files == ["toy_query.1/other::file"]
    assert r.unmatched_packages == ["unused", "comp"]


def test_validate_queries_to_verify(pm, store):
    publish(store, "toy_query.1", ["employee::id_lookup_super"])
    publish(store, "other.1", ["o::f"])
    [r] = pm.validate("roxie", info=TOY, queries_to_verify=["toy_query.1", "toy_query"], query_id="toy_query.1")
    assert r.errors == ["Query toy_query not found in roxie queryset"]  # exact ids, no aliases
    assert r.unmatched_files == []
    [r] = pm.validate("roxie", info=TOY, query_id="nothing.1")
    assert r.errors == ["Query nothing.1 not found in roxie queryset"]
    assert r.warnings == ["No Queries found"]


def test_validate_one_base_level_only(pm, store):
    """Q5: a superfile two Base levels down is unmatched for ESP."""
    publish(store, "q.1", ["deep::super"])
    info = ('<RoxiePackages><Package id="q"><Base id="mid"/></Package><Package id="mid"><Base id="bottom"/></Package>'
            '<Package id="bottom"><SuperFile id="deep::super"><SubFile value="x"/></SuperFile></Package></RoxiePackages>')
    assert pm.validate("roxie", info=info)[0].unmatched_files == ["q.1/deep::super"]


def test_validate_libraries(pm, store):
    publish(store, "main.1", ["shared::super"], libraries=["lib"])
    publish(store, "lib.1", [], is_library=True)
    publish(store, "main2.1", [], libraries=["nolib"])
    info = ('<RoxiePackages><Package id="main"><SuperFile id="shared::super"><SubFile value="a"/></SuperFile></Package>'
            '<Package id="lib"><SuperFile id="shared::super"><SubFile value="b"/></SuperFile></Package>'
            '<Package id="main2"/></RoxiePackages>')
    [r] = pm.validate("roxie", info=info, queries_to_verify=["main.1", "main2.1"])
    assert r.warnings == ["For query main.1 SuperFile shared::super defined in package main redefined for "
                          "library lib in package lib"]
    assert r.unmatched_queries == ["nolib"]
    assert r.unmatched_packages == []


def test_validate_stored_maps_and_check_dfs(pm, store):
    add_file(store, "employee::id_lookup_v3")
    pm.add("roxie", "m", TOY.replace("</SuperFile>", '<SubFile value="gone::file"/></SuperFile>'), activate=True)
    [r] = pm.validate("roxie", pmid="m", check_dfs=True)
    assert (r.pmid, r.not_in_dfs) == ("roxie::m", ["gone::file"])
    assert pm.validate("roxie", pmid="roxie::m")[0].pmid == "roxie::m"
    assert err(pm.validate, "roxie", pmid="M").code == 11010  # PMIDs are not lower-cased
    assert err(pm.validate, "roxie", pmid="m", global_scope=True).code == 11010
    assert pm.validate("roxie", active=True)[0].pmid == "roxie::m"
    assert [r.target for r in pm.validate("*", info=TOY)] == ["roxie", "roxie2"]


def test_validate_active_uses_the_roxie_process_package_set(pm, store):
    pm.add("roxie", "procmap", TOY, activate=True, options=UpdateOptions(process="myroxie"))
    pm.add("roxie", "starmap", TOY, activate=True)
    assert pm.validate("roxie", active=True)[0].pmid == "roxie::procmap"
    pm.add("*", "wild", TOY, activate=True, options=UpdateOptions(process="other"))
    assert pm.validate("roxie2", active=True)[0].pmid == "*::wild"


# ------------------------------------------------------------------------------ GetQueryFileMapping

def test_query_file_mapping_errors(pm, store):
    e = err(pm.query_file_mapping, "roxie", "")
    assert (e.code, e.message) == (11013, "Query name required")
    assert err(pm.query_file_mapping, "", "q").message == "Target cluster required"
    e = err(pm.query_file_mapping, "nosuch", "q")
    assert (e.code, e.message) == (11004, "Unable to find target cluster")
    e = err(pm.query_file_mapping, "thor", "q")
    assert (e.code, e.message) == (11012, "Roxie target required")
    e = err(pm.query_file_mapping, "roxie", "q")
    assert (e.code, e.message) == (11010, "Active package map not found")
    e = err(pm.query_file_mapping, "roxie", "Toy_Query", pmid="unknown")
    assert (e.code, e.message) == (5204, "Query Toy_Query not found")


def test_query_file_mapping(pm, store):
    publish(store, "toy_query.1", ["~Employee::ID_Lookup_Super", "not::mapped", "empty::super"])
    store.execute("INSERT INTO query_aliases(query_set, name, id) VALUES ('roxie', 'nick', 'toy_query')")
    info = TOY.replace("</SuperFile>", '<SubFile value="~Employee::V4"/></SuperFile><SuperFile id="empty::super"/>')
    pm.add("roxie", "qf", info, activate=True)
    for name in ("toy_query", "TOY_QUERY.1", "nick"):
        m = pm.query_file_mapping("roxie", name)
        assert m.unmapped == ["not::mapped"]
        assert m.superfiles == [("employee::id_lookup_super", ["employee::v4", "employee::id_lookup_v3"])]
    m = pm.query_file_mapping("roxie", "toy_query", pmid="no_such_pmid")
    assert m.unmapped == ["employee::id_lookup_super", "not::mapped", "empty::super"] and m.superfiles == []
    assert pm.query_file_mapping("roxie", "toy_query", pmid="qf").superfiles[0][0] == "employee::id_lookup_super"


# ------------------------------------------------------------------------------ resolver

def test_resolve_blog_flow_with_virtual_superkey(pm, store):
    """§11.1: toy_query.1 resolves the superkey to its subfile with no Dali superfile present."""
    add_file(store, "employee::id_lookup_v3")
    pm.add("roxie", "toy_query_packagemap.xml", TOY, activate=True)
    res = pm.resolve("roxie", "toy_query.1")
    assert (res.served, res.pmid, res.package, res.error) == (True, "roxie::toy_query_packagemap.xml", "toy_query", None)
    assert res.superfiles == {"employee::id_lookup_super": ("employee::id_lookup_v3",)}
    assert res.lookup("~Employee::ID_Lookup_Super") == ("employee::id_lookup_v3",)
    assert res.lookup("other::file") is None


def test_resolve_package_matching(pm, store):
    """§4.5: id, id without .N, @queries pattern (load order), root package; registry package."""
    for name in ("a::1", "b::1", "c::1", "d::1"):
        add_file(store, name)
    info = ('<RoxiePackages>'
            '<Package id="exact.2"><SuperFile id="s"><SubFile value="a::1"/></SuperFile></Package>'
            '<Package id="exact"><SuperFile id="s"><SubFile value="b::1"/></SuperFile></Package>'
            '<Package id="pat1" queries="pat*"><SuperFile id="s"><SubFile value="c::1"/></SuperFile></Package>'
            '<Package id="pat2" queries="p*"><SuperFile id="s"><SubFile value="d::1"/></SuperFile></Package>'
            '</RoxiePackages>')
    pm.add("roxie", "match", info, activate=True)
    assert pm.resolve("roxie", "EXACT.2").lookup("s") == ("a::1",)
    assert pm.resolve("roxie", "exact.3").lookup("s") == ("b::1",)
    assert pm.resolve("roxie", "pattern.1").lookup("s") == ("c::1",)
    assert pm.resolve("roxie", "plain.1").lookup("s") == ("d::1",)
    root = pm.resolve("roxie", "zzz.1")
    assert (root.package, root.superfiles, root.served) == (None, {}, True)
    publish(store, "zzz.1", package="pat2")
    assert pm.resolve("roxie", "zzz.1").package == "pat2"
    publish(store, "yyy.1", package="missing")
    assert pm.resolve("roxie", "yyy.1").error == "Package missing specified by query yyy.1 not found"


def test_resolve_bases_parts_and_subfile_rules(pm, store):
    """§4.3 (later part wins), §5 step 2 (any Base depth, nested package superfiles, skipping)."""
    for name in ("d::one", "d::two", "d::base"):
        add_file(store, name)
    add_file(store, "d::dali_super", superfile=True)
    pm.add_part("roxie", "parts", "query.pkg",
                '<RoxiePackages><Package id="q"><Base id="data"/></Package></RoxiePackages>')
    pm.activate("roxie", "parts")
    res = pm.resolve("roxie", "q.1")
    assert res.served and res.superfiles == {}  # the data part is not there yet: the map fails to load
    assert res.failed_maps == (("roxie::parts", "PACKAGE_ERROR: base package data not found"),)
    pm.add_part("roxie", "parts", "data.pkg",
                '<RoxiePackages><Package id="data"><Base id="deeper"/>'
                '<SuperFile id="~Virtual::Key"><SubFile value="~d::one"/><SubFile/><SubFile value="missing::x"/>'
                '<SubFile value="inner::super"/><SubFile value="d::dali_super"/></SuperFile>'
                '<SuperFile id="inner::super"><SubFile value="d::two"/></SuperFile>'
                '<SuperFile id="nothing::resolves"><SubFile value="missing::y"/></SuperFile>'
                '</Package><Package id="deeper"><SuperFile id="base::super"><SubFile value="d::base"/></SuperFile>'
                '<SuperFile id="virtual::key"><SubFile value="d::base"/></SuperFile></Package></RoxiePackages>')
    res = pm.resolve("roxie", "q.1")
    assert res.failed_maps == ()
    assert res.superfiles == {"virtual::key": ("d::one", "d::two", "d::dali_super"),
                              "inner::super": ("d::two",), "base::super": ("d::base",)}
    assert res.unresolved == ("nothing::resolves",)
    pm.add_part("roxie", "parts", "late.pkg",
                '<RoxiePackages><Package id="data"><SuperFile id="virtual::key"><SubFile value="d::two"/>'
                '</SuperFile></Package></RoxiePackages>')
    assert pm.resolve("roxie", "q.1").superfiles == {"virtual::key": ("d::two",)}  # data replaced, no Base


def test_resolve_self_containing_superfile_is_a_load_error(pm, store):
    pm.add("roxie", "selfref", '<RoxiePackages><Package id="q"><SuperFile id="s"><SubFile value="~S"/>'
                               '</SuperFile></Package></RoxiePackages>', activate=True)
    assert pm.resolve("roxie", "q.1").error == "Superfile s contains itself as a subfile"


def test_resolve_activation_views(store):
    """§4.2, §5.5, §5.6, Q1: which map answers, and when a target is not served."""
    env = Environment.from_mapping({"roxie": [{"name": "roxie"}, {"name": "roxie2", "process": "myroxie"}]})
    esp_view = PackageMaps(store, env)
    roxie_view = PackageMaps(store, env, missing_active_means_active=True)
    assert esp_view.resolve("roxie", "q.1").served  # no maps at all: the empty "<none>" map
    esp_view.add("roxie", "first", '<RoxiePackages/>')
    res = esp_view.resolve("roxie", "q.1")
    assert (res.served, res.reason) == (False, "no_packages_active")
    assert (roxie_view.resolve("roxie", "q.1").pmid) == "roxie::first"
    esp_view.add("roxie2", "other", '<RoxiePackages/>', activate=True)
    assert esp_view.resolve("roxie", "q.1").reason == "not_active_for_target"
    esp_view.add("roxie", "second", '<RoxiePackages/>', activate=True)
    assert esp_view.resolve("roxie", "q.1").pmid == "roxie::second"
    assert roxie_view.resolve("roxie", "q.1").pmid == "roxie::first"  # the earlier entry wins
    esp_view.add("roxie", "global", '<RoxiePackages/>', activate=True, options=UpdateOptions(global_scope=True))
    assert esp_view.resolve("roxie", "q.1").pmid == "roxie::second"  # empty querySet: never loaded (Q9)
    esp_view.add("*", "star", '<RoxiePackages/>', activate=True, options=UpdateOptions(process="my*"))
    assert esp_view.resolve("roxie", "q.1").pmid == "roxie::second"  # set order first
    esp_view.deactivate("roxie", "second")
    assert esp_view.resolve("roxie", "q.1").pmid == "*::star"
    assert esp_view.resolve("roxie", "q.1", process="elsewhere").reason == "not_active_for_target"


def test_wildcards():
    assert wildcard_match("MY*", "myroxie") and wildcard_match("r?xie", "ROXIE")
    assert not wildcard_match("", "x") and not wildcard_match("roxie", "roxie2")
    assert wildcard_match("a.b[1]", "A.B[1]")
