"""The drop-zone engine: listing, search, delete, upload, download, and path safety.

Every traversal attempt must be refused with ESP's error and leave the world outside the drop
zone exactly as it was: `outside` is a folder next to the data directory that each test snapshots.
"""
from __future__ import annotations

import os
import re
import stat

import pytest

from wsservices.engine.datadir import DataDir
from wsservices.engine.landingzone.dropzones import (MAX_SEARCH_RESULTS, SEARCH_LIMIT_WARNING, DropZones,
                                                     upload_file_name)
from wsservices.engine.environment import Environment
from wsservices.engine.errors import (DomainError, DropZoneNotFound, InvalidPath,
                                      PathNotInDropZone)

LZ = "/var/lib/HPCCSystems/mydropzone"
HOST = "127.0.0.1"
TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")


@pytest.fixture
def env():
    return Environment.default()


@pytest.fixture
def dd(tmp_path, env):
    return DataDir(tmp_path / "data", env).create()


@pytest.fixture
def zones(env, dd):
    return DropZones(env, dd)


@pytest.fixture
def root(dd, env):
    return dd.dropzone_dir(env.drop_zones[0])


@pytest.fixture
def outside(tmp_path, root):
    """A folder outside the zone with a secret, and symlinks in the zone that lead to it."""
    out = tmp_path / "outside"
    out.mkdir()
    (out / "secret").write_bytes(b"top secret")
    (out / "victim").mkdir()
    os.symlink(out, root / "link")
    os.symlink(out / "secret", root / "secret-link")
    return out


def snapshot(folder):
    """Everything about a folder tree that a leak or a write would change."""
    result = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            p = os.path.join(dirpath, name)
            st = os.lstat(p)
            data = open(p, "rb").read() if stat.S_ISREG(st.st_mode) else None
            result[os.path.relpath(p, folder)] = (st.st_mode, st.st_size, st.st_mtime_ns, data)
    return result


def populate(root):
    (root / "b.csv").write_bytes(b"1,2,3\n")
    (root / "A.TXT").write_bytes(b"hello")
    (root / "sub").mkdir()
    (root / "sub" / "deep").mkdir()
    (root / "sub" / "in.csv").write_bytes(b"x" * 10)
    (root / "sub" / "deep" / "z.csv").write_bytes(b"")


def raises(exc_type, message, code=None):
    """pytest.raises that also checks the exact message and code."""
    class _Check:
        def __enter__(self):
            self.ctx = pytest.raises(exc_type)
            self.info = self.ctx.__enter__()
            return self.info

        def __exit__(self, *exc):
            suppressed = self.ctx.__exit__(*exc)
            assert self.info.value.message == message
            if code is not None:
                assert self.info.value.code == code
            return suppressed
    return _Check()


# ---------------------------------------------------------------------------------------------
# DropZoneFiles
# ---------------------------------------------------------------------------------------------

def test_servers_and_no_listing_without_a_folder(zones):
    listing = zones.list_files()
    assert [(s.name, s.net_address, s.path, s.computer, s.linux) for s in listing.servers] == [
        ("mydropzone", HOST, LZ, HOST, True)]
    assert listing.files is None and listing.dropzone is None and listing.linux is None
    assert zones.list_files(net_address=HOST).files is None            # no path
    assert zones.list_files(path=LZ).files is None                     # no zone, no address


def test_listing_by_address(zones, root):
    populate(root)
    listing = zones.list_files(net_address=HOST, path=LZ)
    assert (listing.dropzone, listing.net_address, listing.directory, listing.linux) == (
        "mydropzone", HOST, LZ + "/", True)
    got = {e.name: e for e in listing.files}
    assert [e.name for e in listing.files] == ["A.TXT", "b.csv", "sub"]
    assert (got["b.csv"].is_dir, got["b.csv"].size, got["b.csv"].path, got["b.csv"].server) == (
        False, 6, LZ + "/", HOST)
    assert got["sub"].is_dir and got["sub"].size == -1
    assert all(TIME.match(e.modified) for e in listing.files)


