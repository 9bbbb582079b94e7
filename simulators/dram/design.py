"""The memory-controller design space: DRAMGym's ten DRAMSys ``mcconfig`` knobs.

Knob names and value sets are DRAMSys's own, so a design found here can be
written as an mcconfig JSON (:func:`write_mcconfig`) and rerun in DRAMSys;
:func:`read_mcconfig` reads one back. :func:`controller_config` turns a
design into the integer codes the compiled controller model takes.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any, Mapping

import numpy as np

from archgym.errors import UserError
from archgym.space import ParameterSpace, categorical, pow2

PAGE_POLICIES = ("Open", "OpenAdaptive", "Closed", "ClosedAdaptive")
SCHEDULERS = ("Fifo", "FrFcfs", "FrFcfsGrp")
SCHEDULER_BUFFERS = ("Bankwise", "ReadWrite", "Shared")
RESP_QUEUES = ("Fifo", "Reorder")
REFRESH_POLICIES = ("NoRefresh", "AllBank", "PerBank", "SameBank")
ARBITERS = ("Simple", "Fifo", "Reorder")

SPACE = ParameterSpace([
    categorical("PagePolicy", PAGE_POLICIES, default="Open",
                help="when a bank's row is closed: never (Open), after each access (Closed), or by the "
                     "buffered requests (OpenAdaptive: only if further requests all miss; ClosedAdaptive: "
                     "unless a further request hits)"),
    categorical("Scheduler", SCHEDULERS, default="FrFcfs",
                help="per-bank request choice: oldest first (Fifo), row hits first (FrFcfs), row hits of "
                     "the last command's direction first (FrFcfsGrp)"),
    categorical("SchedulerBuffer", SCHEDULER_BUFFERS, default="Bankwise",
                help="request buffer organisation: RequestBufferSize per bank (Bankwise), per direction "
                     "(ReadWrite) or in total (Shared)"),
    pow2("RequestBufferSize", 1, 128, default=8, unit="requests",
         help="depth of one request-buffer entity; a full entity stalls the initiator (in order)"),
    categorical("RespQueue", RESP_QUEUES, default="Fifo",
                help="responses leave as they complete (Fifo) or in request order (Reorder)"),
    categorical("RefreshPolicy", REFRESH_POLICIES, default="AllBank",
                help="no refresh; an all-bank REF (tRFC) per rank every tREFI; a per-bank REFpb (tRFCpb, "
                     "one bank at a time, the others keep serving) every tREFIpb; or DDR5's same-bank REF",
                note="a simulator offers only the device's policies (PerBank needs per-bank refresh, as "
                     "LPDDR4 has; SameBank needs DDR5, which the model does not cover); a design naming "
                     "another is infeasible"),
    pow2("RefreshMaxPostponed", 1, 8, default=8, unit="refreshes",
         help="refreshes that may be postponed while the rank (PerBank: every bank) is busy before one "
              "is forced",
         note="only with RefreshPolicy=AllBank|PerBank; PerBank multiplies it by the banks"),
    pow2("RefreshMaxPulledin", 1, 8, default=8, unit="refreshes",
         help="refreshes that may be issued ahead of time while the rank (PerBank: a bank) is idle",
         note="only with RefreshPolicy=AllBank|PerBank; PerBank multiplies it by the banks"),
    categorical("Arbiter", ARBITERS, default="Simple",
                help="front end: pass-through (Simple), FIFO with an active-transaction limit (Fifo), "
                     "or Fifo that also returns responses in request order (Reorder)"),
    pow2("MaxActiveTransactions", 1, 128, default=128, unit="requests",
         help="outstanding requests the initiator may have in the controller",
         note="only with Arbiter=Fifo|Reorder"),
])



def space_for(refresh_policies: tuple[str, ...]) -> ParameterSpace:
    """:data:`SPACE` with ``RefreshPolicy`` limited to the policies a device supports.

    DDR3 and DDR4 have no per-bank refresh and no device here has DDR5's
    same-bank refresh, so their space is DRAMGym's 442,368 designs rather
    than 884,736 of which half are infeasible.
    """
    knobs = [replace(k, choices=tuple(c for c in REFRESH_POLICIES if c in refresh_policies))
             if k.name == "RefreshPolicy" else k for k in SPACE]
    return ParameterSpace(knobs)


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
    try:
        spec = json.loads(p.read_text())
    except FileNotFoundError:
        raise UserError(f"mcconfig file {p} does not exist") from None
    except json.JSONDecodeError as exc:
        raise UserError(f"{p}:{exc.lineno}: not valid JSON ({exc.msg})") from None
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
