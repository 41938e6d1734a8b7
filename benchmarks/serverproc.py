"""A real `hpccemu serve` in a child process for the benchmarks (so the server's own RSS and
CPU are measured apart from the client's), on a free port, deterministic DFU workunits."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import requests


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def server_process(data_dir: Path, start_timeout: float = 60) -> Iterator[tuple[str, subprocess.Popen]]:
    """Start the server on `data_dir`, wait until /health answers; yields (url, process)."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "wsservices", "serve", "--port", str(port),
                               "--data-dir", str(data_dir)], env={**os.environ, "HPCCEMU_DETERMINISTIC": "1"},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            try:
                requests.get(url + "/health", timeout=2)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("the server did not start")
                time.sleep(0.1)
        yield url, server
    finally:
        server.terminate()
        server.wait(30)
