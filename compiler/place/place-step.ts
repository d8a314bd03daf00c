/**
 * Places one training step on the mesh: picks the micro-batch (the largest that fits, unless the
 * workload fixes it), applies the activation policy, and maps every node (DESIGN §5). What cannot
 * fit comes back as a diagnostic naming the op, the limit, by how much, and what would make it fit.
 */

import type { HardwareConfig } from '../../hardware/hardware-config.ts';
import type { Diagnostic } from '../../models/diagnostics.ts';
import type { ModelConfig } from '../../models/model-config.ts';
import type { WeightMatrix } from '../../models/weights.ts';
import type { DataflowGraph, DataflowNode } from '../ir/graph.ts';
import { lowerTrainingStep } from '../lower/lower-step.ts';
import { residentBytesPerPe, spilledBytes } from './activation-memory.ts';
import { type NodePlacement, placeNode } from './place-node.ts';
import type { ActivationPolicy, MicroBatchProgram, PlacedProgram, Placement } from './placed-program.ts';
import { tokensPerPe } from './tile-matmul.ts';

export interface PlaceStepInput {
  readonly workload: string;
  readonly phase: string;
  readonly model: ModelConfig;
  readonly weights: readonly WeightMatrix[];
  readonly densities: ReadonlyMap<string, number>;
  readonly hardware: HardwareConfig;
  readonly activationPolicy: ActivationPolicy;
  /** Sequences per optimizer step. */
  readonly sequences: number;
  /** Sequences per micro-batch; undefined lets the compiler choose the largest that fits. */
  readonly microBatchSequences?: number;
}

export type PlaceStepResult =
  | { readonly ok: true; readonly program: PlacedProgram }
  | { readonly ok: false; readonly diagnostics: readonly Diagnostic[]; readonly overBytes: number };

type Infeasible = Extract<NodePlacement, { ok: false }>;

/** Memoizes placement by what it depends on: identical layers place identically. */
function placementKey(node: DataflowNode): string {
  return `${node.op}|${node.pass}|${node.shape.join('x')}|${node.density}|${node.role.startsWith('grad-out') ? node.bytes.streamedOut : ''}`;
}

function placeGraph(
  input: PlaceStepInput,
  graph: DataflowGraph,
  rowGroupsOf?: ReadonlyMap<string, number>,
): { ok: true; placements: Placement[] } | { ok: false; failure: Infeasible } {
  const { hardware: hw, model } = input;
  const residentBytes = residentBytesPerPe(
    model,
    input.activationPolicy,
    tokensPerPe(graph.tokens, hw.meshCols),
    hw.meshRows,
  );
  const ctx = { hw, model, residentBytes, ...(rowGroupsOf ? { rowGroupsOf } : {}) };
  const cache = new Map<string, NodePlacement>();
  const placements: Placement[] = [];
  for (const node of graph.nodes) {
    const key = placementKey(node);
    let placed = cache.get(key);
    if (!placed) {
      placed = placeNode(ctx, node);
      cache.set(key, placed);
    }
    if (!placed.ok) return { ok: false, failure: { ...placed, node: node.id } };
    placements.push(
      placed.placement.node === node.id ? placed.placement : { ...placed.placement, node: node.id },
    );
  }
  return { ok: true, placements };
}

function lowerFor(input: PlaceStepInput, sequences: number): DataflowGraph {
  return lowerTrainingStep({
    model: input.model,
    weights: input.weights,
    densities: input.densities,
    sequences,
    format: { valueBits: input.hardware.weightValueBits, indexBits: input.hardware.weightIndexBits },
  });
}

function infeasible(input: PlaceStepInput, failure: Infeasible, sequences: number): PlaceStepResult {
  return {
    ok: false,
    diagnostics: [infeasibleDiagnostic(input, failure, sequences)],
    overBytes: failure.neededBytes - failure.availableBytes,
  };
}

