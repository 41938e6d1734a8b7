"""`HPCCClient`: the three service clients behind one object, sharing one HTTP session.

    with HPCCClient("http://127.0.0.1:8010") as hpcc:
        job = hpcc.filespray.spray_delimited(path, "tutorial::people", "mythor")
        job.wait()
        print(hpcc.wsdfu.info("tutorial::people").record_count)
"""
from __future__ import annotations

from typing import Any

import requests

from .filespray import FileSprayClient
from .packages import PackageProcessClient
from .soap import DEFAULT_TIMEOUT, esp_base_url
from .wsdfu import WsDfuClient


class HPCCClient:
    def __init__(self, url: str | None = None, *, username: str | None = None, password: str | None = None,
                 timeout: float = DEFAULT_TIMEOUT, session: requests.Session | None = None, **kw: Any):
        self.url = esp_base_url(url)
        self._own_session = session is None
        self.session = session or requests.Session()
        if username:
            self.session.auth = (username, password or "")
        self._kw = dict(timeout=timeout, session=self.session, **kw)
        self._clients: dict[type, Any] = {}

    def _get(self, cls: type) -> Any:
        if cls not in self._clients:
            self._clients[cls] = cls(self.url, **self._kw)
        return self._clients[cls]

    @property
    def filespray(self) -> FileSprayClient:
        return self._get(FileSprayClient)

    @property
    def wsdfu(self) -> WsDfuClient:
        return self._get(WsDfuClient)

    @property
    def packages(self) -> PackageProcessClient:
        return self._get(PackageProcessClient)

    def close(self) -> None:
        if self._own_session:
            self.session.close()

    def __enter__(self) -> "HPCCClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
