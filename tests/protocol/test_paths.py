"""Path 1 (GET / form POST to `/Svc/Method`, `.json`, `.xml`, `rawxml_`) and path 2 with a JSON
body (esp-protocol.md A.4, A.6.1, B.3), in the shapes @hpcc-js/comms and ECL Watch send."""
from __future__ import annotations

import json
import re

import pytest
from lxml import etree

from engine.files_support import make_file

JSON_TYPE = "application/json"
XML_TYPE = "text/xml; charset=UTF-8"


def as_json(r, root: str) -> dict:
    assert r.status_code == 200, r.text
    assert r.headers["Content-Type"] == JSON_TYPE
    assert "\n" not in r.text
    body = r.json()
    assert list(body) == [root], r.text[:400]
    # ESP's layout: `"name": value`, members and items separated by ", "
    assert r.text == json.dumps(body, separators=(", ", ": "), ensure_ascii=False), r.text[:400]
    return body[root]


def test_hpcc_js_dfuquery_post(http, url, cat, scope):
    make_file(cat, f"{scope}::one", b"x" * 1024, owner="alice")
    r = http.post(f"{url}/WsDfu/DFUQuery.json", data=f"LogicalName={scope}::*&PageSize=10&PageStartFrom=0&ver_=1.67",
                  headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.headers["Expires"] == "0"
    body = as_json(r, "DFUQueryResponse")
    files = body["DFULogicalFiles"]["DFULogicalFile"]
    assert isinstance(files, list) and len(files) == 1  # one item is still a list
    f = files[0]
    assert f["Name"] == f"{scope}::one" and f["IntSize"] == 1024 and f["isSuperfile"] is False
    assert f["Owner"] == "alice" and f["Modified"]
    assert body["NumFiles"] == 1 and body["PageSize"] == 10 and body["Descending"] is False
    assert "Exceptions" not in body
    # GET with the same fields gives the same answer; an empty struct array is left out
    assert http.get(f"{url}/WsDfu/DFUQuery.json", params={"LogicalName": f"{scope}::*", "PageSize": "10"}).json() \
        ["DFUQueryResponse"]["DFULogicalFiles"] == body["DFULogicalFiles"]
    empty = as_json(http.get(f"{url}/wsdfu/dfuquery.json?LogicalName={scope}::nothing*"), "DFUQueryResponse")
    assert "DFULogicalFiles" not in empty and empty["NumFiles"] == 0


@pytest.mark.parametrize("how", ["get_xml", "post_xml", "rawxml", "no_suffix", "rawxml_post"])
def test_plain_xml_answers(http, url, how):
    target = f"{url}/WsPackageProcess/Echo"
    r = {"get_xml": lambda: http.get(target + ".xml?Request=a<b"),
         "post_xml": lambda: http.post(target + ".XML", data={"Request": "a<b"}),
         "rawxml": lambda: http.get(target + "?Request=a<b&rawxml_"),
         "no_suffix": lambda: http.get(target + "?Request=a<b"),
         "rawxml_post": lambda: http.post(target, data={"Request": "a<b", "rawxml_": "1"})}[how]()
    assert r.status_code == 200 and r.headers["Content-Type"] == XML_TYPE and r.headers["Expires"] == "0"
    assert r.text == '<?xml version="1.0" encoding="UTF-8"?><EchoResponse><Response>a&lt;b</Response></EchoResponse>'


def test_ecl_watch_json_with_rawxml_stays_json(http, url):
    r = http.post(f"{url}/WsPackageProcess/Echo.json", data={"Request": "hi", "rawxml_": "true"})
    assert as_json(r, "EchoResponse") == {"Response": "hi"}


def test_multipart_form_post_is_a_form(http, url):
    r = http.post(f"{url}/WsPackageProcess/Echo.json", files={"Request": (None, "multi")})
    assert as_json(r, "EchoResponse") == {"Response": "multi"}


def test_jsonp(http, url):
    r = http.get(f"{url}/WsPackageProcess/Echo.json?Request=x&jsonp=cb.done")
    assert r.text == 'cb.done({"EchoResponse": {"Response": "x"}});'
    assert http.get(f"{url}/WsPackageProcess/Echo.json?Request=x&jsonp=alert(1)//").text == \
        '{"EchoResponse": {"Response": "x"}}'  # only a JavaScript name is taken as a callback


def test_strings_in_json(http, url):
    r = http.get(f"{url}/WsPackageProcess/Echo.json", params={"Request": 'q"b\\s/ é\t\x01\x7f'})
    assert r.text == '{"EchoResponse": {"Response": "q\\"b\\\\s/ é\\t\\u0001\\u007f"}}'


def test_array_action_with_each_array_encoding(http, url, cat, scope):
    encodings = [
        lambda names: {"LogicalFiles.itemcount": str(len(names)), **{f"LogicalFiles.{i}": n for i, n in enumerate(names)}},
        lambda names: {f"LogicalFiles_i{i}": n for i, n in enumerate(names)},
        lambda names: {"LogicalFiles": "\r\n".join(names)},
        lambda names: {f"LogicalFiles_v{n}": "1" for n in names},
    ]
    for k, encode in enumerate(encodings):
        names = [f"{scope}::e{k}::a", f"{scope}::e{k}::b"]
        for n in names:
            make_file(cat, n)
        r = http.post(f"{url}/WsDfu/DFUArrayAction.json", data={"Type": "Delete", **encode(names), "ver_": "1.67"})
        results = as_json(r, "DFUArrayActionResponse")["ActionResults"]["DFUActionInfo"]
        assert [x["FileName"] for x in results] == names and [x["Failed"] for x in results] == [False, False], r.text
        assert all(not cat.exists(n) for n in names)


def test_array_action_with_a_json_body(http, url, cat, scope):
    names = [f"{scope}::j::a", f"{scope}::j::b"]
    for n in names:
        make_file(cat, n)
    body = {"DFUArrayActionRequest": {"Type": "Delete", "LogicalFiles": {"Item": names}}}
    # a JSON body without ver_ is version 0, which gets no ActionResults ([min_ver("1.27")])
    r = http.post(f"{url}/WsDfu/?ver_=1.69", data=json.dumps(body), headers={"Content-Type": "application/json"})
    assert "Expires" not in r.headers
    results = as_json(r, "DFUArrayActionResponse")["ActionResults"]["DFUActionInfo"]
    assert [x["FileName"] for x in results] == names
    assert all(not cat.exists(n) for n in names)


def test_add_to_superfile_names(http, url, cat, scope):
    subs = [f"{scope}::s1", f"{scope}::s2"]
    for n in subs:
        make_file(cat, n)
    r = http.post(f"{url}/WsDfu/AddtoSuperfile.json", data={"Superfile": f"{scope}::super", "names_i0": subs[0],
                                                           "names_i1": subs[1], "ExistingFile": "0"})
    assert "SubfileNames" not in as_json(r, "AddtoSuperfileResponse")  # listed only without a superfile
    listed = as_json(http.post(f"{url}/WsDfu/SuperfileList.json", data={"superfile": f"{scope}::super"}),
                     "SuperfileListResponse")
    assert listed["subfiles"]["Item"] == subs


def test_filespray_dfuwusearch_and_typed_workunit_list(http, url):
    body = as_json(http.post(f"{url}/FileSpray/DFUWUSearch.json", data={"ver_": "1.27"}), "DFUWUSearchResponse")
    names = body["ClusterNames"]["ClusterName"]  # a string array with the ECM's own item tag
    assert isinstance(names, list) and names and all(isinstance(n, str) for n in names)
    wus = as_json(http.post(f"{url}/FileSpray/GetDFUWorkunits.json", data={"PageSize": "5", "ver_": "1.27"}),
                  "GetDFUWorkunitsResponse")
    assert wus["PageSize"] == 5 and isinstance(wus["NumWUs"], int) and isinstance(wus["First"], bool)


def test_drop_zones_nil_remove(http, url):
    body = as_json(http.post(f"{url}/FileSpray/DropZoneFiles.json", data="ver_=1.27",
                             headers={"Content-Type": "application/x-www-form-urlencoded"}), "DropZoneFilesResponse")
    zones = body["DropZones"]["DropZone"]
    assert isinstance(zones, list) and zones[0]["Name"] == "mydropzone"
    assert None not in body.values()  # DropZoneFilesResponse is nil_remove: no nulls


def test_package_map_flow_in_json(http, url, scope):
    info = f'<RoxiePackages><Package id="{scope}_q"><Base id="{scope}_b"/></Package><Package id="{scope}_b"/></RoxiePackages>'
    added = as_json(http.post(f"{url}/WsPackageProcess/AddPackage.json",
                              data={"Info": info, "Target": "roxie", "PackageMap": scope, "Process": "*", "Activate": "1"}),
                    "AddPackageResponse")
    assert added["status"] == {"Code": 0, "Description": f"Successfully loaded {scope}"}
    listed = as_json(http.post(f"{url}/WsPackageProcess/ListPackages.json", data={"Process": "*", "ver_": "1.07"}),
                     "ListPackagesResponse")["PackageMapList"]["PackageListMapData"]
    mine = [m for m in listed if m["Id"] == f"roxie::{scope}"]
    assert len(mine) == 1 and mine[0]["Active"] is True
    checked = as_json(http.post(f"{url}/WsPackageProcess/ValidatePackage.json",
                                data={"Target": "roxie", "PMID": scope, "QueriesToVerify_i0": "nosuch_query",
                                      "CheckDFS": "1"}), "ValidatePackageResponse")
    result = checked["Results"]["Result"][0]
    assert result["Target"] == "roxie" and isinstance(result["Errors"]["Item"], list)
    deleted = as_json(http.post(f"{url}/WsPackageProcess/DeletePackage.json", data={
        "PackageMaps.PackageMapEntry.itemcount": "1", "PackageMaps.PackageMapEntry.0.Id": scope,
        "PackageMaps.PackageMapEntry.0.Target": "roxie", "PackageMaps.PackageMapEntry.0.Process": "*"}),
        "DeletePackageResponse")
    assert deleted["status"]["Code"] == 0, deleted
    listed = as_json(http.post(f"{url}/WsPackageProcess/ListPackages.json", data={"Process": "*"}), "ListPackagesResponse")
    assert f"roxie::{scope}" not in json.dumps(listed)


@pytest.mark.parametrize("service, call, root", [
    ("FileSpray", "ProgressRequest", "ProgressResponse"),
    ("FileSpray", "GetDFUProgress", "ProgressResponse"),
    ("FileSpray", "SprayVariable", "SprayResponse"),
    ("FileSpray", "DeleteDropZoneFilesRequest", "DFUWorkunitsActionResponse"),
    ("FileSpray", "FileSprayPingRequest", "FileSprayPingResponse"),
    ("WsDfu", "Ping", "WsDfuPingResponse"),
    ("WsPackageProcess", "wspackageprocesspingrequest", "WsPackageProcessPingResponse"),
])
def test_json_body_root_key_is_the_response_type(http, url, service, call, root):
    r = http.post(f"{url}/{service}/anything", data=json.dumps({call: {}}),
                  headers={"Content-Type": "application/json; charset=utf-8"})
    assert r.status_code == 200 and r.headers["Content-Type"] == JSON_TYPE
    assert list(r.json()) == [root]


@pytest.mark.parametrize("service", ["FileSpray", "WsDfu", "WsPackageProcess"])
def test_ping_on_every_path(http, url, service):
    assert http.post(f"{url}/{service}/Ping.json", data="ver_=1").text == f'{{"{service}PingResponse": {{}}}}'
    assert http.get(f"{url}/{service}/Ping.xml").text == \
        f'<?xml version="1.0" encoding="UTF-8"?><{service}PingResponse></{service}PingResponse>'
    assert http.post(f"{url}/{service}", json={f"{service}PingRequest": {}}).text == f'{{"{service}PingResponse": {{}}}}'


def test_xml_root_has_no_namespace_and_booleans_are_digits(http, url, cat, scope):
    make_file(cat, f"{scope}::x")
    r = http.get(f"{url}/WsDfu/DFUQuery.xml?LogicalName={scope}::*")
    root = etree.fromstring(r.content)
    assert root.tag == "DFUQueryResponse"
    assert root.findtext("DFULogicalFiles/DFULogicalFile/isSuperfile") == "0"
    assert re.search(r"<Descending>0</Descending>", r.text)
