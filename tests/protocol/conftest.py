"""Fixtures of the protocol tests: the file catalogue of the session server, a fresh name scope."""
from __future__ import annotations

import uuid

import pytest

from wsservices.engine.dali.catalog import catalog


@pytest.fixture
def cat(emulator):
    return catalog(emulator.cluster)


@pytest.fixture
def scope():
    return f"proto{uuid.uuid4().hex[:10]}"
