"""The logical-file catalogue: create, read, overwrite, delete, rename, protection, history."""
from __future__ import annotations

import pytest

from .files_support import TWO_CLUSTERS, make_file, make_people, open_cluster
from wsservices.engine.errors import (FileExists, FileLocked, FileNotFound, FileProtected,
                                      ForeignFileOperation, InternalError, InvalidLogicalName,
                                      MissingArgument)
from wsservices.engine.dali.files import (DeleteFailed, HistoryRecord, NewLogicalFile, OwnedBySuperfile,
                                          PartRecord, RenameFailed)
from wsservices.engine.dali.catalog import catalog


def paths(cat, name):
    return [p for _, p in cat.part_paths(name)]


# -- create / get -------------------------------------------------------------------------------

def test_create_registers_everything_get_returns(cat):
    make_file(cat, "~Tutorial::YN::People", [b"a" * 10, b"b" * 7], owner="me", kind="flat",
              recordSize=1, ecl="RECORD string1 c; END;", blockCompressed=False, expireDays=-1,
              history=[HistoryRecord("DFUimport", "2024-01-01T00:00:00", "127.0.0.1", "/lz",
                                     "people.txt")])
    info = cat.get("tutorial::yn::people@mythor")
    assert info.name == "tutorial::yn::people"
    assert (info.tail, info.prefix, info.is_superfile) == ("people", "tutorial", False)
    assert info.directory == "/var/lib/HPCCSystems/hpcc-data/thor/tutorial/yn"
    assert info.part_mask == "people._$P$_of_$N$"
    assert info.num_parts == 2 and info.clusters == ["mythor"]
    assert [(p.number, p.node, p.size) for p in info.parts["mythor"]] == [(1, "node1", 10), (2, "node2", 7)]
    assert info.size == 17 and info.owner == "me" and info.kind == "flat"
    assert info.record_size == 1 and info.record_count == 17          # size / recordSize
    assert info.attrs["blockCompressed"] == "0" and "expireDays" not in info.attrs
    assert info.ecl.startswith("RECORD")
    assert info.modified[:2] == "20" and "T" in info.modified and info.accessed
    assert cat.exists("TUTORIAL::yn::people") and not cat.exists("tutorial::yn::nobody")
    assert cat.get("tutorial::yn::nobody") is None
    assert [h.operation for h in cat.history("tutorial::yn::people")] == ["DFUimport"]
    assert [p.read_bytes() for p in paths(cat, "tutorial::yn::people")] == [b"a" * 10, b"b" * 7]
    assert cluster_has_part(cat, "node1", "tutorial/yn/people._1_of_2")


def cluster_has_part(cat, node, rel):
    return (cat.datadir.node_data_dir(node) / rel).is_file()


def test_catalog_is_one_object_per_cluster_and_reachable_as_files(cluster):
    first = catalog(cluster)
    assert catalog(cluster) is first and cluster.files is first
    assert first.superfiles is first.superfiles and first.locks is not None


def test_create_existing_without_overwrite_is_dfs_exception_1(cat):
    make_file(cat, "t::dup")
    with pytest.raises(FileExists) as err:
        make_file(cat, "t::dup")
    assert (err.value.code, err.value.message) == (1, "DFS Exception: 1: logical name t::dup already exists")


def test_overwrite_replaces_and_removes_unused_old_parts(cat):
    make_file(cat, "t::ow", [b"1", b"2", b"3", b"4"], owner="old")
    old = paths(cat, "t::ow")
    make_file(cat, "t::ow", [b"new1", b"new2"], overwrite=True, owner="new")
    info = cat.get("t::ow")
    assert info.num_parts == 2 and info.owner == "new" and info.size == 8
    assert all(not p.exists() for p in old)
    assert [p.read_bytes() for p in paths(cat, "t::ow")] == [b"new1", b"new2"]


