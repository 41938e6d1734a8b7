"""``hpccemu-dfuplus`` against a live emulator: every action, its output lines, dfuplus.ini,
@file, and the exit statuses (always 0 like dfuplus, 8251 for a missing action or server, 1 for
failures with --strict-exit)."""
from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

from hpccemu.dfuplus import run

LZ = "/var/lib/HPCCSystems/mydropzone"
WUID = r"D\d{8}-\d{6}(?:-\d+)?"


@pytest.fixture
def dfuplus(hpccemu, tmp_path, monkeypatch):
    """Run hpccemu-dfuplus in-process in an empty working directory: (status, stdout, stderr)."""
    monkeypatch.chdir(tmp_path)
    server = hpccemu.url.split("//")[1]

    def call(*args: str, server_arg: bool = True):
        out, err = io.StringIO(), io.StringIO()
        status = run([*args, f"server={server}"] if server_arg else list(args), out, err)
        return status, out.getvalue(), err.getvalue()
    return call


@pytest.fixture
def sprayed(dfuplus, hpccemu_client):
    hpccemu_client.filespray.upload(b"1,Ann\n2,Bob\n", "people.csv")
    status, out, _ = dfuplus("action=spray", "srcip=127.0.0.1", f"srcfile={LZ}/people.csv", "dstname=test::people",
                             "dstcluster=mythor", "format=csv")
    assert status == 0 and "Finished" in out
    return "test::people"


def test_spray_prints_the_real_lines(dfuplus, hpccemu_client):
    hpccemu_client.filespray.upload(b"0123456789" * 4, "fixed.dat")
    status, out, err = dfuplus("action=spray", "srcip=127.0.0.1", f"srcfile={LZ}/fixed.dat", "dstname=test::fixed",
                               "dstcluster=mythor", "recordsize=10", "jobname=myjob")
    assert status == 0 and err == ""
    lines = out.split("\n")
    assert lines[0] == "" and lines[1] == f"Fixed spraying from {LZ}/fixed.dat on 127.0.0.1 to test::fixed"
    assert re.fullmatch(f"Submitted WUID ({WUID})", lines[2])
    wuid = lines[2].split()[-1]
    assert lines[3] == f"{wuid} Finished" and lines[4].startswith("Total time taken")
    assert hpccemu_client.filespray.get_workunit(wuid).job_name == "myjob"


@pytest.mark.parametrize("fmt, data, extra", [
    ("csv", b"a,b\n", []), ("delimited", b"a,b\n", ["separator=,"]),
    ("xml", b"<r><row>1</row></r>", ["rowtag=row"]), ("json", b'[{"a":1}]', []),
])
def test_spray_variable_formats(dfuplus, hpccemu_client, fmt, data, extra):
    hpccemu_client.filespray.upload(data, "in.dat")
    status, out, err = dfuplus("action=spray", "srcip=127.0.0.1", f"srcfile={LZ}/in.dat", f"dstname=test::{fmt}",
                               "dstcluster=mythor", f"format={fmt}", *extra)
    assert (status, err) == (0, "") and out.startswith(f"\nVariable spraying from {LZ}/in.dat on 127.0.0.1")
    assert "Finished" in out and hpccemu_client.wsdfu.exists(f"test::{fmt}")


def test_spray_nowait_and_missing_options(dfuplus, hpccemu_client):
    hpccemu_client.filespray.upload(b"a,b\n", "in.csv")
    status, out, _ = dfuplus("action=spray", "srcip=127.0.0.1", f"srcfile={LZ}/in.csv", "dstname=test::nw",
                             "dstcluster=mythor", "format=csv", "nowait=1")
    assert status == 0 and out.rstrip().split("\n")[-1].startswith("Submitted WUID") and "Finished" not in out
    for args, message in [(["dstname=a::b", "dstcluster=mythor"], "srcfile not specified"),
                          ([f"srcfile={LZ}/in.csv", "dstname=a::b", "dstcluster=mythor"],
                           "Neither srcip nor srcplane specified"),
                          ([f"srcfile={LZ}/in.csv", "srcip=127.0.0.1", "dstcluster=mythor"], "dstname not specified"),
                          ([f"srcfile={LZ}/in.csv", "srcip=127.0.0.1", "dstname=a::b", "dstcluster=mythor",
                            "format=xml"], "rowtag not specified."),
                          ([f"srcfile={LZ}/in.csv", "srcip=127.0.0.1", "dstname=a::b", "dstcluster=mythor",
                            "format=bogus"], "format bogus not supported")]:
        status, out, err = dfuplus("action=spray", *args)
        assert (status, err) == (0, message + "\n")
        assert dfuplus("action=spray", "--strict-exit", *args)[0] == 1


