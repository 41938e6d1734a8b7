"""ESP's HTTP binding: one WSGI application serving every emulated service the way ESP does.

Routing (esp-protocol.md A.2): the first path segment is the service and the second the
method, both matched without regard to case; a `.json`/`.xml` suffix on the method picks the
output format. `?wsdl`/`?xsd` anywhere in the query win, then the sample documents
(`reqxml_`, `respxml_`, `respjson_`, `reqjson_`), then `/Svc` redirects to `Svc/`, `/Svc/` is
the index page, `Method?soap_builder_`/`json_builder_` the test pages, `Method?form` the form
page, and a method URL with or without parameters runs the method (path 1: answered in JSON
for `.json`, else in plain XML; errors as top-level JSON, a bare `<Exceptions>` document for
`.xml`/`rawxml_`, else ESP's HTML page). A POST with a SOAP or JSON content type goes to the
SOAP/JSON pipeline whatever the URL (path 2: errors inline, HTTP 200; failures outside the
method a SOAP Fault or a JSON error with a non-200 status); a form POST is a GET.

Security (auth.py, guard.py): with authentication on, every path but ``/health`` needs valid
credentials before anything else happens (ESP's 401 otherwise), and the request runs with its
user set; the feature check is `EspService.invoke`'s.

Client versions (clientversion.py): a GET/form call runs as its ``ver_`` or, without one, as
the service's default client version; a SOAP/JSON call as its ``ver_`` (URL, else SOAPAction)
or, without one, as 0, or the method's `min_ver` when it has one. Responses leave out the
fields outside the version's ECM range; ``?wsdl``/``?xsd`` describe the version asked for.

Not emulated: the legacy XSLT views of a method URL without a suffix (every
method answers plain XML there), the binding's `defaultServiceVersion`, and a SOAP body posted
to `Method.json` (ESP would answer it in JSON; here it gets SOAP).
"""
from __future__ import annotations

import io
import logging
import re
from typing import Any, Iterable
from urllib.parse import parse_qsl

from werkzeug.datastructures import MultiDict
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wrappers import Request, Response

from wsservices.engine.errors import DomainError
from wsservices.esp import (accesslog, auth, clientversion, codec, compiled, formpage, jsoncodec, pages, samples, soap,
                            wsdl)
from wsservices.esp.faults import (BODY_ERROR_TEXT, BODY_ERRORS, EspFault, fault_document, form_exceptions,
                                   gmt_prefix, inline_exception, wrap_jsonp)
from wsservices.esp.formpath import decode_params
from wsservices.esp.guard import Guard
from wsservices.esp.service import EspService
from wsservices.esp.types import Operation

log = logging.getLogger("wsservices.esp")

XML = "text/xml; charset=UTF-8"
HTML = "text/html; charset=UTF-8"
JSON = "application/json"
WSDL_TYPE = "application/xml; charset=UTF-8"
_SOAPACTION_VER = re.compile(r"ver_=(.*)", re.S)
INTERNAL_ERROR = 20000
CLIENT_TOO_OLD = "Client version is too old, please update your client application."
#: paths answered without credentials (monitoring)
OPEN_ROUTES = frozenset({"health"})


