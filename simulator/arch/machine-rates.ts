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

/** Wafer I/O bits per core cycle (cs2-facts §5: 1.2 Tb/s at 1.1 GHz ≈ 1091 bits per cycle). */
export function ioBitsPerCycle(hw: HardwareConfig): number {
  return hw.ioBitsPerSecond / hw.clockHz;
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
