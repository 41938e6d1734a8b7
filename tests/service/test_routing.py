"""ESP's URL routing, index page, WSDL/XSD URLs and HTTP details, over raw HTTP."""
from __future__ import annotations

import re

import pytest
from lxml import etree

from esputil import SERVICES, not_implemented_operation

WSDL_NS = "http://schemas.xmlsoap.org/wsdl/"


@pytest.mark.parametrize("path", ["/WsPackageProcess", "/wspackageprocess", "/WSPACKAGEPROCESS"])
def test_service_without_slash_redirects_to_canonical_index(http, url, path):
    r = http.get(url + path, allow_redirects=False)
    assert r.status_code == 302
    assert r.reason == "Found"
    assert r.headers["Location"] == "WsPackageProcess/"
    assert r.content == b""


def test_redirect_keeps_the_query_string(http, url):
    r = http.get(url + "/wsdfu?ver_=1.65", allow_redirects=False)
    assert r.headers["Location"] == "WsDfu/?ver_=1.65"


def test_index_page_lists_every_operation_with_form_and_wsdl_links(http, url):
    r = http.get(url + "/WsPackageProcess/")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/html; charset=UTF-8"
    page = r.text
    assert page.startswith('<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
                           "<title>Enterprise Services Platform</title></head><body><h1>WsPackageProcess</h1>"
                           "<h2>Version: 1.08, Build: ")  # the ECM version
    assert "\n" not in page
    forms = re.findall(r'<li><a href="(\w+)\?ver_=1\.08&form">(\w+)</a></li>', page)
    wsdls = re.findall(r'<li><a href="(\w+)\?ver_=1\.08&wsdl">(\w+)</a></li>', page)
    names = [a for a, b in forms]
    assert len(names) == 17 and "Ping" in names and "Echo" in names
    assert names == sorted(names)  # strcmp order
    assert [a for a, b in wsdls] == names
    assert '<a href="?ver_=1.08&wsdl">WSDL Definition</a>' in page
    assert '<a href="?ver_=1.08&reqxml_">XML Requests</a>' in page


def test_index_page_links_work(http, url):
    page = http.get(url + "/WsPackageProcess/").text
    for href in re.findall(r'href="([^"]*&(?:wsdl|form))"', page):
        r = http.get(url + "/WsPackageProcess/" + href)
        assert r.status_code == 200, href


def test_index_page_uses_the_client_version(http, url):
    page = http.get(url + "/FileSpray/?ver_=1.29").text
    assert "<h2>Version: 1.29," in page
    assert '<a href="SprayFixed?ver_=1.29&form">SprayFixed</a>' in page
    # strcmp order: upper case before lower case
    assert page.index(">DFUWorkunitsAction<") < page.index(">DeleteDFUWorkunit<")


@pytest.mark.parametrize("query", ["?wsdl", "?ver_=1.27&wsdl", "?wsdl&ver_=1.27", "?foo=1&wsdl=&bar"])
@pytest.mark.parametrize("prefix", ["/FileSpray", "/FileSpray/", "/filespray/"])
def test_wsdl_anywhere_in_the_query(http, url, prefix, query):
    r = http.get(url + prefix + query)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "application/xml; charset=UTF-8"
    root = etree.fromstring(r.content)
    ops = root.findall(f"{{{WSDL_NS}}}portType/{{{WSDL_NS}}}operation")
    assert len(ops) == 32


def test_service_wsdl_follows_esp_conventions(http, url):
    root = etree.fromstring(http.get(url + "/WsDfu/?wsdl").content)
    actions = [op.get("soapAction") for op in root.iter("{http://schemas.xmlsoap.org/wsdl/soap/}operation")]
    assert "WsDfu/DFUQuery?ver_=1.69" in actions  # no ver_: the default client version (getVersion)
    assert all(re.fullmatch(r"WsDfu/\w+\?ver_=1\.69", a) for a in actions)
    address = next(root.iter("{http://schemas.xmlsoap.org/wsdl/soap/}address")).get("location")
    assert address == f"{url}/WsDfu?ver_=1.69"
    assert root.get("targetNamespace") == SERVICES["WsDfu"]


