"""Fidelity against DRAMsim3 on the same traces, device timings and address mapping.

Usage::

    python benchmarks/dram/fidelity.py --dramsim3 PATH/TO/dramsim3main [--requests 4000]

(or set ``DRAMSIM3``). DRAMsim3 (umd-memsys/DRAMsim3) is built separately;
this script only writes its inputs and reads its ``dramsim3.json``. The
DRAMsim3 config is generated from our DDR4-2400 preset (same timings,
currents and the same ``rochrababgco`` row-bank-bankgroup-column mapping as
our default), and the knobs both simulators share are swept: page policy
(``Open``/``Closed`` = ``OPEN_PAGE``/``CLOSE_PAGE``), buffer organisation
(``Bankwise``/``Shared`` = ``PER_BANK``/``PER_RANK`` command queues) and
buffer depth (``RequestBufferSize`` = ``cmd_queue_size``). By default
DRAMsim3's front end is set to DRAMSys's (``--front-end dramsys``:
``trans_queue_size = 1``, ``unified_queue = true``): its own front end lets a
request overtake one whose bank queue is full and holds writes in a buffer
drained in bursts, policies of a different controller, not timing;
``--front-end stock`` compares with them. DRAMsim3 reports
bandwidth over the cycles it was told to run, so the run length is bisected
to the cycle its last request completes. Prints a table per configuration,
then the rank correlation and mean error of bandwidth, the largest row-hit
rate difference, energy (DRAMsim3 reports mA x V x cycles, converted to pJ
here; it has no VPP terms, so ours is compared on the VDD rail alone and
printed with VPP beside it) and the light-load read latency of both.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path

import numpy as np

from archgym.simulators.dram import PRESETS, generate, simulate
from archgym.simulators.dram.trace import Trace

INI = """[dram_structure]
protocol = DDR4
bankgroups = 4
banks_per_group = 4
rows = 32768
columns = 1024
device_width = 8
BL = 8
[timing]
tCK = {tck}
AL = 0
CL = {CL}
CWL = {WL}
tRCD = {RCD}
tRP = {RP}
tRAS = {RAS}
tRFC = {RFC}
tRFC2 = {RFC2}
tRFC4 = {RFC4}
tREFI = {REFI}
tRPRE = 1
tWPRE = 1
tRRD_S = {RRD_S}
tRRD_L = {RRD_L}
tWTR_S = {WTR_S}
tWTR_L = {WTR_L}
tFAW = {FAW}
tWR = {WR}
tWR2 = {WR}
tRTP = {RTP}
tCCD_S = {CCD_S}
tCCD_L = {CCD_L}
tCKE = 6
tCKESR = 7
tXS = 324
tXP = 8
tRTRS = 1
[power]
VDD = 1.2
IDD0 = {idd0}
IPP0 = {ipp0}
IDD2P = 17
IDD2N = {idd2n}
IDD3P = 22.5
IDD3N = {idd3n}
IDD4W = {idd4w}
IDD4R = {idd4r}
IDD5AB = {idd5}
IDD6x = 20
[system]
channel_size = 4096
channels = 1
bus_width = 64
address_mapping = rochrababgco
queue_structure = {queue}
refresh_policy = RANK_LEVEL_STAGGERED
row_buf_policy = {page}
cmd_queue_size = {depth}
trans_queue_size = {trans_queue}
unified_queue = {unified}
[other]
epoch_period = 100000000
output_level = 1
"""


#: DRAMsim3 front ends: its own (a 32-entry transaction queue that lets a request pass one whose bank
#: queue is full, and a write buffer drained in bursts) or DRAMSys's (one request waiting to enter,
#: reads and writes in one queue), which is what the compared controller model implements
FRONT_ENDS = {"dramsys": {"trans_queue": 1, "unified": "true"}, "stock": {"trans_queue": 32, "unified": "false"}}


def ini(page: str, queue: str, depth: int, front_end: str = "dramsys") -> str:
    d = PRESETS["DDR4-2400"]
    p = {k: v * 1e3 for k, v in d.power.items()}
    return INI.format(tck=d.tck_ns, **d.timings, page=page, queue=queue, depth=depth, **FRONT_ENDS[front_end],
                      **{k: p[k] for k in ("idd0", "ipp0", "idd2n", "idd3n", "idd4w", "idd4r", "idd5")})


def run_dramsim3(binary: str, config: str, trace: Trace, guess: int, tmp: Path) -> dict:
    tfile = tmp / "trace.txt"
    tfile.write_text("".join(f"0x{a:x} {'WRITE' if w else 'READ'} {c}\n" for a, w, c in
                             zip(trace.address.tolist(), trace.is_write.tolist(), trace.cycle.tolist())))
    cfile = tmp / "ds3.ini"
    cfile.write_text(config)

    def stats(cycles: int) -> dict:
        subprocess.run([binary, str(cfile), "-c", str(cycles), "-t", str(tfile), "-o", str(tmp)],
                       check=True, capture_output=True)
        return json.loads((tmp / "dramsim3.json").read_text())["0"]

    # DRAMsim3 reports a write done when its queue accepts it (and merges writes to one address), so a
    # run is complete when its column-command counts reach those of a run long enough to finish
    final = stats(64 * max(guess, 1000))
    target = (final["num_read_cmds"], final["num_write_cmds"])

    def finished(cycles: int) -> bool:
        s = stats(cycles)
        return (s["num_read_cmds"], s["num_write_cmds"]) == target

    lo, hi = 0, max(guess, 1000)
    while not finished(hi):
        lo, hi = hi, hi * 2
    while hi - lo > max(16, hi // 400):
        mid = (lo + hi) // 2
        if not finished(mid):
            lo = mid
        else:
            hi = mid
    return stats(hi)


def spearman(a, b) -> float:
    ra, rb = np.argsort(np.argsort(a)), np.argsort(np.argsort(b))
    return float(np.corrcoef(ra, rb)[0, 1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dramsim3", default=os.environ.get("DRAMSIM3"), required=not os.environ.get("DRAMSIM3"))
    ap.add_argument("--requests", type=int, default=4000)
    ap.add_argument("--front-end", choices=sorted(FRONT_ENDS), default="dramsys",
                    help="DRAMsim3's request front end: DRAMSys's (default, what our model implements) or its own")
    args = ap.parse_args()
    tck = PRESETS["DDR4-2400"].tck_ns
    # DRAMsim3 has no VPP (wordline pump) terms: compare energy with ours on the VDD rail alone
    no_vpp = replace(PRESETS["DDR4-2400"], power={**PRESETS["DDR4-2400"].power, "vpp": 0.0})
    configs = [(pp, qb, depth) for pp in ("Open", "Closed") for qb in ("Bankwise", "Shared")
               for depth in (4, 8, 16, 32)]
    ours_bw, theirs_bw, hit_diff, ours_e, theirs_e = [], [], [], [], []
    print("| workload | PagePolicy | SchedulerBuffer | depth | BW ours | BW DRAMsim3 | hit ours | hit DRAMsim3 "
          "| read lat ours (ns) | read lat DRAMsim3 (ns) | energy ours, VDD only (uJ) | energy DRAMsim3 (uJ) "
          "| energy ours with VPP (uJ) |")
    print("|" + " --- |" * 13)
    with tempfile.TemporaryDirectory() as tmpd:
        tmp = Path(tmpd)
        for w in ("stream", "random", "cloud-1", "cloud-2"):
            tr = generate(w, args.requests)
            for pp, qb, depth in configs:
                design = {"PagePolicy": pp, "SchedulerBuffer": qb, "RequestBufferSize": depth, "Scheduler": "FrFcfs"}
                m = simulate(tr, design)
                e_ours = simulate(tr, design, device=no_vpp)["energy_pj"]
                s = run_dramsim3(args.dramsim3, ini("OPEN_PAGE" if pp == "Open" else "CLOSE_PAGE",
                                                    "PER_BANK" if qb == "Bankwise" else "PER_RANK", depth,
                                                    args.front_end),
                                 tr, int(m["total_time_ns"] / tck), tmp)
                bw = len(tr) * 64 / (s["num_cycles"] * tck)
                hit = (s["num_read_row_hits"] + s["num_write_row_hits"]) / len(tr)
                ours_bw.append(m["bandwidth_gbps"])
                theirs_bw.append(bw)
                hit_diff.append(abs(m["row_hit_rate"] - hit))
                e_theirs = s["total_energy"] * tck  # DRAMsim3's "pJ" are mA x V x cycles
                ours_e.append(e_ours)
                theirs_e.append(e_theirs)
                print(f"| {w} | {pp} | {qb} | {depth} | {m['bandwidth_gbps']:.2f} | {bw:.2f} | "
                      f"{m['row_hit_rate']:.3f} | {hit:.3f} | {m['latency_ns']:.0f} | "
                      f"{s['average_read_latency'] * tck:.0f} | {e_ours / 1e6:.2f} | {e_theirs / 1e6:.2f} | "
                      f"{m['energy_pj'] / 1e6:.2f} |")
        # light load: one random read every 200 cycles
        light = generate("random", 1000)
        light = Trace(np.arange(len(light)) * 200, np.zeros(len(light), bool), light.address, name="light")
        lat = {}
        for pp in ("Open", "Closed"):
            m = simulate(light, {"PagePolicy": pp})
            s = run_dramsim3(args.dramsim3, ini("OPEN_PAGE" if pp == "Open" else "CLOSE_PAGE", "PER_BANK", 8,
                                                args.front_end),
                             light, int(m["total_time_ns"] / tck), tmp)
            lat[pp] = (m["latency_ns"], s["average_read_latency"] * tck)
    ours_bw, theirs_bw = np.array(ours_bw), np.array(theirs_bw)
    err = np.abs(ours_bw / theirs_bw - 1)
    print()
    print(f"bandwidth rank correlation (Spearman, {len(ours_bw)} points): {spearman(ours_bw, theirs_bw):.3f}")
    print(f"bandwidth |ours/DRAMsim3 - 1|: mean {err.mean():.1%}, median {np.median(err):.1%}, max {err.max():.1%}; "
          f"within 15%: {(err <= 0.15).mean():.0%} of points")
    print(f"row-hit rate |difference|: mean {np.mean(hit_diff):.3f}, max {np.max(hit_diff):.3f}")
    e_err = np.abs(np.array(ours_e) / np.array(theirs_e) - 1)
    print(f"energy: rank correlation {spearman(ours_e, theirs_e):.3f}; |ours/DRAMsim3 - 1| mean {e_err.mean():.1%}, "
          f"median {np.median(e_err):.1%}, max {e_err.max():.1%}")
    for pp, (a, b) in lat.items():
        print(f"light-load read latency, {pp} page: ours {a:.1f} ns, DRAMsim3 {b:.1f} ns")


if __name__ == "__main__":
    main()
