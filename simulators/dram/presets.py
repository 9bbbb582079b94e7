"""Device presets, with the source of every figure.

Each preset equals the DRAMSys memspec named in its ``source`` (a test reads
those files and checks it), so results here can be rerun in DRAMSys. The
memspec figures themselves come from the JEDEC standards and Micron
datasheets named below; timings are clock cycles of ``tck_s``.
"""

from __future__ import annotations

from archgym.simulators.dram.device import Device

_DRAMSYS = "DRAMSys (tukl-msd/DRAMSys, BSD-3) configs/memspec/"

#: 8 x Micron MT41J128M8 (1 Gb x8) DDR3-1600 (speed bin 10-10-10 at 1.25 ns) on a 64-bit DIMM rank.
#: Timings: JEDEC JESD79-3F DDR3-1600K bin (tRCD = tRP = CL = 10 nCK at 1.25 ns, tRAS 35 ns,
#: tFAW 30 ns, tRFC 110 ns for 1 Gb, tREFI 7.8 us); currents: Micron 1Gb DDR3 datasheet
#: (Rev. G) IDD table, as transcribed in DRAMSys's MICRON_1Gb_DDR3-1600_8bit_G.json.
DDR3_1600 = Device(
    memory_type="DDR3", memory_id="MICRON_1Gb_DDR3-1600_8bit_G",
    ranks=1, bank_groups=1, banks=8, rows=16384, columns=1024, width=8, devices=8,
    burst_length=8, data_rate=2, tck_s=1250e-12,
    timings={
        "AL": 0, "CCD_S": 4, "CCD_L": 4, "CKE": 3, "CKESR": 4, "CL": 10, "DQSCK": 0, "FAW": 24,
        "RAS": 28, "RC": 38, "RCD": 10, "REFI": 6240, "RFC": 88, "RL": 10, "RP": 10,
        "RRD_S": 5, "RRD_L": 5, "RTP": 6, "WL": 8, "WR": 12, "WTR_S": 6, "WTR_L": 6,
        "XP": 6, "XPDLL": 20, "XS": 96, "XSDLL": 512, "ACTPDEN": 1, "PRPDEN": 1, "REFPDEN": 1, "RTRS": 1,
    },
    power={
        "idd0": 70.0e-3, "idd2n": 45.0e-3, "idd2p0": 12.0e-3, "idd2p1": 30.0e-3, "idd3n": 45.0e-3,
        "idd3p0": 35.0e-3, "idd3p1": 35.0e-3, "idd4r": 140.0e-3, "idd4w": 145.0e-3, "idd5": 170.0e-3,
        "idd6": 8.0e-3, "vdd": 1.5,
    },
    name="DDR3-1600",
    source=_DRAMSYS + "MICRON_1Gb_DDR3-1600_8bit_G.json; Micron 1Gb DDR3 SDRAM datasheet (MT41J128M8), JESD79-3F",
)

_DDR4_POWER_COMMON = {
    "vdd": 1.2, "idd6n": 20.25e-3, "idd2p": 17.0e-3, "idd3p": 22.5e-3,
    "vpp": 2.5, "ipp0": 4.05e-3, "ipp2n": 0.0, "ipp3n": 0.0, "ipp4r": 0.0, "ipp4w": 0.0,
    "ipp6n": 2.6e-3, "ipp2p": 17.0e-3, "ipp3p": 22.5e-3,
    "idd5": 118.0e-3, "ipp5B": 0.0, "idd5F2": 0.0, "ipp5F2": 0.0, "idd5F4": 0.0, "ipp5F4": 0.0, "vddq": 0.0,
}

