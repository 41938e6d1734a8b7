"""The zeep plumbing every service client shares.

A client loads its service's WSDL — by default the copy packaged with hpccemu (`hpccemu/wsdl/`,
the contract the emulator serves by default: FileSpray 1.29, WsDfu 1.69, WsPackageProcess 1.08,
whose SOAPActions send that ``ver_``), so nothing is fetched over the network and the version is pinned; ``wsdl="server"``
fetches ``<service>/?wsdl`` instead, and any other string is a WSDL path or URL — and binds it
to ``<url>/<Service>`` with `create_service`, so the same client talks to the emulator or to a real
ESP. Dispatch on a real ESP is by the body element, and the WSDL's SOAPAction carries ``ver_``.

Every call goes through `EspClient._call`, the one place that turns ESP errors (inline
``Exceptions`` or a SOAP Fault), HTTP errors and connection failures into this package's
exceptions (`hpccemu.errors`). Calls have a timeout (``timeout``, seconds; zeep's default is
none); ``username``/``password`` are sent as HTTP basic auth. ``client.soap`` is the raw zeep
service for operations the typed methods do not cover; ``client.history`` (zeep
``HistoryPlugin``) keeps the last envelope sent and received.

Not done: retries (no call is retried: a repeated Spray or AddPackage would create state twice),
WS-Security username tokens (dfuplus sends one; ESP accepts basic auth alone).
"""
from __future__ import annotations

import logging
import types
from contextlib import contextmanager
from importlib import resources
from typing import Any, Iterator
from urllib.parse import urlsplit

import requests
import zeep
from zeep.exceptions import Fault, TransportError
from zeep.plugins import HistoryPlugin
from zeep.transports import Transport

from .errors import EspConnectionError, EspError, EspException, exceptions_from_element, exceptions_from_object

log = logging.getLogger(__name__)

DEFAULT_URL = "http://127.0.0.1:8010"
DEFAULT_TIMEOUT = 60.0


class _Transport(Transport):
    """zeep's transport, remembering the HTTP status of the last answer (a non-SOAP error page
    that happens to parse as XML reaches us as a zeep Fault)."""

    last_status = 0

    def post(self, address, message, headers):
        response = super().post(address, message, headers)
        self.last_status = response.status_code
        return response


def esp_base_url(server: str | None) -> str:
    """``host``, ``host:port`` or a URL -> ``http[s]://host:port`` (dfuplus's rules: ``http://`` is
    added when no scheme is given, port 8010 when none is given)."""
    server = (server or DEFAULT_URL).strip()
    if "://" not in server:
        server = "http://" + server
    parts = urlsplit(server)
    netloc = parts.netloc if parts.port else f"{parts.netloc}:8010"
    path = parts.path.rstrip("/")
    return f"{parts.scheme}://{netloc}{path}"


def packaged_wsdl(service: str) -> str:
    """The path of the WSDL of `service` shipped inside the package."""
    return str(resources.files("hpccemu").joinpath("wsdl", f"{service}.wsdl"))


class EspClient:
    """Base of the per-service clients. Use as a context manager, or call `close`."""

    SERVICE = ""

    def __init__(self, url: str | None = None, *, username: str | None = None, password: str | None = None,
                 timeout: float = DEFAULT_TIMEOUT, session: requests.Session | None = None,
                 wsdl: str = "packaged", path: str | None = None, verify: bool | str = True):
        self.base_url = esp_base_url(url)
        self.service_url = f"{self.base_url}/{path or self.SERVICE}"
        self._own_session = session is None
        self.session = session or requests.Session()
        if session is None:
            self.session.verify = verify
        if username:
            self.session.auth = (username, password or "")
        self.timeout = timeout
        self.transport = _Transport(session=self.session, timeout=timeout, operation_timeout=timeout)
        self.history = HistoryPlugin(maxlen=1)
        location = {"packaged": packaged_wsdl(self.SERVICE), "server": f"{self.service_url}/?wsdl"}.get(wsdl, wsdl)
        try:
            self._zeep = zeep.Client(location, transport=self.transport, plugins=[self.history],
                                     settings=zeep.Settings(strict=False, xml_huge_tree=True))
        except requests.exceptions.RequestException as exc:
            raise EspConnectionError(f"cannot load the WSDL from {location}: {exc}") from exc
        binding = next(iter(self._zeep.wsdl.bindings))
        self._binding = self._zeep.wsdl.bindings[binding]
        self.soap = self._zeep.create_service(binding, self.service_url)

    # -- lifecycle -------------------------------------------------------------------------------
    def close(self) -> None:
        if self._own_session:
            self.session.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def timeout_of(self, seconds: float) -> Iterator[None]:
        """Calls made inside the block use this timeout instead."""
        with self.transport.settings(timeout=seconds):
            yield

    # -- the one call path -----------------------------------------------------------------------
    def _call(self, operation: str, **fields: Any) -> Any:
        """Invoke `operation` with the fields that are not None; returns the response object
        (always an object with attributes, even for one-field responses) or raises."""
        fields = {k: v for k, v in fields.items() if v is not None}
        log.debug("%s.%s %s", self.SERVICE, operation, sorted(fields))
        try:
            result = getattr(self.soap, operation)(**fields)
        except Fault as fault:
            raise _fault_error(fault, self.transport.last_status) from None
        except TransportError as exc:
            message = _http_message(exc)
            raise EspError(exc.status_code, message, "HTTP", channel="http") from None
        except (requests.ConnectionError, requests.Timeout) as exc:
            raise EspConnectionError(f"{self.service_url}: {exc}") from exc
        result = self._wrap(operation, result)
        found = exceptions_from_object(getattr(result, "Exceptions", None))
        if found:
            raise EspError.from_exceptions(found, f"{self.SERVICE}::{operation}()", "inline")
        return result

    def _wrap(self, operation: str, result: Any) -> Any:
        """zeep unwraps a response element with a single child to that child's value; put it back."""
        names = [name for name, _ in self._binding.get(operation).output.body.type.elements]
        if len(names) == 1:
            return types.SimpleNamespace(**{names[0]: result})
        return result if result is not None else types.SimpleNamespace()

    def ping(self) -> None:
        """The service's Ping operation (raises if the service does not answer)."""
        self._call("Ping")


def _fault_error(fault: Fault, status: int) -> EspError:
    detail = fault.detail
    if isinstance(detail, (bytes, str)):  # not a SOAP Fault: an error page that parsed as XML
        text = " ".join((detail.decode("utf-8", "replace") if isinstance(detail, bytes) else detail).split())
        return EspError(status or -1, f"HTTP {status}: {text[:300]}", "HTTP", channel="http")
    found = exceptions_from_element(detail)
    if found:
        return EspError.from_exceptions(found, found[0].source or "Esp", "fault")
    try:
        code = int(str(fault.code).split(":")[-1])
    except (TypeError, ValueError):
        code = -1
    return EspError(code, fault.message or "", "Esp", exceptions=[EspException(code, fault.message or "")],
                    channel="fault")


def _http_message(exc: TransportError) -> str:
    content = exc.content or b""
    if isinstance(content, bytes):
        content = content.decode("utf-8", "replace")
    text = " ".join(content.split())[:300]
    return f"{exc.message or 'HTTP error'}" + (f": {text}" if text else "")


def text_list(holder: Any, item: str = "Item") -> list[str]:
    """The strings of an ESP string array (``EspStringArray`` and friends); None -> []."""
    if holder is None:
        return []
    values = getattr(holder, item, None)
    if values is None and isinstance(holder, list):
        values = holder
    return [v for v in (values or []) if v is not None]
