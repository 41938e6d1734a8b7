"""The hpccemu pytest plugin (registered through the ``pytest11`` entry point as ``hpccemu``).

Fixtures:

* ``hpccemu_server`` (session): one emulator for the whole run — a `ThreadedEmulator` on
  127.0.0.1, a free port, its data under pytest's temporary directory, DFU workunits finished
  before the call that queued them returns (``deterministic``) — or, with ``--hpccemu-url``, a
  handle on a server that is already running (reset then goes through ``POST /hpccemu/reset``);
* ``hpccemu`` (function): the same server, reset before and after the test;
* ``hpccemu_client``: an `HPCCClient` on it; ``hpccemu_seed``: a `Seeder` on that client.

Settings, strongest first: command line (``--hpccemu-url``, ``--hpccemu-host``,
``--hpccemu-port``), environment (``HPCCEMU_TEST_URL``, ``HPCCEMU_TEST_HOST``,
``HPCCEMU_TEST_PORT``), ini (``hpccemu_url``, ``hpccemu_host``, ``hpccemu_port``,
``hpccemu_deterministic``). Opt out with ``-p no:hpccemu``.

This module imports nothing heavy: the emulator and the clients load when a fixture needs them.
"""
from __future__ import annotations

import json
import os
import urllib.request
from typing import Any, Iterator

import pytest

_SETTINGS = ("url", "host", "port")


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("hpccemu", "hpccemu: emulated HPCC ESP services")
    group.addoption("--hpccemu-url", default=None,
                    help="use the emulator (or ESP) at this URL instead of starting one; reset via /hpccemu/reset")
    group.addoption("--hpccemu-host", default=None, help="address the session emulator listens on [127.0.0.1]")
    group.addoption("--hpccemu-port", default=None, help="port of the session emulator [0: a free port]")
    parser.addini("hpccemu_url", "URL of an emulator to use instead of starting one", default="")
    parser.addini("hpccemu_host", "address the session emulator listens on", default="")
    parser.addini("hpccemu_port", "port of the session emulator", default="")
    parser.addini("hpccemu_deterministic", "DFU workunits finish before the call returns", type="bool",
                  default=True)


def setting(config: pytest.Config, name: str) -> str | None:
    """One of url/host/port: command line, then HPCCEMU_TEST_<NAME>, then the ini file."""
    value = config.getoption(f"--hpccemu-{name}") or os.environ.get(f"HPCCEMU_TEST_{name.upper()}") \
        or config.getini(f"hpccemu_{name}")
    return value or None


class RemoteEmulator:
    """A running emulator reached over HTTP: what ``hpccemu_server`` yields for ``--hpccemu-url``."""

    cluster = None
    landing_zone = None

    def __init__(self, url: str):
        from hpccemu.soap import esp_base_url

        self.url = esp_base_url(url)

    def wsdl_url(self, service: str) -> str:
        return f"{self.url}/{service}/?wsdl"

    def reset(self) -> None:
        request = urllib.request.Request(f"{self.url}/hpccemu/reset", data=b"{}", method="POST",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=60) as answer:
            body = json.loads(answer.read() or b"{}")
        if not body.get("Reset"):
            raise RuntimeError(f"{self.url}/hpccemu/reset answered {body}")


@pytest.fixture(scope="session")
def hpccemu_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    config = request.config
    url = setting(config, "url")
    if url:
        yield RemoteEmulator(url)
        return
    from hpccemu.testing import ThreadedEmulator

    emulator = ThreadedEmulator(host=setting(config, "host") or "127.0.0.1", port=int(setting(config, "port") or 0),
                                data_dir=tmp_path_factory.mktemp("hpccemu"),
                                deterministic=bool(config.getini("hpccemu_deterministic")))
    with emulator:
        yield emulator


@pytest.fixture
def hpccemu(hpccemu_server: Any) -> Iterator[Any]:
    """The session emulator, empty at the start of the test and emptied again after it."""
    hpccemu_server.reset()
    yield hpccemu_server
    hpccemu_server.reset()


@pytest.fixture
def hpccemu_client(hpccemu: Any) -> Iterator[Any]:
    from hpccemu.client import HPCCClient

    with HPCCClient(hpccemu.url) as client:
        yield client


@pytest.fixture
def hpccemu_seed(hpccemu_client: Any) -> Any:
    from hpccemu.seed import Seeder

    return Seeder(hpccemu_client)
