"""The exceptions this package raises: one type for every error ESP reports.

ESP answers a service error inline (HTTP 200, ``Exceptions/Exception{Code, Audience, Message}``
inside the normal response) and a protocol error as a SOAP Fault (HTTP 500, the same
``Exceptions`` document in ``detail``). Both become an `EspError` carrying the first exception's
code, message and source, plus every exception in `exceptions`; `channel` says which way it came
(``inline``, ``fault`` or ``http`` for a non-SOAP HTTP error such as 401).

    HPCCError                  everything this package raises
    ├── EspError               ESP said no (code, message, source, exceptions, channel)
    │   └── DfuJobFailed       a DFU workunit ended failed or aborted (wuid, state, summary)
    ├── EspConnectionError     the server could not be reached (also a ConnectionError)
    └── DfuTimeout             a wait ran out of time (also a TimeoutError)
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable

_GMT_PREFIX = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d GMT: ")


@dataclass(frozen=True)
class EspException:
    """One ``Exception`` entry of an ESP ``Exceptions`` list."""

    code: int
    message: str
    audience: str = ""
    source: str = ""

    @property
    def text(self) -> str:
        """The message without ESP's ``YYYY-MM-DD hh:mm:ss GMT: `` prefix."""
        return _GMT_PREFIX.sub("", self.message)


class HPCCError(Exception):
    """Base class of every error raised by hpccemu's clients."""


class EspError(HPCCError):
    def __init__(self, code: int, message: str, source: str = "", *,
                 exceptions: Iterable[EspException] = (), channel: str = "inline"):
        self.code = code
        self.message = message
        self.source = source
        self.channel = channel
        self.exceptions = list(exceptions) or [EspException(code, message, source=source)]
        super().__init__(f"{code}: {message}" + (f" ({source})" if source else ""))

    @property
    def text(self) -> str:
        """The first message without ESP's GMT timestamp prefix."""
        return _GMT_PREFIX.sub("", self.message)

    @classmethod
    def from_exceptions(cls, items: list[EspException], source: str, channel: str) -> "EspError":
        first = items[0]
        return cls(first.code, first.message, first.source or source, exceptions=items, channel=channel)


class DfuJobFailed(EspError):
    """A DFU workunit ended ``failed`` or ``aborted``; `summary` is its SummaryMessage."""

    def __init__(self, wuid: str, state: str, summary: str, workunit: Any = None):
        self.wuid = wuid
        self.state = state
        self.summary = summary
        self.workunit = workunit
        super().__init__(-1, f"{wuid} {state}: {summary}".rstrip(": "), "FileSpray", channel="workunit")


class EspConnectionError(HPCCError, ConnectionError):
    """The ESP server could not be reached (refused, DNS, timeout while connecting or reading)."""


class DfuTimeout(HPCCError, TimeoutError):
    """`DfuJob.wait` ran out of time; the workunit is still running."""

    def __init__(self, wuid: str, timeout: float, state: str):
        self.wuid = wuid
        self.state = state
        super().__init__(f"DFU workunit {wuid} still {state} after {timeout:g} s")


# ---------------------------------------------------------------------------------------------
# Reading ESP's Exceptions from zeep objects and lxml elements
# ---------------------------------------------------------------------------------------------

def exceptions_from_object(exceptions: Any) -> list[EspException]:
    """The entries of a zeep ``ArrayOfEspException`` (None or empty: [])."""
    if exceptions is None:
        return []
    source = getattr(exceptions, "Source", None) or ""
    out = []
    for exc in getattr(exceptions, "Exception", None) or []:
        out.append(EspException(_int(exc.Code), exc.Message or "", exc.Audience or "",
                                getattr(exc, "Source", None) or source))
    return out


def exceptions_from_element(root: Any) -> list[EspException]:
    """The entries of an ``Exceptions`` document anywhere under `root` (any namespace)."""
    if root is None:
        return []
    out = []
    for holder in root.iter("{*}Exceptions"):
        source = _child_text(holder, "Source")
        for exc in holder.iter("{*}Exception"):
            out.append(EspException(_int(_child_text(exc, "Code")), _child_text(exc, "Message"),
                                    _child_text(exc, "Audience"), _child_text(exc, "Source") or source))
    return out


def _child_text(element: Any, name: str) -> str:
    child = element.find("{*}" + name)
    return (child.text or "") if child is not None else ""


def _int(value: Any) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return -1


def soap_client_text(err: EspError) -> str:
    """What ESP's C++ SOAP client (and so dfuplus and ecl) says when the answer is an HTTP
    error instead of SOAP (esp/bindings/http/client/httpclient.cpp, soapclient.cpp): 401, 403,
    405 and 407 are ``SOAP authentication error``, other 4xx ``SOAP client error``, the rest
    ``SOAP server error``, each followed by ``[HTTP Status <code> <reason>]``."""
    from http import HTTPStatus

    code = err.code
    try:
        status = f"{code} {HTTPStatus(code).phrase}"
    except ValueError:
        status = str(code)
    if code in (401, 403, 405, 407):
        kind = "SOAP authentication error"
    elif 400 <= code < 500:
        kind = "SOAP client error"
    else:
        kind = "SOAP server error"
    return f"{kind}[HTTP Status {status}]"
