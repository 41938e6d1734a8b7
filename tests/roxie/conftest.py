"""Fixtures of the Roxie tests: zeep clients of the session server, and no package map left
active by other tests (the server is shared across the session)."""
from __future__ import annotations

import pytest

from esputil import zeep_client

from .support import deactivate_all


@pytest.fixture(scope="session")
def fs(url):
    return zeep_client(url, "FileSpray")


@pytest.fixture(scope="session")
def dfu(url):
    return zeep_client(url, "WsDfu")


@pytest.fixture
def quiet(emulator):
    """Every package map inactive before and after the test."""
    deactivate_all(emulator)
    yield
    deactivate_all(emulator)
