"""Fixtures the service tests share: the file catalogue (zeep clients are in tests/conftest.py)."""
from __future__ import annotations

import pytest

from wsservices.engine.dali.catalog import catalog


@pytest.fixture
def cat(emulator):
    return catalog(emulator.cluster)
