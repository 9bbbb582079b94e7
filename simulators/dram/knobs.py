"""The memory-controller knobs: DRAMGym's ten DRAMSys ``mcconfig`` knobs, declared once.

Knob names and value sets are DRAMSys's own (``mcconfig`` JSON fields), so a
design found here can be written as an mcconfig file and rerun in DRAMSys
(:mod:`archgym.simulators.dram.design`).
"""

from __future__ import annotations

from dataclasses import replace

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