def test_listing_subfolder_directory_only_and_by_name(zones, root):
    populate(root)
    sub = zones.list_files(net_address=HOST, path=LZ, subfolder="sub")
    assert sub.directory == LZ + "/sub/"
    assert [e.name for e in sub.files] == ["deep", "in.csv"]
    assert [e.path for e in sub.files] == [LZ + "/sub/"] * 2
    assert [e.name for e in zones.list_files(net_address=HOST, path=LZ, directory_only=True).files] == ["sub"]
    by_name = zones.list_files("mydropzone", path=LZ + "/sub")
    assert by_name.net_address is None and by_name.linux is None
    assert [e.server for e in by_name.files] == [HOST, HOST]
    assert zones.list_files("mydropzone", subfolder="sub").files == ()  # relative: not in the zone
    assert zones.list_files("nosuchzone", path=LZ).files is None
    assert zones.list_files("mydropzone", path="/elsewhere").files == ()


@pytest.mark.parametrize("alias", ["localhost", ".", "LOCALHOST"])
def test_local_aliases_name_the_local_drop_zone(zones, root, alias):
    (root / "f").write_bytes(b"")
    listing = zones.list_files(net_address=alias, path=LZ)
    assert [e.name for e in listing.files] == ["f"] and listing.files[0].server == alias


def test_listing_errors(zones, root):
    (root / "plain").write_bytes(b"")
    with raises(DomainError, "Invalid server bad host! specified.", 20052):
        zones.list_files(net_address="bad host!", path=LZ)
    with raises(InvalidPath, f"Invalid path {LZ}/../x", 20052):
        zones.list_files(net_address=HOST, path=LZ + "/../x")
    with raises(InvalidPath, "Invalid Subfolder ../x", 20052):
        zones.list_files(net_address=HOST, path=LZ, subfolder="../x")
    with raises(DropZoneNotFound, "Dropzone is not found in the environment settings.", 20070):
        zones.list_files("mydropzone", "10.9.9.9", path=LZ)
    with raises(DropZoneNotFound, "Dropzone is not found in the environment settings.", 20070):
        zones.list_files("mydropzone", HOST, path="/etc")
    with raises(DropZoneNotFound, "DropZone not found for host '127.0.0.1' path '/etc/'."):
        zones.list_files(net_address=HOST, path="/etc")
    with raises(DomainError, f"{LZ}/nothere/ is not a directory.", 20074):
        zones.list_files(net_address=HOST, path=LZ, subfolder="nothere")
    with raises(DomainError, f"{LZ}/plain/ is not a directory.", 20074):
        zones.list_files(net_address=HOST, path=LZ + "/plain")


# ---------------------------------------------------------------------------------------------
# FileList
# ---------------------------------------------------------------------------------------------

def test_file_list(zones, root):
    populate(root)
    listing = zones.file_list(None, HOST, LZ)
    assert listing.directory == LZ + "/"
    assert [e.name for e in listing.files] == ["A.TXT", "b.csv", "sub"]
    masked = zones.file_list("mydropzone", None, LZ, mask="*.txt")   # case-insensitive
    assert [e.name for e in masked.files] == ["A.TXT", "sub"]          # folders stay
    assert [e.name for e in zones.file_list(None, HOST, LZ, mask="?.csv").files] == ["b.csv", "sub"]
    assert [e.name for e in zones.file_list(None, HOST, LZ, directory_only=True).files] == ["sub"]
    assert [e.name for e in zones.file_list("mydropzone", HOST, "sub").files] == ["deep", "in.csv"]
    assert zones.file_list("mydropzone", HOST, "sub").directory == LZ + "/sub/"


def test_file_list_errors(zones):
    with raises(DomainError, "Path not specified.", 20052):
        zones.file_list(None, HOST, "")
    with raises(InvalidPath, "Invalid path ../x", 20052):
        zones.file_list(None, HOST, "../x")
    with raises(DomainError, "DropZoneName or Netaddr must be specified.", 20052):
        zones.file_list(None, None, LZ)
    with raises(DropZoneNotFound, "DropZone 'other' not found."):
        zones.file_list("other", HOST, LZ)
    with raises(DomainError, "The host '10.1.1.1' is not valid for dropzone mydropzone.", 20052):
        zones.file_list("mydropzone", "10.1.1.1", LZ)
    with raises(PathNotInDropZone, "The path '/etc/' is not valid for dropzone mydropzone.", 20052):
        zones.file_list("mydropzone", HOST, "/etc")
    with raises(DropZoneNotFound, f"DropZone not found for host '10.1.1.1' path '{LZ}/'."):
        zones.file_list(None, "10.1.1.1", LZ)


