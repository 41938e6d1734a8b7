"""WsEcl's query endpoint in front of the emulated Roxie (``esp/services/ws_ecl/
ws_ecl_service.cpp``; Roxie's answers from ``roxie/ccd/ccdprotocol.cpp``, ``roxiehelper.cpp``).

* ``GET /WsEcl/submit/query/<target>/<query>/json?EmployeeID=5`` (or a form POST): Roxie's JSON,
  ``{"<query>Response": {"sequence": 0, "Results": {"result_1": {"Row": [...]}}}}``;
* the same with ``/xml`` or no suffix: the expanded XML (``expandWuXmlResults``),
  ``<<query>Response xmlns="urn:hpccsystems:ecl:<query>"><Result><Dataset xmlns=".../result:result_1"
  name="Result 1"><Row>...</Row></Dataset></Result></<query>Response>``;
* ``POST`` with ``Content-Type: application/json`` (``{"<query>": {...}}`` or
  ``{"<query>Request": {...}}``): Roxie's JSON as is;
* ``POST`` with a SOAP envelope (``<<query>Request>`` in the Body): Roxie's SOAP answer as is.

Roxie's own errors (unknown query, suspended query) come inside that answer:
``{"<query>Response": {"Results": {"Exception": [{"Source": "Roxie", "Code", "Message"}]}}}``
or ``<Result><Exception><Source>Roxie</Source><Code/><Message/></Exception></Result>``. WsEcl's
errors (a target that is no Roxie query set: ``QuerySet <t> not found``; no target or query:
``Workunit not specified``) are ESP ``Exceptions`` with Source ``WsEcl`` (JSON for ``/json``,
XML for ``/xml``, ESP's HTML page otherwise). A query name that cannot be an XML element name
is answered by WsEcl as ``Query <t>/<q> not found`` (real ESP would forward it to Roxie).

Not emulated: ``run``/``async`` (workunits), ``forms``, ``definitions``, ``example``,
``links``, ``tabview``, ``proxy``, ``xslt``, workunits behind ``wuid/<wuid>`` (only its
``qset``/``qname`` parameters are used), ``jsonp``, ``.trim=0``, schemas
(``/expanded``), authentication.
"""
from __future__ import annotations

import json
import re
from typing import Callable, Mapping

from werkzeug.wrappers import Request, Response

from wsservices.engine import codes
from wsservices.engine.errors import DomainError
from wsservices.engine.roxie.server import QuerySetNotFound, ResultSet, RoxieError
from wsservices.esp import pages, soap
from wsservices.esp.codec import escape, local_name
from wsservices.esp.faults import EspFault, form_exceptions

SOURCE = "WsEcl"
SOAP_OPEN = ('<?xml version="1.0" encoding="UTF-8"?><soap:Envelope '
             'xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>')
SOAP_CLOSE = "</soap:Body></soap:Envelope>"
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]{0,254}")


class WsEclError(DomainError):
    """An error ESP's WsEcl reports itself (code -1), not Roxie."""

    @classmethod
    def no_workunit(cls) -> "WsEclError":
        return cls("Workunit not specified")

    @classmethod
    def query_not_found(cls, target: str, query: str) -> "WsEclError":
        return cls(f"Query {target}/{query} not found")


def make_wsecl(cluster) -> Callable[[Request], Response]:
    """The handler `EspBinding` mounts as the extra route `wsecl`."""
    limit = cluster.settings.max_request_bytes

    def handle(request: Request) -> Response:
        if request.content_length is not None and request.content_length > limit:
            return Response("Request Entity Too Large", 413, content_type="text/plain")
        if request.method not in ("GET", "POST"):
            return Response(pages.unsupported_method_page(request.method), content_type="text/html")
        segments = [s for s in request.path.split("/") if s][1:]
        content_type = (request.mimetype or "").lower()
        if request.method == "POST" and content_type == "application/json":
            return _json_post(cluster, request, segments)
        if request.method == "POST" and (content_type == "text/xml" or content_type.startswith("application/soap")):
            return _soap_post(cluster, request, segments)
        if not segments or segments[0].lower() != "submit":
            return Response(pages.not_found_page(), 404, content_type="text/html")
        return _submit(cluster, request, segments[1:])
    return handle


# ---------------------------------------------------------------- GET and form POST

def _submit(cluster, request: Request, rest: list[str]) -> Response:
    lookup = rest[0].lower() if rest else ""
    if lookup == "query":               # splitLookupInfo: query/<target>/<query>, then the format
        target, query, suffix = (rest[1:4] + ["", "", ""])[:3]
    elif lookup == "wuid":              # wuid/<wuid>, the query set and name from ?qset=&qname=
        target, query = request.values.get("qset", ""), request.values.get("qname", "")
        suffix = rest[2] if len(rest) > 2 else ""
    else:
        target, query, suffix = "", "", rest[1] if len(rest) > 1 else ""
    fmt = suffix.lower() if suffix.lower() in ("json", "xml") else None
    try:
        state = _state(cluster, target, query)
    except DomainError as exc:
        return form_exceptions(fmt, SOURCE, exc.code, exc.message)
    params = {k: v for k, v in request.values.items()}
    if fmt == "json":
        return _json(json_answer(query, *_call(state, query, params)))
    return Response(expanded_xml(query, *_call(state, query, params)), content_type="application/xml")