function infeasibleDiagnostic(input: PlaceStepInput, failure: Infeasible, sequences: number): Diagnostic {
  const { hardware: hw, model } = input;
  const kib = (b: number) => `${(b / 1024).toFixed(1)} KiB`;
  const over = failure.neededBytes - failure.availableBytes;
  const tpp = tokensPerPe(sequences * model.seqLen, hw.meshCols);
  const fixes: string[] = [];
  if (sequences > 1) fixes.push(`a micro-batch below ${sequences} sequences (batch.microBatchSequences)`);
  if (input.activationPolicy === 'keep') {
    const recompute = residentBytesPerPe(model, 'recompute', tpp, hw.meshRows);
    fixes.push(
      `activationPolicy "recompute" (resident activations ${kib(recompute)} instead of ${kib(residentBytesPerPe(model, 'keep', tpp, hw.meshRows))})`,
    );
  }
  fixes.push(`more PEs (hardware.meshRows × meshCols, now ${hw.meshRows} × ${hw.meshCols})`);
  fixes.push(`more SRAM per PE (hardware.sramBytesPerPe, now ${hw.sramBytesPerPe})`);
  fixes.push(`a shorter context (seqLen, now ${model.seqLen})`);
  return {
    code: 'infeasible',
    path: `${input.workload}: phase ${input.phase}: ${failure.node} (activation policy ${input.activationPolicy})`,
    message:
      `does not fit in SRAM at ${sequences} sequence${sequences === 1 ? '' : 's'} per micro-batch: needs ${kib(failure.neededBytes)} per PE ` +
      `(resident activations plus the smallest working set) but ` +
      (failure.availableBytes > 0
        ? `${kib(failure.availableBytes)} is available, ${kib(over)} over. `
        : `nothing is left: the ${hw.sramBytesPerPe} bytes of SRAM per PE are below the ${hw.reservedSramBytesPerPe} the program and its buffers reserve. `) +
      `To make it fit: ${fixes.join('; or ')}.`,
  };
}

export function placeStep(input: PlaceStepInput): PlaceStepResult {
  const stepGraph = lowerFor(input, input.sequences);
  const attempt = (sequences: number, rowGroupsOf?: ReadonlyMap<string, number>) => {
    const graph = lowerFor(input, sequences);
    return { graph, result: placeGraph(input, graph, rowGroupsOf) };
  };

  let micro = input.microBatchSequences;
  let placedMicro: { graph: DataflowGraph; placements: Placement[] } | undefined;
  if (micro !== undefined) {
    const { graph, result } = attempt(micro);
    if (!result.ok) return infeasible(input, result.failure, micro);
    placedMicro = { graph, placements: result.placements };
  } else {
    // Feasibility is monotone in the micro-batch (more tokens per PE never needs less SRAM):
    // binary search for the largest that fits.
    const one = attempt(1);
    if (!one.result.ok) return infeasible(input, one.result.failure, 1);
    let lo = 1;
    let best = { graph: one.graph, placements: one.result.placements };
    let hi = input.sequences;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      const tryMid = attempt(mid);
      if (tryMid.result.ok) {
        lo = mid;
        best = { graph: tryMid.graph, placements: tryMid.result.placements };
      } else {
        hi = mid - 1;
      }
    }
    // Balance the micro-batches: as many as the largest fit needs, as even as they can be, so a
    // small remainder does not stream every weight again for a handful of sequences.
    const count = Math.ceil(input.sequences / lo);
    micro = Math.ceil(input.sequences / count);
    if (micro !== lo) {
      const balanced = attempt(micro);
      if (!balanced.result.ok) return infeasible(input, balanced.result.failure, micro);
      best = { graph: balanced.graph, placements: balanced.result.placements };
    }
    placedMicro = best;
  }

  const full = Math.floor(input.sequences / micro);
  const remainder = input.sequences - full * micro;
  const spilled = (sequences: number) =>
    input.activationPolicy === 'spill' ? spilledBytes(input.model, sequences * input.model.seqLen) : 0;
  const microBatches: MicroBatchProgram[] = [
    {
      sequences: micro,
      count: full,
      graph: placedMicro.graph,
      placements: placedMicro.placements,
      spilledBytes: spilled(micro),
    },
  ];
  if (remainder > 0) {
    const rowGroups = new Map<string, number>();
    placedMicro.placements.forEach((p) => {
      if ('rowGroups' in p.tiling) rowGroups.set(p.node, p.tiling.rowGroups);
    });
    const { graph, result } = attempt(remainder, rowGroups);
    if (!result.ok) return infeasible(input, result.failure, remainder);
    microBatches.push({
      sequences: remainder,
      count: 1,
      graph,
      placements: result.placements,
      spilledBytes: spilled(remainder),
    });
  }
  const forwardLayerNodes = placedMicro.graph.nodes.filter(
    (n) => n.pass === 'forward' && n.layer !== null,
  ).length;
  return {
    ok: true,
    program: {
      workload: input.workload,
      phase: input.phase,
      hardware: input.hardware,
      activationPolicy: input.activationPolicy,
      stepGraph,
      microBatches,
      microBatchSequences: micro,
      recomputedNodes: input.activationPolicy === 'recompute' ? forwardLayerNodes : 0,
    },
  };
}
