"""Client versions end to end, through a live server (esp-protocol.md A.6.4; clientversion.py):
the version each request path runs as, responses filtered by the ECMs' ranges, version-dependent
request rules (AddtoSuperfile), and WSDLs per version."""
from __future__ import annotations

import json
import re

import pytest
from lxml import etree

from engine.files_support import make_file
from esputil import envelope, soap_post

DFU_NS = "urn:hpccsystems:ws:wsdfu"
Q = {"d": DFU_NS}


def _query_soap(http, url, scope, version: str | None) -> etree._Element:
    headers = {"SOAPAction": f"WsDfu/DFUQuery?ver_={version}"} if version else {}
    body = f'<DFUQueryRequest xmlns="{DFU_NS}"><LogicalName>{scope}::*</LogicalName></DFUQueryRequest>'
    r = soap_post(http, f"{url}/WsDfu/", envelope(body), headers)
    assert r.status_code == 200, r.text
    return etree.fromstring(r.content).find(".//d:DFULogicalFile", Q)


def _fields(element) -> set[str]:
    return {etree.QName(child).localname for child in element}


def test_a_field_is_written_from_its_min_ver_on(http, url, cat, scope):
    make_file(cat, f"{scope}::f", b"x" * 100)
    # ws_dfu_common.ecm DFULogicalFile: [min_ver("1.26")] NodeGroup, [min_ver("1.62")] AtRestCost
    assert {"NodeGroup", "AtRestCost"} <= _fields(_query_soap(http, url, scope, "1.62"))
    old = _fields(_query_soap(http, url, scope, "1.25"))
    assert "NodeGroup" not in old and "AtRestCost" not in old and "Name" in old
    mid = _fields(_query_soap(http, url, scope, "1.26"))
    assert "NodeGroup" in mid and "AtRestCost" not in mid


def test_soap_and_json_without_ver_are_version_0(http, url, cat, scope):
    """hidl processRequest: no ``ver_`` is 0, so every min_ver field is left out."""
    make_file(cat, f"{scope}::f", b"x" * 100)
    fields = _fields(_query_soap(http, url, scope, None))
    assert "NodeGroup" not in fields and "IntSize" not in fields and "Name" in fields
    body = json.dumps({"DFUQueryRequest": {"LogicalName": f"{scope}::*"}})
    r = http.post(f"{url}/WsDfu/", data=body, headers={"Content-Type": "application/json"})
    item = r.json()["DFUQueryResponse"]["DFULogicalFiles"]["DFULogicalFile"][0]
    assert "NodeGroup" not in item and "Name" in item
    r = http.post(f"{url}/WsDfu/?ver_=1.69", data=body, headers={"Content-Type": "application/json"})
    assert r.json()["DFUQueryResponse"]["DFULogicalFiles"]["DFULogicalFile"][0]["NodeGroup"] == "mythor"


def test_get_without_ver_is_the_default_client_version(http, url, cat, scope):
    """hidl onGetInstantQuery: a version <= 0 is the ECM's default_client_version."""
    make_file(cat, f"{scope}::f", b"x" * 100)
    for query in ("", "&ver_=0", "&ver_=-3"):
        item = http.get(f"{url}/WsDfu/DFUQuery.json?LogicalName={scope}::*{query}").json()
        assert item["DFUQueryResponse"]["DFULogicalFiles"]["DFULogicalFile"][0]["NodeGroup"] == "mythor"
    item = http.get(f"{url}/WsDfu/DFUQuery.json?LogicalName={scope}::*&ver_=1.2").json()
    assert "NodeGroup" not in item["DFUQueryResponse"]["DFULogicalFiles"]["DFULogicalFile"][0]
    assert "<NodeGroup>" not in http.get(f"{url}/WsDfu/DFUQuery.xml?LogicalName={scope}::*&ver_=1.2").text


def test_depr_ver_hides_a_field(http, url):
    # ws_fs.ecm GetDFUWorkunitsResponse: [min_ver("1.03"), depr_ver("1.29")] string Type
    old = http.get(f"{url}/FileSpray/GetDFUWorkunits.json?Type=Spray&ver_=1.28").json()
    assert old["GetDFUWorkunitsResponse"]["Type"] == "Spray"
    for query in ("&ver_=1.29", ""):  # the default is 1.29
        new = http.get(f"{url}/FileSpray/GetDFUWorkunits.json?Type=Spray{query}").json()
        assert "Type" not in new["GetDFUWorkunitsResponse"]
    before = http.get(f"{url}/FileSpray/GetDFUWorkunits.json?Type=Spray&ver_=1.02").json()
    assert "Type" not in before["GetDFUWorkunitsResponse"]


def test_a_method_with_min_ver_serves_version_0_as_its_min_ver(http, url, cat, scope):
    make_file(cat, f"{scope}::old", b"x" * 10)
    items = f"<FileRenames><DFUFileRenameItem><OldName>{scope}::old</OldName><NewName>{scope}::new</NewName>" \
            "</DFUFileRenameItem></FileRenames>"
    body = envelope(f'<DFUFileRenameRequest xmlns="{DFU_NS}">{items}</DFUFileRenameRequest>')
    r = soap_post(http, f"{url}/WsDfu/", body)   # no ver_: run as 1.68, Results (1.68) written
    assert r.status_code == 200
    assert etree.fromstring(r.content).find(".//d:Results/d:DFUFileRenameResult/d:Success", Q).text == "1"
    assert cat.exists(f"{scope}::new")