# ---------------------------------------------------------------------------------------------
# DropZoneFileSearch
# ---------------------------------------------------------------------------------------------

def test_search_is_recursive_case_sensitive_and_lists_folders(zones, root):
    populate(root)
    result = zones.search("mydropzone", "*.csv")
    assert [(e.name, e.path) for e in result.files] == [
        ("b.csv", None), ("z.csv", "sub/deep"), ("in.csv", "sub")]
    assert result.warning is None and all(e.server == HOST for e in result.files)
    assert [e.name for e in zones.search("mydropzone", "*.txt").files] == []
    assert [e.name for e in zones.search("mydropzone", "A.*").files] == ["A.TXT"]
    folders = zones.search("mydropzone", "d*p", server="localhost").files
    assert [(e.name, e.is_dir, e.size, e.path) for e in folders] == [("deep", True, -1, "sub")]


def test_search_stops_at_the_limit(zones, root):
    for i in range(MAX_SEARCH_RESULTS + 5):
        (root / f"f{i:04d}.dat").write_bytes(b"")
    result = zones.search("mydropzone", "f*")
    assert len(result.files) == MAX_SEARCH_RESULTS and result.truncated
    assert result.warning == SEARCH_LIMIT_WARNING == (
        "More than 1000 files are found. Only 1000 files are returned.")


def test_search_errors(zones):
    with raises(DomainError, "DropZone not specified.", 20052):
        zones.search("", "*")
    with raises(DomainError, "Name Filter not specified.", 20052):
        zones.search("mydropzone", "")
    for bad in ("*", "***"):
        with raises(DomainError, "Invalid Name Filter '*'", 20052):
            zones.search("mydropzone", bad)
    with raises(DomainError, "Server 10.0.0.9 not found in dropzone mydropzone.", 20052):
        zones.search("mydropzone", "x*", server="10.0.0.9")
    assert zones.search("unknown", "x*").files == ()


def test_invisible_zones(tmp_path):
    env = Environment.from_mapping({"dropzone": [
        {"name": "seen", "path": "/lz/seen"}, {"name": "hidden", "path": "/lz/hidden", "visible": False}]})
    zones = DropZones(env, DataDir(tmp_path, env).create())
    (tmp_path / "dropzones" / "hidden" / "x.csv").write_bytes(b"")
    assert [s.name for s in zones.servers()] == ["seen", "hidden"]
    assert [s.name for s in zones.servers(visible_only=True)] == ["seen"]
    assert zones.list_files("hidden", path="/lz/hidden", visible_only=True).files is None
    assert [e.name for e in zones.list_files("hidden", path="/lz/hidden").files] == ["x.csv"]
    assert zones.search("hidden", "*.csv", visible_only=True).files == ()
    with raises(DomainError, "Server 127.0.0.1 not found in dropzone hidden."):
        zones.search("hidden", "*.csv", server=HOST, visible_only=True)


# ---------------------------------------------------------------------------------------------
# DeleteDropZoneFiles
# ---------------------------------------------------------------------------------------------

def test_delete(zones, root):
    populate(root)
    (root / "empty").mkdir()
    results = zones.delete(None, HOST, LZ, ["b.csv", "", "missing", "sub/in.csv", "sub", "empty"])
    assert [(r.name, r.result) for r in results] == [
        ("b.csv", "Success"), ("missing", "Warning: this file does not exist."),
        ("sub/in.csv", "Success"), ("sub", "Failed: Directory not empty"), ("empty", "Success")]
    assert sorted(os.listdir(root)) == ["A.TXT", "sub"]
    assert [r.result for r in zones.delete("mydropzone", "localhost", LZ + "/sub/deep", ["z.csv"])] == ["Success"]