def test_overwrite_of_a_protected_file_fails_and_changes_nothing(cat):
    make_file(cat, "t::prot", b"keep", owner="a")
    cat.set_protect("t::prot", "alice")
    with pytest.raises(FileProtected) as err:
        make_file(cat, "t::prot", b"other", overwrite=True)
    assert err.value.message == "file t::prot protected by alice"
    assert cat.get("t::prot").owner == "a"
    assert paths(cat, "t::prot")[0].read_bytes() == b"other"  # the caller wrote its bytes first
    cat.set_protect("t::prot", "alice", False)


def test_create_checks_part_files_and_nodes(cat):
    with pytest.raises(InternalError, match="Part 1 of t::missing is missing"):
        cat.create(NewLogicalFile("t::missing", "mythor", "", "", [PartRecord(1, "node1", 5)], {}))
    with pytest.raises(InternalError, match="unknown node ../etc"):
        cat.create(NewLogicalFile("t::evil", "mythor", "", "", [PartRecord(1, "../etc", 5)], {}),
                   require_parts=False)
    with pytest.raises(InternalError, match="numbered"):
        cat.create(NewLogicalFile("t::gap", "mythor", "", "", [PartRecord(2, "node1", 5)], {}),
                   require_parts=False)
    assert not cat.exists("t::missing") and not cat.exists("t::evil")


def test_addresses_are_mapped_to_nodes(cat):
    cat.create(NewLogicalFile("t::byip", "mythor", "", "", [PartRecord(1, "127.0.0.3", 0)], {}),
               require_parts=False)
    assert cat.get("t::byip").parts["mythor"][0].node == "node3"


def test_restart_finds_everything(tmp_path):
    with open_cluster(tmp_path / "d") as c:
        make_file(catalog(c), "t::durable", b"x", owner="o")
        catalog(c).set_protect("t::durable", "p")
    with open_cluster(tmp_path / "d") as again:
        info = catalog(again).get("t::durable")
        assert info.owner == "o" and [p.owner for p in info.protect] == ["p"]


# -- delete -----------------------------------------------------------------------------------

def test_delete_removes_parts_and_replicas(cat):
    make_file(cat, "t::gone", [b"1", b"2"], replicate=True)
    primary = paths(cat, "t::gone")
    mirror = [p for _, p in cat.part_paths("t::gone", replicas=True)]
    assert len(mirror) == 2 and all(p.exists() for p in primary + mirror)
    cat.delete("~T::Gone")
    assert not cat.exists("t::gone")
    assert not any(p.exists() for p in primary + mirror)
    with pytest.raises(FileNotFound) as err:
        cat.delete("t::gone")
    assert err.value.message == "Cannot find file t::gone."


def test_delete_refusals_keep_the_file(cat):
    make_file(cat, "t::guarded", b"z")
    cat.set_protect("t::guarded", "bob")
    cat.set_protect("t::guarded", "amy")
    with pytest.raises(DeleteFailed) as err:
        cat.delete("t::guarded")
    assert err.value.code == 12
    assert err.value.message == ("DFS Exception: 12: Failed to delete file: t::guarded - cause: "
                                 "[ -1: Can't remove t::guarded: file t::guarded protected by "
                                 "bob, amy] ")
    assert isinstance(err.value.reason, FileProtected)
    cat.clear_protection("t::guarded")
    cat.superfiles.add("t::owner1", ["t::guarded"])
    cat.superfiles.add("t::owner0", ["t::guarded"])
    with pytest.raises(DeleteFailed) as err:
        cat.delete("t::guarded")
    assert err.value.message.endswith("[ -1: Can't remove t::guarded: Cannot remove file "
                                      "t::guarded as owned by SuperFile(s): t::owner0, t::owner1] ")
    assert isinstance(err.value.reason, OwnedBySuperfile)
    assert cat.exists("t::guarded") and paths(cat, "t::guarded")[0].exists()