#: 8 x 4 Gb x8 DDR4-2400 (JEDEC speed bin 2400R: CL-tRCD-tRP 16-16-16 at 0.833 ns) on a 64-bit rank.
#: Timings: JEDEC JESD79-4B (tRAS 32 ns, tRC 45.75 ns, tFAW 21 ns for 1 KB pages, tRRD_S/L 3.3/4.9 ns,
#: tCCD_L 5 ns, tWTR_S/L 2.5/7.5 ns, tWR 15 ns, tRTP 7.5 ns, tRFC1 260 ns for 4 Gb, tREFI 7.8 us);
#: currents: Micron 4Gb DDR4 datasheet (MT40A512M8) IDD table, as in DRAMSys's
#: JEDEC_4Gb_DDR4-2400_8bit_A.json.
DDR4_2400 = Device(
    memory_type="DDR4", memory_id="MICRON_4Gb_DDR4-2400_8bit_A",
    ranks=1, bank_groups=4, banks=16, rows=32768, columns=1024, width=8, devices=8,
    burst_length=8, data_rate=2, tck_s=833e-12,
    timings={
        "AL": 0, "CCD_L": 6, "CCD_S": 4, "CKE": 6, "CKESR": 7, "CL": 16, "DQSCK": 2, "FAW": 26,
        "RAS": 39, "RC": 55, "RCD": 16, "REFM": 1, "REFI": 9360, "RFC": 312, "RFC2": 192, "RFC4": 132,
        "RL": 16, "RPRE": 1, "RP": 16, "RRD_L": 6, "RRD_S": 4, "RTP": 12, "WL": 16, "WPRE": 1,
        "WR": 18, "WTR_L": 9, "WTR_S": 3, "XP": 8, "XPDLL": 325, "XS": 324, "XSDLL": 512,
        "ACTPDEN": 2, "PRPDEN": 2, "REFPDEN": 2, "RTRS": 1,
    },
    power={
        **_DDR4_POWER_COMMON,
        "idd0": 60.75e-3, "idd2n": 38.25e-3, "idd3n": 44.0e-3, "idd4r": 184.5e-3, "idd4w": 168.75e-3,
        "iBeta_vdd": 60.75e-3, "iBeta_vpp": 4.05e-3,
    },
    name="DDR4-2400",
    source=_DRAMSYS + "JEDEC_4Gb_DDR4-2400_8bit_A.json; JEDEC JESD79-4B; Micron 4Gb DDR4 datasheet (MT40A512M8)",
)

#: Same die at DDR4-1866 (speed bin 1866M: 13-13-13 at 1.072 ns); source as DDR4-2400.
DDR4_1866 = Device(
    memory_type="DDR4", memory_id="MICRON_4Gb_DDR4-1866_8bit_A",
    ranks=1, bank_groups=4, banks=16, rows=32768, columns=1024, width=8, devices=8,
    burst_length=8, data_rate=2, tck_s=1072e-12,
    timings={
        "AL": 0, "CCD_L": 5, "CCD_S": 4, "CKE": 6, "CKESR": 7, "CL": 13, "DQSCK": 2, "FAW": 22,
        "RAS": 32, "RC": 45, "RCD": 13, "REFM": 1, "REFI": 7280, "RFC": 243, "RFC2": 150, "RFC4": 103,
        "RL": 13, "RPRE": 1, "RP": 13, "RRD_L": 5, "RRD_S": 4, "RTP": 8, "WL": 12, "WPRE": 1,
        "WR": 14, "WTR_L": 7, "WTR_S": 3, "XP": 8, "XPDLL": 255, "XS": 252, "XSDLL": 512,
        "ACTPDEN": 1, "PRPDEN": 1, "REFPDEN": 1, "RTRS": 1,
    },
    power={
        **_DDR4_POWER_COMMON,
        "idd0": 56.25e-3, "idd2n": 33.75e-3, "idd3n": 39.5e-3, "idd4r": 157.5e-3, "idd4w": 135.0e-3,
        "iBeta_vdd": 56.25e-3, "iBeta_vpp": 4.05e-3,
    },
    name="DDR4-1866",
    source=_DRAMSYS + "JEDEC_4Gb_DDR4-1866_8bit_A.json; JEDEC JESD79-4B; Micron 4Gb DDR4 datasheet (MT40A512M8)",
)

_LPDDR4_3200_TIMINGS = {
    "CCD": 8, "CCDMW": 32, "CKE": 12, "CMDCKE": 3, "DQS2DQ": 2, "DQSCK": 6, "DQSS": 1, "ESCKE": 3,
    "FAW": 64, "PPD": 4, "RCD": 29, "REFI": 6246, "REFIpb": 780, "RFCab": 448, "RFCpb": 224, "RL": 28,
    "RAS": 68, "RPab": 34, "RPpb": 29, "RCab": 102, "RCpb": 97, "RPST": 0, "RRD": 16, "RTP": 12,
    "SR": 24, "WL": 14, "WPRE": 2, "WR": 29, "WTR": 16, "XP": 12, "XSR": 460, "RTRS": 1,
}