def test_delete_errors_remove_nothing(zones, root):
    populate(root)
    before = snapshot(root)
    with raises(InvalidPath, f"Invalid path {LZ}/..", 20052):
        zones.delete(None, HOST, LZ + "/..", ["b.csv"])
    with raises(DomainError, "File not specified.", 20052):
        zones.delete(None, HOST, LZ, [])
    with raises(InvalidPath, "Invalid file ../b.csv", 20052):
        zones.delete(None, HOST, LZ, ["b.csv", "../b.csv"])
    with raises(DomainError, "NetworkAddress or Path not defined.", 20052):
        zones.delete(None, "", LZ, ["b.csv"])
    with raises(DomainError, "NetworkAddress or Path not defined.", 20052):
        zones.delete(None, HOST, "", ["b.csv"])
    for name, host, path in [(None, "10.0.0.1", LZ), (None, HOST, "/etc"), ("other", HOST, LZ),
                             (None, HOST, "sub")]:
        with raises(DropZoneNotFound, "Dropzone is not found in the environment settings.", 20070):
            zones.delete(name, host, path, ["b.csv"])
    with raises(DomainError, f"{LZ}/b.csv is not a directory.", 20074):
        zones.delete(None, HOST, LZ + "/b.csv", ["x"])
    for zone_itself in ("/", "//"):
        with raises(InvalidPath, f"Invalid file {zone_itself}"):
            zones.delete(None, HOST, LZ, ["b.csv", zone_itself])
    assert snapshot(root) == before


# ---------------------------------------------------------------------------------------------
# UploadFile
# ---------------------------------------------------------------------------------------------

def test_upload_is_atomic_and_reduced_to_the_tail(zones, root):
    target = zones.upload_target(None, HOST, LZ + "/")
    assert target.client_directory == LZ + "/"
    assert zones.write_upload(target, "C:\\Users\\me\\data.csv", [b"a,b\n", b"c,d\n"]) == "data.csv"
    assert zones.write_upload(target, "/home/me/../me/x.bin", iter([b"\0" * 70000])) == "x.bin"
    assert (root / "data.csv").read_bytes() == b"a,b\nc,d\n"
    assert (root / "x.bin").stat().st_size == 70000
    assert stat.S_IMODE((root / "data.csv").stat().st_mode) == 0o644        # umask 022
    zones.write_upload(target, "data.csv", [b"new"])                       # silently replaced
    assert (root / "data.csv").read_bytes() == b"new"
    assert sorted(os.listdir(root)) == ["data.csv", "x.bin"]               # no .part left


def test_upload_in_progress_and_abort(zones, root):
    (root / "sub").mkdir()
    target = zones.upload_target("mydropzone", "localhost", LZ + "/sub")
    with zones.begin_upload(target, "big.dat") as upload:
        upload.write(b"partial")
        assert not (root / "sub" / "big.dat").exists()                    # not visible yet
        assert [p.name.endswith(".part") for p in (root / "sub").iterdir()] == [True]
    assert list((root / "sub").iterdir()) == []                           # aborted, removed
    with pytest.raises(RuntimeError):
        zones.write_upload(target, "gen.dat", (b"x" if i < 3 else _boom() for i in range(5)))
    assert list((root / "sub").iterdir()) == []


def _boom():
    raise RuntimeError("client went away")


@pytest.mark.parametrize("name", ["", "..", ".", "a/..", "x\\..", "dir/", "~", "~secret", "a\0b"])
def test_upload_names_refused(zones, root, name):
    target = zones.upload_target(None, HOST, LZ)
    shown = name.replace("\0", "\\0")
    with raises(InvalidPath, f"Invalid file name {shown}", 20052):
        zones.write_upload(target, name, [b"x"])
    assert os.listdir(root) == []


def test_upload_name_tail():
    assert upload_file_name("../../etc/passwd") == "passwd"
    assert upload_file_name("a..b") == "a..b"
    assert upload_file_name(".hidden") == ".hidden"