def test_delete_of_a_locked_file_fails_at_once(cat):
    make_file(cat, "t::held", b"z")
    cat.locks.acquire(["t::held"], "roxie query q.1")
    with pytest.raises(DeleteFailed) as err:
        cat.delete("t::held")
    assert err.value.message == (
        "DFS Exception: 12: Failed to delete file: t::held - cause: [ -1: Failed to remove "
        "t::held: SDS: Lock held - SDS Reply Error  : SDS: Lock held - Lock is held performing "
        "changeMode on connection to : Files/Scope[@name=\"t\"]/File[@name=\"held\"], existing "
        "lock info: HOLD lock held by roxie query q.1] ")
    assert isinstance(err.value.reason, FileLocked)
    cat.locks.release("roxie query q.1")
    cat.delete("t::held")


def test_foreign_names_cannot_be_removed(cat):
    with pytest.raises(ForeignFileOperation) as err:
        cat.delete("foreign::10.0.0.1::a::b")
    assert err.value.message == "foreign::10.0.0.1::a::b is foreign"
    with pytest.raises(InvalidLogicalName):
        cat.delete("a::b*")


def test_multi_cluster_delete_of_one_copy(tmp_path):
    with open_cluster(tmp_path / "d", TWO_CLUSTERS) as c:
        cat = catalog(c)
        make_file(cat, "t::multi", [b"aa", b"bb"])
        parts = []
        for i, data in enumerate([b"aa", b"bb"], 1):
            node = c.environment.thor_cluster("thor2").node_for_part(i - 1).name
            p = c.datadir.part_path(node, "t::multi", i, 2)
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(data)
            parts.append(PartRecord(i, node, 2))
        cat.add_cluster("t::multi", "thor2", parts)
        assert cat.get("t::multi").clusters == ["mythor", "thor2"]
        second = paths_of(cat, "t::multi", "thor2")
        with pytest.raises(FileNotFound) as err:
            cat.delete("t::multi@nowhere")
        assert err.value.message == "Cannot find file t::multi on nowhere."
        cat.delete("t::multi@thor2")
        assert cat.get("t::multi").clusters == ["mythor"]
        assert not any(p.exists() for p in second)
        assert all(p.exists() for p in paths_of(cat, "t::multi", "mythor"))


def paths_of(cat, name, cluster):
    return [p for _, p in cat.part_paths(name, cluster)]


# -- rename -----------------------------------------------------------------------------------

def test_rename_moves_parts(cat):
    make_file(cat, "t::old", [b"1", b"2"], owner="o")
    before = paths(cat, "t::old")
    cat.rename("t::old", "u::v::new")
    assert not cat.exists("t::old")
    info = cat.get("u::v::new")
    assert info.owner == "o" and info.directory.endswith("/thor/u/v")
    assert info.part_mask == "new._$P$_of_$N$"
    assert [p.read_bytes() for p in paths(cat, "u::v::new")] == [b"1", b"2"]
    assert not any(p.exists() for p in before)


@pytest.mark.parametrize("setup, old, new, text", [
    (None, "t::absent", "t::x", "rename: file t::absent doesn't exist in the file system"),
    ("super", "t::sf", "t::x", "rename: cannot rename file t::sf as is SuperFile"),
    ("protect", "t::r1", "t::x", "rename: file t::r1 protected by hpcc"),
    ("owned", "t::r1", "t::x", "rename: Cannot remove file t::r1 as owned by SuperFile(s): t::sf"),
    ("exists", "t::r1", "t::r2", "rename: file t::r2 already exist in the file system"),
    (None, "t::r1", "T::R1", "rename: cannot rename file t::r1 to itself"),
    (None, "file::127.0.0.1::x", "t::y", "rename: cannot rename external files"),
    (None, "t::r1@a", "t::y@b", "rename: cannot specify both source and destination clusters on rename"),
])
def test_rename_refusals(cat, setup, old, new, text):
    make_file(cat, "t::r1", b"1")
    if setup == "super":
        cat.superfiles.create("t::sf")
    elif setup == "protect":
        cat.set_protect("t::r1", "hpcc")
    elif setup == "owned":
        cat.superfiles.add("t::sf", ["t::r1"])
    elif setup == "exists":
        make_file(cat, "t::r2", b"2")
    with pytest.raises(RenameFailed) as err:
        cat.rename(old, new)
    assert (err.value.code, err.value.message) == (-1, text)
    assert cat.exists("t::r1")


