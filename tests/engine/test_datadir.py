import os

import pytest

from wsservices.engine.datadir import (CLIENT_DATA_BASE, DataDir, contains_rel_paths)
from wsservices.engine.environment import DropZone, Environment
from wsservices.engine.errors import InvalidPath, PathNotInDropZone

LZ = "/var/lib/HPCCSystems/mydropzone"


@pytest.fixture
def dd(tmp_path):
    return DataDir(tmp_path / "data", Environment.default()).create()


@pytest.fixture
def dz():
    return Environment.default().drop_zones[0]


def test_layout_is_created(dd, tmp_path):
    root = tmp_path / "data"
    assert dd.dali_path == root / "dali.sqlite"
    assert (root / "dropzones" / "mydropzone").is_dir()
    for n in range(1, 5):
        assert (root / "nodes" / f"node{n}" / "hpcc-data" / "thor").is_dir()
        assert (root / "nodes" / f"node{n}" / "hpcc-mirror" / "thor").is_dir()
    dd.create()  # idempotent


def test_part_paths(dd, tmp_path):
    assert dd.part_path("node2", "~Tutorial::YN::People", 2, 3) == (
        tmp_path / "data/nodes/node2/hpcc-data/thor/tutorial/yn/people._2_of_3")
    assert dd.part_path("node1", "x", 1, 1, mirror=True) == (
        tmp_path / "data/nodes/node1/hpcc-mirror/thor/x._1_of_1")
    assert DataDir.client_directory("tutorial::yn::people") == CLIENT_DATA_BASE + "/tutorial/yn"
    assert DataDir.client_directory("x") == CLIENT_DATA_BASE
    assert DataDir.client_directory("a::b", mirror=True) == "/var/lib/HPCCSystems/hpcc-mirror/thor/a"


@pytest.mark.parametrize("path, expected", [
    ("~x", True), ("..", True), ("./x", True), ("a/../b", True), ("a/.", True),
    ("a\\..\\b", True), ("a..b", False), ("...", False), (".hidden", False), ("a/b~", False),
    ("", False), ("/abs/path", False),
])
def test_contains_rel_paths(path, expected):
    assert contains_rel_paths(path) is expected


def test_allowed_paths(dd, dz, tmp_path):
    root = tmp_path / "data" / "dropzones" / "mydropzone"
    assert dd.resolve_dropzone_path(dz, "in.csv") == root / "in.csv"
    assert dd.resolve_dropzone_path(dz, "sub/deeper/in.csv") == root / "sub/deeper/in.csv"
    assert dd.resolve_dropzone_path(dz, "sub\\in.csv") == root / "sub/in.csv"
    assert dd.resolve_dropzone_path(dz, LZ + "/sub/in.csv") == root / "sub/in.csv"
    assert dd.resolve_dropzone_path(dz, LZ) == root
    assert dd.resolve_dropzone_path(dz, LZ + "/") == root
    assert dd.resolve_dropzone_path(dz, "") == root
    assert dd.resolve_dropzone_path(dz, None) == root
    assert dd.resolve_dropzone_path(dz, "a..b/...") == root / "a..b/..."


@pytest.mark.parametrize("path", [
    "../etc/passwd", "sub/../../x", "..", "./x", LZ + "/../secret", "~/x", "~root", "a/.",
    "a\\..\\..\\b",
])
def test_relative_escapes_are_refused(dd, dz, path):
    with pytest.raises(InvalidPath) as info:
        dd.resolve_dropzone_path(dz, path)
    assert info.value.message == f"Invalid path {path}"
    assert info.value.code == 20052


def test_nul_is_refused(dd, dz):
    with pytest.raises(InvalidPath) as info:
        dd.resolve_dropzone_path(dz, "a\0b")
    assert info.value.message == "Invalid path a\\0b"


@pytest.mark.parametrize("path", ["/etc/passwd", "/var/lib/HPCCSystems/mydropzone2/x",
                                  "/var/lib/hpccsystems/mydropzone/x", "/"])
def test_absolute_paths_elsewhere_are_refused(dd, dz, path):
    with pytest.raises(PathNotInDropZone) as info:
        dd.resolve_dropzone_path(dz, path)
    err = info.value
    assert isinstance(err, InvalidPath) and err.code == 20052
    assert err.message == f"The path '{path}' is not valid for dropzone mydropzone."
    assert (err.path, err.dropzone, err.prefix) == (path, "mydropzone", LZ)


def test_symlinks_leading_out_are_refused(dd, dz, tmp_path):
    root = dd.dropzone_dir(dz)
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret").write_text("x")
    os.symlink(outside, root / "link")
    os.symlink(outside / "secret", root / "file-link")
    (root / "inner").mkdir()
    os.symlink(root / "inner", root / "ok-link")
    for bad in ("link/secret", "link", "file-link", LZ + "/link/secret"):
        with pytest.raises(InvalidPath) as info:
            dd.resolve_dropzone_path(dz, bad)
        assert info.value.message == f"Invalid path {bad}"
    assert dd.resolve_dropzone_path(dz, "ok-link/x") == root / "ok-link" / "x"
    os.symlink(root / "loop", root / "loop")
    with pytest.raises(InvalidPath):
        dd.resolve_dropzone_path(dz, "loop/x")


def test_reverse_mapping(dd, dz, tmp_path):
    root = dd.dropzone_dir(dz)
    assert dd.client_path(dz, root / "sub" / "a.csv") == LZ + "/sub/a.csv"
    assert dd.client_path(dz, root) == LZ
    real = dd.resolve_dropzone_path(dz, "x/y.txt")
    assert dd.client_path(dz, real) == LZ + "/x/y.txt"
    with pytest.raises(InvalidPath):
        dd.client_path(dz, tmp_path / "elsewhere")


def test_root_dropzone_path(tmp_path):
    dz = DropZone(name="rootzone", path="/")
    env = Environment.from_mapping({"dropzone": [{"name": "rootzone", "path": "/"}]})
    dd = DataDir(tmp_path, env).create()
    assert dd.resolve_dropzone_path(dz, "/a/b") == tmp_path / "dropzones/rootzone/a/b"
    assert dd.client_path(dz, tmp_path / "dropzones/rootzone/a") == "/a"
    assert dd.client_path(dz, tmp_path / "dropzones/rootzone") == "/"
