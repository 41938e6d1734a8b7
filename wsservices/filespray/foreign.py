"""The foreign Dali of a remote copy, reached over HTTP: another emulator's
``/hpccemu/dafilesrv/...`` routes (wsservices/control_dafilesrv.py) at the URL its ``[[remote]]``
declaration gives (engine/remotes.py). The outbound rules of CopyPackageMap apply: only declared
remotes, credentials only to them, ``outbound_timeout`` seconds per call.
"""
from __future__ import annotations

import os
from pathlib import Path

import requests

from wsservices.engine.dfu.foreign import ForeignDaliError
from wsservices.engine.remotes import RemoteEnvironment, find_remote


class HttpForeignDali:
    def __init__(self, remote: RemoteEnvironment, address: str, user: str, password: str, timeout: float):
        self.remote = remote
        host = address.strip()
        self.endpoint = host if ":" in host else f"{host}:7070"   # Dali's port, as a foreign name shows it
        self.auth = (user, password) if user else None
        self.timeout = timeout

    def _get(self, route: str, params: dict, stream: bool = False) -> requests.Response:
        try:
            reply = requests.get(f"{self.remote.url}/hpccemu/dafilesrv/{route}", params=params, auth=self.auth,
                                 timeout=self.timeout, stream=stream, allow_redirects=False)
        except requests.RequestException:   # down, refusing connections, or too slow
            raise ForeignDaliError.timeout(self.endpoint) from None
        if reply.status_code in (401, 403):
            scope = "::".join(params["name"].strip().lstrip("~").lower().split("::")[:-1])
            raise ForeignDaliError.access_denied(scope, self.endpoint.split(":")[0])
        if reply.status_code != 200:
            try:
                message = reply.json()["Exceptions"]["Exception"][0]["Message"]
            except (ValueError, KeyError, IndexError, TypeError):
                message = f"HTTP {reply.status_code}"
            raise ForeignDaliError(f"{self.endpoint}: {message}", -1)
        return reply

    def lookup(self, name: str) -> dict | None:
        try:
            answer = self._get("file", {"name": name}).json()
        except ValueError:
            raise ForeignDaliError.timeout(self.endpoint) from None
        return answer if answer.get("Exists") else None

    def read_part(self, name: str, number: int, target: Path) -> int:
        count = 0
        with self._get("part", {"name": name, "part": number}, stream=True) as reply, open(target, "wb") as out:
            try:
                for chunk in reply.iter_content(1 << 20):
                    out.write(chunk)
                    count += len(chunk)
            except requests.RequestException:
                raise ForeignDaliError.timeout(self.endpoint) from None
            out.flush()
            os.fsync(out.fileno())
        return count


def connector(settings):
    """``foreign_dali(address, user, password)`` for the cluster (see engine/dfu/foreign.py)."""

    def connect(address: str, user: str = "", password: str = "") -> HttpForeignDali:
        remote = find_remote(settings.remotes, address or "")
        if remote is None:
            raise ForeignDaliError.undeclared(address)
        return HttpForeignDali(remote, address, user, password, settings.outbound_timeout)

    return connect
