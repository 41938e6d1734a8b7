"""Package maps on a real store: ids, parts, PackageSets, activation, listing, copy, deletion.

Every expectation is from packageprocess.md (section numbers in the test names' docstrings).
"""
from __future__ import annotations

import threading

import pytest

from wsservices.engine.errors import DomainError
from wsservices.engine.packagemaps.maps import MapRef, UpdateOptions, package_set_id

from .pkg_support import add_file

TOY = ('<RoxiePackages>'
       '<Package id="toy_query"><Base id="toy_query_data_pkg"/></Package>'
       '<Package id="toy_query_data_pkg"><SuperFile id="~Employee::ID_Lookup_Super">'
       '<SubFile value="~Employee::ID_Lookup_V3"/></SuperFile></Package>'
       '</RoxiePackages>')


def err(fn, *args, **kw) -> DomainError:
    with pytest.raises(DomainError) as info:
        fn(*args, **kw)
    return info.value


def entries(store):
    return [(r["set_id"], r["map_id"], r["query_set"], r["active"]) for r in store.query(
        "SELECT * FROM package_set_entries ORDER BY ord")]


# ------------------------------------------------------------------------------ AddPackage

def test_add_builds_lowercase_pmid_and_one_part_named_as_sent(pm, store):
    """§3.2 steps 1, 7, 10-12 and the blog flow (§11.1)."""
    result = pm.add("roxie", "Toy_Query_PackageMap.xml", TOY, activate=True)
    assert result.pmid == "roxie::toy_query_packagemap.xml"
    assert result.description == "Successfully loaded Toy_Query_PackageMap.xml"
    assert result.files_not_found == ["employee::id_lookup_v3"]
    assert [tuple(r) for r in store.query("SELECT map_id, ord, part_id FROM package_map_parts")] == [
        ("roxie::toy_query_packagemap.xml", 1, "Toy_Query_PackageMap.xml")]
    assert entries(store) == [("default_#", "roxie::toy_query_packagemap.xml", "roxie", 1)]
    assert pm.get_active("roxie") == (
        '<PackageMaps id="roxie::toy_query_packagemap.xml" multipart="1">\n'
        ' <Part id="Toy_Query_PackageMap.xml">\n'
        '  <Package id="toy_query">\n'
        '   <Base id="toy_query_data_pkg"/>\n'
        '  </Package>\n'
        '  <Package id="toy_query_data_pkg">\n'
        '   <SuperFile id="employee::id_lookup_super">\n'
        '    <SubFile value="Employee::ID_Lookup_V3"/>\n'
        '   </SuperFile>\n'
        '  </Package>\n'
        ' </Part>\n'
        '</PackageMaps>\n')


def test_files_not_found_lists_missing_subfiles_and_files_only(pm, store):
    """§3.2 step 8: SubFile and File values, normalised; SuperFile ids never count."""
    add_file(store, "thor::present")
    info = ('<RoxiePackages><Package id="p"><SuperFile id="virtual_only">'
            '<SubFile value="~THOR::Present"/><SubFile value="thor::Missing"/><SubFile/></SuperFile>'
            '<File value="~thor::declared"/></Package></RoxiePackages>')
    assert pm.add("roxie", "files.pkg", info).files_not_found == ["thor::missing", "thor::declared"]


def test_file_values_are_left_untouched_and_preload_is_set(pm):
    pm.add("roxie", "pre.pkg", '<RoxiePackages><Package id="p"><File value="~A::B"/></Package></RoxiePackages>',
           options=UpdateOptions(preload_all=True))
    part = pm.get_part("roxie", "pre.pkg", "pre.pkg")
    assert part == '<Part id="pre.pkg">\n <Package id="p" preload="1">\n  <File value="~A::B"/>\n </Package>\n</Part>\n'


def test_foreign_files(pm, store):
    info = '<RoxiePackages><Package id="p"><SuperFile id="s"><SubFile value="~foreign::10.0.0.1::thor::x"/></SuperFile></Package></RoxiePackages>'
    e = err(pm.add, "roxie", "foreign.pkg", info, options=UpdateOptions(allow_foreign_files=False))
    assert (e.code, e.message) == (-1, "Foreign file not allowed (declared in package): thor::x")
    assert store.query("SELECT * FROM package_maps") == []
    assert pm.add("roxie", "foreign.pkg", info).files_not_found == ["thor::x"]