def test_rename_foreign_and_locked(cat):
    make_file(cat, "t::lk", b"1")
    with pytest.raises(ForeignFileOperation, match="rename: cannot rename foreign files"):
        cat.rename("foreign::h::a::b", "t::x")
    cat.locks.acquire(["t::lk"], "job")
    with pytest.raises(FileLocked):
        cat.rename("t::lk", "t::lk2")
    assert cat.exists("t::lk") and paths(cat, "t::lk")[0].exists()


# -- describe (DFUInfo) ---------------------------------------------------------------------------

def test_describe_protect_restrict_and_description(cat):
    make_file(cat, "t::desc", b"1", description="old")
    with pytest.raises(MissingArgument) as err:
        cat.describe("")
    assert (err.value.code, err.value.message) == (20051, "File name required")
    with pytest.raises(FileNotFound) as err:
        cat.describe("T::Nope")
    assert (err.value.code, err.value.message) == (20038, "Cannot find file T::Nope.")
    with pytest.raises(FileNotFound) as err:
        cat.describe("t::desc", "roxie")
    assert err.value.message == "Cannot find file t::desc on roxie."
    info = cat.describe("t::desc", "mythor", protect=1, restrict=1, description="new",
                        user="alice")
    assert [p.owner for p in info.protect] == ["alice"] and info.is_restricted
    assert info.description == "new"
    cat.describe("t::desc", protect=1, user="bob")
    info = cat.describe("t::desc", protect=2, user="alice", restrict=2)
    assert [p.owner for p in info.protect] == ["bob"] and not info.is_restricted
    assert cat.describe("t::desc", protect=3).protect == []
    assert cat.describe("t::desc", description="").description == ""


def test_history_list_and_erase(cat):
    make_file(cat, "t::hist", b"1")
    cat.add_history("t::hist", {"operation": "DFUcopy", "ip": "10.0.0.1", "name": "src"})
    records = cat.erase_history("t::hist")
    assert [(r.operation, r.ip, r.name) for r in records] == [("DFUcopy", "10.0.0.1", "src")]
    assert records[0].timestamp
    assert cat.history("t::hist") == []


def test_people_helper_layout(cat):
    make_people(cat, "t::people", 10, parts=3)
    info = cat.get("t::people")
    assert info.num_parts == 3 and info.size == 140 and info.record_count == 10


def test_package_map_superfiles_answer_dfuinfo_for_a_query(cluster, cat):
    from wsservices.engine.packagemaps.fileinfo import package_superfile
    from wsservices.engine.packagemaps.maps import PackageMaps

    make_file(cat, "pk::v1", b"1")
    make_file(cat, "pk::v2", b"2")
    cluster.store.execute("INSERT INTO queries(query_set, id, name, seq) VALUES ('roxie', 'q.1', 'q', 1)")
    PackageMaps.for_cluster(cluster).add("roxie", "pm.pkg", (
        '<RoxiePackages><Package id="q"><Base id="data"/></Package><Package id="data">'
        '<SuperFile id="~pk::super"><SubFile value="~pk::v1"/><SubFile value="~pk::v2"/>'
        "</SuperFile></Package></RoxiePackages>"), activate=True)
    assert package_superfile(cluster, "roxie", "q.1", "~PK::Super") == ("q", ["pk::v2", "pk::v1"])
    assert package_superfile(cluster, "roxie", "q.1", "pk::other") is None
    assert package_superfile(cluster, "mythor", "q.1", "pk::super") is None
    assert package_superfile(cluster, "roxie", "", "pk::super") is None
