"""DFUArrayAction's per-file results, DFUFileRename, DFUSpace, Savexml/Add/AddRemote, history."""
from __future__ import annotations

import base64

import pytest

from .files_support import make_file
from wsservices.engine.dali import actions, filexml
from wsservices.engine.errors import DomainError, FileNotFound, InvalidLogicalName
from wsservices.engine.dali.files import HistoryRecord


def rows(results):
    return [(r.file_name, r.node_group, r.result, r.failed) for r in results]


def test_action_type_checks(cat):
    for missing in (None, "", "  "):
        with pytest.raises(DomainError) as err:
            actions.array_action(cat, missing, ["x"])
        assert (err.value.code, err.value.message) == (20052, "Action not defined.")
    with pytest.raises(DomainError) as err:
        actions.array_action(cat, "delete", ["x"])
    assert (err.value.code, err.value.message) == (-1, "Invalid value for type DFUArrayActions: delete")


def test_delete_texts(cat):
    make_file(cat, "d::plain", b"1")
    make_file(cat, "d::member", b"1")
    make_file(cat, "d::guarded", b"1")
    cat.set_protect("d::guarded", "hpcc")
    cat.superfiles.add("d::super", ["d::member"])
    out = actions.delete_files(cat, ["d::plain", "", "d::plain", "D::Missing", "d::member",
                                         "d::guarded", "d::plain@nowhere"])
    assert rows(out) == [
        ("d::plain", None, "File d::plain deleted.", False),
        ("d::missing", None, "Could not delete file d::missing: file not found.", True),
        ("d::member", None, "The file d::member can not be deleted because it is owned by one or "
                            "more superfiles.", True),
        ("d::guarded", None, "Could not delete file d::guarded: DFS Exception: 12: Failed to delete "
                             "file: d::guarded - cause: [ -1: Can't remove d::guarded: file "
                             "d::guarded protected by hpcc] .", True),
        ("d::plain", "nowhere", "Could not delete file d::plain@nowhere: file not found.", True)]
    assert cat.exists("d::member") and cat.exists("d::guarded")


def test_delete_with_cluster_and_null(cat):
    make_file(cat, "d::a", b"1")
    cat.superfiles.create("d::s")
    out = actions.delete_files(cat, ["d::a@mythor", "d::s@null"])
    assert rows(out) == [("d::a", "mythor", "File d::a@mythor deleted.", False),
                         ("d::s", None, "File d::s deleted.", False)]


def test_delete_remove_from_superfiles_and_recursively(cat):
    make_file(cat, "r::sub", b"1")
    make_file(cat, "r::other", b"1")
    cat.superfiles.add("r::s1", ["r::sub"])
    cat.superfiles.add("r::s2", ["r::sub", "r::other"])
    cat.superfiles.add("r::outer", ["r::s1"])
    out = actions.delete_files(cat, ["r::sub"], remove_from_superfiles=True,
                                   remove_recursively=True)
    assert rows(out) == [
        ("r::sub", None, "File r::sub deleted.", False),
        ("r::s1", None, "Could not delete file r::s1: DFS Exception: 12: Failed to delete file: "
                        "r::s1 - cause: [ -1: Can't remove r::s1: Cannot remove file r::s1 as owned "
                        "by SuperFile(s): r::outer] .", True)]
    assert cat.superfiles.list("r::s2") == ["r::other"] and cat.superfiles.list("r::s1") == []


def test_delete_when_an_owner_cannot_change(cat):
    make_file(cat, "r::m", b"1")
    cat.superfiles.add("r::locked", ["r::m"])
    cat.set_protect("r::locked", "hpcc")
    out = actions.delete_files(cat, ["r::m"], remove_from_superfiles=True)
    assert rows(out) == [("r::m", None, "Could not delete file r::m from superfile r::locked: "
                          "CDistributedSuperFile::removeSubFile file r::locked protected by hpcc",
                          True)]
    assert cat.exists("r::m")


def test_delete_locked_and_bad_names(cat):
    make_file(cat, "l::f", b"1")
    cat.locks.acquire(["l::f"], "roxie query q")
    [result] = actions.delete_files(cat, ["l::f"])
    assert result.failed and result.result.startswith(
        "Could not delete file l::f: DFS Exception: 12: Failed to delete file: l::f - cause: "
        "[ -1: Failed to remove l::f: SDS: Lock held - SDS Reply Error  : SDS: Lock held - ")
    assert result.result.endswith("existing lock info: HOLD lock held by roxie query q] .")
    with pytest.raises(InvalidLogicalName):
        actions.delete_files(cat, ["l::f", "bad*name"])
    assert cat.exists("l::f")
    assert actions.delete_files(cat, []) == []


