"""Shared fixtures: one live emulator per test session, on a free port, in a temporary dir.

The server is the hpccemu pytest plugin's session server (`hpccemu.pytest_plugin`, loaded
through its ``pytest11`` entry point; deterministic DFU workunits). Nothing here resets it
between tests: the suite shares one server. Tests that want an empty cluster use the plugin's
``hpccemu`` fixture, which resets before and after the test.
"""
from __future__ import annotations

import pytest
import requests

from esputil import zeep_client

pytest_plugins = ["pytester"]  # tests/clients/test_plugin.py runs pytest inside pytest


@pytest.fixture(scope="session")
def emulator(hpccemu_server):
    if hpccemu_server.cluster is None:
        pytest.skip("the project's tests need the in-process emulator, not --hpccemu-url")
    return hpccemu_server


@pytest.fixture(scope="session")
def url(emulator) -> str:
    return emulator.url


@pytest.fixture(scope="session")
def http():
    with requests.Session() as session:
        yield session


@pytest.fixture(scope="session")
def fs(url):
    """FileSpray through zeep, from the served WSDL."""
    return zeep_client(url, "FileSpray")


@pytest.fixture(scope="session")
def dfu(url):
    """WsDfu through zeep, from the served WSDL."""
    return zeep_client(url, "WsDfu")
