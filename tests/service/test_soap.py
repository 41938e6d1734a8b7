"""SOAP dispatch and error placement, over raw HTTP in the shapes real clients send."""
from __future__ import annotations

import re

import pytest
from xml.sax.saxutils import escape

from lxml import etree

from esputil import SERVICES, envelope, not_implemented_operation, soap_post, soapcall_status

ESP_ENVELOPE = ('<?xml version="1.0" encoding="utf-8"?><soap:Envelope'
                ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
                ' xmlns:xsd="http://www.w3.org/2001/XMLSchema"'
                ' xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"'
                ' xmlns:wsse="http://schemas.xmlsoap.org/ws/2002/04/secext"><soap:Body>')
STAMP = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d GMT: "


def echo(http, url, call: str, path="/WsPackageProcess", headers=None):
    return soap_post(http, url + path, envelope(call), headers)


@pytest.mark.parametrize("service", list(SERVICES))
def test_ping_bytes_as_esp_writes_them(http, url, service):
    r = soap_post(http, f"{url}/{service}?ver_=1", envelope(f"<{service}PingRequest/>"))
    assert r.status_code == 200
    assert r.headers["Content-Type"] == "text/xml; charset=UTF-8"
    assert r.text == (ESP_ENVELOPE + f'<{service}PingResponse xmlns="{SERVICES[service]}">'
                      f"</{service}PingResponse></soap:Body></soap:Envelope>")


@pytest.mark.parametrize("path", ["/WsPackageProcess", "/WsPackageProcess/", "/WsPackageProcess/Echo",
                                  "/wspackageprocess/anything", "/WsPackageProcess?ver_=1.07",
                                  "/WsPackageProcess/Echo?rawxml_", "/WsPackageProcess/?ver_=1.08&x=y"])
def test_any_service_url_dispatches(http, url, path):
    r = echo(http, url, "<EchoRequest><Request>hi</Request></EchoRequest>", path)
    assert "<EchoResponse xmlns=\"urn:hpccsystems:ws:wspackageprocess\"><Response>hi</Response></EchoResponse>" in r.text


@pytest.mark.parametrize("call", [
    "<Echo><Request>hi</Request></Echo>",
    "<EchoRequest><Request>hi</Request></EchoRequest>",
    "<echorequest><Request>hi</Request></echorequest>",
    "<ECHO><Request>hi</Request></ECHO>",
    '<EchoRequest xmlns="urn:hpccsystems:ws:wspackageprocess"><Request>hi</Request></EchoRequest>',
    '<p:EchoRequest xmlns:p="urn:hpccsystems:ws:wspackageprocess"><p:Request>hi</p:Request></p:EchoRequest>',
    '<q:EchoRequest xmlns:q="urn:somewhere:else"><Request>hi</Request></q:EchoRequest>',
    "<EchoRequest><Unknown>x</Unknown><Request>hi</Request><More><Deep/></More></EchoRequest>",
])
def test_call_element_matches_method_or_request_type_in_any_namespace(http, url, call):
    r = echo(http, url, call)
    assert r.status_code == 200
    assert "<Response>hi</Response>" in r.text


@pytest.mark.parametrize("soapaction", [None, "WsPackageProcess/Echo?ver_=1.07",
                                        '"WsPackageProcess/Echo?ver_=1.07"', '""', "Bogus"])
def test_soapaction_is_optional_and_not_used_for_dispatch(http, url, soapaction):
    headers = {"SOAPAction": soapaction} if soapaction is not None else {}
    r = echo(http, url, "<EchoRequest><Request>hi</Request></EchoRequest>", headers=headers)
    assert "<Response>hi</Response>" in r.text


def test_field_names_are_case_sensitive(http, url):
    r = echo(http, url, "<EchoRequest><request>hi</request></EchoRequest>")
    assert "<EchoResponse xmlns=\"urn:hpccsystems:ws:wspackageprocess\"><Response></Response></EchoResponse>" in r.text


def test_envelope_namespace_and_case_are_not_checked(http, url):
    body = ('<?xml version="1.0"?><E:ENVELOPE xmlns:E="urn:not-soap"><E:body>'
            "<EchoRequest><Request>ok</Request></EchoRequest></E:body></E:ENVELOPE>")
    r = soap_post(http, url + "/WsPackageProcess", body)
    assert "<Response>ok</Response>" in r.text