def test_upload_target_errors(zones, root):
    (root / "file").write_bytes(b"")
    with raises(DomainError, "Host or file path not defined.", 20052):
        zones.upload_target(None, "", LZ)
    with raises(DomainError, "Host or file path not defined.", 20052):
        zones.upload_target(None, HOST, "")
    with raises(InvalidPath, f"Invalid path {LZ}/../../tmp", 20052):
        zones.upload_target(None, HOST, LZ + "/../../tmp")
    with raises(DropZoneNotFound, "DropZone not found for host '127.0.0.1' path '/tmp'."):
        zones.upload_target(None, HOST, "/tmp")
    with raises(DropZoneNotFound, "DropZone 'nope' not found."):
        zones.upload_target("nope", HOST, LZ)
    with raises(DomainError, "The host '10.0.0.2' is not valid for dropzone mydropzone."):
        zones.upload_target("mydropzone", "10.0.0.2", LZ)
    with raises(PathNotInDropZone, "The path '/tmp' is not valid for dropzone mydropzone."):
        zones.upload_target("mydropzone", HOST, "/tmp")
    with raises(DomainError, f"{LZ}/file is not a directory.", 20074):
        zones.upload_target(None, HOST, LZ + "/file")
    (root / "adir").mkdir()
    with raises(DomainError, f"{LZ}/adir is a directory."):
        zones.write_upload(zones.upload_target(None, HOST, LZ), "adir", [b"x"])


# ---------------------------------------------------------------------------------------------
# DownloadFile
# ---------------------------------------------------------------------------------------------

def test_download(zones, root):
    populate(root)
    download = zones.open_download(None, HOST, LZ, "b.csv")
    with download.stream:
        assert download.stream.read() == b"1,2,3\n"
    assert (download.name, download.client_path, download.size) == ("b.csv", LZ + "/b.csv", 6)
    nested = zones.open_download("mydropzone", "localhost", LZ + "/sub/", "whatever/in.csv")
    with nested.stream:
        assert (nested.name, nested.stream.read()) == ("in.csv", b"x" * 10)


def test_download_errors(zones, root):
    populate(root)
    with raises(DomainError, "File name not specified.", 20052):
        zones.open_download(None, HOST, LZ, "")
    with raises(InvalidPath, "Invalid file name ../b.csv", 20052):
        zones.open_download(None, HOST, LZ, "../b.csv")
    with raises(DomainError, "Path not specified.", 20052):
        zones.open_download(None, HOST, "", "b.csv")
    with raises(DomainError, "Host or file path not defined.", 20052):
        zones.open_download(None, "", LZ, "b.csv")
    with raises(InvalidPath, "Invalid path ~/x", 20052):
        zones.open_download(None, HOST, "~/x", "b.csv")
    with raises(DomainError, f"Cannot open file {LZ}/nothere.", 20039):
        zones.open_download(None, HOST, LZ, "nothere")
    with raises(DomainError, f"Cannot open file {LZ}/sub.", 20039):
        zones.open_download(None, HOST, LZ, "sub")
    with raises(InvalidPath, "Invalid file name x/", 20052):
        zones.open_download(None, HOST, LZ, "x/")


# ---------------------------------------------------------------------------------------------
# Traversal: every path-taking parameter of every operation
# ---------------------------------------------------------------------------------------------

ESCAPES = ["..", "../..", "../../etc", LZ + "/..", LZ + "/../../..", "sub/../../x", "..\\..\\etc",
           "a\0b", LZ + "/\0", "~", "~/x", "~root", "./x", "/etc", "/etc/passwd", "/", "link",
           "link/secret", LZ + "/link", LZ + "/link/victim", "secret-link"]


