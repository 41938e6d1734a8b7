"""Errors on each path (esp-protocol.md A.8) and hostile input: always a clean ESP answer, never a
stack trace, and the server keeps answering."""
from __future__ import annotations

import json
import re

import pytest

STAMP = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d GMT: "
MISSING = "Cannot find file nosuch::file."


def missing_file(http, url, suffix: str = ".json", **extra):
    return http.post(f"{url}/WsDfu/DFUInfo{suffix}", data={"Name": "nosuch::file", **extra})


def test_form_json_error_is_top_level(http, url):
    r = missing_file(http, url)
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/json" and r.headers["Expires"] == "0"
    assert re.fullmatch(r'\{"Exceptions": \{"Source": "WsDfu::DFUINFO\(\)", "Exception": \[\{"Code": 20038, '
                        rf'"Message": "{STAMP}{re.escape(MISSING)}"}}]}}}}', r.text), r.text


def test_form_json_error_with_jsonp(http, url):
    r = missing_file(http, url, jsonp="handle")
    assert r.text.startswith('handle({"Exceptions": {"Source": "WsDfu::DFUINFO()", ') and r.text.endswith("});")


@pytest.mark.parametrize("suffix, extra", [(".xml", {}), ("", {"rawxml_": ""}), (".XML", {"rawxml_": "1"})])
def test_form_xml_error_is_a_bare_exceptions_document(http, url, suffix, extra):
    r = missing_file(http, url, suffix, **extra)
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/xml"
    assert re.fullmatch(r"<Exceptions><Source>WsDfu::DFUINFO\(\)</Source><Exception><Code>20038</Code>"
                        rf"<Audience>user</Audience><Message>{STAMP}{re.escape(MISSING)}</Message>"
                        r"</Exception></Exceptions>", r.text), r.text


def test_form_error_without_a_format_is_the_html_page(http, url):
    r = missing_file(http, url, "")
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/html; charset=UTF-8"
    assert "Exception(s) occurred:" in r.text and "Reporter: WsDfu::DFUINFO()" in r.text
    assert "<td>20038</td>" in r.text and MISSING in r.text and "Go Back" in r.text


def test_json_body_error_is_inline(http, url):
    r = http.post(f"{url}/WsDfu/DFUInfo.json", json={"DFUInfoRequest": {"Name": "nosuch::file"}})
    assert r.status_code == 200 and r.headers["Content-Type"] == "application/json"
    assert re.fullmatch(r'\{"DFUInfoResponse": \{"Exceptions": \{"Exception": \[\{"Code": 20038,"Audience": "user",'
                        rf'"Message": "{STAMP}{re.escape(MISSING)}"}}]}}}}}}', r.text), r.text


@pytest.mark.parametrize("body, status, code, message", [
    (b'{"Bogus": {}}', 400, 400, "Bad Request [Method Bogus not available in service WsDfu]"),
    (b'{"DFUQueryRequestX": {"a": 1}}', 400, 400, "Bad Request [Method DFUQueryRequestX not available in service WsDfu]"),
    (b"{}", 400, 400, "Bad Request [Method  not available in service WsDfu]"),
    (b"", 500, -1, "Content read is empty"),
    (b'{"DFUQueryRequest": {"LogicalName": "x"', 500, 1, "Error - end of stream"),
    (b'{"DFUQueryRequest": {LogicalName: 1}}', 500, 2, "Error - syntax error"),
    (b'{"DFUQueryRequest": {}} trailing', 500, 2, "Error - syntax error"),
    (b"[" * 200_000 + b"]" * 200_000, 500, 2, "Error - syntax error"),
    (b'{"a": ' * 50_000 + b"1" + b"}" * 50_000, 500, 2, "Error - syntax error"),
    (b"\xff\xfe{}", 500, 2, "Error - syntax error"),
    (b"null", 500, 2, "Error - syntax error"),
])
def test_json_body_pipeline_errors(http, url, body, status, code, message):
    r = http.post(f"{url}/WsDfu/", data=body, headers={"Content-Type": "application/json"})
    assert r.status_code == status and r.headers["Content-Type"] == "application/json"
    exc = r.json()["Exceptions"]["Exception"]
    assert list(r.json()) == ["Exceptions"] and "Source" not in r.json()["Exceptions"]
    assert exc[0]["Code"] == code and exc[0]["Audience"] == "user" and exc[0]["Message"].startswith(message)
    assert r.text.startswith('{"Exceptions": {"Exception": [{"Code": ')


