"""ESP's two error channels, in one place.

* A service error (a `DomainError` from the engine) goes inline: the normal response element
  with an `Exceptions` child and nothing else, HTTP 200. Where the real method uses
  FORWARDEXCEPTION (`EspService.timestamps_errors`), the message gets a
  `YYYY-MM-DD HH:MM:SS GMT: ` prefix; either way it keeps its code.
* A failure outside a method (empty body, unparsable XML, unknown method) is an `EspFault`:
  a SOAP Fault with HTTP 500 whose `detail` carries the `Exceptions` document (for a JSON
  body, jsoncodec's error document with a status that follows the code).
* On the GET/form path (`form_exceptions`) a service error is the whole answer, HTTP 200:
  top-level JSON, a bare XML document or ESP's HTML page, by the requested format.
"""
from __future__ import annotations

import datetime as _dt
import re

from werkzeug.exceptions import ClientDisconnected
from werkzeug.wrappers import Response

from wsservices.esp import jsoncodec, pages
from wsservices.esp.codec import escape

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
ENVELOPE_OPEN = ('<?xml version="1.0" encoding="utf-8"?><soap:Envelope'
                 ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
                 ' xmlns:xsd="http://www.w3.org/2001/XMLSchema"'
                 f' xmlns:soap="{SOAP_ENV}"'
                 ' xmlns:wsse="http://schemas.xmlsoap.org/ws/2002/04/secext"><soap:Body>')
ENVELOPE_CLOSE = "</soap:Body></soap:Envelope>"
_JS_NAME = re.compile(r"[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*")


#: What reading a request body raises when the body is broken in transit: werkzeug's
#: chunked-body reader raises OSError ("Invalid chunk header"), its length-limited reader
#: ClientDisconnected when the body ends before Content-Length.
BODY_ERRORS = (OSError, ClientDisconnected)
#: The emulator's text for that (ESP stops reading such a body without a message of its own).
BODY_ERROR_TEXT = "The request body could not be read: invalid chunked encoding or shorter than Content-Length"


class EspFault(Exception):
    """A protocol-level failure, answered as a SOAP Fault (HTTP 500)."""

    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code = code
        self.message = message

    @classmethod
    def bad_request(cls, detail: str) -> "EspFault":
        return cls(400, f"Bad Request [{detail}]")

    @classmethod
    def unknown_method(cls, method: str, service: str) -> "EspFault":
        return cls.bad_request(f"Method {method} not available in service {service}")


def gmt_prefix(now: _dt.datetime | None = None) -> str:
    now = now or _dt.datetime.now(_dt.timezone.utc)
    return now.strftime("%Y-%m-%d %H:%M:%S GMT: ")


def inline_exception(models, code: int, message: str, source: str, stamped: bool = True):
    """The `Exceptions` value of a response carrying one service error (`stamped`: with the
    GMT prefix FORWARDEXCEPTION adds)."""
    exc = models.EspException(Code=str(code), Audience="user", Source=source,
                              Message=(gmt_prefix() if stamped else "") + message)
    return models.ArrayOfEspException(Exception=[exc])


def fault_document(namespace: str, code: int, message: str, schema_location: str) -> bytes:
    """The whole SOAP Fault envelope ESP sends for a protocol-level failure."""
    msg = escape(message)
    faultstring = escape(f"[{code:3d}: {message}] ")
    body = (f"<soap:Fault><faultcode>{code}</faultcode><faultstring>{faultstring}</faultstring>"
            f"<faultactor>Esp</faultactor><detail><Exceptions xmlns=\"{namespace}\""
            f" xsi:schemaLocation=\"{escape(namespace + ' ' + schema_location)}\">"
            f"<Source>Esp</Source><Exception><Code>{code}</Code><Audience>user</Audience>"
            f"<Message>{msg}</Message></Exception></Exceptions></detail></soap:Fault>")
    return (ENVELOPE_OPEN + body + ENVELOPE_CLOSE).encode("utf-8")


def form_exceptions(fmt: str | None, source: str, code: int, message: str, jsonp: str | None = None) -> Response:
    """An error on the GET/form path (esp-protocol.md A.8), HTTP 200: top-level JSON `Exceptions`
    for `.json` (wrapped as `jsonp(...);` when asked), a bare `<Exceptions>` document for
    `.xml`/`rawxml_`, else ESP's HTML page. `message` is written as given (the caller adds the
    GMT prefix where ESP does)."""
    if fmt == "json":
        body = (f'{{"Exceptions": {{"Source": {jsoncodec.quote(source)}, "Exception": [{{"Code": {code}, '
                f'"Message": {jsoncodec.quote(message)}}}]}}}}')
        response = Response(wrap_jsonp(body, jsonp), content_type="application/json")
    elif fmt == "xml":
        response = Response(
            f"<Exceptions><Source>{escape(source)}</Source><Exception><Code>{code}</Code>"
            f"<Audience>user</Audience><Message>{escape(message)}</Message></Exception></Exceptions>",
            content_type="application/xml")
    else:
        response = Response(pages.exceptions_page(source, code, message), content_type="text/html; charset=UTF-8")
    response.headers["Expires"] = "0"
    return response


def wrap_jsonp(body: str, callback: str | None) -> str:
    """`callback(body);` as ESP writes for `jsonp=`; only a JavaScript name is accepted as the
    callback (ESP takes any text: an emulator need not reflect script into responses)."""
    if callback and _JS_NAME.fullmatch(callback):
        return f"{callback}({body});"
    return body