def test_inline_exceptions_go_to_stdout_in_dfuplus_format(dfuplus):
    status, out, err = dfuplus("action=spray", "srcip=127.0.0.1", "srcfile=../escape.csv",
                               "dstname=test::x", "dstcluster=mythor", "format=csv")
    assert status == 0 and err == ""
    assert re.fullmatch(r"\[20052: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d GMT: Invalid path ../escape.csv\] ",
                        out.split("\n")[2]), out


def test_despray_copy_and_failed_workunit(dfuplus, sprayed, hpccemu_client):
    status, out, _ = dfuplus("action=despray", f"srcname={sprayed}", "dstip=127.0.0.1", f"dstfile={LZ}/back.csv")
    assert status == 0 and out.startswith(f"\nDespraying {sprayed} to host 127.0.0.1 file {LZ}/back.csv\n")
    assert "Finished" in out
    status, out, _ = dfuplus("action=copy", f"srcname={sprayed}", "dstname=test::copy", "dstcluster=mythor")
    assert out.startswith(f"\nCopying from {sprayed} to test::copy\nSubmitted WUID ") and "Finished" in out
    args = ("action=despray", "srcname=test::missing", "dstip=127.0.0.1", f"dstfile={LZ}/m.csv")
    status, out, _ = dfuplus(*args)
    assert status == 0 and out.rstrip().split("\n")[-1] == "Failed: Source file test::missing could not be found"
    assert dfuplus(*args, "--strict-exit")[0] == 1


def test_list_rename_remove(dfuplus, sprayed, tmp_path):
    status, out, _ = dfuplus("action=list", "name=test::*", f"saveto={tmp_path / 'names.txt'}")
    assert (status, out) == (0, "List test::*\ntest::people\n")
    assert (tmp_path / "names.txt").read_text() == "test::people\n"
    status, out, _ = dfuplus("action=rename", f"srcname={sprayed}", "dstname=test::renamed")
    assert out == ("\nRenaming 1 file(s)\nSuccessfully renamed: test::people -> test::renamed\n"
                   "\nRename Summary: 1 succeeded, 0 failed\n")
    status, out, _ = dfuplus("action=rename", "srcname=test::none", "dstname=test::other", "--strict-exit")
    assert status == 1 and "Failed to rename: test::none -> test::other: " in out
    status, out, _ = dfuplus("action=remove", "name=test::renamed")
    assert out == "\nRemoving test::renamed\nFile test::renamed deleted.\n\n"
    assert dfuplus("action=list", "name=test::*")[1] == "List test::*\n"


def test_superfile_actions(dfuplus, sprayed):
    status, out, _ = dfuplus("action=addsuper", "superfile=test::super", f"subfiles={sprayed}")
    assert (status, out) == (0, "Addsuper successfully finished\n")
    status, out, _ = dfuplus("action=listsuper", "superfile=test::super")
    assert out == "test::super has 1 subfiles:\n\ttest::people\n"
    status, out, _ = dfuplus("action=addsuper", "superfile=test::super", f"subfiles={sprayed}", "--strict-exit")
    assert status == 1 and out.startswith("[8302: ")
    status, out, _ = dfuplus("action=removesuper", "superfile=test::super", f"subfiles={sprayed}")
    assert out == "Removesuper successfully finished\n"
    assert dfuplus("action=listsuper", "superfile=test::super")[1] == "test::super has 0 subfiles:\n"
    assert dfuplus("action=listsuper")[2] == "superfile name is not specified\n"


