"""Superfiles: add (positions, checks), remove (globs, delete, removeSuperfile), nesting,
aggregates, one transaction per request, the SuperfileAction/AddtoSuperfile/List texts."""
from __future__ import annotations

import pytest

from .files_support import make_file
from wsservices.engine.errors import DomainError, FileExists, FileLocked, FileNotFound
from wsservices.engine.dali.superfiles import SuperfileError


@pytest.fixture
def subs(cat):
    for n in ("a", "b", "c", "d"):
        make_file(cat, f"sf::{n}", b"x" * 10, recordCount=2, kind="flat", recordSize=5)
    return cat.superfiles


def err_of(fn, *args, **kw):
    with pytest.raises(DomainError) as err:
        fn(*args, **kw)
    return err.value.code, err.value.message


def test_add_creates_and_appends(cat, subs):
    subs.add("~SF::Super", ["sf::a", "SF::B"])
    assert subs.list("sf::super") == ["sf::a", "sf::b"]
    info = cat.get("sf::super")
    assert info.is_superfile and info.attrs["size"] == "20" and info.attrs["recordCount"] == "4"
    assert info.attrs["kind"] == "flat" and info.attrs["recordSize"] == "5"
    assert "." in info.modified  # setModified keeps microseconds
    assert cat.get("sf::a").super_owners == ["sf::super"]
    assert info.member_clusters == ["mythor"]


@pytest.mark.parametrize("before, expected", [
    ("", ["sf::a", "sf::b", "sf::c", "sf::d"]),
    ("*", ["sf::c", "sf::d", "sf::a", "sf::b"]),
    ("sf::b", ["sf::a", "sf::c", "sf::d", "sf::b"]),
    ("#2", ["sf::a", "sf::c", "sf::d", "sf::b"]),
    ("#3", ["sf::a", "sf::b", "sf::c", "sf::d"]),
    ("sf::unknown", ["sf::c", "sf::d", "sf::a", "sf::b"]),
])
def test_add_positions(subs, before, expected):
    subs.add("sf::pos", ["sf::a", "sf::b"])
    subs.add("sf::pos", ["sf::c", "sf::d"], before)
    assert subs.list("sf::pos") == expected


def test_add_refusals_change_nothing(cat, subs):
    subs.add("sf::s", ["sf::a"])
    assert err_of(subs.add, "sf::s", []) == (
        8304, "No file has been specified to be added to the superfile")
    assert err_of(subs.add, "sf::s", ["sf::b", "SF::A"]) == (
        8302, "Superfile already contains subfile SF::A")
    assert err_of(subs.add, "sf::s", ["sf::b", "sf::nope"]) == (
        -1, "cAddSubFileAction: sub file sf::nope not found")
    assert err_of(subs.add, "sf::s", ["sf::s"]) == (-1, "addSubFile: Cannot add file sf::s to itself")
    assert err_of(subs.add, "sf::s", ["sf::b", "sf::b"]) == (
        -1, "addSubFile: File sf::b is already a subfile of sf::s")
    assert err_of(subs.add, "sf::s", ["sf::b"], "#3") == (
        -1, "addSubFile: Insert position 3 out of range for file sf::b in superfile sf::s")
    assert err_of(subs.add, "sf::a", ["sf::b"]) == (1, "DFS Exception: 1: logical name sf::a already exists")
    assert err_of(subs.add, "sf::new", ["sf::b", "sf::nope"])[0] == -1
    assert not cat.exists("sf::new")                # the auto-created superfile was rolled back
    assert subs.list("sf::s") == ["sf::a"]
    assert cat.get("sf::b").super_owners == []


def test_cycles_are_refused(subs):
    subs.add("sf::outer", ["sf::a"])
    subs.add("sf::inner", ["sf::b"])
    subs.add("sf::outer", ["sf::inner"])
    assert err_of(subs.add, "sf::inner", ["sf::outer"]) == (
        -1, "addSubFile: Cannot add file sf::outer to itself")
    assert subs.expand("sf::outer") == ["sf::a", "sf::b"]


def test_nested_aggregates_propagate(cat, subs):
    subs.add("sf::inner", ["sf::a"])
    subs.add("sf::outer", ["sf::inner", "sf::b"])
    assert cat.get("sf::outer").attrs["size"] == "20"
    subs.add("sf::inner", ["sf::c"])
    assert cat.get("sf::outer").attrs["size"] == "30"
    make_file(cat, "sf::nosize", b"", kind="csv")
    cat.set_attrs("sf::nosize", {"recordCount": None})
    subs.add("sf::outer", ["sf::nosize"])
    outer = cat.get("sf::outer")
    assert "recordCount" not in outer.attrs and "kind" not in outer.attrs
    subs.remove("sf::outer", [], delete=False)      # nothing selected: no-op
    assert len(subs.list("sf::outer")) == 3


def test_compression_must_match(cat, subs):
    make_file(cat, "sf::z", b"1", blockCompressed=True)
    subs.add("sf::cmp", ["sf::a"])
    assert err_of(subs.add, "sf::cmp", ["sf::z"]) == (
        -1, "addSubFile: sf::z's compression setting (compressed) is different than sf::cmp's "
            "(uncompressed)")


