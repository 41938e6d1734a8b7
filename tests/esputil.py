"""Helpers the service tests share: namespaces, SOAP envelopes, the official WSDLs."""
from __future__ import annotations

import os
from pathlib import Path

import requests
from lxml import etree
from xml.sax.saxutils import escape

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SERVICES = {"FileSpray": "urn:hpccsystems:ws:filespray", "WsDfu": "urn:hpccsystems:ws:wsdfu",
            "WsPackageProcess": "urn:hpccsystems:ws:wspackageprocess"}
OFFICIAL_FILES = {"FileSpray": "FileSpray.wsdl", "WsDfu": "WsDFU.wsdl", "WsPackageProcess": "WsPackageProcess.wsdl",
                  "WsDFUXRef": "WsDFUXRef.wsdl"}


OFFICIAL_WSDL_DIR = Path(__file__).resolve().parent / "official_wsdl"


def official_wsdl_dir() -> Path:
    """The official HPCC WSDLs, kept in tests/official_wsdl so that every clone runs the contract
    tests (``HPCCEMU_OFFICIAL_WSDL_DIR`` points them at another copy)."""
    return Path(os.environ.get("HPCCEMU_OFFICIAL_WSDL_DIR") or OFFICIAL_WSDL_DIR)


def envelope(body: str, declare_ns: str | None = None) -> str:
    ns = f' xmlns="{declare_ns}"' if declare_ns else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="{SOAP_ENV}"{ns}>'
            f"<soap:Body>{body}</soap:Body></soap:Envelope>")


def soap_post(http, url: str, body: str, headers: dict | None = None, **kw) -> requests.Response:
    return http.post(url, data=body.encode("utf-8"),
                     headers={"Content-Type": "text/xml; charset=UTF-8", **(headers or {})},
                     timeout=30, **kw)


def zeep_client(url: str, service: str):
    """A zeep client built from the WSDL the server serves."""
    import zeep
    from zeep.transports import Transport

    return zeep.Client(f"{url}/{service}/?wsdl", transport=Transport(cache=False, timeout=60))


def esp_error(response) -> tuple[int, str]:
    """(code, message without the GMT prefix) of a response's first inline exception."""
    import re

    holder = response if "Exception" in dir(response) else response.Exceptions  # zeep unwraps 1-field responses
    exc = holder.Exception[0]
    return int(exc.Code), re.sub(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d GMT: ", "", exc.Message)


def not_implemented_operation():
    """(service name, operation) of some contract operation the emulator does not implement yet,
    or None once everything is implemented (then the tests that need one are skipped)."""
    from wsservices.app import SERVICE_CLASSES

    for cls in SERVICE_CLASSES:
        for op in sorted(cls.contract.OPERATIONS, key=lambda o: o.name):
            if not callable(getattr(cls, op.name, None)):
                return cls.contract.SERVICE, op
    return None


def genindex_soapcall(http, url: str, method: str, fields: list[tuple[str, str]]):
    """ECL SOAPCALL as GenIndex sends it (real-clients.md §1): no namespace, one-space indent,
    `encode_`, an empty Authorization header, POST to /WsPackageProcess/; returns the parsed answer."""
    body = "".join(f"   <{k}>{escape(v, {chr(34): '&quot;'})}</{k}>\n" for k, v in fields)
    doc = ('<?xml version="1.0" encoding="UTF-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">\n'
           f" <soap:Body>\n  <{method}Request>\n{body}   <encode_>0</encode_>\n  </{method}Request>\n"
           " </soap:Body>\n</soap:Envelope>\n")
    r = http.post(url + "/WsPackageProcess/", data=doc.encode(),
                  headers={"Content-Type": "text/xml", "Authorization": "", "Accept-Encoding": "gzip, deflate"},
                  timeout=30)
    assert r.status_code == 200
    return etree.fromstring(r.content)


def soapcall_status(root, response: str) -> tuple[int, str] | None:
    """What SOAPCALL's XPATH('<response>/status') row reads (namespaces ignored), or None."""
    found = root.xpath(f"//*[local-name()='{response}']/*[local-name()='status']")
    if not found:
        return None
    get = {etree.QName(c).localname: c.text or "" for c in found[0]}
    return int(get.get("Code", "0")), get.get("Description", "")


def wait_until(predicate, timeout: float = 60.0, what: str = ""):
    """Poll ``predicate`` until it returns something true (returned), failing after ``timeout``."""
    import threading
    import time

    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        threading.Event().wait(0.01)
    return value


def workunit_ended(fs, wuid: str):
    """The DFU workunit once it is finished, failed or aborted, else None (for `wait_until`)."""
    wu = fs.service.GetDFUWorkunit(wuid=wuid).result
    return wu if wu.StateMessage in ("finished", "failed", "aborted") else None
