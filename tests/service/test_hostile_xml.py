"""Hostile XML gets a clean fault, leaks nothing, and the server keeps answering."""
from __future__ import annotations

import pytest

from esputil import envelope, soap_post

SECRET = "hpccemu-secret-marker-7f3a"

ATTACKS = {
    "external_entity": '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]>'
                       '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
                       "<EchoRequest><Request>&x;</Request></EchoRequest></soap:Body></soap:Envelope>",
    "billion_laughs": '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
                      '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
                      '<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">'
                      '<!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;"><!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">]>'
                      '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
                      "<EchoRequest><Request>&h;</Request></EchoRequest></soap:Body></soap:Envelope>",
    "external_dtd": '<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://127.0.0.1:9/evil.dtd">'
                    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
                    "<EchoRequest><Request>x</Request></EchoRequest></soap:Body></soap:Envelope>",
    "parameter_entity": '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY % p SYSTEM "file://{secret}">%p;]>'
                        '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
                        "<EchoRequest/></soap:Body></soap:Envelope>",
    "lowercase_doctype": '<?xml version="1.0"?><!doctype r [<!entity x SYSTEM "file://{secret}">]>'
                         "<r>&x;</r>",
    "undeclared_entity": '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
                         "<EchoRequest><Request>&x;</Request></EchoRequest></soap:Body></soap:Envelope>",
    "xinclude": '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
                '<EchoRequest><Request><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" '
                'href="file://{secret}" parse="text"/></Request></EchoRequest></soap:Body></soap:Envelope>',
    "deep_nesting": envelope("<EchoRequest>" + "<a>" * 100_000 + "</a>" * 100_000 + "</EchoRequest>"),
    "utf16_doctype": None,  # built below: the DTD check must not depend on the byte encoding
}


@pytest.fixture(scope="module")
def secret_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("secret") / "passwd"
    path.write_text(SECRET)
    return path


def _body(name, secret_file) -> bytes:
    if name == "utf16_doctype":
        text = ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://%s">]>'
                '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
                "<EchoRequest><Request>&x;</Request></EchoRequest></soap:Body></soap:Envelope>") % secret_file
        return text.encode("utf-16")
    return ATTACKS[name].replace("{secret}", str(secret_file)).encode("utf-8")


@pytest.mark.parametrize("name", list(ATTACKS))
def test_attack_is_refused_cleanly(http, url, secret_file, name):
    r = soap_post(http, url + "/WsPackageProcess", "", data=None) if False else \
        http.post(url + "/WsPackageProcess", data=_body(name, secret_file),
                  headers={"Content-Type": "text/xml"}, timeout=30)
    assert SECRET not in r.text
    assert "lollollol" not in r.text
    assert "Traceback" not in r.text and 'File "' not in r.text
    if name == "xinclude":  # harmless: XInclude is never processed, the element is just ignored
        assert r.status_code == 200 and "<Response></Response>" in r.text
    else:
        assert r.status_code == 500
        assert "<faultcode>400</faultcode>" in r.text
    ping = soap_post(http, url + "/WsPackageProcess", envelope("<WsPackageProcessPingRequest/>"))
    assert ping.status_code == 200