class EspBinding:
    """The WSGI app: routes to the services, applies ESP's wire conventions."""

    def __init__(self, services: Iterable[EspService], max_request_bytes: int = 8_000_000,
                 extra_routes: dict[str, Any] | None = None, guard: Guard | None = None, root: Any = None):
        self.services = {s.name.lower(): s for s in services}
        self.root = root  # () -> HTML of the front page, else the plain list of services
        self.max_request_bytes = max_request_bytes
        self.extra_routes = {k.lower(): v for k, v in (extra_routes or {}).items()}
        self.guard = guard
        for service in self.services.values():  # compile the default version's writers at start-up
            for op in service.operations.values():
                compiled.writer(op.response, service.omit_unset, clientversion.key(service.default_client_version))

    def __call__(self, environ, start_response):
        request = Request(environ)
        try:
            response = self.dispatch(request)
        except Exception:  # never a stack trace on the wire
            log.exception("unhandled error for %s %s", request.method, request.path)
            response = Response("Request failed. Check log files for more information.",
                                500, content_type="text/plain")
        code = response.status_code  # ESP's reason phrases: "302 Found", not werkzeug's "302 FOUND"
        response.status = f"{code} {HTTP_STATUS_CODES.get(code, 'Unknown')}"
        return response(environ, start_response)

    # -- routing -----------------------------------------------------------
    def dispatch(self, request: Request) -> Response:
        segments = request.path.lstrip("/").split("/", 2)
        first = segments[0].lower()
        body: bytes | Response | None = None
        if self.guard is None or not self.guard.enabled or first in OPEN_ROUTES:
            return self._dispatch(request, segments, None)
        service = self.services.get(first)
        method = (segments[1] if len(segments) > 1 else "").lower()
        if service is not None and request.method == "POST" and method not in service.streaming_handlers \
                and "authorization" not in request.headers and _is_soap(request, b""):
            body = self._read_body(request)  # credentials may be in the SOAP header
            if body is None:
                return _unreadable_body(service, request, method)
            if isinstance(body, Response):
                return body
        user = self.guard.authenticate(request, body)
        if user is None and service is not None and isinstance(body, bytes) \
                and "authorization" not in request.headers and auth.credentials(request, body) is not None:
            # a SOAP header login that fails: soapbind's SOAP_AUTHENTICATION_ERROR, a fault, no challenge
            claimed = auth.credentials(request, body)[0]
            location = f"{request.host_url}{service.name}/{method}?xsd&ver_=0"
            return Response(fault_document(service.namespace, 401, f"Unauthorized Access: {service.name} - "
                                           f"user={claimed}", location), 500, content_type=XML)
        if user is None:
            if body is None and request.method == "POST" and (
                    service is None or method not in service.streaming_handlers):
                self._read_body(request)  # so that the client reads the answer, not a reset
            return auth.challenge(request, with_page=_can_redirect(request, body))
        token = auth.current_user.set(user)
        try:
            return self._dispatch(request, segments, body)
        finally:
            auth.current_user.reset(token)

    def _dispatch(self, request: Request, segments: list[str], body: bytes | None) -> Response:
        first = segments[0].lower()
        if not first:
            if self.root is not None:
                return _html(self.root())
            return _html(pages.root_page([(s.name, s.version) for s in self.services.values()]))
        if first in self.extra_routes:
            return self.extra_routes[first](request)
        service = self.services.get(first)
        if service is None:
            return _html(pages.not_found_page(), 404)
        method = segments[1] if len(segments) > 1 else None
        if request.method not in ("GET", "POST"):
            if request.method == "OPTIONS":
                return Response("", 200)
            return _html(pages.unsupported_method_page(request.method))
        if method and request.method == "POST" and method.lower() in service.streaming_handlers:
            accesslog.note(call=f"{service.name}.{method}")
            return service.http_handlers()[method.lower()](request, dict(request.args.items()))
        if body is None:
            body = self._read_body(request)
            if body is None:
                return _unreadable_body(service, request, method or "")
        if isinstance(body, Response):
            return body
        if request.method == "POST" and _is_soap(request, body):
            return self.soap(service, request, body, method or "")
        if request.method == "POST" and _is_json(request):
            return self.json_call(service, request, body)
        args = _params(request, body)
        return self.get(service, request, method, args)

    def _read_body(self, request: Request) -> bytes | Response | None:
        """The body; a 413 answer when too large; None when it cannot be read (`_unreadable_body`)."""
        limit = self.max_request_bytes
        if request.content_length is not None and request.content_length > limit:
            return Response("Request Entity Too Large", 413, content_type="text/plain")
        try:
            data = request.stream.read(limit + 1)
        except BODY_ERRORS:
            return None
        if len(data) > limit:
            return Response("Request Entity Too Large", 413, content_type="text/plain")
        return data

    # -- GET and form POST ---------------------------------------------------
    def get(self, service: EspService, request: Request, method: str | None,
            args: list[tuple[str, str]]) -> Response:
        names = {k for k, _ in args}
        op = None
        fmt = None
        if method:
            base, dot, suffix = method.rpartition(".")
            if dot and suffix.lower() in ("json", "xml"):
                method, fmt = base, suffix.lower()
            op = service.find_operation(method) if method else None
            if method and (op is None or op.name.lower() != method.lower()):
                if method.lower() == "version_":
                    return _version_info(service)
                handler = service.http_handlers().get(method.lower())
                if handler is not None:
                    return handler(request, dict(args))
                return _html(pages.not_found_page(), 404)
        base_url = request.host_url
        sent = _client_version(request, args)
        if names & {"wsdl", "wsdl_ext", "xsd"}:
            version = service.wsdl_version(sent)
            return Response(wsdl.document(type(service), base_url, op.name if op else None, xsd="xsd" in names
                                          and not names & {"wsdl", "wsdl_ext"}, version=version),
                            content_type=WSDL_TYPE)
        flag = next((f for f in samples.FLAGS if f in names), None)
        if flag is not None:
            body, ctype = samples.document(flag, [op] if op else list(service.operations.values()),
                                           service.namespace)
            return Response(body, content_type=ctype)
        if op is None:
            if method is None:
                target = f"{service.name}/" + (f"?{request.query_string.decode()}" if request.query_string else "")
                return Response("", 302, headers={"Location": target})
            return _html(pages.index_page(service.name, service.version, sent, list(service.operations), args))
        if names & {"soap_builder_", "json_builder_", "form"}:
            return _html(self.method_page(service, op, names, args, sent))
        if fmt is None and "rawxml_" in names:
            fmt = "xml"
        return self.run_from_params(service, op, args, fmt, _last(args, "jsonp"), service.get_version(sent))

    def method_page(self, service: EspService, op: Operation, names: set[str], args: list[tuple[str, str]],
                    client_version: float) -> str:
        """The SOAP Test, JSON Test or form page of one method (A.2 rules 7, 8 and 14)."""
        version = pages.format_version(client_version if client_version > 0 else service.version)
        if "soap_builder_" in names:
            return formpage.soap_builder_page(service.name, service.namespace, op, decode_params(args, op.request),
                                              version)
        if "json_builder_" in names:
            return formpage.json_builder_page(service.name, op, decode_params(args, op.request), version)
        query = pages.link_params([(k, v) for k, v in args if k == "ver_"], service.version)
        return formpage.form_page(service.name, service.version, op, query, dict(args), as_json="json" in names)

    def run_from_params(self, service: EspService, op: Operation, args: list[tuple[str, str]],
                        fmt: str | None, jsonp: str | None, version: float) -> Response:
        """Path 1: `fmt` is "json", "xml" (suffix or rawxml_) or None (no suffix)."""
        source = f"{service.name}::{op.name.upper()}()"
        accesslog.note(call=f"{service.name}.{op.name}")
        request = decode_params(args, op.request)
        try:
            response = service.invoke(op, request, version)
        except DomainError as exc:
            accesslog.note(exception=exc.code)
            stamp = gmt_prefix() if service.timestamps_errors(op.name) else ""
            return form_exceptions(fmt, source, exc.code, stamp + exc.message, jsonp)
        except Exception:
            log.exception("%s failed", source)
            accesslog.note(exception=INTERNAL_ERROR)
            return form_exceptions(fmt, source, INTERNAL_ERROR, gmt_prefix() + "Internal Server Error", jsonp)
        writer = compiled.writer(op.response, service.omit_unset, clientversion.key(version))
        if fmt == "json":
            body = writer.document(response, op.response_name)
            return Response(wrap_jsonp(body, jsonp), content_type=JSON, headers={"Expires": "0"})
        out: list[str] = ['<?xml version="1.0" encoding="UTF-8"?>']
        writer.xml(response, op.response_name, out)
        return Response("".join(out), content_type=XML, headers={"Expires": "0"})

    # -- SOAP and JSON bodies --------------------------------------------------
    def soap(self, service: EspService, request: Request, body: bytes, url_method: str) -> Response:
        version = _client_version(request, list(request.args.items()))
        accesslog.note(call=service.name, kind="SOAP")
        try:
            call = soap.read_call(body)
            call_name = codec.local_name(call)
            accesslog.note(call=f"{service.name}.{call_name}")
            op = service.find_operation(call_name)
            if op is None:
                raise EspFault.unknown_method(call_name, service.name)
            req = codec.decode(call, op.request)
        except EspFault as fault:
            accesslog.note(exception=fault.code)
            location = f"{request.host_url}{service.name}/{url_method}?xsd&ver_={pages.format_version(version)}"
            return Response(fault_document(service.namespace, fault.code, fault.message, location),
                            500, content_type=XML)
        version = service.call_version(op, version)
        response, exceptions = self._invoke_inline(service, op, req, call_name, version)
        attrs = f' xmlns="{service.namespace}"'
        out: list[str] = []
        if exceptions is not None and "Exceptions" not in op.response._type_info:
            # a few responses lack the field: ESP writes it anyway
            out.append(f"<{op.response_name}{attrs}>")
            codec.encode(exceptions, type(exceptions), "Exceptions", out, service.omit_unset)
            out.append(f"</{op.response_name}>")
        else:
            response = response if exceptions is None else op.response(Exceptions=exceptions)
            compiled.writer(op.response, service.omit_unset, clientversion.key(version)).xml(
                response, op.response_name, out, attrs)
        return Response(soap.envelope("".join(out)), content_type=XML)

    def json_call(self, service: EspService, request: Request, body: bytes) -> Response:
        """A POST with a JSON body: `{"<Method or RequestType>": {...}}`, answered in JSON."""
        accesslog.note(call=service.name, kind="JSON")
        version = _client_version(request, list(request.args.items()))
        try:
            call_name, value = jsoncodec.read_call(body)
            accesslog.note(call=f"{service.name}.{call_name}")
            op = service.find_operation(call_name)
            if op is None:
                raise EspFault.unknown_method(call_name, service.name)
            req = jsoncodec.decode(value, op.request)
        except (EspFault, jsoncodec.ReadError) as fault:
            accesslog.note(exception=fault.code)
            return Response(jsoncodec.error_document(fault.code, fault.message),
                            jsoncodec.error_status(fault.code), content_type=JSON)
        version = service.call_version(op, version)
        response, exceptions = self._invoke_inline(service, op, req, call_name, version)
        if exceptions is not None:
            text = "{" + jsoncodec.quote(op.response_name) + ": {" + jsoncodec.exceptions_member(exceptions) + "}}"
        else:
            text = compiled.writer(op.response, service.omit_unset, clientversion.key(version)).document(
                response, op.response_name)
        return Response(text, content_type=JSON)

    def _invoke_inline(self, service: EspService, op: Operation, req: Any, call_name: str,
                       version: float) -> tuple[Any, Any]:
        """(response, None), or (None, the inline Exceptions) when the method failed or the
        client is older than the method (hidl processRequest, inside its try: code -1, no time)."""
        source = f"{service.name}::{call_name}()"
        if service.too_old(op, version):
            accesslog.note(exception=-1)
            return None, inline_exception(service.contract, -1, CLIENT_TOO_OLD, source, False)
        try:
            return service.invoke(op, req, version), None
        except DomainError as exc:
            accesslog.note(exception=exc.code)
            return None, inline_exception(service.contract, exc.code, exc.message, source,
                                          service.timestamps_errors(op.name))
        except Exception:
            log.exception("%s failed", source)
            accesslog.note(exception=INTERNAL_ERROR)
            return None, inline_exception(service.contract, INTERNAL_ERROR, "Internal Server Error", source)


