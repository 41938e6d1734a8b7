"""hpccemu-dfuplus and hpccemu-ecl against a secured emulator: a missing or wrong password is
reported as ESP's C++ SOAP client reports it (``SOAP authentication error[HTTP Status 401
Unauthorized]``), the right one works."""
from __future__ import annotations

import io

from hpccemu.dfuplus import run as dfuplus
from hpccemu.eclcmd import run as ecl

from .conftest import PASSWORDS

DENIED = "SOAP authentication error[HTTP Status 401 Unauthorized]"


def _dfuplus(*args):
    out, err = io.StringIO(), io.StringIO()
    status = dfuplus(list(args), out, err)
    return status, out.getvalue(), err.getvalue()


def _ecl(*args):
    out, err = io.StringIO(), io.StringIO()
    status = ecl(list(args), out, err)
    return status, out.getvalue(), err.getvalue()


def test_dfuplus_reports_a_refused_login_as_the_real_client_does(secure, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    server = f"server={secure.url.split('//')[1]}"
    for login in (["username=admin", "password=wrong"], []):
        status, out, err = _dfuplus("action=list", "name=*", server, *login)
        assert (status, err) == (0, DENIED + "\n"), (out, err)
    status, out, err = _dfuplus("action=list", "name=*", server, "username=admin", f"password={PASSWORDS['admin']}")
    assert err == "" and out.startswith("List ")


def test_ecl_packagemap_reports_a_refused_login_as_the_real_client_does(secure, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    host, port = secure.url.split("//")[1].split(":")
    status, out, err = _ecl("list", "roxie", f"--server={host}", f"--port={port}", "--username=admin",
                            "--password=wrong")
    assert (status, err) == (2, f"\n{DENIED}\n")
    status, out, err = _ecl("list", "roxie", f"--server={host}", f"--port={port}", "--username=admin",
                            f"--password={PASSWORDS['admin']}")
    assert status == 0, err
