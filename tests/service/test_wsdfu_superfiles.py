"""SuperfileList, SuperfileAction and AddtoSuperfile through zeep and dfuplus-shaped SOAP."""
from __future__ import annotations

import uuid

import pytest
from lxml import etree

from engine.files_support import make_file
from esputil import envelope, esp_error, soap_post

NS = "urn:hpccsystems:ws:wsdfu"
Q = {"d": NS}


@pytest.fixture
def scope(cat):
    s = f"wssf{uuid.uuid4().hex[:10]}"
    for n in ("a", "b", "c"):
        make_file(cat, f"{s}::{n}", b"x" * 4)
    return s


def items(*names):
    return {"Item": list(names)}


def test_add_list_remove(dfu, cat, scope):
    s = f"{scope}::super"
    r = dfu.service.SuperfileAction(action="add", superfile=f"~{s}",
                                    subfiles=items(f"{scope}::a", f"{scope}::c"))
    assert (r.superfile, r.retcode) == (f"~{s}", 0)
    dfu.service.SuperfileAction(action="Add", superfile=s, subfiles=items(f"{scope}::b"),
                                before=f"{scope}::c")
    r = dfu.service.SuperfileList(superfile=s)
    assert (r.superfile, r.subfiles.Item) == (s, [f"{scope}::a", f"{scope}::b", f"{scope}::c"])
    r = dfu.service.SuperfileAction(action="remove", superfile=s, subfiles=items(f"{scope}::?"),
                                    delete=1, removeSuperfile=1)
    assert r.retcode == -1
    assert not cat.exists(s) and not cat.exists(f"{scope}::a")


def test_action_errors(dfu, scope):
    s = f"{scope}::super"
    dfu.service.SuperfileAction(action="add", superfile=s, subfiles=items(f"{scope}::a"))
    cases = [
        (dict(action="", superfile=s), (20052, "Superfile action not specified")),
        (dict(action="clear", superfile=s), (20052, "Only Add or Remove is allowed.")),
        (dict(action="add", superfile=""), (20052, "Superfile name not specified")),
        (dict(action="add", superfile=s), (8304, "No file has been specified to be added to the superfile")),
        (dict(action="add", superfile=s, subfiles=items(f"{scope}::a")),
         (8302, f"Superfile already contains subfile {scope}::a")),
        (dict(action="add", superfile=s, subfiles=items(f"{scope}::zz")),
         (-1, f"cAddSubFileAction: sub file {scope}::zz not found")),
        (dict(action="add", superfile=s, subfiles=items(s)), (-1, f"addSubFile: Cannot add file {s} to itself")),
        (dict(action="remove", superfile=f"{scope}::nope", subfiles=items(f"{scope}::a")),
         (8300, f"SuperFile {scope}::nope not found")),
        (dict(action="remove", superfile=s, subfiles=items(f"{scope}::b")),
         (8303, f"Superfile doesn't contains subfile {scope}::b")),
    ]
    for kwargs, expected in cases:
        assert esp_error(dfu.service.SuperfileAction(**kwargs)) == expected, kwargs
    assert esp_error(dfu.service.SuperfileList(superfile="")) == (20051, "Superfile name required")
    assert esp_error(dfu.service.SuperfileList(superfile=f"{scope}::a")) == (
        8300, f"SuperFile {scope}::a not found")


def test_protected_superfile(dfu, cat, scope):
    s = f"{scope}::p"
    dfu.service.SuperfileAction(action="add", superfile=s, subfiles=items(f"{scope}::a"))
    cat.set_protect(s, "hpcc")
    assert esp_error(dfu.service.SuperfileAction(action="add", superfile=s,
                                                 subfiles=items(f"{scope}::b"))) == (
        -1, f"CDistributedSuperFile::addSubFile file {s} protected by hpcc")
    cat.clear_protection(s)


def test_as_dfuplus_superfile_add_sends_it(http, url, cat, scope):
    body = (f'<SuperfileActionRequest xmlns="{NS}"><action>add</action><superfile>{scope}::d'
            f"</superfile><subfiles><Item>{scope}::a</Item><Item>{scope}::b</Item></subfiles>"
            "<before></before><delete>0</delete><removeSuperfile>0</removeSuperfile>"
            "</SuperfileActionRequest>")
    r = soap_post(http, f"{url}/WsDfu", envelope(body), headers={"SOAPAction": "WsDfu?ver_=1.69"})
    root = etree.fromstring(r.content)
    assert root.find(".//d:retcode", Q).text == "0"
    assert cat.superfiles.list(f"{scope}::d") == [f"{scope}::a", f"{scope}::b"]
    body = f'<SuperfileListRequest xmlns="{NS}"><superfile>{scope}::a</superfile></SuperfileListRequest>'
    root = etree.fromstring(soap_post(http, f"{url}/WsDfu", envelope(body)).content)
    resp = root.find(".//d:SuperfileListResponse", Q)
    assert [child.tag.split("}")[1] for child in resp] == ["Exceptions"]   # errors come alone


def test_add_to_superfile(dfu, cat, scope):
    s = f"{scope}::ats"
    r = dfu.service.AddtoSuperfile(Superfile=s, Subfiles=f"{scope}::a, {scope}::b",
                                   names=items(f"{scope}::a", f"{scope}::b"), ExistingFile=0,
                                   BackToPage="back")
    assert (r.Subfiles, r.BackToPage, r.SubfileNames) == (f"{scope}::a, {scope}::b", "back", None)
    assert cat.superfiles.list(s) == [f"{scope}::a", f"{scope}::b"]
    assert esp_error(dfu.service.AddtoSuperfile(Superfile=s, names=items(f"{scope}::c"))) == (
        20042, f"The file {s} already exists.")
    dfu.service.AddtoSuperfile(Superfile=s, names=items(f"{scope}::c"), ExistingFile=1)
    assert cat.superfiles.list(s)[-1] == f"{scope}::c"
    assert esp_error(dfu.service.AddtoSuperfile(Superfile=f"{scope}::x", names=items(f"{scope}::c"),
                                                ExistingFile=1)) == (20038, f"Cannot find file {scope}::x.")
    assert esp_error(dfu.service.AddtoSuperfile(Superfile=f"{scope}::a", names=items(f"{scope}::c"),
                                                ExistingFile=1)) == (20041, f"{scope}::a is not a superfile.")
    r = dfu.service.AddtoSuperfile(Superfile="", Subfiles="x,y")           # form pre-fill
    assert (r.Subfiles, r.SubfileNames.SubfileName) == ("x,y", ["x", "y"])
    # the served WSDL's client (1.69) adds `names` only: `Subfiles` alone is 8304 (ESP before 1.16 read it)
    assert esp_error(dfu.service.AddtoSuperfile(Superfile=f"{scope}::legacy", Subfiles=f"{scope}::a"))[0] == 8304
    assert not cat.exists(f"{scope}::legacy")
