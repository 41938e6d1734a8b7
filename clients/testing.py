"""A real emulator server in a background thread, for tests and scripts.

    with ThreadedEmulator() as emu:          # port 0: a free port; a temporary data dir
        client = zeep.Client(emu.url + "/WsDfu/?wsdl")

`start()` returns once the server accepts connections; `stop()` shuts it down, closes its
socket and store, and removes the temporary data dir it created (never one you passed).
`reset()` empties the cluster (store, drop zones, nodes, DFU queue, Roxie state) while the server
keeps running on the same port (`wsservices.engine.reset`).
"""
from __future__ import annotations

import logging
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any


class ThreadedEmulator:
    def __init__(self, host: str = "127.0.0.1", port: int = 0, data_dir: str | Path | None = None,
                 config_file: str | Path | None = None, **settings: Any):
        self.host = host
        self.port = port
        self._data_dir = Path(data_dir) if data_dir else None
        self._config_file = config_file
        self._settings = settings
        self._own_dir: Path | None = None
        self._server = None
        self._thread: threading.Thread | None = None
        self.cluster = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the emulator is not running")
        return f"http://{self.host}:{self._server.server_port}"

    @property
    def data_dir(self) -> Path:
        return Path(self.cluster.settings.data_dir)

    def start(self) -> "ThreadedEmulator":
        from wsservices.app import make_app
        from wsservices.engine.cluster import Cluster
        from wsservices.engine.config import load_settings
        from wsservices.server import make_server

        if self._server is not None:
            return self
        data_dir = self._data_dir
        if data_dir is None:
            self._own_dir = data_dir = Path(tempfile.mkdtemp(prefix="hpccemu-"))
        overrides = {"host": self.host, "port": self.port, "data_dir": data_dir, **self._settings}
        settings = load_settings(self._config_file, overrides, env={})
        self.cluster = Cluster.open(settings)
        logging.getLogger("werkzeug").setLevel(logging.WARNING)
        self._server = make_server(settings, make_app(self.cluster))
        self._thread = threading.Thread(target=self._server.serve_forever, name="hpccemu", daemon=True)
        self._thread.start()
        return self

    def reset(self) -> None:
        """Empty the emulated cluster; the server keeps running on the same port."""
        from wsservices.engine.reset import reset

        if self.cluster is None:
            raise RuntimeError("the emulator is not running")
        reset(self.cluster)

    def wsdl_url(self, service: str) -> str:
        return f"{self.url}/{service}/?wsdl"

    @property
    def landing_zone(self) -> Path:
        """The folder behind the first drop zone (``/var/lib/HPCCSystems/mydropzone`` by default)."""
        return self.cluster.datadir.dropzone_dir(self.cluster.environment.drop_zones[0])

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)
        self.cluster.close()
        self._server = self._thread = None
        if self._own_dir is not None:
            shutil.rmtree(self._own_dir, ignore_errors=True)
            self._own_dir = None

    def __enter__(self) -> "ThreadedEmulator":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