def _attempts(zones, bad):
    """Every engine entry point, with ``bad`` in each of its path parameters."""
    target = zones.upload_target(None, HOST, LZ)
    return [
        lambda: zones.list_files(net_address=HOST, path=bad),
        lambda: zones.list_files("mydropzone", HOST, path=bad),
        lambda: zones.list_files(net_address=HOST, path=LZ, subfolder=bad),
        lambda: zones.file_list(None, HOST, bad),
        lambda: zones.file_list("mydropzone", None, bad),
        lambda: zones.delete(None, HOST, bad, ["secret"]),
        lambda: zones.delete(None, HOST, LZ, [bad]),
        lambda: zones.delete(None, HOST, LZ, [bad + "/secret"]),
        lambda: zones.upload_target(None, HOST, bad),
        lambda: zones.upload_target("mydropzone", HOST, bad),
        lambda: zones.open_download(None, HOST, bad, "secret"),
        lambda: zones.open_download("mydropzone", HOST, bad, "secret"),
        lambda: zones.open_download(None, HOST, LZ, bad),
        lambda: zones.write_upload(target, bad, [b"pwned"]),
        lambda: zones.write_upload(target, bad + "/secret", [b"pwned"]),
    ]


@pytest.mark.parametrize("bad", ESCAPES)
def test_traversal_is_refused_and_nothing_outside_changes(zones, root, outside, bad):
    before = snapshot(outside)
    for attempt in _attempts(zones, bad):
        try:
            result = attempt()
        except DomainError as exc:
            assert exc.code in (20052, 20070, 20074, 20039), exc
            assert str(outside) not in exc.message and "dropzones" not in exc.message
            continue
        # what is allowed must have stayed inside the zone
        if hasattr(result, "stream"):
            with result.stream:
                assert result.stream.read() != b"top secret"
        for entry in getattr(result, "files", None) or ():
            assert entry.name not in ("secret", "victim")
    assert snapshot(outside) == before
    assert not any(p.read_bytes() == b"pwned" for p in outside.rglob("*") if p.is_file())


def test_symlinks_leading_out_are_not_listed_or_searched(zones, root, outside):
    (root / "inside").mkdir()
    os.symlink(root / "inside", root / "ok-link")
    os.symlink(root / "nowhere", root / "dangling")
    names = [e.name for e in zones.list_files(net_address=HOST, path=LZ).files]
    assert names == ["inside", "ok-link"]
    assert zones.search("mydropzone", "*secret*").files == ()
    assert zones.search("mydropzone", "victim").files == ()
    with raises(InvalidPath, "Invalid file link"):
        zones.delete(None, HOST, LZ, ["link"])
    with raises(InvalidPath, f"Invalid path {LZ}/link/"):
        zones.file_list(None, HOST, LZ + "/link")
    assert (root / "link").is_symlink() and (outside / "secret").exists()


def test_encoded_names_are_literal(zones, root):
    """The engine never decodes: ``%2e%2e`` is a (missing) folder inside the zone."""
    with raises(DomainError, f"{LZ}/%2e%2e/ is not a directory.", 20074):
        zones.list_files(net_address=HOST, path=LZ + "/%2e%2e")
    target = zones.upload_target(None, HOST, LZ)
    assert zones.write_upload(target, "%2e%2e%2fx", [b"1"]) == "%2e%2e%2fx"
    assert os.listdir(root) == ["%2e%2e%2fx"]


# ---------------------------------------------------------------------------------------------
# Spray targets, DFU queues, remote targets
# ---------------------------------------------------------------------------------------------

def test_targets_and_queues(zones):
    assert [(t.name, t.cluster_type, t.replicate_outputs) for t in zones.spray_targets()] == [
        ("mythor", "thor", False)]
    assert zones.dfu_server_queues() == ("dfuserver_queue",)
    assert zones.dfu_server_queues("MyDfuServer") == ("dfuserver_queue",)
    assert zones.dfu_server_queues("other") == ()
    assert zones.remote_targets() == ((), True)


def test_targets_from_a_custom_environment(tmp_path):
    env = Environment.from_mapping({
        "thor": [{"name": "t1", "group": "g", "replicate": True, "nodes": 1},
                 {"name": "t2", "group": "g", "nodes": 1}, {"name": "t3", "nodes": 2}],
        "dfu": {"queues": ["q1", "q2,q1", "q3"]}})
    zones = DropZones(env, DataDir(tmp_path, env).create())
    assert [(t.name, t.replicate_outputs) for t in zones.spray_targets()] == [("g", True), ("t3", False)]
    assert zones.dfu_server_queues() == ("q1", "q2", "q3")
