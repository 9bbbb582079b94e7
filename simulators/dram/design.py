"""Memory-controller designs as DRAMSys ``mcconfig`` files and as the compiled model's config codes.

The knobs are declared in :mod:`archgym.simulators.dram.knobs`; a design can
be written as an mcconfig JSON (:func:`write_mcconfig`) and rerun in DRAMSys;
:func:`read_mcconfig` reads one back. :func:`controller_config` turns a
design into the integer codes the compiled controller model takes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from archgym.errors import UserError
from archgym.fileio import read_json
from archgym.simulators.dram.knobs import (
    ARBITERS,
    PAGE_POLICIES,
    REFRESH_POLICIES,
    RESP_QUEUES,
    SCHEDULER_BUFFERS,
    SCHEDULERS,
    SPACE,
)

#: codes of the integer config vector handed to the compiled model, in order
CONFIG_FIELDS = (
    "PagePolicy", "Scheduler", "SchedulerBuffer", "RequestBufferSize", "RespQueue", "RefreshPolicy",
    "RefreshMaxPostponed", "RefreshMaxPulledin", "Arbiter", "MaxActiveTransactions",
)

_CHOICES = {
    "PagePolicy": PAGE_POLICIES, "Scheduler": SCHEDULERS, "SchedulerBuffer": SCHEDULER_BUFFERS,
    "RespQueue": RESP_QUEUES, "RefreshPolicy": REFRESH_POLICIES, "Arbiter": ARBITERS,
}
_MIN = {"RequestBufferSize": 1, "RefreshMaxPostponed": 0, "RefreshMaxPulledin": 0, "MaxActiveTransactions": 1}


def complete_design(design: Mapping[str, Any]) -> dict[str, Any]:
    """Fill defaults and check values, accepting any DRAMSys-legal integer (not only the env's grid).

    Categorical values must be one of the choices (case-insensitive); the
    integer knobs take any value >= their minimum (``RefreshMaxPostponed=0``
    as in DRAMSys's own fr_fcfs.json is allowed here, though the env's grid
    starts at 1).
    """
    unknown = [k for k in design if k not in SPACE]
    if unknown:
        raise UserError(f"unknown knob {unknown[0]!r}; valid knobs: {', '.join(SPACE.names)}")
    out = SPACE.defaults()
    for k, v in design.items():
        if k in _CHOICES:
            try:
                out[k] = SPACE[k].check(v)
            except ValueError as exc:
                raise UserError(str(exc)) from None
        else:
            try:
                iv = int(v)
                if iv != float(v):
                    raise ValueError
            except (TypeError, ValueError):
                raise UserError(f"knob {k!r}: {v!r} is not an integer") from None
            if iv < _MIN[k]:
                raise UserError(f"knob {k!r}: {iv} is below the minimum {_MIN[k]}")
            out[k] = iv
    return out


def controller_config(design: Mapping[str, Any]) -> np.ndarray:
    """Integer codes of a design in :data:`CONFIG_FIELDS` order (choices by index)."""
    d = complete_design(design)
    return np.array([_CHOICES[k].index(d[k]) if k in _CHOICES else int(d[k]) for k in CONFIG_FIELDS],
                    dtype=np.int64)


def to_mcconfig(design: Mapping[str, Any]) -> dict[str, Any]:
    """A DRAMSys mcconfig dictionary for a design (fixed fields as in DRAMSys's fr_fcfs.json)."""
    d = complete_design(design)
    cfg: dict[str, Any] = {
        "PagePolicy": d["PagePolicy"], "Scheduler": d["Scheduler"], "SchedulerBuffer": d["SchedulerBuffer"],
        "RequestBufferSize": d["RequestBufferSize"],
        "CmdMux": "Oldest", "RespQueue": d["RespQueue"], "RefreshPolicy": d["RefreshPolicy"],
        "RefreshMaxPostponed": d["RefreshMaxPostponed"], "RefreshMaxPulledin": d["RefreshMaxPulledin"],
        "PowerDownPolicy": "NoPowerDown", "Arbiter": d["Arbiter"],
        "MaxActiveTransactions": d["MaxActiveTransactions"],
    }
    if d["SchedulerBuffer"] == "ReadWrite":
        cfg["RequestBufferSizeRead"] = cfg["RequestBufferSizeWrite"] = d["RequestBufferSize"]
    return {"mcconfig": cfg}


def write_mcconfig(design: Mapping[str, Any], path: str | Path) -> Path:
    """Write a design as a DRAMSys mcconfig JSON file."""
    p = Path(path)
    p.write_text(json.dumps(to_mcconfig(design), indent=4) + "\n")
    return p


def read_mcconfig(path: str | Path) -> dict[str, Any]:
    """The ten knobs of a DRAMSys mcconfig JSON file (other fields are ignored).

    ``RequestBufferSizeRead`` stands in for a missing ``RequestBufferSize``
    with the ReadWrite buffer.
    """
    p = Path(path)
    spec = read_json(p, "mcconfig file")
    mc = spec.get("mcconfig", spec) if isinstance(spec, dict) else None
    if not isinstance(mc, dict):
        raise UserError(f"{p}: expected a JSON object with an 'mcconfig' section")
    design = {k: mc[k] for k in SPACE.names if k in mc}
    if "RequestBufferSize" not in design and "RequestBufferSizeRead" in mc:
        design["RequestBufferSize"] = mc["RequestBufferSizeRead"]
    try:
        return complete_design(design)
    except UserError as exc:
        raise UserError(f"{p}: {exc}") from None