def test_change_protection_and_restriction(cat):
    make_file(cat, "p::f", b"1")
    out = actions.array_action(cat, "Change Protection", ["p::f", "p::none"], protect=1,
                                   user="amy")
    assert rows(out.results) == [("p::f", None, "File protected", False),
                                 ("p::none", None, "Cannot find file.", True)]
    actions.change_protection(cat, ["p::f"], 1, "bob")
    assert rows(actions.change_protection(cat, ["p::f"], 2, "amy")) == [
        ("p::f", None, "File unprotected", False)]
    assert [p.owner for p in cat.get("p::f").protect] == ["bob"]
    actions.change_protection(cat, ["p::f"], 3)
    assert cat.get("p::f").protect == []
    assert actions.change_protection(cat, ["p::f"], 0) == []
    out = actions.array_action(cat, "Change Restriction", ["p::f", "p::none"], restrict=1)
    assert rows(out.results) == [("p::f", None, "Changed to restricted", False),
                                 ("p::none", None, "Cannot find file.", True)]
    assert cat.get("p::f").is_restricted
    actions.change_restriction(cat, ["p::f"], 2)
    assert not cat.get("p::f").is_restricted


def test_add_to_superfile_legacy_check(cat):
    make_file(cat, "a::x", b"1")
    out = actions.array_action(cat, "Add To Superfile", ["a::x@mythor", "A::X"])
    assert out.results == [] and out.redirect_to == "a::x,A::X"
    out = actions.array_action(cat, "Add To Superfile", ["a::x", "a::nope@mythor"])
    assert rows(out.results) == [("a::nope@mythor", None, "a::nope@mythor: not found", True)]
    assert out.redirect_to == ""


def test_rename_results(cat):
    make_file(cat, "n::a", b"1")
    out = actions.rename_files(cat, [("n::a", "n::b"), ("", "x"), ("n::b", None),
                                         ("n::zz", "n::c")])
    assert [(r.old_name, r.new_name, r.success, r.message) for r in out] == [
        ("n::a", "n::b", True, "Successfully renamed."),
        ("", "x", False, "DFUFileRename: Old file name cannot be empty."),
        ("n::b", "", False, "DFUFileRename: New file name cannot be empty."),
        ("n::zz", "n::c", False, "rename: file n::zz doesn't exist in the file system")]
    with pytest.raises(DomainError) as err:
        actions.rename_files(cat, [])
    assert (err.value.code, err.value.message) == (20051, "No files specified for rename.")


def test_space_by_scope_owner_and_date(cat):
    make_file(cat, "s::a::f1", b"x" * 10, owner="ann", modified="2024-01-15T00:00:00")
    make_file(cat, "s::a::f2", b"x" * 30, owner="ann", modified="2024-05-01T00:00:00")
    make_file(cat, "s::b", b"x" * 5, modified="2024-05-02T00:00:00")
    make_file(cat, "top", b"x" * 1, modified="2023-01-01T00:00:00")
    cat.superfiles.add("s::super", ["s::b"])
    r = actions.space(cat, "Scope")
    got = {i.name: (i.num_files, i.total_size, i.largest_file, i.smallest_file) for i in r.items}
    assert got == {"(root)": (1, 1, ".::top", ".::top"), "s": (3, 45, "s::a::f2", "s::b")}
    r = actions.space(cat, "scope", scope_under="s")
    assert [(i.name, i.num_files) for i in r.items] == [("s", 1), ("s::a", 2)]
    r = actions.space(cat, "Owner", scope_under="s")
    assert [(i.name, i.num_files, i.total_size) for i in r.items] == [("(empty)", 1, 5), ("ann", 2, 40)]
    r = actions.space(cat, "Date", interval="Quarter", start_date="2024-01-01",
                          end_date="2024-12-31")
    assert [(i.name, i.num_files) for i in r.items] == [("2024 quarter: 1", 1), ("2024 quarter: 2", 2)]
    assert (r.start_date, r.end_date) == ("01/01/2024", "12/31/2024")
    r = actions.space(cat, "Date", interval="Month", owner_under="ANN")
    assert [i.name for i in r.items] == ["2024-01", "2024-05"]
    assert actions.space(cat, "").empty


def test_search_choices(cat):
    clusters, types = actions.search_choices(cat)
    assert clusters == ["mythor", "roxie"]
    assert types == ["Logical Files and Superfiles", "Logical Files Only", "Superfiles Only",
                     "Not in Superfiles"]


# -- Savexml / Add / AddRemote / history --------------------------------------------------------

