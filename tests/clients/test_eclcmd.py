"""``hpccemu-ecl packagemap`` against a live emulator: every command, its output on stdout and
stderr, option syntax (``--opt=v``, ``--opt v``, ``-A``), ecl.ini/environment defaults and the
exit statuses of the real ecl tool (0, 1 for ESP exceptions, 2 for failed requests)."""
from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from hpccemu.eclcmd import run

MAP = """<RoxiePackages>
 <Package id="toy_query">
  <Base id="employee_data"/>
 </Package>
 <Package id="employee_data">
  <SuperFile id="~employee::id_lookup_super">
   <SubFile value="~employee::id_lookup_v1"/>
  </SuperFile>
 </Package>
 <Package id="unused_pkg"/>
</RoxiePackages>
"""
NOT_FOUND = "\nFiles defined in {} but not found in DFS:\n  employee::id_lookup_v1\n\n"


@pytest.fixture
def ecl(hpccemu, tmp_path, monkeypatch):
    """Run ``hpccemu-ecl packagemap`` in-process in a folder holding toy.pkg: (status, out, err)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("ECL_WATCH_IP", "ECL_WATCH_PORT", "ECL_USER_NAME", "ECL_PASSWORD", "ECL_SSL"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "Toy.pkg").write_text(MAP)
    port = hpccemu.url.rsplit(":", 1)[1]

    def call(*args: str, port_arg: bool = True):
        out, err = io.StringIO(), io.StringIO()
        status = run([*args, f"--port={port}"] if port_arg else list(args), out, err)
        return status, out.getvalue(), err.getvalue()
    call.port = port
    return call


def test_add_list_info_activate(ecl):
    assert ecl("add", "-s=127.0.0.1", "roxie", "Toy.pkg") == (0, "\n ... adding package map Toy.pkg\n\n"
                                                              "\n package added.\n\n",
                                                              NOT_FOUND.format("package"))
    status, out, err = ecl("list", "roxie")
    assert (status, out) == (0, "\nPackage Id = roxie::toy.pkg  active = 0\n")   # pmid: the file name, lower-cased
    status, out, err = ecl("add", "roxie", "Toy.pkg")
    assert status == 1 and out == "\n ... adding package map Toy.pkg\n\n"
    assert err.startswith("\nException(s):\n11000: ") and err.endswith(
        "PackageMap roxie::toy.pkg already exists, either delete it or specify overwrite\n\n")
    assert ecl("add", "roxie", "Toy.pkg", "-O", "-A", "--pmid", "Other.PKG")[0] == 0
    assert ecl("list", "roxie")[1] == ("\nPackage Id = roxie::toy.pkg  active = 0\n"
                                       "\nPackage Id = roxie::other.pkg  active = 1\n")
    assert ecl("activate", "roxie", "toy.pkg") == (0, "", "")
    assert ecl("list", "roxie")[1].count("active = 1") == 1
    status, out, _ = ecl("info", "roxie")
    assert status == 0 and out.startswith('<PackageMaps id="roxie::toy.pkg"')
    assert ecl("deactivate", "roxie", "toy.pkg") == (0, "", "")
    assert "active = 1" not in ecl("list", "roxie")[1]
    status, _, err = ecl("activate", "roxie", "nosuch.pkg")
    assert status == 1 and err.startswith("\nException(s):\n11005: ")


def test_delete(ecl):
    ecl("add", "roxie", "Toy.pkg")
    assert ecl("delete", "roxie", "toy.pkg") == (0, "\n ... deleting package map toy.pkg now\n\n"
                                                "Successfully deleted package toy.pkg\n", "")
    status, out, err = ecl("delete", "roxie", "toy.pkg")
    assert status == 1 and "Successfully" not in out and err.startswith("\nException(s):\n11007: ")


def test_parts(ecl, tmp_path):
    (tmp_path / "part1.xml").write_text(MAP)
    assert ecl("add-part", "roxie", "My.pkg", "part1.xml") == (
        0, "\n ... adding packagemap my.pkg part part1.xml from file part1.xml\n\n\n package added.\n\n",
        NOT_FOUND.format("packagemap part"))
    status, _, err = ecl("add-part", "roxie", "my.pkg", "part1.xml")
    assert status == 1 and "already exists" in err
    assert ecl("add-part", "roxie", "my.pkg", "part1.xml", "--delete-prev", "--part-name=Second")[0] == 0
    status, out, _ = ecl("get-part", "roxie", "my.pkg", "Second")
    assert status == 0 and out.startswith('<Part id="Second">') and "employee::id_lookup_v1" in out
    assert ecl("remove-part", "roxie", "my.pkg", "Second") == (
        0, "\n ... removing part Second from packagemap my.pkg\n\nSuccessfully removed part Second from package my.pkg\n",
        "")
    status, _, err = ecl("get-part", "roxie", "my.pkg", "Second")
    assert status == 1 and err.startswith("\nException(s):\n11000: ")


def test_validate(ecl, hpccemu_seed):
    status, out, err = ecl("validate", "roxie", "Toy.pkg")
    assert status == 0 and out.startswith("\nvalidating packagemap file Toy.pkg\n\n")
    assert "   Warning(s):\n      No Queries found\n" in err
    hpccemu_seed.logical_file("~employee::id_lookup_v1", [[1, "Ann"]])
    hpccemu_seed.superfile("~employee::other_super", ["~employee::id_lookup_v1"])
    hpccemu_seed.roxie_query("toy_query", ["~employee::id_lookup_super", ("~employee::other_super", True)],
                             keys=["EmployeeID"])
    ecl("add", "roxie", "Toy.pkg", "-A")
    status, out, err = ecl("validate", "roxie", "--active")
    assert status == 0 and out == ""
    assert err.startswith("   Target: roxie, PMID: roxie::toy.pkg :\n")
    assert "\n   Packages without matching queries:\n      unused_pkg\n" in err
    assert "\n   Query files without matching package definitions:\n     --toy_query.1\n        [Optional]\n" \
           "          employee::other_super\n" in err
    assert err.endswith("\n   Target: roxie, PMID: roxie::toy.pkg done\n\n")
    status, out, err = ecl("validate", "roxie", "--active", "--ignore-optional", "--queryid=toy_query.1")
    assert "Query files without" not in err
    assert ecl("validate", "roxie")[1].startswith("\n ... Package file name, --pmid, or --active required\n")
    assert "mutually exclusive" in ecl("validate", "roxie", "Toy.pkg", "--active")[1]
    status, out, err = ecl("query-files", "roxie", "toy_query.1")
    assert status == 0 and out == ""
    assert err == ("Files not defined in PackageMap:\n  employee::other_super\n"
                   "\nSuperFiles defined in PackageMap:\n  employee::id_lookup_super\n   > employee::id_lookup_v1\n")


def test_copy(ecl):
    ecl("add", "roxie", "Toy.pkg")
    assert ecl("copy", "roxie/toy.pkg", "roxie", "--pmid=copied.pkg", "-A") == (
        0, "\n ... copying package map roxie/toy.pkg to roxie\n\n\n package copied.\n\n", NOT_FOUND.format("package"))
    assert "Package Id = roxie::copied.pkg  active = 1" in ecl("list", "roxie")[1]
    status, _, err = ecl("copy", "roxie/nothere.pkg", "roxie")
    assert status == 1 and err.startswith("\nException(s):\n")
    assert ecl("copy", "roxie/toy.pkg")[2] == "\n ... Specify a target cluster\n"


def test_usage_errors_exit_0_and_unknown_commands_exit_1(ecl):
    status, out, _ = ecl("add", "roxie")
    assert status == 0 and out.startswith("\n ... Missing package file name\n\nUsage:\n")
    status, out, err = ecl("add", "roxie", "Toy.pkg", "extra")
    assert status == 0 and err == "\nunrecognized argument extra\n" and "Usage:" in out
    status, out, err = ecl("list", "--bogus")
    assert status == 0 and err == "\n--bogus option not recognized\n"
    assert ecl("activate", "roxie")[1].startswith("\n ... Missing package map name\n")
    assert ecl("add-part", "roxie", "pm")[1].startswith("\n ... Missing package file name\n")
    assert ecl("get-part", "roxie", "pm")[1].startswith("\n ... Missing part name\n")
    assert ecl("query-files", "roxie")[1].startswith("\n ... A query must be specified\n")
    assert ecl("add", "--help", port_arg=False)[1].startswith("\nUsage:\n\nThe 'add' command")
    assert ecl("help", "list", port_arg=False)[:2] == (0, ecl("list", "--help", port_arg=False)[1])
    status, out, err = ecl("bogus", port_arg=False)
    assert status == 1 and err == "ecl 'bogus' command not found\n" and "packagemap commands:" in out
    assert ecl(port_arg=False)[0] == 1


def test_failed_requests_exit_2(ecl):
    status, out, err = ecl("list", "roxie", "--port=1", port_arg=False)
    assert (status, err) == (2, "\nSOAP Connection error\n")
    status, _, err = ecl("add", "roxie", "missing.pkg")
    assert status == 2 and "missing.pkg" in err


def test_defaults_from_ecl_ini_and_environment(ecl, tmp_path, monkeypatch):
    ecl("add", "roxie", "Toy.pkg")
    (tmp_path / "ecl.ini").write_text(f"eclWatchIP=127.0.0.1\neclWatchPort={ecl.port}\n")
    assert ecl("list", "roxie", port_arg=False)[1] == "\nPackage Id = roxie::toy.pkg  active = 0\n"
    (tmp_path / "ecl.ini").unlink()
    monkeypatch.setenv("ECL_WATCH_PORT", ecl.port)
    assert ecl("list", "roxie", port_arg=False)[0] == 0
    monkeypatch.setenv("ECL_WATCH_PORT", "1")
    (tmp_path / "ecl.ini").write_text(f"eclWatchPort={ecl.port}\n")   # ecl.ini beats the environment
    assert ecl("list", "roxie", port_arg=False)[0] == 0


def test_console_script(hpccemu, tmp_path):
    exe = Path(sys.executable).with_name("hpccemu-ecl")
    port = hpccemu.url.rsplit(":", 1)[1]
    (tmp_path / "m.pkg").write_text(MAP)
    done = subprocess.run([str(exe), "packagemap", "add", "roxie", "m.pkg", f"--port={port}", "--activate"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert (done.returncode, done.stdout) == (0, "\n ... adding package map m.pkg\n\n\n package added.\n\n")
    done = subprocess.run([str(exe), "packagemap", "delete", "roxie", "nothere", f"--port={port}"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert done.returncode == 1 and "Exception(s):" in done.stderr


def test_version_and_a_missing_package_file(tmp_path):
    from click.testing import CliRunner

    from hpccemu.eclcmd import main, run

    done = CliRunner().invoke(main, ["--version"])
    assert done.exit_code == 0 and done.output.startswith("hpccemu-ecl ")
    out, err = io.StringIO(), io.StringIO()
    status = run(["add", "roxie", str(tmp_path / "missing.pkg"), "-s", "127.0.0.1", "--port", "1"], out, err)
    assert (status, err.getvalue()) == (2, f"\nFile {tmp_path / 'missing.pkg'} could not be opened\n")
