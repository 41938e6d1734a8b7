"""Shared fixtures: one live emulator per test session, on a free port, in a temporary dir."""
from __future__ import annotations

import pytest
import requests

from hpccemu.testing import ThreadedEmulator


@pytest.fixture(scope="session")
def emulator(tmp_path_factory):
    with ThreadedEmulator(data_dir=tmp_path_factory.mktemp("data"), deterministic=True) as emu:
        yield emu


@pytest.fixture(scope="session")
def url(emulator) -> str:
    return emulator.url


@pytest.fixture(scope="session")
def http():
    with requests.Session() as session:
        yield session