@pytest.mark.parametrize("path", ["/WsDfu/DFUQuery?wsdl", "/wsdfu/dfuquery?ver_=1.65&wsdl"])
def test_method_wsdl_has_only_that_operation(http, url, path):
    root = etree.fromstring(http.get(url + path).content)
    ops = root.findall(f"{{{WSDL_NS}}}portType/{{{WSDL_NS}}}operation")
    assert [op.get("name") for op in ops] == ["DFUQuery"]


@pytest.mark.parametrize("path", ["/WsPackageProcess/?xsd", "/WsPackageProcess/Echo?xsd&ver_=1.07"])
def test_xsd(http, url, path):
    r = http.get(url + path)
    assert r.status_code == 200
    root = etree.fromstring(r.content)
    assert root.tag == "{http://www.w3.org/2001/XMLSchema}schema"
    assert root.get("targetNamespace") == SERVICES["WsPackageProcess"]


def test_unknown_method_is_esp_404_page(http, url):
    r = http.get(url + "/WsDfu/NoSuchMethod")
    assert r.status_code == 404
    assert "<h1>Page Not Found</h1>" in r.text


def test_unknown_service_is_404(http, url):
    assert http.get(url + "/WsNothing/").status_code == 404


def test_version_page(http, url):
    r = http.get(url + "/WsDfu/version_")
    assert r.text == "<VersionInfo><Service>WsDfu</Service><Version>1.690</Version></VersionInfo>"


def test_form_page_names_method_and_request_fields(http, url):
    r = http.get(url + "/WsPackageProcess/AddPartToPackageMap?form")
    assert r.status_code == 200
    assert "<title>ESP Service form</title>" in r.text
    assert "AddPartToPackageMapRequest" in r.text
    for field in ("Target", "PackageMap", "PartName", "Content", "DeletePrevious", "DaliIp"):
        assert f"name='{field}'" in r.text
    assert 'action="AddPartToPackageMap?ver_=1.08"' in r.text


def test_method_url_runs_the_method_and_answers_plain_xml(http, url):
    r = http.get(url + "/wspackageprocess/echo?Request=a%26b")
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/xml; charset=UTF-8"
    assert r.text == '<?xml version="1.0" encoding="UTF-8"?><EchoResponse><Response>a&amp;b</Response></EchoResponse>'


def test_form_post_is_handled_like_get(http, url):
    r = http.post(url + "/WsPackageProcess/Echo", data={"Request": "posted"})
    assert "<Response>posted</Response>" in r.text


def test_not_implemented_method_on_the_form_path_is_a_bare_exceptions_document(http, url):
    found = not_implemented_operation()
    if found is None:
        pytest.skip("every operation is implemented")
    service, op = found
    r = http.get(f"{url}/{service}/{op.name}.xml?x=1")
    assert r.status_code == 200
    assert re.fullmatch(rf"<Exceptions><Source>{service}::{op.name.upper()}\(\)</Source><Exception><Code>-1</Code>"
                        r"<Audience>user</Audience><Message>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d GMT: "
                        rf"{service}::{op.name} is not implemented by this emulator yet\.</Message>"
                        r"</Exception></Exceptions>", r.text)


def test_unsupported_http_method(http, url):
    r = http.put(url + "/WsDfu/DFUQuery", data=b"x")
    assert r.status_code == 200
    assert "Unsupported http method" in r.text


def test_health(http, url, emulator):
    body = http.get(url + "/health").json()
    assert body["status"] == "ok"
    assert body["services"]["FileSpray"]["version"] == "1.29"  # the ECMs' versions
    assert body["services"]["WsDfu"]["version"] == "1.69"
    assert body["services"]["WsPackageProcess"]["version"] == "1.08"
    assert body["data_dir"] == str(emulator.data_dir)
    assert body["thor_clusters"][0]["name"] == "mythor"
    assert body["thor_clusters"][0]["nodes"] == 4
    assert body["drop_zones"][0]["path"] == "/var/lib/HPCCSystems/mydropzone"