#: One x16 channel of an 8 Gb LPDDR4-3200 die (tCK 0.625 ns, BL16, 8 banks, no bank groups).
#: Timings: JEDEC JESD209-4B at 3200 MT/s (RL 28 / WL 14 nCK set A, tRCD 18 ns, tRPpb 18 ns,
#: tRPab 21 ns, tRAS 42 ns, tRRD 10 ns, tFAW 40 ns, tPPD 4 nCK, tWR 18 ns, tWTR 10 ns,
#: tRTP 7.5 ns, tRFCab 280 ns and tRFCpb 140 ns for 8 Gb per channel, tREFI 3.904 us,
#: tREFIpb = tREFI / 8 = 488 ns); currents (VDD1 1.8 V, VDD2 1.1 V rails; IDD0 3.5/45 mA,
#: IDD4R 2.25/275 mA, ...) as given in DRAMSys's JEDEC_8Gb_LPDDR4-3200_16bit.json
#: (tukl-msd/DRAMSys commit 3ff9a995, configs/memspec), the same IDD table as DRAMSys's
#: Micron-derived MICRON_6Gb_LPDDR4-3200_32bit_A.json. The model uses tRPpb/tRCpb for PRE/ACT,
#: tRPab for PREA, tRFCab for REF and tRFCpb for REFpb; tPPD, tCCDMW and the VDDQ currents are
#: kept but not modelled.
LPDDR4_3200 = Device(
    memory_type="LPDDR4", memory_id="JEDEC_8Gb_LPDDR4-3200_16bit",
    ranks=1, bank_groups=1, banks=8, rows=65536, columns=1024, width=16, devices=1,
    burst_length=16, data_rate=2, tck_s=625e-12,
    timings={
        **{k: v for k, v in _LPDDR4_3200_TIMINGS.items() if k not in ("CCD", "RRD", "WTR")},
        "CCD_S": 8, "CCD_L": 8, "RRD_S": 16, "RRD_L": 16, "WTR_S": 16, "WTR_L": 16,
        "RP": 29, "RC": 97, "RFC": 448, "CL": 28,
    },
    power={
        "idd01": 3.5e-3, "idd02": 45.0e-3, "idd0ql": 0.75e-3,
        "idd2n1": 2.0e-3, "idd2n2": 27.0e-3, "idd2nQ": 0.75e-3,
        "idd2ns1": 2.0e-3, "idd2ns2": 23.0e-3, "idd2nsq": 0.75e-3,
        "idd2p1": 1.2e-3, "idd2p2": 3.0e-3, "idd2pQ": 0.75e-3,
        "idd2ps1": 1.2e-3, "idd2ps2": 3.0e-3, "idd2psq": 0.75e-3,
        "idd3n1": 2.25e-3, "idd3n2": 30.0e-3, "idd3nQ": 0.75e-3,
        "idd3ns1": 2.25e-3, "idd3ns2": 30.0e-3, "idd3nsq": 0.75e-3,
        "idd3p1": 1.2e-3, "idd3p2": 9.0e-3, "idd3pQ": 0.75e-3,
        "idd3ps1": 1.2e-3, "idd3ps2": 9.0e-3, "idd3psq": 0.75e-3,
        "idd4r1": 2.25e-3, "idd4r2": 275.0e-3, "idd4rq": 150.0e-3,
        "idd4w1": 2.25e-3, "idd4w2": 210.0e-3, "idd4wq": 55.0e-3,
        "idd51": 10.0e-3, "idd52": 90.0e-3,
        "idd5ab1": 2.5e-3, "idd5ab2": 30.0e-3, "idd5abq": 0.75e-3,
        "idd5pb1": 2.5e-3, "idd5pb2": 30.0e-3, "idd5pbq": 0.75e-3, "idd5q": 0.75e-3,
        "idd61": 0.3e-3, "idd62": 0.5e-3, "idd6q": 0.1e-3,
        "vdd1": 1.8, "vdd2": 1.1, "vddq": 1.1, "iBeta_vdd1": 3.5e-3, "iBeta_vdd2": 45.0e-3,
        "vdd": 1.1, "idd0": 45.0e-3, "idd2n": 27.0e-3, "idd3n": 30.0e-3, "idd4r": 275.0e-3,
        "idd4w": 210.0e-3, "idd5": 90.0e-3,
        "vpp": 1.8, "ipp0": 3.5e-3, "ipp2n": 2.0e-3, "ipp3n": 2.25e-3, "ipp4r": 2.25e-3,
        "ipp4w": 2.25e-3, "ipp5B": 10.0e-3,
    },
    name="LPDDR4-3200",
    source=_DRAMSYS + "JEDEC_8Gb_LPDDR4-3200_16bit.json (commit 3ff9a995); JEDEC JESD209-4B",
)

#: presets by name; ``DDR4-2400`` is the default device
PRESETS: dict[str, Device] = {d.name: d for d in (DDR4_2400, DDR4_1866, DDR3_1600, LPDDR4_3200)}

DEFAULT_DEVICE = "DDR4-2400"