def test_savexml_then_add_shares_the_parts(cat):
    make_file(cat, "x::src", [b"ab", b"cd"], owner="o", ecl="RECORD string2 s; END;",
              description="a & b", history=[HistoryRecord("DFUimport", ip="1.2.3.4", name="f")])
    cat.set_protect("x::src", "keeper")
    xml = filexml.file_xml(cat, "x::src")
    assert xml.startswith(b'<File directory="/var/lib/HPCCSystems/hpcc-data/thor/x" group="mythor"')
    assert b'description="a &amp; b"' in xml and b"<ECL>RECORD string2 s; END;</ECL>" in xml
    filexml.add_file_xml(cat, "x::copy", xml)
    copy = cat.get("x::copy")
    assert (copy.owner, copy.description, copy.num_parts, copy.size) == ("o", "a & b", 2, 4)
    assert copy.ecl == "RECORD string2 s; END;" and [p.owner for p in copy.protect] == ["keeper"]
    assert [h.ip for h in cat.history("x::copy")] == ["1.2.3.4"]
    assert [p.read_bytes() for _, p in cat.part_paths("x::copy")] == [b"ab", b"cd"]
    with pytest.raises(DomainError) as err:
        filexml.add_file_xml(cat, "X::Copy", xml)
    assert err.value.message == "Destination file 'X::Copy' already exists!"
    filexml.add_file_xml(cat, "y::moved", xml, dstcluster="mythor")
    assert cat.get("y::moved").directory.endswith("/thor/y")


def test_superfile_xml_roundtrip_and_errors(cat):
    make_file(cat, "x::m1", b"1")
    cat.superfiles.add("x::sup", ["x::m1"])
    xml = filexml.file_xml(cat, "x::sup")
    assert xml.startswith(b'<SuperFile modified="') and b'<SubFile name="x::m1" num="1"/>' in xml
    filexml.add_file_xml(cat, "x::sup2", xml)
    assert cat.superfiles.list("x::sup2") == ["x::m1"]
    bad = xml.replace(b"x::m1", b"x::absent")
    with pytest.raises(DomainError, match="Logical subfile 'x::absent' doesn't exists!"):
        filexml.add_file_xml(cat, "x::sup3", bad)
    with pytest.raises(DomainError) as err:
        filexml.add_file_xml(cat, "x::other", b"<Thing/>")
    assert err.value.message == "Unrecognised file XML root tag detected: 'Thing'"
    with pytest.raises(DomainError) as err:
        filexml.add_file_xml(cat, "", b"<File/>")
    assert (err.value.code, err.value.message) == (20051, "Dstname required.")
    attack = b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><File name="&x;"/>'
    with pytest.raises(DomainError, match="DTDs"):
        filexml.add_file_xml(cat, "x::evil", attack)
    assert not cat.exists("x::evil") and not cat.exists("x::sup3")


def test_savexml_errors_and_groups(cat):
    with pytest.raises(DomainError) as err:
        filexml.file_xml(cat, "")
    assert (err.value.code, err.value.message) == (20051, "Name required")
    with pytest.raises(FileNotFound) as err:
        filexml.file_xml(cat, "x::nothing")
    assert (err.value.code, err.value.message) == (8294, "DFile x::nothing not found")
    assert filexml.file_xml(cat, "mythor").decode() == (
        '<Group name="mythor">\n  <Node ip="127.0.0.1">\n  <Node ip="127.0.0.2">\n'
        '  <Node ip="127.0.0.3">\n  <Node ip="127.0.0.4">\n</Group>\n')


def test_add_remote(cat):
    make_file(cat, "x::remote", b"1")
    for args, text in (((None, "s", "d"), "dstname can't be empty."),
                       (("d", "", "dali"), "srcname can't be empty."),
                       (("d", "s", ""), "srcdali can't be empty.")):
        with pytest.raises(DomainError) as err:
            filexml.add_remote(cat, *args)
        assert (err.value.code, err.value.message) == (20052, text)
    with pytest.raises(DomainError) as err:
        filexml.add_remote(cat, "x::new", "x::gone", "10.0.0.9")
    assert err.value.message == "Source file x::gone could not be found in Dali 10.0.0.9:7070"
    filexml.add_remote(cat, "x::new", "x::remote", "127.0.0.1")
    assert cat.get("x::new").size == 1


def test_list_and_erase_history(cat):
    make_file(cat, "h::f", b"1", history=[{"operation": "DFUimport", "name": "a.csv"}])
    assert [h.name for h in filexml.list_history(cat, "h::f")] == ["a.csv"]
    assert [h.name for h in filexml.list_history(cat, "h::f", erase=True)] == ["a.csv"]
    assert filexml.list_history(cat, "h::f") == []
    with pytest.raises(DomainError) as err:
        filexml.list_history(cat, "")
    assert (err.value.code, err.value.message) == (20051, "Name required")
    with pytest.raises(FileNotFound) as err:
        filexml.list_history(cat, "h::none", erase=True)
    assert err.value.message == "CWsDfuEx::onEraseHistory: Could not find file 'h::none'."
    with pytest.raises(FileNotFound, match="onListHistory: Could not find file 'h::none'"):
        filexml.list_history(cat, "h::none")


def test_savexml_is_base64_safe(cat):
    make_file(cat, "x::b64", b"1", description="<tag>")
    assert base64.b64decode(base64.b64encode(filexml.file_xml(cat, "x::b64")))
