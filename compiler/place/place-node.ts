/**
 * Maps one dataflow node onto the mesh: the kernel that runs it and its tiling (DESIGN §5).
 * An op that cannot fit returns the reason as data, never throws.
 */

import { ELEMENTWISE_COST_FIELD, type HardwareConfig } from '../../hardware/hardware-config.ts';
import { ioBitsPerCycle, macsPerCycle } from '../../hardware/machine-rates.ts';
import type { ModelConfig } from '../../models/model-config.ts';
import type { DataflowNode, Op } from '../ir/graph.ts';
import type { ElementwiseTiling, Placement } from './placed-program.ts';
import { chainLatencyCycles, chooseMatmulTiling, type MatmulProblem, tokensPerPe } from './tile-matmul.ts';

export interface PlaceContext {
  readonly hw: HardwareConfig;
  readonly model: ModelConfig;
  /** Activation bytes per PE resident under the policy. */
  readonly residentBytes: number;
  /** Row groups a node must keep (a remainder micro-batch reuses the main one's), by node id. */
  readonly rowGroupsOf?: ReadonlyMap<string, number>;
}

export type NodePlacement =
  | { readonly ok: true; readonly placement: Placement }
  | {
      readonly ok: false;
      readonly node: string;
      readonly neededBytes: number;
      readonly availableBytes: number;
    };

/** The matmul a node executes, or undefined if it is not one. */
export function matmulProblem(node: DataflowNode): MatmulProblem | undefined {
  const [m, k, n] = node.shape as [number, number, number];
  switch (node.op) {
    case 'linear':
    case 'lm-head': {
      // Backward-data is the same kernel on Wᵀ: the same non-zeros, K and N swapped.
      const transposed = node.pass === 'backward-data';
      return {
        kernel: 'streamed-gemm',
        m,
        k: transposed ? n : k,
        n: transposed ? k : n,
        density: node.density,
        transposed,
        fromIo: true,
      };
    }
    case 'sddmm':
      return { kernel: 'sddmm', m, k, n, density: node.density, transposed: false, fromIo: true };
    case 'weight-grad':
      return node.shape.length === 3
        ? { kernel: 'sddmm', m, k, n, density: 1, transposed: false, fromIo: true }
        : undefined;
    case 'attn-scores':
    case 'attn-context': {
      // Per token, one product against every position of its sequence over all heads: as a matmul
      // of M tokens × K = dModel features × N = seqLen positions, operands from the wafer.
      const [sequences, heads, seqLen, , dHead] = node.shape as [number, number, number, number, number];
      const tokens = sequences * seqLen;
      // Backward-data runs two products per forward one (dQ and dK, or dP and dV).
      const passes = node.pass === 'backward-data' ? 2 : 1;
      return {
        kernel: 'attention',
        m: tokens,
        k: heads * dHead,
        n: seqLen * passes,
        density: 1,
        transposed: false,
        fromIo: false,
      };
    }
    default:
      return undefined;
  }
}

/** Vector instructions per element of an element-wise op, from the hardware's kernel costs. */
function opsPerElementOf(hw: HardwareConfig, op: Op, activation: ModelConfig['activation']): number {
  if (op === 'activation') return activation === 'swiglu' ? hw.swigluOpsPerElement : hw.geluOpsPerElement;
  const field = ELEMENTWISE_COST_FIELD[op as keyof typeof ELEMENTWISE_COST_FIELD];
  if (field === undefined) throw new Error(`${op} is not an element-wise op`);
  return hw[field];
}

function elementwiseTiling(ctx: PlaceContext, node: DataflowNode): ElementwiseTiling {
  const { hw, model } = ctx;
  const tokens = node.shape[0]!;
  let width: number;
  if (node.op === 'softmax') width = node.shape[1]! * node.shape[3]!;
  else if (node.op === 'weight-grad') width = node.shape[1]!;
  else width = node.shape[1]!;
  const tpp = tokensPerPe(node.op === 'softmax' ? node.shape[0]! * node.shape[2]! : tokens, hw.meshCols);
  const base = opsPerElementOf(hw, node.op, model.activation);
  return {
    kernel: 'elementwise',
    elementsPerPe: tpp * Math.ceil(width / hw.meshRows),
    opsPerElement: node.pass === 'backward-data' ? base * hw.backwardElementwiseFactor : base,
    reducesAcrossRows: node.op === 'layernorm' || node.op === 'softmax' || node.op === 'loss',
  };
}

