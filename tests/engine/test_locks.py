"""The lock registry: modes, texts, persistence, and that a locked file's writers fail at once
and change nothing."""
from __future__ import annotations

import pytest

from .files_support import make_file, open_cluster
from wsservices.engine.errors import FileLocked
from wsservices.engine.dali.files import DeleteFailed
from wsservices.engine.dali.catalog import catalog
from wsservices.engine.dali.locks import LockRegistry, xpath_of
from wsservices.engine.dali.catalog import lock_registry
from wsservices.engine.dali.superfiles import SuperfileError

HELD = ('SDS: Lock held - SDS Reply Error  : SDS: Lock held - Lock is held performing changeMode '
        'on connection to : Files/Scope[@name="thor"]/Scope[@name="a"]/File[@name="f"], existing '
        'lock info: HOLD lock held by roxie query q.1')


def test_hold_lock_text_and_code(cat):
    locks = cat.locks
    ids = locks.acquire(["~THOR::A::F", "thor::a::f"], "roxie query q.1")
    assert len(ids) == 1 and locks.is_locked("thor::a::f")
    with pytest.raises(FileLocked) as err:
        locks.check_writable("thor::a::f")
    assert (err.value.code, err.value.message) == (30, HELD)
    locks.check_writable("thor::a::f", ignore_holder="roxie query q.1")
    assert locks.release_ids(ids) == 1
    locks.check_writable("thor::a::f")


def test_read_locks_time_out_instead(cat):
    cat.locks.acquire(["x::y"], "reader job", mode="read")
    with pytest.raises(FileLocked) as err:
        cat.locks.check_writable("x::y")
    assert err.value.code == 1
    assert err.value.message.startswith("SDS: Lock timeout - SDS Reply Error  : SDS: Lock timeout - "
                                        "Lock timeout performing changeMode on connection to : ")
    assert err.value.message.endswith("existing lock info: READ lock held by reader job")


def test_write_lock_needs_no_other_holder(cat):
    cat.locks.acquire(["w::f"], "a")
    with pytest.raises(FileLocked):
        cat.locks.acquire(["w::g", "w::f"], "b", mode="write")
    assert cat.locks.locks_on("w::g") == []          # nothing taken
    assert cat.locks.acquire(["w::f"], "a", mode="write")
    with pytest.raises(ValueError):
        cat.locks.acquire(["w::f"], "a", mode="exclusive")


def test_release_by_holder_and_names(cat):
    cat.locks.acquire(["r::a", "r::b"], "q1")
    cat.locks.acquire(["r::a"], "q2")
    assert cat.locks.release("q1", ["r::a"]) == 1
    assert [lk.holder for lk in cat.locks.locks_on("r::a")] == ["q2"]
    assert [lk.name for lk in cat.locks.locks_of("q1")] == ["r::b"]
    assert cat.locks.release("q1") == 1 and cat.locks.release("nobody") == 0


def test_locks_survive_a_restart(tmp_path):
    with open_cluster(tmp_path / "d") as c:
        lock_registry(c).acquire(["p::f"], "published query")
    with open_cluster(tmp_path / "d") as c:
        assert lock_registry(c) is catalog(c).locks
        assert [lk.holder for lk in lock_registry(c).locks_on("p::f")] == ["published query"]


def test_registry_on_a_bare_store(cat):
    assert isinstance(LockRegistry(cat.store), LockRegistry)
    assert xpath_of("a::b", is_superfile=True) == 'Files/Scope[@name="a"]/SuperFile[@name="b"]'
    assert xpath_of("solo") == 'Files/File[@name="solo"]'


def test_locked_files_fail_every_writer_and_nothing_changes(cat):
    make_file(cat, "thor::a::f", b"data", owner="o")
    make_file(cat, "thor::a::g", b"g")
    cat.superfiles.add("thor::a::s", ["thor::a::g"])
    cat.locks.acquire(["thor::a::f", "thor::a::g"], "roxie query q.1")
    with pytest.raises(DeleteFailed) as err:
        cat.delete("thor::a::f")
    assert err.value.message == ("DFS Exception: 12: Failed to delete file: thor::a::f - cause: "
                                 f"[ -1: Failed to remove thor::a::f: {HELD}] ")
    with pytest.raises(FileLocked):
        cat.rename("thor::a::f", "thor::a::h")
    with pytest.raises(FileLocked):
        make_file(cat, "thor::a::f", b"new", overwrite=True, owner="n")
    assert cat.get("thor::a::f").owner == "o"
    # removing a held member (and deleting it) from a superfile: removed, the delete fails
    with pytest.raises(SuperfileError) as err:
        cat.superfiles.remove("thor::a::s", ["thor::a::g"], delete=True)
    assert err.value.message.startswith("[ -1: Failed to remove thor::a::g: SDS: Lock held")
    assert cat.superfiles.list("thor::a::s") == [] and cat.exists("thor::a::g")
    cat.locks.release("roxie query q.1")
    cat.delete("thor::a::f")
    assert not cat.exists("thor::a::f")