def test_savexml_and_add(dfuplus, sprayed, tmp_path):
    status, out, _ = dfuplus("action=savexml", f"srcname={sprayed}", f"dstxml={tmp_path / 'f.xml'}")
    assert (status, out) == (0, "")
    xml = (tmp_path / "f.xml").read_text()
    assert "<File" in xml and "people" in xml
    status, out, _ = dfuplus("action=savexml", f"srcname={sprayed}")
    assert out == xml
    status, out, _ = dfuplus("action=add", f"srcxml={tmp_path / 'f.xml'}", "dstname=test::added")
    assert (status, out) == (0, "test::added successfully added\n")
    status, out, err = dfuplus("action=add", "dstname=test::x")
    assert err == "Please specify srcxml for adding from xml, or srcname for adding from remote dali\n"


def test_status_abort_resubmit(dfuplus, sprayed, hpccemu_client):
    wuid = hpccemu_client.filespray.job(hpccemu_client.filespray.copy(sprayed, "test::c2").wuid).refresh().wuid
    status, out, _ = dfuplus("action=status", f"wuid={wuid}")
    assert out.startswith(f"{wuid} Finished\n")
    status, out, _ = dfuplus("action=abort", f"wuid={wuid}")
    assert out == f"Aborted {wuid}\n"
    status, out, _ = dfuplus("action=resubmit", f"wuid={wuid}")
    assert out == f"Resubmitted {wuid}\n"
    status, out, _ = dfuplus("action=status", "wuid=D20000101-000000", "--strict-exit")
    assert status == 1 and out.startswith("[20080: ")
    failed = hpccemu_client.filespray.despray("test::missing", f"{LZ}/x").wuid
    status, out, _ = dfuplus("action=status", f"wuid={failed}", "--strict-exit")
    assert status == 1 and out == f"{failed} status: failed - Failed: Source file test::missing could not be found\n"


def test_options_from_ini_and_at_file(dfuplus, sprayed, tmp_path):
    (tmp_path / "dfuplus.ini").write_text("# defaults\naction = list   \nname=nothing::* # a comment\n")
    (tmp_path / "opts").write_text("name=test::*\n")
    assert dfuplus()[1] == "List nothing::*\n"                   # dfuplus.ini alone
    assert dfuplus("@opts")[1] == "List test::*\ntest::people\n"  # @file beats the ini
    assert dfuplus("name=x::*", "@opts")[1] == "List x::*\n"       # the command line beats @file
    assert dfuplus("ACTION=list", "NAME=test::*")[1].endswith("test::people\n")  # keys are case-insensitive


def test_unknown_action_and_syntax_errors(dfuplus):
    assert dfuplus("action=bogus")[:3] == (0, "", "Unknown dfuplus action\n")
    status, out, err = dfuplus("nothing=1")
    assert status == 8251 and "Usage:" in out and err == "\nERROR: please specify one action\n"
    status, out, err = dfuplus("action=list", server_arg=False)
    assert (status, err) == (8251, "ERROR: Esp server url not specified.\n")
    assert dfuplus(server_arg=False)[:2] == (0, run.__globals__["opts"].USAGE)
    assert "dfuplus-compatible" in dfuplus("--version", server_arg=False)[1]


def test_console_script_exit_statuses(hpccemu, tmp_path):
    exe = Path(sys.executable).with_name("hpccemu-dfuplus")
    server = "server=" + hpccemu.url.split("//")[1]
    done = subprocess.run([str(exe), "action=list", server, "name=none::*"], capture_output=True, text=True,
                          cwd=tmp_path, timeout=60)
    assert (done.returncode, done.stdout) == (0, "List none::*\n")
    done = subprocess.run([str(exe), server], capture_output=True, text=True, cwd=tmp_path, timeout=60)
    assert done.returncode == 8251 % 256 and "please specify one action" in done.stderr
    done = subprocess.run([str(exe), "action=status", server, "wuid=D1", "--strict-exit"], capture_output=True,
                          text=True, cwd=tmp_path, timeout=60)
    assert done.returncode == 1 and done.stdout.startswith("[20080: ")