export function elementwiseCycles(
  hw: HardwareConfig,
  t: ElementwiseTiling,
  tokensPerPeCount: number,
): number {
  const vector = Math.ceil((t.elementsPerPe * t.opsPerElement) / macsPerCycle(hw)) + hw.taskOverheadCycles;
  return vector + (t.reducesAcrossRows ? chainLatencyCycles(hw, hw.meshRows) + tokensPerPeCount : 0);
}

export function placeNode(ctx: PlaceContext, node: DataflowNode): NodePlacement {
  const { hw } = ctx;
  const available = hw.sramBytesPerPe - hw.reservedSramBytesPerPe;
  const problem = matmulProblem(node);
  if (problem) {
    const choice = chooseMatmulTiling(hw, problem, ctx.residentBytes, ctx.rowGroupsOf?.get(node.id));
    if (!choice.ok) {
      return {
        ok: false,
        node: node.id,
        neededBytes: ctx.residentBytes + choice.smallestWorkingBytes,
        availableBytes: available,
      };
    }
    const { best, runnerUp } = choice;
    const t = best.tiling;
    const vs = runnerUp
      ? `; next best G=${runnerUp.tiling.rowGroups} at ${Math.round(runnerUp.cycles)} cycles`
      : '';
    return {
      ok: true,
      placement: {
        node: node.id,
        tiling: t,
        sram: {
          residentBytes: ctx.residentBytes,
          workingBytes: best.workingBytes,
          totalBytes: ctx.residentBytes + best.workingBytes,
        },
        estimatedCycles: best.cycles,
        boundBy: best.boundBy,
        why:
          `G=${t.rowGroups} (${t.rowsPerGroup} rows × k-slice ${t.kSlice}) fastest of ${choice.feasible} feasible: ` +
          `${best.boundBy}-bound, ${Math.round(best.cycles)} cycles${vs}`,
        candidates: { considered: choice.considered, feasible: choice.feasible },
      },
    };
  }
  const sram = (workingBytes: number) => ({
    residentBytes: ctx.residentBytes,
    workingBytes,
    totalBytes: ctx.residentBytes + workingBytes,
  });
  if (node.op === 'grad-stream-out' || (node.op === 'embedding' && node.pass === 'forward')) {
    const out = node.op === 'grad-stream-out';
    const bytes = out ? node.bytes.streamedOut : node.bytes.streamedIn;
    const cycles = (bytes * 8) / ioBitsPerCycle(hw);
    return {
      ok: true,
      placement: {
        node: node.id,
        tiling: { kernel: out ? 'stream-out' : 'stream-in', bytes },
        sram: sram(0),
        estimatedCycles: cycles,
        boundBy: 'io',
        why: `${bytes} bytes over the wafer I/O at ${hw.ioBitsPerSecond / 1e12} Tb/s`,
        candidates: { considered: 1, feasible: 1 },
      },
    };
  }
  if (node.op === 'optimizer') {
    return {
      ok: true,
      placement: {
        node: node.id,
        tiling: { kernel: 'optimizer-bubble', seconds: hw.stepBubbleSeconds },
        sram: sram(0),
        estimatedCycles: hw.stepBubbleSeconds * hw.clockHz,
        boundBy: 'overhead',
        why: 'the weight update runs off-wafer; the step waits for it (stepBubbleSeconds)',
        candidates: { considered: 1, feasible: 1 },
      },
    };
  }
  const tiling = elementwiseTiling(ctx, node);
  const workingBytes = tiling.elementsPerPe * 2;
  if (ctx.residentBytes + workingBytes > available) {
    return {
      ok: false,
      node: node.id,
      neededBytes: ctx.residentBytes + workingBytes,
      availableBytes: available,
    };
  }
  const tpp = tokensPerPe(node.shape[0]!, hw.meshCols);
  return {
    ok: true,
    placement: {
      node: node.id,
      tiling,
      sram: sram(workingBytes),
      estimatedCycles: elementwiseCycles(hw, tiling, tpp),
      boundBy: tiling.reducesAcrossRows ? 'reduction' : 'compute',
      why: `element-wise over ${tiling.elementsPerPe} elements per PE, ${tiling.opsPerElement} vector ops each`,
      candidates: { considered: 1, feasible: 1 },
    },
  };
}