# ---------------------------------------------------------------- helpers

def _html(text: str, status: int = 200) -> Response:
    return Response(text, status, content_type=HTML)


def _is_soap(request: Request, body: bytes) -> bool:
    ctype = (request.headers.get("Content-Type") or "").lower()
    if ctype.startswith(("text/xml", "application/soap")):
        return True
    if ctype.startswith("multipart/related"):
        return "text/xml" in ctype or "application/soap" in ctype
    return not ctype and body.lstrip()[:1] == b"<"


def _can_redirect(request: Request, body: bytes | None) -> bool:
    """httptransport canRedirect: not for ``rawxml_`` or a ``.json``/``.xml`` method, nor for
    SOAP and JSON bodies (their response format is fixed)."""
    segments = request.path.lstrip("/").split("/")
    method = segments[1] if len(segments) > 1 else ""
    if "rawxml_" in request.args or method.lower().endswith((".json", ".xml")):
        return False
    return not (request.method == "POST" and (_is_soap(request, body or b"") or _is_json(request)))


def _unreadable_body(service: EspService, request: Request, url_method: str) -> Response:
    """A body broken in transit (bad chunk framing, shorter than Content-Length): a 400 in
    the form the request asked for (SOAP Fault, JSON error or ESP's HTML page)."""
    fault = EspFault.bad_request(BODY_ERROR_TEXT)
    ctype = (request.headers.get("Content-Type") or "").lower()
    if ctype.startswith(("text/xml", "application/soap", "multipart/related")):
        location = f"{request.host_url}{service.name}/{url_method}?xsd&ver_=0"
        return Response(fault_document(service.namespace, fault.code, fault.message, location), 500,
                        content_type=XML)
    if ctype.startswith("application/json"):
        return Response(jsoncodec.error_document(fault.code, fault.message),
                        jsoncodec.error_status(fault.code), content_type=JSON)
    return form_exceptions(None, "Esp", fault.code, fault.message)


