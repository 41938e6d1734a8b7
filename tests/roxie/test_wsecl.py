"""The WsEcl endpoint's shapes (JSON, expanded XML, JSON and SOAP posts, form posts) and its
answers to hostile input; the control routes' errors."""
from __future__ import annotations

import json

import pytest
from lxml import etree

from .support import control, employees, lookup, publish, rows, spray_csv, unique, unpublish

SOAP = "http://schemas.xmlsoap.org/soap/envelope/"


@pytest.fixture(scope="module")
def query(http, url, fs, emulator):
    """A served query over a plain Dali file (no package map: every file resolves through Dali)."""
    scope = unique("ws")
    spray_csv(http, url, fs, f"{scope}::data", employees("d", range(1, 4)))
    name = publish(http, url, scope, [{"name": f"{scope}::data", "opt": False}])["QueryName"]
    yield name
    unpublish(http, url, name)


@pytest.fixture
def served(emulator, quiet, query, http, url):
    """No map at all would also serve (Roxie's empty map); an active empty map does the same here."""
    from wsservices.engine.packagemaps.maps import PackageMaps
    maps = PackageMaps.for_cluster(emulator.cluster)
    maps.add("roxie", f"{query}.pkg", "<RoxiePackages/>", activate=True, overwrite=True)
    return query


def test_json_get_and_form_post(http, url, served):
    answer = lookup(http, url, served, EmployeeID=2)
    assert answer == {f"{served}Response": {"sequence": 0, "Results": {"result_1": {"Row": [
        {"EmployeeID": "2", "Name": "Employee 2, d", "Version": "d"}]}}}}
    r = http.post(f"{url}/WsEcl/submit/query/roxie/{served}/json", data={"employeeid": "3"})
    assert rows(r.json(), served)[0]["EmployeeID"] == "3"


def test_xml_get_is_the_expanded_result(http, url, served):
    r = http.get(f"{url}/WsEcl/submit/query/roxie/{served}", params={"EmployeeID": 1})
    assert r.headers["Content-Type"].startswith("application/xml")
    root = etree.fromstring(r.content)
    ns = f"urn:hpccsystems:ecl:{served}"
    assert root.tag == f"{{{ns}}}{served}Response"
    [ds] = root.findall(f"{{{ns}}}Result/{{{ns}:result:result_1}}Dataset")
    assert ds.get("name") == "Result 1"
    assert [(c.tag.split("}")[1], c.text) for c in ds[0]] == [
        ("EmployeeID", "1"), ("Name", "Employee 1, d"), ("Version", "d")]


def test_json_and_soap_posts(http, url, served):
    r = http.post(f"{url}/WsEcl/submit/query/roxie/{served}", json={f"{served}Request": {"EmployeeID": 3}})
    assert rows(r.json(), served)[0]["Name"] == "Employee 3, d"
    body = (f'<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="{SOAP}"><soap:Body>'
            f'<{served}Request xmlns="urn:hpccsystems:ecl:{served}"><EmployeeID>1</EmployeeID></{served}Request>'
            "</soap:Body></soap:Envelope>")
    r = http.post(f"{url}/WsEcl/submit/query/roxie/{served}", data=body, headers={"Content-Type": "text/xml"})
    root = etree.fromstring(r.content)
    resp = root.find(f"{{{SOAP}}}Body/{{urn:hpccsystems:ecl:{served}}}{served}Response")
    assert resp.get("sequence") == "0"
    assert root.xpath("string(//*[local-name()='Row']/*[local-name()='Name'])") == "Employee 1, d"
    r = http.post(f"{url}/WsEcl/submit/query/roxie/{served}", data="<soap:Envelope", headers={"Content-Type": "text/xml"})
    assert "<Code>1409</Code><Message>Malformed SOAP request (missing Body)</Message>" in r.text
    r = http.post(f"{url}/WsEcl/submit/query/roxie/{served}", data="[1, 2", headers={"Content-Type": "application/json"})
    assert r.json() == {"UnknownResponse": {"Results": {"Exception": [
        {"Source": "Roxie", "Code": 1409, "Message": "Malformed request"}]}}}


@pytest.mark.parametrize("path, message", [
    ("/WsEcl/submit/query/nosuch/q/json", "QuerySet nosuch not found"),
    ("/WsEcl/submit/query/mythor/q/json", "QuerySet mythor not found"),
    ("/WsEcl/submit/query/roxie/%3Cscript%3E/json", "Query roxie/<script> not found"),
    ("/WsEcl/submit/query/..%5C..%5Cwindows/x/json", "QuerySet ..\\..\\windows not found"),
    ("/WsEcl/submit/query/roxie/a%22b/json", 'Query roxie/a"b not found'),
    ("/WsEcl/submit/wuid/W1/json", "Workunit not specified"),
    ("/WsEcl/submit/wuid/W1/json?qset=nosuch&qname=q", "QuerySet nosuch not found"),
])
def test_hostile_paths_are_clean_wsecl_errors(http, url, path, message):
    r = http.get(url + path, params={"EmployeeID": "' OR 1=1 --"})
    assert r.status_code == 200
    assert json.loads(r.text) == {"Exceptions": {"Source": "WsEcl", "Exception": [{"Code": -1, "Message": message}]}}


