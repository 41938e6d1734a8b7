"""SOAP 1.1 as ESP reads and writes it.

Reading: the first element whose local name is `Envelope` (any case), its `Body`, and the
first element inside it is the call; namespaces and prefixes are never checked.
Writing: ESP's envelope (prefix `soap:`, xsi/xsd/soap/wsse declared, no Header, lower-case
utf-8 declaration) around the response element in the service namespace as default namespace.
"""
from __future__ import annotations

from lxml import etree

from wsservices.engine.jlib import safexml
from wsservices.esp.codec import local_name
from wsservices.esp.faults import ENVELOPE_CLOSE, ENVELOPE_OPEN, EspFault


def read_call(body: bytes) -> etree._Element:
    """The call element of a SOAP request, or an EspFault as ESP would raise it."""
    if not body.strip():
        raise EspFault(-1, "Content read is empty")
    try:
        root = safexml.parse(body)
    except safexml.XmlError as exc:
        raise EspFault.bad_request(str(exc)) from None
    if local_name(root).lower() != "envelope":
        raise EspFault.bad_request("Invalid SOAP message: no Envelope element")
    soap_body = next((c for c in root if isinstance(c.tag, str) and local_name(c).lower() == "body"), None)
    if soap_body is None:
        raise EspFault.bad_request("Invalid SOAP message: no Body element")
    call = next((c for c in soap_body if isinstance(c.tag, str)), None)
    if call is None:
        raise EspFault.bad_request("Invalid SOAP message: empty Body")
    return call


def envelope(inner: str) -> bytes:
    return (ENVELOPE_OPEN + inner + ENVELOPE_CLOSE).encode("utf-8")