def test_ecl_soapcall_shape(http, url):
    """GenIndex's SOAPCALL: no namespace, indented, encode_, empty Authorization, trailing slash."""
    content = '<RoxiePackages><Package id="soapcall_shape_data"/></RoxiePackages>'
    body = ('<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">\n'
            " <soap:Body>\n  <AddPartToPackageMapRequest>\n   <Target>roxie</Target>\n   <Process>*</Process>\n"
            "   <PackageMap>soapcall_shape.pkg</PackageMap>\n   <PartName>part_x.pkg</PartName>\n"
            f"   <Content>{escape(content)}</Content>\n   <DeletePrevious>true</DeletePrevious>\n"
            "   <DaliIp>127.0.0.1</DaliIp>\n   <encode_>0</encode_>\n  </AddPartToPackageMapRequest>\n"
            " </soap:Body>\n</soap:Envelope>\n")
    r = http.post(url + "/WsPackageProcess/", data=body.encode(), timeout=30,
                  headers={"Content-Type": "text/xml", "Authorization": "", "Accept-Encoding": "gzip, deflate"})
    assert r.status_code == 200
    root = etree.fromstring(r.content)
    resp = root.find(".//{urn:hpccsystems:ws:wspackageprocess}AddPartToPackageMapResponse")
    assert resp is not None  # an ESP answer in the response element SOAPCALL's XPATH looks for
    assert soapcall_status(root, "AddPartToPackageMapResponse") == (
        0, "Successfully loaded Part part_x.pkg to PackageMap roxie::soapcall_shape.pkg")
    # and the part was stored: GetPartFromPackageMap gives it back
    got = etree.fromstring(echo(http, url, "<GetPartFromPackageMapRequest><Target>roxie</Target>"
                                "<PackageMap>soapcall_shape.pkg</PackageMap><PartName>part_x.pkg</PartName>"
                                "</GetPartFromPackageMapRequest>").content)
    stored = got.findtext(".//{urn:hpccsystems:ws:wspackageprocess}Content")
    assert 'Package id="soapcall_shape_data"' in stored, stored


def test_not_implemented_is_an_inline_exception(http, url):
    found = not_implemented_operation()
    if found is None:
        pytest.skip("every operation is implemented")
    service, op = found
    ns, req, resp = SERVICES[service], op.request_name, op.response_name
    r = soap_post(http, f"{url}/{service}", envelope(f"<{req}/>"))
    assert r.status_code == 200
    assert re.fullmatch(
        re.escape(ESP_ENVELOPE + f'<{resp} xmlns="{ns}"><Exceptions><Exception>'
                  f"<Code>-1</Code><Audience>user</Audience><Source>{service}::{req}()</Source><Message>")
        + STAMP + re.escape(f"{service}::{op.name} is not implemented by this emulator yet.</Message></Exception>"
                            f"</Exceptions></{resp}></soap:Body></soap:Envelope>"), r.text)


def test_inline_source_uses_the_call_name_as_sent(http, url):
    r = soap_post(http, url + "/FileSpray", envelope("<progressrequest><wuid>D1</wuid></progressrequest>"))
    assert "<Source>FileSpray::progressrequest()</Source>" in r.text
    assert "<ProgressResponse " in r.text


def _fault(r):
    assert r.status_code == 500
    assert r.reason == "Internal Server Error"
    assert r.headers["Content-Type"] == "text/xml; charset=UTF-8"
    root = etree.fromstring(r.content)
    fault = root.find(".//{http://schemas.xmlsoap.org/soap/envelope/}Fault")
    return fault.findtext("faultcode"), fault.findtext("faultstring"), fault


def test_unknown_method_is_a_soap_fault(http, url):
    r = soap_post(http, url + "/WsDfu/Bogus?ver_=1.65", envelope("<Bogus/>"))
    code, string, fault = _fault(r)
    assert code == "400"
    assert string == "[400: Bad Request [Method Bogus not available in service WsDfu]] "
    assert fault.findtext("faultactor") == "Esp"
    exc = fault.find("detail/{urn:hpccsystems:ws:wsdfu}Exceptions")
    assert exc.findtext("{urn:hpccsystems:ws:wsdfu}Source") == "Esp"
    assert exc.findtext("{urn:hpccsystems:ws:wsdfu}Exception/{urn:hpccsystems:ws:wsdfu}Message") == \
        "Bad Request [Method Bogus not available in service WsDfu]"
    location = exc.get("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation")
    assert location == f"urn:hpccsystems:ws:wsdfu {url}/WsDfu/Bogus?xsd&ver_=1.65"


def test_request_type_names_of_other_services_are_unknown(http, url):
    code, string, _ = _fault(soap_post(http, url + "/FileSpray", envelope("<SprayFixedRequest/>")))
    assert string == "[400: Bad Request [Method SprayFixedRequest not available in service FileSpray]] "


def test_empty_body_is_a_fault(http, url):
    code, string, _ = _fault(soap_post(http, url + "/WsDfu", ""))
    assert (code, string) == ("-1", "[ -1: Content read is empty] ")


def test_unparsable_xml_is_a_fault(http, url):
    code, string, _ = _fault(soap_post(http, url + "/WsDfu", "<soap:Envelope><unclosed>"))
    assert code == "400" and string.startswith("[400: Bad Request [")


def test_not_an_envelope_is_a_fault(http, url):
    code, string, _ = _fault(soap_post(http, url + "/WsDfu", "<DFUQueryRequest/>"))
    assert code == "400"


def test_body_over_the_limit_is_413(http, url):
    r = soap_post(http, url + "/WsDfu", envelope("<Ping>" + "x" * 8_000_001 + "</Ping>"))
    assert r.status_code == 413
    assert http.post(url + "/WsDfu", data=iter([b"<a>", b"x" * 8_000_000, b"</a>"]),
                     headers={"Content-Type": "text/xml"}).status_code == 413


def test_soap_12_content_type_and_utf8(http, url):
    r = http.post(url + "/WsPackageProcess", data=envelope("<EchoRequest><Request>héllo ✓</Request></EchoRequest>").encode(),
                  headers={"Content-Type": "application/soap+xml; charset=utf-8"})
    assert "<Response>héllo ✓</Response>" in r.content.decode("utf-8")
