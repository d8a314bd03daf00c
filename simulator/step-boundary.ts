/**
 * The step boundary (DESIGN §5; cs2-facts §5: weight fetches are pipelined with compute, "the
 * only bubble is at the iteration boundary"). Between two optimizer steps nothing overlaps:
 *   - the last weight gradients leave the wafer (earlier ones overlapped the next op's compute);
 *   - in a cluster they climb the SwarmX reduce tree, and the first updated weights of the next
 *     step come back down the broadcast tree: one tree latency each way;
 *   - the fixed pause `stepBubbleSeconds`: MemoryX applies the update and the runtime starts the
 *     next step (calibrated: see `wafersim validate`).
 * Each part is a number of core cycles; the step assembly charges their sum to `bubble`.
 */
import type { HardwareConfig } from '../hardware/hardware-config.ts';
import { ioBitsPerCycle, secondsToCycles, swarmxLevels } from '../hardware/machine-rates.ts';

export interface StepBoundary {
  /** The last gradients of the step streaming out over the wafer I/O. */
  readonly lastGradientsCycles: number;
  /** SwarmX: reduce up and broadcast down the tree (0 for one system). */
  readonly clusterCycles: number;
  /** The fixed pause of every step. */
  readonly fixedCycles: number;
}

export function stepBoundary(hw: HardwareConfig, systems: number, lastGradientBytes: number): StepBoundary {
  return {
    lastGradientsCycles: (lastGradientBytes * 8) / ioBitsPerCycle(hw),
    clusterCycles: secondsToCycles(hw, 2 * swarmxLevels(hw, systems) * hw.swarmxHopLatencySeconds),
    fixedCycles: secondsToCycles(hw, hw.stepBubbleSeconds),
  };
}

export function boundaryCycles(b: StepBoundary): number {
  return b.lastGradientsCycles + b.clusterCycles + b.fixedCycles;
}