def test_a_client_older_than_the_method_is_refused(http, url, cat, scope):
    make_file(cat, f"{scope}::old", b"x" * 10)
    items = f"<FileRenames><DFUFileRenameItem><OldName>{scope}::old</OldName><NewName>{scope}::new</NewName>" \
            "</DFUFileRenameItem></FileRenames>"
    body = envelope(f'<DFUFileRenameRequest xmlns="{DFU_NS}">{items}</DFUFileRenameRequest>')
    r = soap_post(http, f"{url}/WsDfu/?ver_=1.65", body)
    exc = etree.fromstring(r.content).find(".//d:Exceptions/d:Exception", Q)
    assert (exc.find("d:Code", Q).text, exc.find("d:Message", Q).text) == (
        "-1", "Client version is too old, please update your client application.")
    assert exc.find("d:Source", Q).text == "WsDfu::DFUFileRenameRequest()"
    assert cat.exists(f"{scope}::old") and not cat.exists(f"{scope}::new")


def _add(http, url, version: str, fields: str) -> etree._Element:
    body = envelope(f'<AddtoSuperfileRequest xmlns="{DFU_NS}">{fields}</AddtoSuperfileRequest>')
    r = soap_post(http, f"{url}/WsDfu/", body, {"SOAPAction": f"WsDfu/AddtoSuperfile?ver_={version}"})
    assert r.status_code == 200, r.text
    return etree.fromstring(r.content).find(".//d:AddtoSuperfileResponse", Q)


def _error(resp) -> tuple[str, str] | None:
    exc = resp.find("d:Exceptions/d:Exception", Q)
    return None if exc is None else (exc.find("d:Code", Q).text, exc.find("d:Message", Q).text)


def test_add_to_superfile_reads_names_from_1_16_and_subfiles_before(http, url, cat, scope):
    """ws_dfuService.cpp onAddtoSuperfile: `version > 1.15` reads `names`, else `Subfiles`."""
    for n in ("a", "b"):
        make_file(cat, f"{scope}::{n}", b"x" * 10)
    subfiles = f"<Subfiles>{scope}::a,{scope}::b</Subfiles><ExistingFile>0</ExistingFile>"
    resp = _add(http, url, "1.16", f"<Superfile>{scope}::new</Superfile>{subfiles}")
    assert _error(resp)[0] == "8304"
    assert _error(resp)[1].endswith("No file has been specified to be added to the superfile")
    assert not cat.exists(f"{scope}::new")
    resp = _add(http, url, "1.15", f"<Superfile>{scope}::old</Superfile>{subfiles}"
                f"<names><Item>{scope}::b</Item></names>")
    assert _error(resp) is None
    assert cat.superfiles.list(f"{scope}::old") == [f"{scope}::a", f"{scope}::b"]
    resp = _add(http, url, "1.69", f"<Superfile>{scope}::new</Superfile><Subfiles>ignored</Subfiles>"
                f"<names><Item>{scope}::b</Item></names><ExistingFile>0</ExistingFile><BackToPage>p</BackToPage>")
    assert _error(resp) is None and cat.superfiles.list(f"{scope}::new") == [f"{scope}::b"]
    assert [etree.QName(c).localname for c in resp] == ["Subfiles", "BackToPage"]  # no SubfileNames after an add


def test_add_to_superfile_lists_subfile_names_only_without_a_superfile(http, url):
    resp = _add(http, url, "1.16", "<Subfiles>x,y</Subfiles><BackToPage>p</BackToPage>")
    assert [i.text for i in resp.findall("d:SubfileNames/d:SubfileName", Q)] == ["x", "y"]
    assert resp.find("d:BackToPage", Q) is None   # echoed from 1.18 on
    resp = _add(http, url, "1.15", "<Subfiles>x,y</Subfiles>")
    assert [etree.QName(c).localname for c in resp] == ["Subfiles"]
    assert _add(http, url, "1.18", "<BackToPage>p</BackToPage>").find("d:BackToPage", Q).text == "p"


def test_version_info_and_index_page_show_the_ecm_version(http, url):
    assert http.get(f"{url}/FileSpray/version_").text == \
        "<VersionInfo><Service>FileSpray</Service><Version>1.290</Version></VersionInfo>"
    assert "<Version>1.690</Version>" in http.get(f"{url}/WsDfu/version_").text
    assert "<Version>1.080</Version>" in http.get(f"{url}/WsPackageProcess/version_").text
    assert "<h2>Version: 1.29, " in http.get(f"{url}/FileSpray/").text


@pytest.mark.parametrize("query,ver", [("", "1.69"), ("&ver_=1.65", "1.65"), ("&ver_=1.68", "1.68")])
def test_the_wsdl_describes_the_version_asked_for(http, url, query, ver):
    text = http.get(f"{url}/WsDfu/?wsdl{query}").text
    assert set(re.findall(r'soapAction="WsDfu/\w+\?ver_=([0-9.]+)"', text)) == {ver}
    assert f'WsDfu?ver_={ver}"' in text
    assert ('name="DFUFileRename"' in text) == (float(ver) >= 1.68)  # [min_ver("1.68")]


def test_the_default_wsdl_leaves_out_deprecated_fields(http, url):
    def request_fields(query):
        root = etree.fromstring(http.get(f"{url}/FileSpray/GetDFUWorkunits?wsdl{query}").content)
        ctype = root.find(".//{*}complexType[@name='GetDFUWorkunits']")
        return {e.get("name") for e in ctype.iter("{*}element")}
    assert "Type" not in request_fields("") and "Type" in request_fields("&ver_=1.28")
    assert "Wuid" in request_fields("&ver_=1.12") and "Wuid" not in request_fields("&ver_=1.11")
    xsd = http.get(f"{url}/FileSpray/?xsd&ver_=1.28").text
    assert xsd.startswith("<?xml") and 'name="Type"' in xsd
