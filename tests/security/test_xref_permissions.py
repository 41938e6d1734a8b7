"""WsDFUXRef's feature checks (ws_dfuXRefService.cpp, ws_dfuXref.ecm): DfuXrefAccess Read for the
lists, Write for DFUXRefCleanDirectories, Full for builds, cancels and array actions (which the
ECM's ``DfuXrefAccess:access`` guards first), with ECLWATCH_DFU_XREF_ACCESS_DENIED (20012)."""
from __future__ import annotations

import pytest
import zeep
from zeep.transports import Transport

from esputil import envelope
from hpccemu.testing import ThreadedEmulator
from security.conftest import session, write_config

EXTRA = """
[security.features.bob]
DfuXrefAccess = "Read"

[security.features.dave]
DfuXrefAccess = "None"
"""


@pytest.fixture(scope="module")
def xurl(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("xrefsec")
    with ThreadedEmulator(config_file=write_config(tmp, EXTRA), deterministic=True) as emu:
        yield emu.url


def xref(url, user):
    return zeep.Client(f"{url}/WsDFUXRef/?wsdl", transport=Transport(session=session(user))).service


def soap(url, user, method, body=""):
    r = session(user).post(f"{url}/WsDFUXRef/", data=envelope(
        f'<{method} xmlns="urn:hpccsystems:ws:wsdfuxref">{body}</{method}>'),
        headers={"Content-Type": "text/xml"}, timeout=30)
    assert r.status_code == 200
    return r.text


def test_a_reader_lists_but_cannot_build_cancel_or_act(xurl):
    bob = xref(xurl, "bob")
    assert "mythor" in bob.DFUXRefList()
    for method in ("DFUXRefLostFiles", "DFUXRefFoundFiles", "DFUXRefOrphanFiles", "DFUXRefMessages",
                   "DFUXRefDirectories"):
        text = soap(xurl, "bob", method, "<Cluster>mythor</Cluster>")
        assert "Exception" not in text, text
    for method, kwargs in (("DFUXRefBuild", {"Cluster": "mythor"}), ("DFUXRefBuildCancel", {})):
        text = soap(xurl, "bob", method, "".join(f"<{k}>{v}</{k}>" for k, v in kwargs.items()))
        assert "<Code>20012</Code>" in text
        assert f"Resource DfuXrefAccess : WsDfuXRef::{method}: Permission denied." in text
    text = soap(xurl, "bob", "DFUXRefArrayAction", "<Type>Delete</Type><Cluster>mythor</Cluster>"
                "<Action>Delete</Action><XRefFiles><Item>x</Item></XRefFiles>")
    assert "<Code>20012</Code>" in text and "WsDfuXRef::DFUXRefArrayAction: Permission denied." in text
    text = soap(xurl, "bob", "DFUXRefCleanDirectories", "<Cluster>mythor</Cluster>")
    assert "<Code>20012</Code>" in text and "WsDfuXRef::DFUXRefCleanDirectories: Permission denied." in text


def test_no_access_at_all(xurl):
    text = soap(xurl, "dave", "DFUXRefList")
    assert "<Code>20012</Code>" in text and "WsDfuXRef::DFUXRefList: Permission denied." in text
    # the ECM's auth_feature is checked by the dispatcher before the service code
    text = soap(xurl, "dave", "DFUXRefArrayAction", "<Cluster>mythor</Cluster><Action>Delete</Action>")
    assert "<Code>-1</Code>" in text
    assert ("WsDFUXRef::DFUXRefArrayAction access denied - Required features: DfuXrefAccess:Access."
            in text)


def test_an_administrator_builds(xurl):
    admin = xref(xurl, "admin")
    reply = admin.DFUXRefBuild(Cluster="mythor")
    assert "Exception" not in str(reply)
    text = soap(xurl, "admin", "DFUXRefCleanDirectories", "<Cluster>mythor</Cluster>")
    assert "Exception" not in text, text