def test_unreachable_esp_and_the_actions_without_a_server_side(dfuplus, sprayed):
    for action in ("action=list name=x*", "action=status wuid=D20000101-000000"):
        status, out, err = dfuplus(*action.split(), "server=127.0.0.1:1", server_arg=False)
        assert (status, err) == (0, "SOAP Connection error\n"), err
    status, out, err = dfuplus("action=dafilesrv")
    assert status == 0 and err.startswith("dafilesrv: not available in hpccemu-dfuplus")
    status, out, err = dfuplus("action=copysuper", "srcname=test::people", "dstname=test::copy")
    assert err == "dstcluster not specified\n"
    status, out, err = dfuplus("action=copysuper", "srcname=test::people", "dstname=test::copy",
                               "dstcluster=mythor", "srcdali=127.0.0.1")
    assert out.startswith("\nCopying superfile from test::people to test::copy\n"), (out, err)


def test_listhistory_in_every_format_and_erasehistory(dfuplus, sprayed, tmp_path):
    status, out, err = dfuplus("action=listhistory", f"lfn={sprayed}")
    assert status == 0, err
    assert re.fullmatch(r'\n<History>\n\t<Origin ip="127\.0\.0\.1"\n\t\tname="people\.csv"\n'
                        r'\t\toperation="DFUimport"\n\t\towner=""\n\t\tpath="/var/lib/HPCCSystems/mydropzone/"\n'
                        r'\t\ttimestamp="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d"\n\t\tworkunit=""/>\n</History>\n\n', out), out
    status, out, _ = dfuplus("action=listhistory", f"lfn={sprayed}", "outformat=csv")
    assert out.startswith("\nip,name,operation,owner,path,timestamp,workunit\n127.0.0.1,people.csv,DFUimport,,")
    status, out, _ = dfuplus("action=listhistory", f"lfn={sprayed}", "outformat=ascii")
    assert out.startswith(f'\nHistory of {sprayed}:\n1, ip="127.0.0.1", name="people.csv", operation="DFUimport"')
    status, out, _ = dfuplus("action=listhistory", f"lfn={sprayed}", "outformat=json")
    assert out.startswith('\n{\n    "History": [\n        {\n            "ip": "127.0.0.1",\n')
    status, out, _ = dfuplus("action=listhistory", f"lfn={sprayed}", "outformat=yaml")
    assert out == "Unsupported output format: 'yaml'\n"
    status, out, err = dfuplus("action=erasehistory", f"lfn={sprayed}")
    assert err == "dstxml not specified\n"
    saved = tmp_path / "h.xml"
    status, out, err = dfuplus("action=erasehistory", f"lfn={sprayed}", f"dstxml={saved}")
    assert out.startswith(f"\nErase history of '{sprayed}' with backup.\n\n<History>\n") and \
        out.endswith(f"History written into {saved}.\nHistory erased.\n"), out
    assert saved.read_text().startswith("<History>\n\t<Origin ip=")
    status, out, _ = dfuplus("action=listhistory", f"lfn={sprayed}")
    assert out == f"{sprayed} doesn't have stored history!\n"
    status, out, _ = dfuplus("action=listhistory", "lfn=no::such")
    assert "Could not find file 'no::such'" in out


def test_a_copy_keeps_the_history_and_adds_its_origin(dfuplus, sprayed, hpccemu_client):
    status, out, _ = dfuplus("action=copy", f"srcname={sprayed}", "dstname=test::copied", "dstcluster=mythor")
    assert status == 0 and "Finished" in out, out
    status, out, _ = dfuplus("action=listhistory", "lfn=test::copied", "outformat=csv", "csvheader=0")
    lines = out.strip().splitlines()
    assert [line.split(",")[2] for line in lines] == ["DFUimport", "DFUcopy"]
    assert lines[1].split(",")[1] == "people" and lines[1].split(",")[4] == \
        "/var/lib/HPCCSystems/hpcc-data/thor/test/"


def test_replicate_and_monitor(dfuplus, sprayed):
    status, out, err = dfuplus("action=replicate", f"srcname={sprayed}")
    assert status == 0 and re.match(rf"Submitted WUID {WUID}\n", out) and "Finished" in out, (out, err)
    status, out, err = dfuplus("action=replicate")
    assert err == "srcname not specified\n"
    status, out, err = dfuplus("action=monitor", "event=arrived", f"lfn={sprayed}")
    assert out.startswith(f"\nEvent arrived: Monitoring logical file name {sprayed}\n[") and \
        "not implemented" in out, out
    status, out, err = dfuplus("action=monitor")
    assert err == "neither lfn nor filename specified\n"