def _state(cluster, target: str, query: str):
    if not target or not query:
        raise WsEclError.no_workunit()
    try:
        state = cluster.roxie.state(target)
    except QuerySetNotFound as exc:
        raise WsEclError(exc.message) from None
    if not NAME.fullmatch(query):
        raise WsEclError.query_not_found(target, query)
    return state


def _call(state, query: str, params: Mapping[str, str]) -> tuple[tuple[ResultSet, ...] | None, RoxieError | None]:
    try:
        return state.find(query).run(params), None
    except RoxieError as exc:
        return None, exc


# ---------------------------------------------------------------- JSON and SOAP posts

def _json_post(cluster, request: Request, segments: list[str]) -> Response:
    target = segments[2] if len(segments) > 2 and segments[1].lower() == "query" else ""
    try:
        doc = json.loads(request.get_data(cache=False) or b"null")
    except ValueError:
        doc = None
    call = next(iter(doc.items()), None) if isinstance(doc, dict) else None
    name = _request_name(call[0]) if call else ""
    try:
        state = _state(cluster, target, name or "Unknown")
    except DomainError as exc:
        return _json({"Exceptions": {"Exception": [{"Code": exc.code, "Message": exc.message}]}})
    if call is None or not isinstance(call[1], dict):
        error = RoxieError("Malformed JSON request (missing Body)" if isinstance(doc, dict) else "Malformed request",
                           codes.ROXIE_DATA_ERROR)
        return _json(json_answer(name or "Unknown", None, error))
    params = {k: _scalar(v) for k, v in call[1].items() if not isinstance(v, (dict, list))}
    return _json(json_answer(name, *_call(state, name, params)))


def _soap_post(cluster, request: Request, segments: list[str]) -> Response:
    target = segments[2] if len(segments) > 2 and segments[1].lower() == "query" else ""
    try:
        call = soap.read_call(request.get_data(cache=False))
    except EspFault:
        call = None
    name = _request_name(local_name(call)) if call is not None else "Unknown"
    try:
        state = _state(cluster, target, name)
    except DomainError as exc:
        return form_exceptions("xml", SOURCE, exc.code, exc.message)
    if call is None:
        error = RoxieError("Malformed SOAP request (missing Body)", codes.ROXIE_DATA_ERROR)
        return _xml(soap_answer(name, None, error))
    params = {local_name(c): (c.text or "") for c in call if isinstance(c.tag, str)}
    return _xml(soap_answer(name, *_call(state, name, params)))


def _request_name(tag: str) -> str:
    for suffix in ("RequestArray", "Request"):
        if tag.endswith(suffix) and len(tag) > len(suffix):
            return tag[:-len(suffix)]
    return tag


def _scalar(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


# ---------------------------------------------------------------- answers

def json_answer(query: str, results: tuple[ResultSet, ...] | None, error: RoxieError | None = None) -> dict:
    """Roxie's JSON answer (CHpccJsonResponse, or sendJsonException for an error)."""
    if error is not None:
        return {f"{query}Response": {"Results": {"Exception": [
            {"Source": "Roxie", "Code": error.code, "Message": error.message}]}}}
    return {f"{query}Response": {"sequence": 0, "Results": {r.name: {"Row": list(r.rows)} for r in results}}}


def expanded_xml(query: str, results: tuple[ResultSet, ...] | None, error: RoxieError | None = None) -> str:
    """WsEcl's expanded XML (WWV_ADD_RESPONSE_TAG | WWV_INCL_NAMESPACES, schemas omitted)."""
    ns = f"urn:hpccsystems:ecl:{query.lower()}"
    out = [f'<?xml version="1.0" encoding="UTF-8"?><{query}Response xmlns="{ns}"><Result>']
    if error is not None:
        out.append(_exception_xml(error))
    else:
        for i, r in enumerate(results, 1):
            out.append(f'<Dataset xmlns="{ns}:result:{r.name}" name="Result {i}">')
            out.extend(_row_xml(row) for row in r.rows)
            out.append("</Dataset>")
    out.append(f"</Result></{query}Response>")
    return "".join(out)


def soap_answer(query: str, results: tuple[ResultSet, ...] | None, error: RoxieError | None = None) -> str:
    """Roxie's SOAP answer (CHpccXmlResponse in an envelope, or sendSoapException)."""
    ns = f"urn:hpccsystems:ecl:{query.lower()}"
    if error is not None:
        inner = (f'<{query}Response xmlns="{ns}"><Results><Result>{_exception_xml(error)}'
                 f"</Result></Results></{query}Response>")
        return SOAP_OPEN + inner + SOAP_CLOSE
    out = [SOAP_OPEN, f'<{query}Response xmlns="{ns}" sequence="0"><Results><Result>']
    for i, r in enumerate(results, 1):
        out.append(f"<Dataset xmlns='{ns}:result:{r.name}' name='Result {i}'>\n")
        out.extend(_row_xml(row) for row in r.rows)
        out.append("</Dataset>\n")
    out.append(f"</Result></Results></{query}Response>{SOAP_CLOSE}")
    return "".join(out)


def _exception_xml(error: RoxieError) -> str:
    return (f"<Exception><Source>Roxie</Source><Code>{error.code}</Code>"
            f"<Message>{escape(error.message)}</Message></Exception>")


def _row_xml(row: Mapping) -> str:
    return "<Row>" + "".join(f"<{k}>{escape(_scalar(v))}</{k}>" for k, v in row.items()) + "</Row>"


def _json(body: dict) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), content_type="application/json")


def _xml(text: str) -> Response:
    return Response(text, content_type="text/xml")
