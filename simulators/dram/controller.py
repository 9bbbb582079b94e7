"""The memory-controller model: an event-driven simulation at DRAM-command granularity.

One channel, one initiator. The model follows DRAMSys's controller
(tukl-msd/DRAMSys, ``library/src/controller``) mechanism by mechanism:

* **Front end (arbiter).** Requests enter in trace order, at most one per
  cycle, no earlier than their timestamp. With ``Arbiter=Fifo|Reorder`` at
  most ``MaxActiveTransactions`` requests may be outstanding (entered and
  not yet answered); ``Simple`` has no limit.
* **Request buffer.** The scheduler keeps one queue per bank in arrival
  order; ``SchedulerBuffer`` only decides when the buffer is full (DRAMSys's
  ``BufferCounter``): ``RequestBufferSize`` requests per bank (Bankwise), per
  direction (ReadWrite) or in total (Shared). A request that finds its
  buffer full stalls the initiator, and everything behind it.
* **Scheduler** (per bank): Fifo = the bank's oldest request; FrFcfs = the
  oldest row hit, else the oldest; FrFcfsGrp = the oldest row hit in the
  direction of the last column command (unless an older hit targets the same
  address), else the oldest hit, else the oldest.
* **Bank machines** turn the chosen request into ACT, PRE, RD or WR; the
  page policy decides auto-precharge (RDA/WRA) when a column command issues:
  Open never, Closed always, OpenAdaptive when further requests for the bank
  exist and none hits the row, ClosedAdaptive when none hits the row.
* **Command multiplexer** ("Oldest"): among all bank machines' next
  commands, the one that can issue earliest; ties go to the oldest request;
  refresh commands go first. One command per clock.
* **Timing checker**: tRCD, tRP, tRAS, tRC, tRTP, tWR (same bank), tRRD_S/L,
  tCCD_S/L, tWTR_S/L, read-to-write turnaround (RL + BL/2 + 2 - WL), tFAW
  (rank), tRTRS (rank switch), tRFC, and the data bus (BL/2 per burst).
* **Refresh** (AllBank, per rank): DRAMSys's RefreshManagerAllBank state
  machine. At each tREFI trigger a refresh is postponed while the rank has
  buffered requests, up to ``RefreshMaxPostponed``, then forced (banks
  blocked, PREA, REF). After a REF, while the rank is idle, the postponed
  refreshes are caught up and up to ``RefreshMaxPulledin`` more are pulled in.
  As DRAMSys re-evaluates its refresh manager whenever the controller runs,
  a refresh that is not forced and has not issued yet is postponed (a
  pulled-in one abandoned) when a request reaches the rank; only a forced
  refresh blocks the bank machines. A PREA waits tRP (tRPab on LPDDR4).
* **Refreshes owed at the end.** DRAMSys stops when the trace does, so
  refreshes still postponed then would never be issued and a busy trace of a
  few tREFI would never pay for refresh. Here, once the last request's
  column command has issued, a rank that owes postponed refreshes is idle
  and its manager does what DRAMSys's does when idle: it catches the
  postponed refreshes up back to back (PREA first if a bank is open) and
  goes on pulling in up to ``RefreshMaxPulledin``. The simulated window
  (``t_end``) ends with the last REF's tRFC when that is after the last
  response. A rank that owes nothing issues nothing more.
* **Refresh** (PerBank, per rank, devices with tRFCpb/tREFIpb such as
  LPDDR4): DRAMSys's RefreshManagerPerBank. Every tREFIpb the manager picks
  the first bank, in bank order, not yet refreshed in this round and with no
  buffered request; if every remaining bank is busy the refresh is
  postponed, up to ``RefreshMaxPostponed`` x banks, then forced on the first
  remaining bank, which alone is blocked. The chosen bank is precharged
  (PRE) if open, then gets a REFpb: that bank waits tRFCpb, every other bank
  keeps serving (an ACT after a REFpb respects tRRD). After a REFpb, idle
  remaining banks are pulled in, up to ``RefreshMaxPulledin`` x banks. An
  unforced choice is dropped, and the manager chooses again, when a request
  reaches the chosen bank. ``ref_count`` then counts REFpb commands.
  SameBank (DDR5) is not modelled: the design is infeasible, as is PerBank
  on a device without per-bank refresh (see ``model.run_prepared``).
* **Responses**: a read completes RL + BL/2 after its RD, a write WL + BL/2
  after its WR. With ``RespQueue=Reorder`` or ``Arbiter=Reorder`` responses
  leave in request order (single channel and initiator: both restore the
  same order).

Implementation: each bank caches its chosen request, command and the
bank-local part of its earliest time, and a count of buffered requests that
hit its open row; the bank-group/rank part of each command's earliest time
is kept in one array updated when ACT and column commands issue. After a
command every bank's cached candidate is compared (16 per rank) as one
integer key, issue time then request index, so the multiplexer's choice is a
plain minimum; after an admission only the receiving bank is compared with
the kept minimum, and only if its choice changed. Results
are pinned bit for bit by ``tests/simulators/dram/data/golden.json``.

The front-end, think and PHY delays of DRAMSys (ArbitrationDelay*,
ThinkDelay*, PhyDelay*) are taken as zero, so an idle read costs exactly
tRCD + CL + BL/2 to a closed bank.
"""

from __future__ import annotations

import numpy as np

