"""Fixtures of the Roxie tests: no package map left active by other tests (the server is shared
across the session)."""
from __future__ import annotations

import pytest

from .support import deactivate_all


@pytest.fixture
def quiet(emulator):
    """Every package map inactive before and after the test."""
    deactivate_all(emulator)
    yield
    deactivate_all(emulator)