def _is_json(request: Request) -> bool:
    return (request.headers.get("Content-Type") or "").lower().startswith("application/json")


def _params(request: Request, body: bytes) -> list[tuple[str, str]]:
    """URL parameters, joined by form-body fields, in order (ESP keeps the last of a name).
    A multipart body gives its text parts, and each file part's file name."""
    items = list(MultiDict(request.args).items(multi=True))
    ctype = (request.headers.get("Content-Type") or "").lower()
    if request.method == "POST" and ctype.startswith("application/x-www-form-urlencoded"):
        items += parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
    elif request.method == "POST" and ctype.startswith("multipart/form-data"):
        environ = dict(request.environ, **{"wsgi.input": io.BytesIO(body), "CONTENT_LENGTH": str(len(body))})
        form = Request(environ)
        items += list(form.form.items(multi=True))
        items += [(name, f.filename or "") for name, f in form.files.items(multi=True)]
    return items


def _last(args: list[tuple[str, str]], name: str) -> str | None:
    found = [v for k, v in args if k == name]
    return found[-1] if found else None


def _client_version(request: Request, args: list[tuple[str, str]]) -> float:
    """ESP's client version: a non-empty ``ver_`` parameter, else ``ver_=`` in SOAPAction,
    read with atof (``abc`` is 0, ``1.x`` is 1); 0 when there is neither. Never an error."""
    text = _last(args, "ver_")
    if not text:
        match = _SOAPACTION_VER.search(request.headers.get("SOAPAction", ""))
        text = match.group(1) if match else ""
    return codec.atof(text)


def _version_info(service: EspService) -> Response:
    text = (f"<VersionInfo><Service>{service.name}</Service>"
            f"<Version>{float(service.version):.3f}</Version></VersionInfo>")
    return Response(text, content_type=WSDL_TYPE)
