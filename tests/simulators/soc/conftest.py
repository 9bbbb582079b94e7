"""Shared fixtures: the FARSI reference folder (tests needing it skip without it)."""

from __future__ import annotations

from pathlib import Path

import pytest

#: the reference tables live in ../shared beside the repository (CI links it there too)
REFERENCE = Path(__file__).resolve().parents[3].parent / "shared" / "reference" / "farsi-workloads"


@pytest.fixture
def farsi_ref() -> Path:
    if not (REFERENCE / "SOC_example_1p").is_dir():
        pytest.skip("FARSI reference tables not available")
    return REFERENCE
