"""CopyPackageMap's remote source: GetPackageMapById on another ESP (packageprocess.md §3.15).

Posts the request the way the C++ ESP client does (SOAP, service namespace, basic auth when a
user name is given) and returns the ``Info`` text. Only remote environments declared in the
configuration (``[[remote]]``, engine/remotes.py) are called, at their declared URL, within
``outbound_timeout`` seconds; any other host is refused before a connection is made, so client
credentials never reach it. The remote's inline exceptions, or a
``status`` with Code -1, propagate as domain errors with the remote's code and message.
"""
from __future__ import annotations

from xml.sax.saxutils import escape

import requests

from wsservices.engine.errors import DomainError
from wsservices.engine.jlib import safexml
from wsservices.engine.remotes import RemoteEnvironment, find_remote
from wsservices.esp.codec import atol, local_name

NAMESPACE = "urn:hpccsystems:ws:wspackageprocess"


class RemoteEspError(DomainError):
    """An error reported by (or reaching) the remote ESP."""


def fetcher(username: str = "", password: str = "", remotes: tuple[RemoteEnvironment, ...] = (),
            timeout: float = 10.0):
    """A `fetch_remote(host, pmid) -> Info` function for `PackageMaps.copy`."""

    def fetch(host: str, pmid: str) -> str:
        remote_env = find_remote(remotes, host)
        if remote_env is None:
            raise RemoteEspError(f"Could not read package map {pmid} from {host}: not a remote environment "
                                 "declared in this emulator's configuration ([[remote]]).")
        address = remote_env.url
        body = ('<?xml version="1.0" encoding="utf-8"?><soap:Envelope '
                'xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body>'
                f'<GetPackageMapByIdRequest xmlns="{NAMESPACE}"><PackageMapId>{escape(pmid)}'
                "</PackageMapId></GetPackageMapByIdRequest></soap:Body></soap:Envelope>")
        auth = (username, password) if username else None
        try:
            reply = requests.post(f"{address}/WsPackageProcess", data=body.encode("utf-8"),
                                  headers={"Content-Type": "text/xml; charset=utf-8",
                                           "SOAPAction": "WsPackageProcess?ver_=1.08"},
                                  auth=auth, timeout=timeout, allow_redirects=False)
            root = safexml.parse(reply.content)
        except requests.RequestException:  # its text names urllib3 objects: never shown
            raise RemoteEspError(f"Could not read package map {pmid} from {address}: "
                                 "connection failed") from None
        except safexml.XmlError as exc:
            raise RemoteEspError(f"Could not read package map {pmid} from {address}: {exc}") from None
        found = {local_name(el): el for el in root.iter() if isinstance(el.tag, str)}
        exception = found.get("Exception")
        if exception is not None:
            fields = {local_name(c): (c.text or "") for c in exception}
            raise RemoteEspError(fields.get("Message", ""), atol(fields.get("Code", "-1")))
        status = found.get("status")
        if status is not None:
            fields = {local_name(c): (c.text or "") for c in status}
            if atol(fields.get("Code", "0")) != 0:
                raise RemoteEspError(fields.get("Description", ""), atol(fields.get("Code", "-1")))
        info = found.get("Info")
        return info.text or "" if info is not None else ""

    return fetch
