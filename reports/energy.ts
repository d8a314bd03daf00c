/**
 * First-order energy (DESIGN §8): the simulator's counters times a table of energies, the table
 * being hardware fields a what-if can change. Per system and step:
 *
 *   E = staticPowerWattsPerPe × PEs × stepSeconds + energyPerMacPicojoules × MACs issued
 *       + energyPerWaveletHopPicojoules × wavelet-hops + energyPerIoBitPicojoules × I/O bits
 *
 * and a cluster's step is that times its systems. The CS-2's static power and energy per MAC are
 * derived, not guessed: with power linear in the MAC rate, two reports fix both
 * (data/cs2-power.json): E1, an FP32 GEMM on 750 × 750 PEs at 349.0 TFLOP/s and 79.66 GFLOP/s/W;
 * E2, 30 mW per PE at peak. The assumptions, each [UNC]: E1's watts are the wafer's; E2's peak is
 * every PE of the mesh at its peak FP32-accumulate MAC rate; a training MAC (FP16 × FP16 → FP32)
 * costs what an FP32 FMAC does; the fabric's and memory's energy scale with the MACs as in E1.
 * Two points, two parameters: the derivation is exact and nothing is held out, so the energies
 * are estimates with no validation (the reports say so). I/O energy has no source and is 0.
 */
import { readFileSync } from 'node:fs';
import type { HardwareConfig } from '../hardware/hardware-config.ts';
import { macsPerCycle, meshPes } from '../hardware/machine-rates.ts';
import type { Counters } from '../simulator/counters.ts';
import { count, percent, ratio, si } from './format-values.ts';

export interface PowerPoints {
  readonly points: readonly [
    { readonly id: string; readonly tflops: number; readonly gflopsPerWatt: number; readonly source: string },
    { readonly id: string; readonly wattsPerPe: number; readonly source: string },
  ];
}

export function loadPowerPoints(): PowerPoints {
  const url = new URL('../data/cs2-power.json', import.meta.url);
  return JSON.parse(readFileSync(url, 'utf8')) as PowerPoints;
}

/**
 * Static power per PE and energy per MAC through the two points, for the machine `hw` (its mesh
 * and MAC rate): E1's static power is the whole mesh's, shared by its PEs.
 */
export function deriveEnergyTable(
  hw: HardwareConfig,
  data: PowerPoints = loadPowerPoints(),
): { staticPowerWattsPerPe: number; energyPerMacPicojoules: number } {
  const [gemm, peak] = data.points;
  const gemmWatts = (gemm.tflops * 1e12) / (gemm.gflopsPerWatt * 1e9);
  const gemmMacsPerSecond = (gemm.tflops * 1e12) / 2;
  const peakWatts = meshPes(hw) * peak.wattsPerPe;
  const peakMacsPerSecond = meshPes(hw) * hw.fmacsPerCycleFp32Accumulate * hw.clockHz;
  const joulesPerMac = (peakWatts - gemmWatts) / (peakMacsPerSecond - gemmMacsPerSecond);
  return {
    staticPowerWattsPerPe: (gemmWatts - joulesPerMac * gemmMacsPerSecond) / meshPes(hw),
    energyPerMacPicojoules: joulesPerMac * 1e12,
  };
}

export interface StepEnergy {
  /** Joules of one step of the whole cluster, and its parts. */
  readonly joules: number;
  readonly staticJoules: number;
  readonly macJoules: number;
  readonly fabricJoules: number;
  readonly ioJoules: number;
}

/** The energy of one step: one system's counters over `seconds`, times the cluster's systems. */
export function stepEnergy(
  hw: HardwareConfig,
  counters: Counters,
  seconds: number,
  systems: number,
): StepEnergy {
  const staticJoules = systems * hw.staticPowerWattsPerPe * meshPes(hw) * seconds;
  const macJoules = systems * hw.energyPerMacPicojoules * 1e-12 * counters.macsIssued;
  const fabricJoules = systems * hw.energyPerWaveletHopPicojoules * 1e-12 * counters.fabricWavelets;
  const ioJoules = systems * hw.energyPerIoBitPicojoules * 1e-12 * 8 * (counters.bytesIn + counters.bytesOut);
  return {
    joules: staticJoules + macJoules + fabricJoules + ioJoules,
    staticJoules,
    macJoules,
    fabricJoules,
    ioJoules,
  };
}

/** Power of one system at its peak MAC rate under the table (a check of the derivation: E2). */
export function peakPowerWatts(hw: HardwareConfig): number {
  return (
    meshPes(hw) *
    (hw.staticPowerWattsPerPe + hw.energyPerMacPicojoules * 1e-12 * macsPerCycle(hw) * hw.clockHz)
  );
}

/** What the energy figures of a report are, said once for report.md and report.html. */
export const ENERGY_CAVEAT =
  "The simulator's counters times the hardware's energy table: static power per PE × PEs × step time, plus " +
  'MACs issued × energy per MAC (and wavelet-hops and I/O bits, 0 unless set). The CS-2 table is derived ' +
  'exactly from two third-party figures (data/cs2-power.json: an FP32 GEMM at 349 TFLOP/s and 79.66 GFLOP/s/W, ' +
  'and 30 mW per PE at peak), so these are estimates with nothing held out to validate them; the I/O to MemoryX ' +
  'is not counted.';

/** A phase's energy figures as the report tables print them. */
export function formatEnergy(e: {
  readonly stepJoules: number;
  readonly denseStepJoules: number;
  readonly savings: number;
  readonly joulesPerToken: number;
  readonly tokensPerJoule: number;
  readonly trainKilowattHours: number;
  readonly denseTrainKilowattHours: number;
  readonly staticJoules: number;
}) {
  return {
    step: si(e.stepJoules, 'J'),
    denseStep: si(e.denseStepJoules, 'J'),
    saving: ratio(e.savings),
    perToken: si(e.joulesPerToken, 'J'),
    tokensPerJoule: si(e.tokensPerJoule),
    train: `${count(e.trainKilowattHours)} kWh`,
    denseTrain: `${count(e.denseTrainKilowattHours)} kWh`,
    staticShare: percent(e.staticJoules / e.stepJoules),
  };
}