from archgym.compiled import AVAILABLE as _COMPILED
from archgym.compiled import jit as _jit
from archgym.compiled import jit_inline as _jit_inline
from archgym.compiled import warn_uncompiled as _warn_uncompiled
from archgym.simulators.dram.design import (
    ARBITERS,
    CONFIG_FIELDS,
    PAGE_POLICIES,
    REFRESH_POLICIES,
    RESP_QUEUES,
    SCHEDULER_BUFFERS,
    SCHEDULERS,
)
from archgym.simulators.dram.device import KERNEL_TIMINGS

# Module-level integers are compile-time constants to numba: the kernel reads its timing and
# configuration vectors and compares policies by these names, defined from the same tuples that
# build the vectors (device.KERNEL_TIMINGS, design.CONFIG_FIELDS and the knobs' choices).

#: positions in the timing vector (``Device.kernel_timings``)
(T_BL2, T_RL, T_WL, T_RCD, T_RP, T_RAS, T_RC, T_CCD_S, T_CCD_L, T_RRD_S, T_RRD_L, T_FAW, T_WR, T_WTR_S, T_WTR_L,
 T_RTP, T_RFC, T_REFI, T_RTRS, T_RPAB, T_RFCPB, T_REFIPB) = (KERNEL_TIMINGS.index(k) for k in (
    "BL2", "RL", "WL", "RCD", "RP", "RAS", "RC", "CCD_S", "CCD_L", "RRD_S", "RRD_L", "FAW", "WR", "WTR_S", "WTR_L",
    "RTP", "RFC", "REFI", "RTRS", "RPab", "RFCpb", "REFIpb"))
#: positions in the configuration vector (``design.controller_config``)
(CFG_PAGE, CFG_SCHEDULER, CFG_BUFFER, CFG_BUFFER_SIZE, CFG_RESP_QUEUE, CFG_REFRESH, CFG_MAX_POSTPONED,
 CFG_MAX_PULLED_IN, CFG_ARBITER, CFG_MAX_ACTIVE) = (CONFIG_FIELDS.index(k) for k in (
    "PagePolicy", "Scheduler", "SchedulerBuffer", "RequestBufferSize", "RespQueue", "RefreshPolicy",
    "RefreshMaxPostponed", "RefreshMaxPulledin", "Arbiter", "MaxActiveTransactions"))
#: policy codes (a choice's index among the knob's values)
PAGE_OPEN, PAGE_OPEN_ADAPTIVE, PAGE_CLOSED = (PAGE_POLICIES.index(v) for v in ("Open", "OpenAdaptive", "Closed"))
SCHED_FIFO, SCHED_FRFCFS, SCHED_FRFCFS_GRP = (SCHEDULERS.index(v) for v in ("Fifo", "FrFcfs", "FrFcfsGrp"))
BUF_BANKWISE, BUF_READ_WRITE = (SCHEDULER_BUFFERS.index(v) for v in ("Bankwise", "ReadWrite"))
RESP_REORDER = RESP_QUEUES.index("Reorder")
REF_ALL_BANK, REF_PER_BANK = (REFRESH_POLICIES.index(v) for v in ("AllBank", "PerBank"))
ARB_SIMPLE, ARB_REORDER = (ARBITERS.index(v) for v in ("Simple", "Reorder"))
#: a bank's next command; also the row of the bank-group part of its earliest time in ``gt``
CMD_ACT, CMD_PRE, CMD_RD, CMD_WR = range(4)

#: the counters the kernel returns, in order (``SimResult.counters`` uses these names)
COUNTERS = ("act", "pre", "rd", "wr", "ref", "prea", "miss", "err", "iterations")
C_ACT, C_PRE, C_RD, C_WR, C_REF, C_PREA, C_MISS, C_ERR, C_ITER = range(len(COUNTERS))
N_COUNTERS = len(COUNTERS)

_INF = 1 << 62

#: values of ``counters[C_ERR]``
ERR_DEADLOCK, ERR_TOO_LONG, ERR_INTERVALS = 1, 2, 3



def canonical_config(cfg: np.ndarray) -> np.ndarray:
    """The configuration the kernel runs exactly as ``cfg``, with the knobs it ignores set to fixed values.

    Designs with the same canonical configuration give the same results bit
    for bit, so a batch simulates each only once (DRAMGym's 442,368 DDR4
    designs are 88,128 distinct runs):

    * ``MaxActiveTransactions`` limits only with ``Arbiter=Fifo|Reorder``
      (0 with Simple);
    * a limited front end returns responses in request order whether
      ``Arbiter=Reorder`` or ``RespQueue=Reorder`` says so (both Reorder);
    * ``RefreshMaxPostponed`` and ``RefreshMaxPulledin`` act only with
      ``RefreshPolicy=AllBank|PerBank`` (0 with NoRefresh).
    """
    out = np.array(cfg, dtype=np.int64)
    if out[CFG_ARBITER] == ARB_SIMPLE:
        out[CFG_MAX_ACTIVE] = 0
    elif out[CFG_ARBITER] == ARB_REORDER or out[CFG_RESP_QUEUE] == RESP_REORDER:
        out[CFG_ARBITER] = ARB_REORDER
        out[CFG_RESP_QUEUE] = RESP_REORDER
    if out[CFG_REFRESH] not in (REF_ALL_BANK, REF_PER_BANK):
        out[CFG_MAX_POSTPONED] = 0
        out[CFG_MAX_PULLED_IN] = 0
    return out