def test_add_checks_in_esp_order(pm):
    """§3.2 steps 1, 5, 6 (and §11.4)."""
    assert (err(pm.add, "", "", "x").code, err(pm.add, "", "", "x").message) == \
        (11001, "PackageMap name parameter required")
    assert err(pm.add, "", "m", "x").message == "Target cluster parameter required"
    e = err(pm.add, "nosuch", "m", TOY)
    assert (e.code, e.message) == (11004, "Could not find information about target cluster nosuch ")
    e = err(pm.add, "roxie", "m", "")
    assert (e.code, e.message) == (11014, "No PackageMap content provided")
    assert err(pm.add, "roxie", "m", "  \n ").code == 11014
    e = err(pm.add, "roxie", "m", "<RoxiePackages><Package id='x'>")
    assert e.code == 1 and e.message.startswith('Error - end of stream "Premature end of data')
    assert "[line 1, file offset 31]" in e.message
    e = err(pm.add, "roxie", "m", "<RoxiePackages><Package></RoxiePackages>")
    assert e.code == 2 and e.message.startswith('Error - syntax error "Opening and ending tag mismatch')


def test_hostile_content_is_a_syntax_error(pm, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    for info in [f'<!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]><RoxiePackages>&x;</RoxiePackages>',
                 '<!DOCTYPE r [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;">]><r>&b;</r>',
                 "<RoxiePackages>&undefined;</RoxiePackages>"]:
        e = err(pm.add, "roxie", "evil", info)
        assert e.code == 2 and "TOPSECRET" not in e.message


def test_star_target_and_thor_targets_are_accepted(pm, store):
    """Q12: target `*` needs no cluster check; a known non-Roxie target is still a target."""
    assert pm.add("*", "All.pkg", TOY).pmid == "*::all.pkg"
    assert pm.add("thor", "t.pkg", TOY).pmid == "thor::t.pkg"
    assert ("default_#", "*::all.pkg", "*", None) in entries(store)


def test_exists_needs_overwrite_and_replace_is_not_enough(pm, store):
    """§3.2 step 6, Q2, Q3, §11.3."""
    pm.add("roxie", "x", TOY, activate=True)
    e = err(pm.add, "roxie", "X", TOY)
    assert (e.code, e.message) == (11000, "PackageMap roxie::x already exists, either delete it or specify overwrite")
    assert err(pm.add, "roxie", "x", TOY, options=UpdateOptions()).code == 11000
    pm.add("roxie", "x", "<RoxiePackages/>", overwrite=True)
    assert entries(store) == [("default_#", "roxie::x", "roxie", 0)]  # overwrite without Activate deactivates
    assert pm.get_part("roxie", "x", "x") == '<Part id="x"/>\n'


def test_new_entries_have_no_active_attribute_and_activate_is_per_set_and_queryset(pm, store):
    """§3.2 step 11, §4.2."""
    pm.add("roxie", "a", TOY, activate=True)
    pm.add("roxie", "b", TOY)
    pm.add("roxie2", "c", TOY, activate=True)
    pm.add("roxie", "d", TOY, activate=True, options=UpdateOptions(process="myroxie"))
    assert entries(store) == [("default_#", "roxie::a", "roxie", 1), ("default_#", "roxie::b", "roxie", None),
                              ("default_#", "roxie2::c", "roxie2", 1),
                              ("default_myroxie", "roxie::d", "roxie", 1)]
    pm.activate("roxie", "b")
    assert entries(store)[:3] == [("default_#", "roxie::a", "roxie", 0), ("default_#", "roxie::b", "roxie", 1),
                                  ("default_#", "roxie2::c", "roxie2", 1)]
    assert entries(store)[3][3] == 1  # another PackageSet is left alone
    pm.activate("roxie", "ROXIE::A")  # `roxie::a` as the name works too (second lookup)
    pm.deactivate("Roxie", "a")
    assert [e[3] for e in entries(store)] == [0, 0, 1, 1]


def test_activate_errors_and_silent_noop(pm, store):
    """§3.6, Q4."""
    pm.add("roxie", "a", TOY)
    e = err(pm.activate, "", "a")
    assert (e.code, e.message) == (11004, "No target defined")
    e = err(pm.activate, "roxie", "")
    assert (e.code, e.message) == (11001, "No pmid specified")
    e = err(pm.activate, "Roxie", "Nope")
    assert (e.code, e.message) == (11005, "PackageMap nope not found on target roxie")
    e = err(pm.deactivate, "roxie", "nope")
    assert (e.code, e.message) == (11005, "PackageMap nope not found on target roxie")
    pm.activate("roxie", "a", process="myroxie")  # no such PackageSet: nothing happens
    pm.activate("unknown_target", "a", process="myroxie")
    assert entries(store) == [("default_#", "roxie::a", "roxie", None)]


def test_mixed_case_target_cannot_be_activated(pm):
    """Q6: the querySet keeps the case AddPackage got; Activate looks it up lower-cased."""
    pm.add("ROXIE", "m", TOY)
    assert err(pm.activate, "ROXIE", "m").code == 11005


def test_global_scope(pm, store):
    """§3.2 step 1, Q9: pmid without target, empty querySet; activation finds it by name."""
    result = pm.add("", "Global.pkg", TOY, options=UpdateOptions(global_scope=True))
    assert result.pmid == "global.pkg"
    assert entries(store) == [("default_#", "global.pkg", "", None)]
    pm.activate("roxie", "global.pkg", global_scope=True)
    assert entries(store)[0][3] == 1
    assert pm.get_part("", "GLOBAL.PKG", "Global.pkg", global_scope=True).startswith('<Part id="Global.pkg">')


def test_multipart_document_is_stored_as_given(pm, store):
    doc = ('<PackageMaps multipart="1" daliip="10.0.0.1"><Package id="top" queries="q*"/>'
           '<Part id="P1"><Package id="a"><SuperFile id="~S"><SubFile value="~x"/></SuperFile></Package></Part>'
           '<Part id="P2"><Package id="b"/></Part></PackageMaps>')
    assert pm.add("roxie", "multi", doc).files_not_found == ["x"]
    assert [r[0] for r in store.query("SELECT part_id FROM package_map_parts ORDER BY ord")] == ["P1", "P2"]
    assert pm.get_by_id("ROXIE::MULTI") == (
        '<PackageMaps daliip="10.0.0.1" id="roxie::multi" multipart="1">\n'
        ' <Package id="top" queries="q*"/>\n'
        ' <Part id="P1">\n  <Package id="a">\n   <SuperFile id="s">\n    <SubFile value="x"/>\n'
        '   </SuperFile>\n  </Package>\n </Part>\n <Part id="P2">\n  <Package id="b"/>\n </Part>\n'
        '</PackageMaps>\n')
    assert [(m.id, m.packages) for m in pm.list_set("roxie")] == [("roxie::multi", [("top", "q*")])]


def test_any_root_is_accepted(pm):
    """§3.2 step 8, Q11: hpcc4j's bare SuperFile document: no files, still stored."""
    result = pm.add("roxie", "bare", '<SuperFile id="x"><SubFile value="~a::b"/></SuperFile>')
    assert result.files_not_found == []
    assert pm.get_part("roxie", "bare", "bare") == '<Part id="bare">\n <SubFile value="~a::b"/>\n</Part>\n'


def test_legacy_map_is_converted_into_one_part(pm, store):
    """§3.2 step 4: a map without multipart="1" becomes Part <text after ::>."""
    pm.add("roxie", "old", '<RoxiePackages><Package id="top"/><Part id="inner"><Package id="i"/></Part></RoxiePackages>')
    pm.add_part("roxie", "old", "new", '<RoxiePackages><Package id="n"/></RoxiePackages>')
    assert [r[0] for r in store.query("SELECT part_id FROM package_map_parts ORDER BY ord")] == ["old", "new"]
    assert pm.get_part("roxie", "old", "old") == (
        '<Part id="old">\n <Package id="top"/>\n <Part id="inner">\n  <Package id="i"/>\n </Part>\n</Part>\n')


def test_only_copy_files_stores_nothing(pm, store):
    result = pm.add("roxie", "copyonly", TOY, options=UpdateOptions(only_copy_files=True))
    assert result.description is None and result.files_not_found == ["employee::id_lookup_v3"]
    assert store.query("SELECT * FROM package_maps") == []


def test_source_process_must_exist_locally(pm):
    e = err(pm.add, "roxie", "sp", TOY, options=UpdateOptions(source_process="nosuch"))
    assert (e.code, e.message) == (11012, "Process cluster nosuch not found on local remote")
    pm.add("roxie", "sp", TOY, options=UpdateOptions(source_process="mythor"))
    pm.add("roxie", "sp2", TOY, options=UpdateOptions(source_process="nosuch", dali_ip="10.0.0.9"))


# ------------------------------------------------------------------------------ parts

def test_add_part_creates_an_unactivated_map(pm, store):
    """§3.3 step 3."""
    r = pm.add_part("roxie", "My_Map.pkg", "Part_A.pkg", TOY)
    assert r.description == "Successfully loaded Part Part_A.pkg to PackageMap roxie::my_map.pkg"
    assert r.files_not_found == ["employee::id_lookup_v3"]
    assert entries(store) == [("default_#", "roxie::my_map.pkg", "roxie", None)]


def test_add_part_check_order(pm):
    """§3.3 steps 3 and 4: content first for a new map, part name first for an existing one."""
    assert err(pm.add_part, "roxie", "m", "", "").message == "No PackageMap content provided"
    assert err(pm.add_part, "roxie", "m", "", TOY).message == "No PackageMap Part name provided"
    assert err(pm.add_part, "roxie", "m", "", "<bad").code == 1
    pm.add_part("roxie", "m", "p", TOY)
    e = err(pm.add_part, "roxie", "m", "", "")
    assert (e.code, e.message) == (11014, "No PackageMap Part name provided")
    assert err(pm.add_part, "roxie", "m", "q", "").message == "No PackageMap content provided"
    assert err(pm.add_part, "roxie", "m", "", "<bad").code == 1  # the parse error comes first


def test_part_replace_needs_delete_previous_and_moves_to_the_end(pm, store):
    """§3.3 step 4, §11.2."""
    pm.add_part("roxie", "m", "a.xml", TOY)
    pm.add_part("roxie", "m", "b.xml", TOY)
    e = err(pm.add_part, "roxie", "m", "a.xml", TOY)
    assert (e.code, e.message) == (11000, "Package Part a.xml already exists, remove, or specify 'delete previous'")
    pm.add_part("roxie", "m", "A.xml", TOY)  # part ids are case-sensitive
    pm.add_part("roxie", "m", "a.xml", '<RoxiePackages><Package id="new"/></RoxiePackages>', delete_previous=True)
    assert [r[0] for r in store.query("SELECT part_id FROM package_map_parts ORDER BY ord")] == \
        ["b.xml", "A.xml", "a.xml"]
    assert pm.get_part("roxie", "m", "a.xml") == '<Part id="a.xml">\n <Package id="new"/>\n</Part>\n'


def test_add_part_leaves_activation_alone(pm, store):
    pm.add("roxie", "m", TOY, activate=True)
    pm.add_part("roxie", "m", "p2", TOY, options=UpdateOptions(process="elsewhere"))
    assert entries(store) == [("default_#", "roxie::m", "roxie", 1)]


def test_remove_and_get_part(pm, store):
    """§3.4, §3.5 (and GenIndex's buggy call without a PartName, §8)."""
    pm.add_part("roxie", "genindex_packagemap.pkg", "part_x.pkg", TOY)
    e = err(pm.remove_part, "roxie", "genindex_packagemap.pkg", "")
    assert (e.code, e.message) == (11000, "PackageMap roxie::genindex_packagemap.pkg Part  not found")
    e = err(pm.get_part, "roxie", "nomap", "p")
    assert (e.code, e.message) == (11000, "PackageMap roxie::nomap not found")
    assert err(pm.remove_part, "nosuch", "m", "p").code == 11004
    assert pm.remove_part("roxie", "GenIndex_PackageMap.pkg", "part_x.pkg") == \
        "Successfully removed Part part_x.pkg from PackageMap roxie::genindex_packagemap.pkg"
    assert store.query("SELECT * FROM package_map_parts") == []
    assert len(store.query("SELECT * FROM package_maps")) == 1  # the empty map stays
    assert entries(store) == [("default_#", "roxie::genindex_packagemap.pkg", "roxie", None)]
    assert pm.get_by_id("roxie::genindex_packagemap.pkg") == \
        '<PackageMaps id="roxie::genindex_packagemap.pkg" multipart="1"/>\n'


def test_concurrent_part_writers(pm, store):
    """One transaction per request: parallel AddPart calls never lose or duplicate a part."""
    pm.add_part("roxie", "busy", "p0", TOY)
    errors = []

    def writer(k):
        try:
            for i in range(5):
                pm.add_part("roxie", "busy", f"t{k}_{i}", TOY)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    ords = [r[0] for r in store.query("SELECT ord FROM package_map_parts WHERE map_id = 'roxie::busy'")]
    assert len(ords) == 31 and len(set(ords)) == 31


# ------------------------------------------------------------------------------ delete

def test_delete(pm, store):
    """§3.7."""
    e = err(pm.delete, "roxie", "x")
    assert (e.code, e.message) == (11008, "No package sets defined")
    pm.add("roxie", "Shared", TOY, activate=True)
    pm.add("roxie", "Shared", TOY, overwrite=True, options=UpdateOptions(process="myroxie"))
    e = err(pm.delete, "roxie", "shared", process="nosuch")
    assert (e.code, e.message) == (11004, "No package sets defined for nosuch")
    e = err(pm.delete, "roxie", "Nope")
    assert (e.code, e.message) == (11007, "Unable to delete nope - information not found")
    assert pm.delete("Roxie", "Shared") == "Successfully deleted Shared from Roxie;"
    assert len(store.query("SELECT * FROM package_maps")) == 1  # still referenced by default_myroxie
    assert pm.delete("roxie", "roxie::shared", process="myroxie") == \
        "Successfully deleted roxie::shared from roxie;"
    assert store.query("SELECT * FROM package_maps") == []
    assert err(pm.delete, "roxie", "shared").code == 11007  # the (now empty) PackageSet still exists


def test_delete_batch_keeps_earlier_deletions_on_error(pm, store):
    for name in ("a", "b", "c"):
        pm.add("roxie", name, TOY)
    batch = [MapRef("", "roxie"), MapRef("a", ""), MapRef("a", "roxie"), MapRef("roxie::b", "roxie", "*")]
    assert pm.delete(batch=batch) == ("PackageMap[0]: Package map Id not specified; PackageMap[1]: Target not "
                                      "specified;Successfully deleted a from roxie;Successfully deleted "
                                      "roxie::b from roxie;")
    e = err(pm.delete, batch=[MapRef("c", "roxie"), MapRef("zzz", "roxie")])
    assert e.code == 11007
    assert entries(store) == []


# ------------------------------------------------------------------------------ listing

def test_list_set_and_list_sets(pm):
    """§3.8, §3.9 (duplicate-active warning; wildcard process filters)."""
    pm.add("roxie", "one", TOY, activate=True)
    pm.add("roxie", "two", TOY, options=UpdateOptions(process="myroxie"), activate=True)
    pm.add("roxie2", "three", TOY, options=UpdateOptions(process="other"))
    assert [(m.id, m.process, m.active) for m in pm.list_set()] == [("roxie::one", "*", True)]
    assert [m.id for m in pm.list_set("roxie2", "other")] == ["roxie2::three"]
    assert pm.list_set(process="nothing") == []
    everything = pm.list_sets()
    assert [(m.id, m.process, m.description) for m in everything] == [
        ("roxie::one", "*", None), ("roxie::two", "myroxie", None), ("roxie2::three", "other", None)]
    mine = pm.list_sets(process="MY*")
    assert [(m.id, m.process, m.description) for m in mine] == [
        ("roxie::one", "*", None), ("roxie::two", "myroxie", "Error: package roxie::one is also active.")]
    assert [m.id for m in pm.list_sets(target="roxie2")] == ["roxie2::three"]
    assert [(m.id, m.process) for m in pm.list_sets(process_filter="other")] == [("roxie2::three", "other")]


def test_get_active_and_by_id(pm):
    """§3.10, §3.11: only active='1' entries; unknown ids are an empty tree."""
    assert pm.get_active("roxie") == "<PackageMaps/>\n"
    pm.add("roxie", "a", '<RoxiePackages><Package id="a"/></RoxiePackages>')
    assert pm.get_active("roxie") == "<PackageMaps/>\n"
    pm.activate("roxie", "a")
    pm.add("roxie2", "b", '<RoxiePackages><Package id="b"/></RoxiePackages>', activate=True)
    assert pm.get_active("roxie") == \
        '<PackageMaps id="roxie::a" multipart="1">\n <Part id="a">\n  <Package id="a"/>\n </Part>\n</PackageMaps>\n'
    merged = pm.get_active()
    assert merged.startswith('<PackageMaps id="roxie2::b" multipart="1">') and merged.count("<Part ") == 2
    assert pm.get_active("roxie", "myroxie") == "<PackageMaps/>\n"
    assert pm.get_by_id("") == pm.get_by_id("roxie::nothing") == "<PackageMaps/>\n"


def test_select_options(pm):
    """§3.14."""
    pm.add("roxie", "a", TOY, options=UpdateOptions(process="myroxie"))
    pm.add("roxie", "b", TOY)
    opts = pm.select_options()
    assert [(t.name, t.type, t.processes) for t in opts.targets] == [("roxie", "roxie", ["myroxie"]),
                                                                      ("roxie2", "roxie", ["other"])]
    assert opts.process_filters == ["*", "myroxie"]
    opts = pm.select_options(include_targets=True, include_processes=False, include_process_filters=False)
    assert opts.targets[0].processes is None and opts.process_filters is None
    assert pm.select_options(False, False, True).targets is None


def test_package_set_ids():
    assert package_set_id("") == package_set_id("*") == "default_#"
    assert package_set_id("my?roxie*") == "default_my~roxie#"


# ------------------------------------------------------------------------------ copy

def test_copy_local(pm, store):
    """§3.15."""
    pm.add("roxie", "Src.pkg", TOY)
    r = pm.copy("roxie/src.pkg", "roxie2", activate=True)
    assert (r.pmid, r.description) == ("roxie2::src.pkg", "Successfully loaded src.pkg")
    assert r.files_not_found == ["employee::id_lookup_v3"]
    assert entries(store)[-1] == ("default_#", "roxie2::src.pkg", "roxie2", 1)
    assert pm.get_part("roxie2", "src.pkg", "Src.pkg").startswith('<Part id="Src.pkg">')
    e = err(pm.copy, "roxie/src.pkg", "roxie2")
    assert e.message == "PackageMap roxie2::src.pkg already exists, either delete it or specify overwrite"
    pm.copy("ROXIE/SRC.PKG", "roxie2", replace=True)
    assert entries(store)[-1][3] == 0
    assert pm.copy("roxie/src.pkg", "roxie2", pmid="Renamed").pmid == "roxie2::renamed"
    for bad in ("", "roxie", "a/b/c", "/roxie/x", "//host/roxie", "//h/t/p/extra", "roxie/"):
        e = err(pm.copy, bad, "roxie2")
        assert (e.code, e.message) == (20052, "Invalid source PackageMap path")
    e = err(pm.copy, "roxie/none", "roxie2")
    assert (e.code, e.message) == (20052, "Source PackageMap not found")
    assert err(pm.copy, "roxie/src.pkg", "nosuch").code == 11004


def test_generation_counts_writes(pm):
    start = pm.generation()
    pm.add("roxie", "g", TOY)
    pm.activate("roxie", "g")
    pm.list_set()
    pm.get_part("roxie", "g", "g")
    assert err(pm.add, "roxie", "g", TOY).code == 11000
    assert pm.generation() == start + 2