@pytest.mark.parametrize("path", ["/WsEcl/submit/query/roxie/..%2F..%2Fetc%2Fpasswd/json",
                                  "/WsEcl/submit/query/roxie/../../../etc/passwd", "/WsEcl/../../etc/passwd",
                                  "/WsEcl/submit/query/roxie/%00/json", "/WsEcl/submit/query/" + "a" * 5000 + "/q"])
def test_traversal_looking_paths_read_nothing(http, url, path):
    r = http.get(url + path)
    assert r.status_code in (200, 404) and "root:" not in r.text and "Traceback" not in r.text
    assert "not found" in r.text or "Not Found" in r.text


def test_error_formats_follow_the_suffix(http, url):
    r = http.get(f"{url}/WsEcl/submit/query/nosuch/q/xml")
    assert r.text == ("<Exceptions><Source>WsEcl</Source><Exception><Code>-1</Code><Audience>user</Audience>"
                      "<Message>QuerySet nosuch not found</Message></Exception></Exceptions>")
    r = http.get(f"{url}/WsEcl/submit/query/%3Cb%3E/q")
    assert r.headers["Content-Type"].startswith("text/html") and "&lt;b&gt;" in r.text and "<b>" not in r.text
    assert "Workunit not specified" in http.get(f"{url}/WsEcl/submit/query/roxie").text
    assert http.get(f"{url}/WsEcl/forms/query/roxie/q").status_code == 404
    assert http.delete(f"{url}/WsEcl/submit/query/roxie/q").text.count("Unsupported http method") == 1


def test_hostile_parameters_are_plain_values(http, url, served):
    for value in ("<x/>", "' OR 1=1 --", "\u0000", "9" * 5000, "../../etc/passwd"):
        assert rows(lookup(http, url, served, EmployeeID=value), served) == []
    assert rows(lookup(http, url, served, **{"EmployeeID": "1", "<x>": "y"}), served)[0]["EmployeeID"] == "1"


@pytest.mark.parametrize("route, body, code, fragment", [
    ("roxie/publish", {"name": "q", "files": [], "keys": ["k"]}, 400, "'target' is required"),
    ("roxie/publish", {"target": "nosuch", "name": "q", "files": [], "keys": ["k"]}, 20052, "Roxie target 'nosuch' not found"),
    ("roxie/publish", {"target": "roxie", "name": "a/b", "files": [], "keys": ["k"]}, 20052, "Invalid query name 'a/b'"),
    ("roxie/publish", {"target": "roxie", "name": "q", "files": "x", "keys": ["k"]}, 400, "'files' must be a list"),
    ("roxie/publish", {"target": "roxie", "name": "q", "files": [{"name": "a::*"}], "keys": ["k"]}, -1,
     "Wildcards not allowed in filename (a::*)"),
    ("roxie/publish", {"target": "roxie", "name": "q", "files": [], "keys": []}, 20051, "At least one key field required"),
    ("roxie/publish", {"target": "roxie", "name": "q", "files": [], "keys": ["a b"]}, 20052, "Invalid key field name 'a b'"),
    ("roxie/unpublish", {"target": "roxie", "query": "nosuch_query.9"}, 5204, "Query nosuch_query.9 not found"),
    ("roxie/unpublish", {"target": "roxie"}, 400, "'query' is required"),
])
def test_control_route_errors(http, url, route, body, code, fragment):
    r = control(http, url, route, body)
    assert r.status_code == 400
    [exc] = r.json()["Exceptions"]["Exception"]
    assert exc["Code"] == code and fragment in exc["Message"]


def test_control_route_methods_and_bad_json(http, url):
    r = http.post(f"{url}/hpccemu/roxie/publish", data="{nope", headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and r.json()["Exceptions"]["Exception"][0]["Message"].startswith("Bad request")
    assert http.get(f"{url}/hpccemu/roxie/publish").status_code == 405
    r = control(http, url, "roxie/queries", {"target": "nosuch"}, "GET")
    assert r.status_code == 400 and r.json()["Exceptions"]["Exception"][0]["Code"] == 20052
    assert control(http, url, "roxie/reload", {"target": "roxie"}).json() == {"Reloaded": "roxie"}