def test_protected_and_locked_superfiles(cat, subs):
    subs.add("sf::p", ["sf::a"])
    cat.set_protect("sf::p", "hpcc")
    assert err_of(subs.add, "sf::p", ["sf::b"]) == (
        -1, "CDistributedSuperFile::addSubFile file sf::p protected by hpcc")
    assert err_of(subs.remove, "sf::p", ["sf::a"]) == (
        -1, "CDistributedSuperFile::removeSubFile file sf::p protected by hpcc")
    cat.clear_protection("sf::p")
    cat.locks.acquire(["sf::p"], "query x")
    with pytest.raises(FileLocked) as err:
        subs.add("sf::p", ["sf::b"])
    assert 'SuperFile[@name="p"]' in err.value.message
    cat.locks.release("query x")
    cat.locks.acquire(["sf::a", "sf::b"], "query y")   # members held by a query: allowed (5.0+)
    subs.add("sf::p", ["sf::b"])
    subs.remove("sf::p", ["sf::a"])
    assert subs.list("sf::p") == ["sf::b"]


def test_remove_names_globs_and_errors(cat, subs):
    subs.add("sf::r", ["sf::a", "sf::b", "sf::c"])
    assert err_of(subs.remove, "sf::none", ["sf::a"]) == (8300, "SuperFile sf::none not found")
    assert err_of(subs.remove, "sf::a", ["sf::a"]) == (8300, "SuperFile sf::a not found")
    assert err_of(subs.remove, "sf::r", ["sf::d"]) == (8303, "Superfile doesn't contains subfile sf::d")
    assert subs.remove("sf::r", ["sf::[ab]*"]) == 0          # only * and ? are wildcards
    assert subs.list("sf::r") == ["sf::a", "sf::b", "sf::c"]
    assert subs.remove("sf::r", ["SF::*"]) == 0               # globs are case-sensitive
    assert subs.remove("sf::r", ["~sf::?", "sf::a"]) == 0
    assert subs.list("sf::r") == []


def test_remove_with_delete_and_remove_superfile(cat, subs):
    subs.add("sf::r", ["sf::a", "sf::b", "sf::c"])
    subs.add("sf::keep", ["sf::c"])
    assert subs.remove("sf::r", ["sf::a"], remove_superfile=True) == 0     # not all: kept
    assert cat.exists("sf::r")
    with pytest.raises(SuperfileError) as err:
        subs.remove("sf::r", [], delete=True, remove_superfile=True)
    assert (err.value.code, err.value.message) == (
        -1, "[ -1: Can't remove sf::c: Cannot remove file sf::c as owned by SuperFile(s): sf::keep] ")
    assert not cat.exists("sf::r")         # the removal was committed before the delete failed
    assert not cat.exists("sf::b") and cat.exists("sf::c") and cat.exists("sf::a")


def test_remove_superfile_when_emptied_returns_minus_one(cat, subs):
    subs.add("sf::e", ["sf::a"])
    assert subs.remove("sf::e", ["sf::a"], remove_superfile=True) == -1
    assert not cat.exists("sf::e") and cat.exists("sf::a")
    subs.create("sf::empty")
    assert subs.remove("sf::empty", [], remove_superfile=True) == -1


def test_emptied_superfile_keeps_only_description(cat, subs):
    subs.add("sf::d1", ["sf::a"])
    cat.set_description("sf::d1", "kept")
    subs.remove("sf::d1", ["sf::a"])
    assert cat.get("sf::d1").attrs == {"description": "kept"}


def test_action_validation_texts(subs):
    assert err_of(subs.action, "", "sf::x", ["sf::a"]) == (20052, "Superfile action not specified")
    assert err_of(subs.action, "swap", "sf::x", ["sf::a"]) == (20052, "Only Add or Remove is allowed.")
    assert err_of(subs.action, "ADD", "", ["sf::a"]) == (20052, "Superfile name not specified")
    assert subs.action("Add", "sf::x", ["sf::a"]) == 0
    assert subs.action("remove", "sf::x", ["sf::a"], remove_superfile=True) == -1


def test_list_texts(subs):
    assert err_of(subs.list, "") == (20051, "Superfile name required")
    assert err_of(subs.list, "sf::a") == (8300, "SuperFile sf::a not found")
    assert err_of(subs.list, "bad*") == (8300, "SuperFile bad* not found")


def test_add_to_superfile_texts(cat, subs):
    assert err_of(subs.add_to_superfile, "SF::New", ["sf::a"], existing_file=True) == (
        20038, "Cannot find file SF::New.")
    assert err_of(subs.add_to_superfile, "sf::a", ["sf::b"], existing_file=True) == (
        20041, "sf::a is not a superfile.")
    assert subs.add_to_superfile("sf::new", ["sf::a", ""]) == ["sf::a"]
    assert err_of(subs.add_to_superfile, "sf::new", ["sf::b"]) == (
        20042, "The file sf::new already exists.")
    assert subs.add_to_superfile("sf::new", ["sf::b"], existing_file=True) == ["sf::b"]
    assert subs.list("sf::new") == ["sf::a", "sf::b"]


def test_create(cat, subs):
    subs.create("sf::made")
    subs.create("sf::made", exist_ok=True)
    assert err_of(subs.create, "sf::made") == (-1, "createSuperFile: SuperFile sf::made already exists")
    with pytest.raises(FileExists):
        subs.create("sf::a")
    assert err_of(subs.create, "foreign::h::a::x") == (
        -1, "cannot have a superfile with a foreign file name (foreign::h::a::x)")


def test_deleting_a_superfile_keeps_members(cat, subs):
    subs.add("sf::gone", ["sf::a"])
    cat.delete("sf::gone")
    assert cat.exists("sf::a") and cat.get("sf::a").super_owners == []
    with pytest.raises(FileNotFound):
        subs.list("sf::gone")
