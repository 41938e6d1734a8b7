"""Fixtures the service tests share: zeep clients from the served WSDLs, the file catalogue."""
from __future__ import annotations

import pytest

from esputil import zeep_client
from wsservices.engine.files import catalog


@pytest.fixture(scope="session")
def fs(url):
    return zeep_client(url, "FileSpray")


@pytest.fixture(scope="session")
def dfu(url):
    return zeep_client(url, "WsDfu")


@pytest.fixture
def cat(emulator):
    return catalog(emulator.cluster)
