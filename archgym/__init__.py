"""archgym: a Gymnasium for machine-learning-assisted computer-architecture design."""

from __future__ import annotations

__version__ = "0.1.0"