@_jit
def _kernel(arr, is_wr, bank, rank, row, col, relative, tim, cfg, n_banks, n_bg, n_ranks, bg_per_rank,
            iv_cap):
    """Simulate the trace; see the module docstring.

    ``iv_cap`` bounds the bank-open intervals (one per ACT) kept for the
    background energy; when more ACTs issue the kernel stops with
    ``counters[C_ERR] == ERR_INTERVALS`` and the caller runs it again with
    more room (a fixed array lets the loop keep it in registers; growing it
    inside the loop cost 9-17%).

    Returns ``(arrival, complete, deliver, counters, active_cycles_per_rank, t_start, t_end)``.
    """
    n = arr.shape[0]
    INF = _INF
    BL2 = tim[T_BL2]
    RL = tim[T_RL]
    WL = tim[T_WL]
    RCD = tim[T_RCD]
    RP = tim[T_RP]
    RAS = tim[T_RAS]
    RC = tim[T_RC]
    CCD_S = tim[T_CCD_S]
    CCD_L = tim[T_CCD_L]
    RRD_S = tim[T_RRD_S]
    RRD_L = tim[T_RRD_L]
    FAW = tim[T_FAW]
    WR = tim[T_WR]
    WTR_S = tim[T_WTR_S]
    WTR_L = tim[T_WTR_L]
    RTP = tim[T_RTP]
    RFC = tim[T_RFC]
    REFI = tim[T_REFI]
    RTRS = tim[T_RTRS]
    RPAB = tim[T_RPAB]
    RFCPB = tim[T_RFCPB]
    REFIPB = tim[T_REFIPB]

    page = cfg[CFG_PAGE]
    sched = cfg[CFG_SCHEDULER]
    bufo = cfg[CFG_BUFFER]
    rbs = cfg[CFG_BUFFER_SIZE]
    ordered = cfg[CFG_RESP_QUEUE] == RESP_REORDER or cfg[CFG_ARBITER] == ARB_REORDER
    refresh = cfg[CFG_REFRESH] == REF_ALL_BANK
    perbank = cfg[CFG_REFRESH] == REF_PER_BANK
    max_post = cfg[CFG_MAX_POSTPONED]
    max_pull = cfg[CFG_MAX_PULLED_IN]
    limited = cfg[CFG_ARBITER] != ARB_SIMPLE
    max_active = cfg[CFG_MAX_ACTIVE]

    jbits = 1
    while (1 << jbits) <= n:
        jbits += 1
    jmask = (1 << jbits) - 1
    KINF = (1 << 63) - 1
    # command times stay below now + the longest timing constraint (tRFC, a few hundred clocks), so
    # keys of events before t_limit cannot overflow
    t_limit = (1 << (62 - jbits)) - (1 << 24)
    rtw = RL + BL2 + 2 - WL  # read-to-write turnaround, same rank
    banks_per_rank = n_banks // n_ranks
    if perbank:
        # DRAMSys multiplies the limits by the banks refreshed one at a time
        max_post *= banks_per_rank
        max_pull *= banks_per_rank

    arrival = np.full(n, -1, dtype=np.int64)
    complete = np.full(n, -1, dtype=np.int64)
    deliver = np.full(n, -1, dtype=np.int64)
    missed = np.zeros(n, dtype=np.bool_)
    counters = np.zeros(N_COUNTERS, dtype=np.int64)

    # per-bank request queues in arrival order
    cap = rbs * 2 if bufo == BUF_READ_WRITE else rbs
    q = np.empty((n_banks, cap), dtype=np.int64)
    qn = np.zeros(n_banks, dtype=np.int64)
    occ_rd = 0
    occ_wr = 0
    occ_all = 0
    sel = np.zeros(n_banks, dtype=np.int64)
    sel_ok = np.zeros(n_banks, dtype=np.bool_)  # the cached candidate below is valid
    cand_j = np.zeros(n_banks, dtype=np.int64)
    cand_k = np.zeros(n_banks, dtype=np.int64)  # 0 ACT, 1 PRE, 2 RD, 3 WR
    cand_t = np.zeros(n_banks, dtype=np.int64)  # bank-local part of its earliest time
    cand_g = np.zeros(n_banks, dtype=np.int64)  # index of the global part in gt
    # bank-group / rank part of each command's earliest time, indexed kind * n_bg + bank group:
    # ACT (tRRD, tFAW), PRE (none), RD and WR (tCCD, tWTR, turnaround, rank switch)
    gt = np.zeros(4 * n_bg, dtype=np.int64)
    pending_rank = np.zeros(n_ranks, dtype=np.int64)

    # bank state
    open_row = np.full(n_banks, -1, dtype=np.int64)
    nhit = np.zeros(n_banks, dtype=np.int64)  # buffered requests to the bank's open row
    t_act = np.zeros(n_banks, dtype=np.int64)
    t_col = np.zeros(n_banks, dtype=np.int64)
    t_pre = np.zeros(n_banks, dtype=np.int64)
    bank_iv = np.zeros(n_banks, dtype=np.int64)
    rank_of = np.empty(n_banks, dtype=np.int64)
    bg_of = np.empty(n_banks, dtype=np.int64)
    bpg = banks_per_rank // bg_per_rank
    for b in range(n_banks):
        rank_of[b] = b // banks_per_rank
        bg_of[b] = rank_of[b] * bg_per_rank + (b % banks_per_rank) // bpg
    open_rank = np.zeros(n_ranks, dtype=np.int64)

    # bank-group / rank constraints
    act_ok = np.zeros(n_bg, dtype=np.int64)
    rank_of_bg = np.empty(n_bg, dtype=np.int64)
    for g in range(n_bg):
        rank_of_bg[g] = g // bg_per_rank
    faw = np.full((n_ranks, 4), -INF, dtype=np.int64)
    faw_i = np.zeros(n_ranks, dtype=np.int64)

    # refresh managers
    ref_trig = np.empty(n_ranks, dtype=np.int64)
    for r in range(n_ranks):
        ref_trig[r] = REFI - (REFI // n_ranks) * r
    ref_flex = np.zeros(n_ranks, dtype=np.int64)
    ref_pulled = np.zeros(n_ranks, dtype=np.bool_)
    ref_seq = np.zeros(n_ranks, dtype=np.bool_)
    ref_forced = np.zeros(n_ranks, dtype=np.bool_)
    # per-bank refresh: the chosen bank and the banks not yet refreshed in this round (bit mask)
    ref_bank = np.full(n_ranks, -1, dtype=np.int64)
    all_mask = (1 << banks_per_rank) - 1
    ref_left = np.full(n_ranks, all_mask, dtype=np.int64)
    if perbank:
        for r in range(n_ranks):
            ref_trig[r] = REFIPB - (REFIPB // n_ranks) * r

    # open-bank intervals, for background energy
    iv_s = np.empty(iv_cap, dtype=np.int64)
    iv_e = np.empty(iv_cap, dtype=np.int64)
    iv_r = np.empty(iv_cap, dtype=np.int64)
    n_iv = 0

    # active-transaction limit: min-heap of known response times
    heap = np.empty(max_active + n_banks + 2 if limited else 1, dtype=np.int64)
    hn = 0
    active = 0

    nxt = 0
    last_adm = -1
    now = 0
    cmd_free = 0
    n_col = 0
    dptr = 0
    last_del = 0
    last_dir = 0

    rescan = True
    issued = False  # a bank command issued: its bank chooses again, the other banks' keys may be stale
    dirty = -1
    kbest = KINF
    kr = np.full(n_banks, KINF, dtype=np.int64)
    cb = -1
    cj = -1
    ended = -1  # when the last request's column command issued; then only owed refreshes remain
    ref_end = 0  # when the last REF (REFpb) completes
    while True:
        if n_col == n and ended < 0:
            ended = now
            if refresh or perbank:
                for r in range(n_ranks):
                    if ref_flex[r] > 0 and not ref_seq[r] and not ref_pulled[r]:
                        # postponed refreshes are owed: the idle manager catches them up now (this is
                        # the first of them), then pulls in while idle, as DRAMSys's does once idle
                        ref_flex[r] -= 1
                        ref_trig[r] = now
        counters[C_ITER] += 1
        # ---- next admission -------------------------------------------------
        ta = INF
        base = INF
        if nxt < n:
            if not relative:
                base = arr[nxt]
            elif nxt == 0:
                base = arr[0]
            elif deliver[nxt - 1] >= 0:
                base = deliver[nxt - 1] + arr[nxt]
            if base < INF:
                ta = max(base, last_adm + 1, now)
                b = bank[nxt]
                full = False
                if bufo == BUF_BANKWISE:
                    full = qn[b] >= rbs
                elif bufo == BUF_READ_WRITE:
                    full = (occ_wr >= rbs) if is_wr[nxt] else (occ_rd >= rbs)
                else:
                    full = occ_all >= rbs
                if full:
                    ta = INF
                elif limited:
                    while hn > 0 and heap[0] <= ta:
                        hn, _ = _heap_pop(heap, hn)
                        active -= 1
                    if active >= max_active:
                        ta = heap[0] if hn > 0 else INF

        # ---- refresh managers ---------------------------------------------------
        te = INF
        te_r = -1
        tr = INF
        tr_r = -1
        if refresh or perbank:
            for r in range(n_ranks):
                if ref_seq[r]:
                    # the refresh sequence's next command: PRE(A) once its banks may close, else REF
                    if perbank:
                        lo = ref_bank[r]
                        hi = lo + 1
                        closing = open_row[lo] >= 0
                    else:
                        lo = r * banks_per_rank
                        hi = lo + banks_per_rank
                        closing = open_rank[r] > 0
                    t = max(now, cmd_free)
                    for b in range(lo, hi):
                        if closing:
                            if open_row[b] >= 0 and t_pre[b] > t:
                                t = t_pre[b]
                        elif t_act[b] > t:
                            t = t_act[b]
                    if perbank and not closing and act_ok[bg_of[lo]] > t:
                        t = act_ok[bg_of[lo]]
                    if t < tr:
                        tr = t
                        tr_r = r
                else:
                    if ended >= 0 and not ref_pulled[r] and ref_trig[r] > ended:
                        continue  # after the trace: only the owed refreshes and their pull-ins
                    t = max(now, ref_trig[r])
                    if t < te:
                        te = t
                        te_r = r

        # ---- bank machines ----------------------------------------------------------
        # each bank's next command and its earliest issue time; the earliest wins, ties go to the oldest
        # request: one min over keys (time << jbits | request index). `kr` holds each bank's key without
        # the command-bus floor (KINF: nothing to issue); the keys of banks other than the one that
        # issued may be stale after a command, but only too small (the bank-group part `gt` only grows)
        floor = now if now > cmd_free else cmd_free
        b_lo = 0
        b_hi = 0
        any_blocked = False
        if rescan:
            b_hi = n_banks
            for r in range(n_ranks):
                any_blocked = any_blocked or ref_seq[r]
        elif dirty >= 0:
            # only bank `dirty` changed its choice since the last selection
            b_lo = dirty
            b_hi = dirty + 1
            any_blocked = True
        for b in range(b_lo, b_hi):
            if qn[b] == 0 or (any_blocked and ref_seq[rank_of[b]] and (
                    not perbank or (ref_forced[rank_of[b]] and ref_bank[rank_of[b]] == b))):
                kr[b] = KINF
                continue
            if not sel_ok[b]:
                # the bank's next request (scheduler), its command and the bank-local part of its time
                orow = open_row[b]
                x = 0
                if sched != SCHED_FIFO and orow >= 0 and nhit[b] > 0:
                    x = _select(q, b, qn[b], row, col, is_wr, orow, sched, last_dir)
                sel[b] = x
                j = q[b, x]
                cand_j[b] = j
                if orow == row[j]:
                    ck = CMD_WR if is_wr[j] else CMD_RD
                    cand_t[b] = t_col[b]
                elif orow < 0:
                    ck = CMD_ACT
                    cand_t[b] = t_act[b]
                else:
                    ck = CMD_PRE
                    cand_t[b] = t_pre[b]
                cand_k[b] = ck
                cand_g[b] = ck * n_bg + bg_of[b]
                sel_ok[b] = True
            t = cand_t[b]
            v = gt[cand_g[b]]
            if v > t:
                t = v
            kr[b] = (t << jbits) | cand_j[b]
        if rescan or issued:
            # the minimum over every bank of its key at the floor; a stale key that wins is brought up
            # to date and the minimum taken again (stale keys are lower bounds, so a winner whose key
            # is current is the true minimum)
            fkey = floor << jbits
            while True:
                kbest = KINF
                for b in range(n_banks):
                    k = kr[b]
                    e = fkey | (k & jmask)
                    if k > e:
                        e = k
                    if e < kbest:
                        kbest = e
                if kbest == KINF:
                    break
                j = kbest & jmask
                b = bank[j]
                t = cand_t[b]
                v = gt[cand_g[b]]
                if v > t:
                    t = v
                k = (t << jbits) | j
                if k == kr[b]:
                    break
                kr[b] = k
        elif dirty >= 0 and kr[dirty] < KINF:
            # an admission changed one bank's choice (not the winner's: that rescans)
            k = kr[dirty]
            e = (floor << jbits) | (k & jmask)
            if k > e:
                e = k
            if e < kbest:
                kbest = e
        rescan = False
        issued = False
        tc = INF
        if kbest < KINF:
            tc = kbest >> jbits
            cj = kbest & jmask
            cb = bank[cj]
        dirty = -1

        t = min(ta, te, tr, tc)
        if t >= t_limit:
            if t >= INF and ended >= 0:
                break  # every request answered, no refresh owed
            # INF: nothing can happen (a deadlock, a bug); else the clock outgrew the packed keys
            counters[C_ERR] = ERR_DEADLOCK if t >= INF else ERR_TOO_LONG
            break

        if ta == t:
            # ---- admit request nxt --------------------------------------------
            now = t
            j = nxt
            nxt += 1
            last_adm = t
            arrival[j] = base
            if limited:
                while hn > 0 and heap[0] <= t:
                    hn, _ = _heap_pop(heap, hn)
                    active -= 1
                active += 1
            b = bank[j]
            m = qn[b]
            q[b, m] = j
            qn[b] = m + 1
            occ_all += 1
            if is_wr[j]:
                occ_wr += 1
            else:
                occ_rd += 1
            r = rank[j]
            if perbank:
                if ref_seq[r] and not ref_forced[r] and ref_bank[r] == b:
                    # the chosen bank is busy now: the refresh manager chooses again (another bank or later)
                    ref_seq[r] = False
                    rescan = True
            elif ref_seq[r] and not ref_forced[r]:
                # a refresh chosen because the rank was idle is reconsidered now that it is busy
                ref_seq[r] = False
                if ref_pulled[r]:
                    ref_pulled[r] = False
                else:
                    ref_flex[r] += 1
                ref_trig[r] += REFI
                rescan = True
            pending_rank[r] += 1
            orow = open_row[b]
            is_hit = orow >= 0 and row[j] == orow
            # a younger request leaves the bank's choice as it was unless it is the first row hit
            keep = m > 0 and sel_ok[b] and (not is_hit or sched == SCHED_FIFO
                                            or (sched == SCHED_FRFCFS and nhit[b] > 0))
            if is_hit:
                nhit[b] += 1
            if not keep:
                sel_ok[b] = False
                if b == cb:
                    rescan = True
                else:
                    dirty = b
            continue

        if te == t and perbank:
            # ---- per-bank refresh manager: choose a bank (DRAMSys RefreshManagerPerBank) ----
            now = t
            r = te_r
            lo = r * banks_per_rank
            pick = -1
            for x in range(banks_per_rank):
                if (ref_left[r] >> x) & 1 and qn[lo + x] == 0:
                    pick = lo + x
                    break
            if _refresh_trigger(r, pick >= 0, ref_seq, ref_forced, ref_pulled, ref_flex, ref_trig, max_post, REFIPB):
                if pick < 0:
                    # forced while every remaining bank is busy: the first remaining bank
                    for x in range(banks_per_rank):
                        if (ref_left[r] >> x) & 1:
                            pick = lo + x
                            break
                ref_bank[r] = pick
                rescan = True
            continue

        if te == t:
            # ---- refresh manager decision at its trigger ------------------------
            now = t
            r = te_r
            if _refresh_trigger(r, pending_rank[r] == 0, ref_seq, ref_forced, ref_pulled, ref_flex, ref_trig,
                                max_post, REFI):
                rescan = True
            continue

        if tr == t and perbank:
            # ---- PRE or REFpb of the chosen bank ---------------------------------------
            now = t
            cmd_free = t + 1
            rescan = True
            r = tr_r
            b = ref_bank[r]
            sel_ok[b] = False
            if open_row[b] >= 0:
                _close_bank(b, r, t, t + RP, open_row, nhit, t_act, open_rank, iv_e, bank_iv, counters)
            else:
                if t + RFCPB > t_act[b]:
                    t_act[b] = t + RFCPB
                # REFpb to ACT of another bank: tRRD, as after an ACT
                g = bg_of[b]
                for g2 in range(r * bg_per_rank, (r + 1) * bg_per_rank):
                    v = t + (RRD_L if g2 == g else RRD_S)
                    if v > act_ok[g2]:
                        act_ok[g2] = v
                    if act_ok[g2] > gt[g2]:
                        gt[g2] = act_ok[g2]
                counters[C_REF] += 1
                if t + RFCPB > ref_end:
                    ref_end = t + RFCPB
                ref_left[r] &= ~(1 << (b - r * banks_per_rank))
                if ref_left[r] == 0:
                    ref_left[r] = all_mask
                _refresh_issued(r, ref_seq, ref_forced, ref_pulled, ref_flex, ref_trig, max_pull, REFIPB)
            continue

        if tr == t:
            # ---- PREA or REF ------------------------------------------------------
            now = t
            cmd_free = t + 1
            rescan = True
            r = tr_r
            lo = r * banks_per_rank
            hi = lo + banks_per_rank
            if open_rank[r] > 0:
                for b in range(lo, hi):
                    if open_row[b] >= 0:
                        _close_bank(b, r, t, t + RPAB, open_row, nhit, t_act, open_rank, iv_e, bank_iv, counters)
                        sel_ok[b] = False
                counters[C_PREA] += 1
            else:
                for b in range(lo, hi):
                    if t + RFC > t_act[b]:
                        t_act[b] = t + RFC
                    sel_ok[b] = False
                counters[C_REF] += 1
                if t + RFC > ref_end:
                    ref_end = t + RFC
                _refresh_issued(r, ref_seq, ref_forced, ref_pulled, ref_flex, ref_trig, max_pull, REFI)
            continue

        # ---- issue a bank command -----------------------------------------------------
        now = t
        cmd_free = t + 1
        issued = True
        b = cb
        j = cj
        ck = cand_k[b]
        r = rank_of[b]
        g = bg_of[b]
        if ck == CMD_ACT:
            rw = row[j]
            open_row[b] = rw
            h = 0
            for x in range(qn[b]):
                if row[q[b, x]] == rw:
                    h += 1
            nhit[b] = h
            t_col[b] = t + RCD
            if t + RAS > t_pre[b]:
                t_pre[b] = t + RAS
            t_act[b] = t + RC
            _act_issued(t, r, g, faw, faw_i, act_ok, gt, bg_per_rank, RRD_S, RRD_L, FAW)
            open_rank[r] += 1
            if n_iv == iv_cap:
                counters[C_ERR] = ERR_INTERVALS
                break
            iv_s[n_iv] = t
            iv_e[n_iv] = INF
            iv_r[n_iv] = r
            bank_iv[b] = n_iv
            n_iv += 1
            counters[C_ACT] += 1
            if not missed[j]:
                missed[j] = True
                counters[C_MISS] += 1
            sel_ok[b] = False
        elif ck == CMD_PRE:
            _close_bank(b, r, t, t + RP, open_row, nhit, t_act, open_rank, iv_e, bank_iv, counters)
            sel_ok[b] = False
        else:
            w = ck == CMD_WR
            # remove j from its bank queue
            p = sel[b]
            m = qn[b]
            for x in range(p, m - 1):
                q[b, x] = q[b, x + 1]
            qn[b] = m - 1
            nhit[b] -= 1
            occ_all -= 1
            if w:
                occ_wr -= 1
            else:
                occ_rd -= 1
            pending_rank[r] -= 1
            _column_issued(t, w, r, g, gt, n_bg, rank_of_bg, BL2, RL, WL, CCD_S, CCD_L, WTR_S, WTR_L, RTRS, rtw)
            if w:
                done = t + WL + BL2
                v = done + WR
                counters[C_WR] += 1
            else:
                done = t + RL + BL2
                v = t + RTP
                counters[C_RD] += 1
            if v > t_pre[b]:
                t_pre[b] = v
            complete[j] = done
            prev_dir = last_dir
            last_dir = 1 if w else 0
            n_col += 1
            # page policy: auto-precharge?
            if page == PAGE_CLOSED:
                ap = True
            elif page == PAGE_OPEN:
                ap = False
            else:
                hit = nhit[b] > 0
                if page == PAGE_OPEN_ADAPTIVE:
                    ap = qn[b] > 0 and not hit
                else:
                    ap = not hit
            if ap:
                tp = t_pre[b]
                _close_bank(b, r, tp, tp + RP, open_row, nhit, t_act, open_rank, iv_e, bank_iv, counters)
            # responses
            if ordered:
                while dptr < n and complete[dptr] >= 0:
                    dv = complete[dptr]
                    if dv < last_del:
                        dv = last_del
                    deliver[dptr] = dv
                    last_del = dv
                    if limited:
                        hn = _heap_push(heap, hn, dv)
                    dptr += 1
            else:
                deliver[j] = done
                if limited:
                    hn = _heap_push(heap, hn, done)
            if sched == SCHED_FRFCFS_GRP and last_dir != prev_dir:
                for x in range(n_banks):
                    sel_ok[x] = False
                rescan = True
            else:
                sel_ok[b] = False
        dirty = b

    t_start = arr[0]
    t_end = _window_end(t_start, deliver, ref_end)
    active_cycles = _open_cycles(iv_s, iv_e, iv_r, n_iv, n_ranks, t_end)
    return arrival, complete, deliver, counters, active_cycles, t_start, t_end


@_jit_inline
def _act_issued(t, r, g, faw, faw_i, act_ok, gt, bg_per_rank, RRD_S, RRD_L, FAW):
    """An ACT at ``t`` in rank ``r``, bank group ``g``: tRRD_S/L for the rank's next ACTs, and tFAW
    (the fourth-last ACT of the rank + tFAW), folded into the ACT row of ``gt``."""
    faw[r, faw_i[r]] = t
    faw_i[r] = (faw_i[r] + 1) % 4
    vf = faw[r, faw_i[r]] + FAW
    for g2 in range(r * bg_per_rank, (r + 1) * bg_per_rank):
        v = t + (RRD_L if g2 == g else RRD_S)
        if v > act_ok[g2]:
            act_ok[g2] = v
        gt[g2] = act_ok[g2] if act_ok[g2] > vf else vf


@_jit_inline
def _column_issued(t, w, r, g, gt, n_bg, rank_of_bg, BL2, RL, WL, CCD_S, CCD_L, WTR_S, WTR_L, RTRS, rtw):
    """A RD (``w`` false) or WR at ``t`` in rank ``r``, bank group ``g``: the earliest next RD and WR of
    every bank group (tCCD_S/L, tWTR_S/L and the read-to-write turnaround in the rank, the data bus
    plus tRTRS across ranks), folded into the RD and WR rows of ``gt``."""
    for g2 in range(n_bg):
        same_rank = rank_of_bg[g2] == r
        if w:
            if same_rank:
                vw = t + (CCD_L if g2 == g else CCD_S)
                vr = t + WL + BL2 + (WTR_L if g2 == g else WTR_S)
            else:
                vw = t + BL2 + RTRS
                vr = t + WL + BL2 + RTRS - RL
        else:
            if same_rank:
                vr = t + (CCD_L if g2 == g else CCD_S)
                vw = t + rtw
            else:
                vr = t + BL2 + RTRS
                vw = t + RL + BL2 + RTRS - WL
        if vr > gt[CMD_RD * n_bg + g2]:
            gt[CMD_RD * n_bg + g2] = vr
        if vw > gt[CMD_WR * n_bg + g2]:
            gt[CMD_WR * n_bg + g2] = vw


@_jit_inline
def _window_end(t_start, deliver, ref_end):
    """End of the simulated window: the last response, or the end of the last REF if that is later."""
    t_end = t_start
    for i in range(deliver.shape[0]):
        if deliver[i] > t_end:
            t_end = deliver[i]
    if ref_end > t_end:
        t_end = ref_end
    return t_end


@_jit_inline
def _open_cycles(iv_s, iv_e, iv_r, n_iv, n_ranks, t_end):
    """Per rank, the cycles with at least one bank open (the union of the bank-open intervals, each
    clipped at ``t_end``; the kernel records them in ACT order): IDD3N rather than IDD2N background."""
    active_cycles = np.zeros(n_ranks, dtype=np.int64)
    cur_s = np.full(n_ranks, -1, dtype=np.int64)
    cur_e = np.full(n_ranks, -1, dtype=np.int64)
    for k in range(n_iv):
        r = iv_r[k]
        s = iv_s[k]
        e = iv_e[k]
        if e > t_end:
            e = t_end
        if e <= s:
            continue
        if cur_s[r] < 0:
            cur_s[r] = s
            cur_e[r] = e
        elif s > cur_e[r]:
            active_cycles[r] += cur_e[r] - cur_s[r]
            cur_s[r] = s
            cur_e[r] = e
        elif e > cur_e[r]:
            cur_e[r] = e
    for r in range(n_ranks):
        if cur_s[r] >= 0:
            active_cycles[r] += cur_e[r] - cur_s[r]
    return active_cycles


@_jit
def latency_stats(arrival, deliver, is_wr):
    """Latency statistics in clock cycles: ``(read mean, read p99, write mean)``.

    The mean and 99th percentile are over reads, or over writes when the
    trace has none; the percentile interpolates linearly between order
    statistics as ``numpy.percentile`` does. Sums are exact (integers).
    """
    n = arrival.shape[0]
    n_wr = 0
    for i in range(n):
        if is_wr[i]:
            n_wr += 1
    pop_wr = n_wr == n  # no reads: the read statistics are the writes'
    m = n if pop_wr else n - n_wr
    pop = np.empty(m, dtype=np.int64)
    k = 0
    s_pop = 0
    s_wr = 0
    for i in range(n):
        lat = deliver[i] - arrival[i]
        if is_wr[i]:
            s_wr += lat
        if is_wr[i] == pop_wr:
            pop[k] = lat
            s_pop += lat
            k += 1
    if m == 0:
        return 0.0, 0.0, 0.0
    pos = 0.99 * (m - 1)
    lo = int(np.floor(pos))
    part = np.partition(pop, lo)
    v_lo = part[lo]
    v_hi = v_lo
    if lo + 1 < m:
        v_hi = part[lo + 1]
        for x in range(lo + 2, m):
            if part[x] < v_hi:
                v_hi = part[x]
    p99 = v_lo + (v_hi - v_lo) * (pos - lo)
    return s_pop / m, p99, (s_wr / n_wr) if n_wr else 0.0


@_jit_inline
def _close_bank(b, r, t, ready, open_row, nhit, t_act, open_rank, iv_e, bank_iv, counters):
    """Bank ``b`` (rank ``r``) precharged at ``t``: row closed, next ACT no earlier than ``ready``, one PRE counted."""
    open_row[b] = -1
    nhit[b] = 0
    if ready > t_act[b]:
        t_act[b] = ready
    open_rank[r] -= 1
    iv_e[bank_iv[b]] = t
    counters[C_PRE] += 1


@_jit_inline
def _refresh_trigger(r, can_go, ref_seq, ref_forced, ref_pulled, ref_flex, ref_trig, max_post, period):
    """DRAMSys's refresh-manager decision for rank ``r`` at its trigger; True when a refresh starts.

    ``ref_flex`` counts postponed (positive) or pulled-in (negative)
    refreshes. While not pulling in: refresh if the limit of postponed
    refreshes is reached (forced) or ``can_go`` (the rank or a bank of it is
    idle), else postpone to the next trigger ``period`` later. While pulling
    in: refresh if ``can_go``, else stop pulling in until the next trigger.
    """
    if not ref_pulled[r]:
        if ref_flex[r] >= max_post:
            ref_seq[r] = True
            ref_forced[r] = True
        elif can_go:
            ref_seq[r] = True
        else:
            ref_flex[r] += 1
            ref_trig[r] += period
    elif can_go:
        ref_seq[r] = True
    else:
        ref_pulled[r] = False
        ref_trig[r] += period
    return ref_seq[r]


@_jit_inline
def _refresh_issued(r, ref_seq, ref_forced, ref_pulled, ref_flex, ref_trig, max_pull, period):
    """Bookkeeping after rank ``r``'s REF (or REFpb) issued: count it and go on pulling in while allowed."""
    ref_seq[r] = False
    ref_forced[r] = False
    if ref_pulled[r]:
        ref_flex[r] -= 1
    else:
        ref_pulled[r] = True
    if ref_flex[r] <= -max_pull:
        ref_pulled[r] = False
        ref_trig[r] += period


@_jit_inline
def _select(q, b, m, row, col, is_wr, orow, sched, last_dir):
    """Queue position of the request FR-FCFS (``sched == SCHED_FRFCFS``) or FR-FCFS-Grp serves next in bank ``b``.

    Called only when the bank has a row open and a buffered request hits it.
    """
    first_hit = -1
    for x in range(m):
        j = q[b, x]
        if row[j] == orow:
            if sched == SCHED_FRFCFS:
                return x
            if first_hit < 0:
                first_hit = x
            if (1 if is_wr[j] else 0) == last_dir:
                hazard = False
                for y in range(x):
                    k = q[b, y]
                    if row[k] == orow and col[k] == col[j]:
                        hazard = True
                        break
                if not hazard:
                    return x
    return first_hit if first_hit >= 0 else 0


@_jit_inline
def _heap_push(h, n, v):
    i = n
    h[i] = v
    while i > 0:
        p = (i - 1) >> 1
        if h[p] <= h[i]:
            break
        h[p], h[i] = h[i], h[p]
        i = p
    return n + 1


@_jit_inline
def _heap_pop(h, n):
    top = h[0]
    n -= 1
    h[0] = h[n]
    i = 0
    while True:
        lft = 2 * i + 1
        if lft >= n:
            break
        c = lft
        if lft + 1 < n and h[lft + 1] < h[lft]:
            c = lft + 1
        if h[i] <= h[c]:
            break
        h[i], h[c] = h[c], h[i]
        i = c
    return n, top


def get_kernel():
    """The kernel: compiled with numba when installed (cached on disk; compiled on first call).

    Without numba it runs as plain Python, same results (the policy of
    :mod:`archgym.compiled`), and the first call logs a warning saying so.
    """
    if not _COMPILED:
        _warn_uncompiled("the DRAM controller model", "about 1 s per design instead of milliseconds")
    return _kernel
