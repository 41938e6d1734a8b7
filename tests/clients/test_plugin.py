"""The pytest plugin, run the way users run it: pytest in a subprocess, with the plugin loaded
from its ``pytest11`` entry point."""
from __future__ import annotations

import subprocess
import sys

import pytest

USER_TESTS = '''
import pytest

def test_one(hpccemu, hpccemu_client, hpccemu_seed):
    hpccemu_seed.logical_file("~demo::people", [[1, "Ann"], [2, "Bob"]])
    hpccemu_seed.superfile("~demo::super", ["~demo::people"])
    assert [f.name for f in hpccemu_client.wsdfu.query("demo::*")] == ["demo::people", "demo::super"]

def test_two_starts_empty(hpccemu, hpccemu_client):
    assert hpccemu_client.wsdfu.query("*") == []
    assert hpccemu_client.filespray.list_files() == []

def test_server_details(hpccemu_server, pytestconfig):
    assert hpccemu_server.url.startswith("http://")
    print("URL", hpccemu_server.url, "WSDL", hpccemu_server.wsdl_url("WsDfu"))
'''


def test_fixtures_start_a_server_and_reset_between_tests(pytester):
    pytester.makepyfile(test_user=USER_TESTS)
    result = pytester.runpytest_subprocess("-q", "-s", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)
    result.stdout.re_match_lines([r".*URL http://127\.0\.0\.1:\d+ WSDL http://127\.0\.0\.1:\d+/WsDfu/\?wsdl"])


def test_external_server_is_reset_over_http(pytester, hpccemu, hpccemu_seed, hpccemu_client):
    hpccemu_seed.landing_zone_file("left.csv", "x\n")
    pytester.makepyfile(test_user=USER_TESTS)
    result = pytester.runpytest_subprocess("-q", "-s", "-p", "no:cacheprovider", f"--hpccemu-url={hpccemu.url}")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines([f"*URL {hpccemu.url} WSDL*"])
    assert hpccemu_client.filespray.list_files() == []   # the inner run reset our server


def test_host_port_from_ini_and_environment(pytester, monkeypatch):
    pytester.makeini("[pytest]\nhpccemu_host = 127.0.0.1\nhpccemu_deterministic = true\n")
    pytester.makepyfile(test_port='''
import os
def test_port(hpccemu_server):
    assert hpccemu_server.url == "http://127.0.0.1:" + os.environ["HPCCEMU_TEST_PORT"]
''')
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("HPCCEMU_TEST_PORT", str(port))
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_opting_out_removes_the_fixtures(pytester):
    pytester.makepyfile(test_out="def test_x(hpccemu):\n    pass\n")
    result = pytester.runpytest_subprocess("-q", "-p", "no:hpccemu", "-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*fixture 'hpccemu' not found*"])


def test_plugin_module_imports_nothing_heavy():
    code = ("import sys, hpccemu.pytest_plugin; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('zeep', 'spyne', 'wsservices', 'lxml', "
            "'werkzeug', 'requests')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stderr


@pytest.mark.parametrize("entry", ["hpccemu", "hpccemu-dfuplus", "hpccemu-ecl"])
def test_entry_points_are_registered(entry):
    from importlib.metadata import entry_points

    scripts = {e.name for e in entry_points(group="console_scripts")}
    plugins = {e.name: e.value for e in entry_points(group="pytest11")}
    assert entry in scripts and plugins["hpccemu"] == "hpccemu.pytest_plugin"
