/**
 * Rates derived from a `HardwareConfig`, in the units the compiler and simulator count in
 * (cycles, wavelets, elements). Each is arithmetic on the configured figures, nothing more.
 */
import type { HardwareConfig } from './hardware-config.ts';

/** Multiply-accumulates per PE per cycle at the configured accumulation precision. */
export function macsPerCycle(hw: HardwareConfig): number {
  return hw.accumulate === 'fp16' ? hw.fmacsPerCycle : hw.fmacsPerCycleFp32Accumulate;
}

/** Bytes of one accumulator element. */
export function accumulatorBytes(hw: HardwareConfig): number {
  return hw.accumulate === 'fp16' ? 2 : 4;
}

/**
 * Weight-stream bits per core cycle: the wafer I/O, unless MemoryX serves less (cs2-facts §5:
 * 1.2 Tb/s at 1.1 GHz ≈ 1091 bits per cycle). SwarmX broadcasts and reduces at line rate, so a
 * cluster keeps every system's rate.
 */
export function ioBitsPerCycle(hw: HardwareConfig): number {
  return Math.min(hw.ioBitsPerSecond, hw.memoryxBitsPerSecond ?? Number.POSITIVE_INFINITY) / hw.clockHz;
}

/** Levels of the SwarmX broadcast-reduce tree that reach `systems` systems (0 for one system). */
export function swarmxLevels(hw: HardwareConfig, systems: number): number {
  let levels = 0;
  for (let reach = 1; reach < systems; reach *= hw.swarmxFanout) levels++;
  return levels;
}

/** Streamed weights per cycle: a sparse non-zero carries its index, a dense weight does not. */
export function ioWeightsPerCycle(hw: HardwareConfig, sparse: boolean): number {
  return ioBitsPerCycle(hw) / (hw.weightValueBits + (sparse ? hw.weightIndexBits : 0));
}

export function meshPes(hw: HardwareConfig): number {
  return hw.meshRows * hw.meshCols;
}

export function cyclesToSeconds(hw: HardwareConfig, cycles: number): number {
  return cycles / hw.clockHz;
}

export function secondsToCycles(hw: HardwareConfig, seconds: number): number {
  return seconds * hw.clockHz;
}

/**
 * Wavelets each (input port, color) queue of a router, and each color's queue into a PE, holds:
 * as many as a link's round trip, so that a queue never limits a stream's rate by itself. The
 * SDK does not publish the depth; this is the smallest that keeps one wavelet per cycle moving
 * [DER], and the `wavelet` fabric and the `row` kernels both use it.
 */
export function fabricQueueWavelets(hw: HardwareConfig): number {
  return 2 * Math.max(hw.hopLatencyCycles, hw.rampLatencyCycles) + 2;
}

/**
 * Mesh rows one wafer I/O channel feeds: the host channels enter through routers on the east and
 * west edges, "spaced roughly 16 rows apart" (docs/cs2-facts.md §2) [OFF]. A row group's stream
 * is one per block of this many rows, each with its rows' share of the bandwidth.
 */
export const IO_CHANNEL_ROWS = 16;
