"""Shared fixtures: FARSI's workload tables, kept in tests/data (see its README)."""

from __future__ import annotations

from pathlib import Path

import pytest

#: FARSI's published workload databases (tests/data/farsi-workloads/README.md)
REFERENCE = Path(__file__).resolve().parents[2] / "data" / "farsi-workloads"


@pytest.fixture
def farsi_ref() -> Path:
    return REFERENCE