@pytest.mark.parametrize("request_body", [
    {"DFUQueryRequest": {"PageSize": "abc", "Descending": {"x": [1, 2]}, "LogicalName": [1, {"a": None}]}},
    {"DFUQueryRequest": "just text"},
    {"DFUQueryRequest": [1, 2, 3]},
    {"DFUQueryRequest": None, "Other": 1},
    {"DFUArrayActionRequest": {"Type": "Bogus", "LogicalFiles": {"Item": [{"deep": {"er": 1}}, 7, None, True]}}},
])
def test_json_body_with_wrong_types_gets_an_esp_answer(http, url, request_body):
    r = http.post(f"{url}/WsDfu", data=json.dumps(request_body), headers={"Content-Type": "application/json"})
    assert r.status_code == 200, r.text
    assert list(r.json()) == [list(request_body)[0].replace("Request", "Response")]


def test_huge_json_array_is_answered(http, url):
    names = [f"nosuch::f{i}" for i in range(20_000)]
    body = {"DFUArrayActionRequest": {"Type": "Bogus", "LogicalFiles": {"Item": names}}}
    r = http.post(f"{url}/WsDfu/", data=json.dumps(body), headers={"Content-Type": "application/json"}, timeout=60)
    assert r.status_code == 200 and list(r.json()) == ["DFUArrayActionResponse"]


@pytest.mark.parametrize("query", [
    "LogicalFiles.itemcount=99999999999999999999&Type=Bogus",
    "LogicalFiles.itemlist=" + "+".join(str(i) for i in range(50_000)) + "&Type=Bogus",
    "Type=Bogus&" + "&".join(f"LogicalFiles_i{i}=x" for i in range(30_000)),
    "Type=Bogus&" + "a." * 100_000 + "=1",
    "Type=%FF%FE%00&LogicalFiles=%00%01",
])
def test_hostile_form_input_is_answered(http, url, query):
    r = http.post(f"{url}/WsDfu/DFUArrayAction.json", data=query,
                  headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=60)
    assert r.status_code == 200
    assert list(r.json()) in (["DFUArrayActionResponse"], ["Exceptions"])


def test_no_stack_traces_and_the_server_keeps_answering(http, url):
    bodies = [b'{"EchoRequest": {"Request": "\\ud800"}}', b'{"EchoRequest": {"Request": "\\u0000"}}']
    for body in bodies:
        r = http.post(f"{url}/WsPackageProcess", data=body, headers={"Content-Type": "application/json"})
        assert r.status_code == 200 and "Traceback" not in r.text
        json.loads(r.text)
    assert http.get(f"{url}/WsPackageProcess/Echo.json?Request=still+here").json() == \
        {"EchoResponse": {"Response": "still here"}}


def test_json_body_over_the_limit_is_413(http, url):
    r = http.post(f"{url}/WsDfu", data=b'{"x": "' + b"y" * 8_000_001 + b'"}', headers={"Content-Type": "application/json"})
    assert r.status_code == 413


def test_unknown_method_on_the_form_path_is_the_404_page(http, url):
    for path in ("/WsDfu/NoSuch.json", "/WsDfu/NoSuch.xml?rawxml_", "/WsDfu/NoSuch?form", "/WsDfu/NoSuch?reqxml_"):
        r = http.get(url + path)
        assert r.status_code == 404 and "<h1>Page Not Found</h1>" in r.text, path
