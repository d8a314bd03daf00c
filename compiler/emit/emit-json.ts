/**
 * `compile --emit json` (DESIGN §9): one compiled phase as plain data: the step graph (global batch,
 * FLOPs per step) with each node's placement from the first micro-batch, keys in a fixed order.
 * Numbers stay numbers; nothing here formats for people.
 */
import type { DataflowGraph, NodeBytes, NodeFlops, Op, Pass } from '../ir/graph.ts';
import type { CompiledPhase } from '../pipeline.ts';
import { estimateStepCycles } from '../place/choose-policy.ts';
import type { ActivationPolicy, BoundingLimit, Placement, SramUse, Tiling } from '../place/placed-program.ts';

/** A placement flattened: the kernel and its tiling fields, then what it costs. */
export type PlacementJson = Tiling & {
  readonly sram: SramUse;
  readonly estimatedCycles: number;
  readonly boundBy: BoundingLimit;
  readonly why: string;
  readonly candidates: { readonly considered: number; readonly feasible: number };
};

export interface NodeJson {
  readonly id: string;
  readonly op: Op;
  readonly pass: Pass;
  readonly layer: number | null;
  readonly role: string;
  readonly shape: readonly number[];
  readonly dtype: 'fp16' | 'fp32';
  readonly weight: string | null;
  readonly density: number;
  readonly flops: NodeFlops;
  readonly bytes: NodeBytes;
  /** How the first micro-batch runs this node (absent only if that graph lacks the id). */
  readonly placement?: PlacementJson;
}

export interface ProgramJson {
  readonly workload: string;
  readonly phase: string;
  /** Sparsity level the step was compiled at, a fraction in [0, 1). */
  readonly level: number;
  readonly model: string;
  /** Systems in data parallel; the graph is one system's step. */
  readonly systems: number;
  /** Sequences and tokens of one optimizer step on one system (the global batch / systems). */
  readonly sequences: number;
  readonly tokens: number;
  readonly microBatchSequences: number;
  readonly microBatches: readonly { readonly sequences: number; readonly count: number }[];
  readonly activationPolicy: ActivationPolicy;
  readonly hardware: string;
  readonly totals: {
    readonly flops: NodeFlops;
    /** The compiler's estimate of one step (placements × counts, plus the policy's costs). */
    readonly estimatedStepCycles: number;
  };
  readonly nodes: readonly NodeJson[];
  readonly edges: readonly { readonly from: string; readonly to: string; readonly tensor: string }[];
}

function placementJson(p: Placement): PlacementJson {
  return {
    ...p.tiling,
    sram: {
      residentBytes: p.sram.residentBytes,
      workingBytes: p.sram.workingBytes,
      totalBytes: p.sram.totalBytes,
    },
    estimatedCycles: p.estimatedCycles,
    boundBy: p.boundBy,
    why: p.why,
    candidates: { considered: p.candidates.considered, feasible: p.candidates.feasible },
  };
}

/** Dense and effective FLOPs summed over a graph's nodes. */
export function graphFlops(graph: DataflowGraph): NodeFlops {
  let dense = 0;
  let effective = 0;
  for (const n of graph.nodes) {
    dense += n.flops.dense;
    effective += n.flops.effective;
  }
  return { dense, effective };
}

export function emitProgramJson(compiled: CompiledPhase): ProgramJson {
  const { program } = compiled;
  const graph = program.stepGraph;
  // Micro-batch graphs carry the same node ids as the step graph; only M differs.
  const placements = new Map((program.microBatches[0]?.placements ?? []).map((p) => [p.node, p]));
  const nodes = graph.nodes.map((n): NodeJson => {
    const placement = placements.get(n.id);
    return {
      id: n.id,
      op: n.op,
      pass: n.pass,
      layer: n.layer,
      role: n.role,
      shape: [...n.shape],
      dtype: n.dtype,
      weight: n.weight,
      density: n.density,
      flops: { dense: n.flops.dense, effective: n.flops.effective },
      bytes: {
        streamedIn: n.bytes.streamedIn,
        streamedOut: n.bytes.streamedOut,
        activations: n.bytes.activations,
      },
      ...(placement ? { placement: placementJson(placement) } : {}),
    };
  });
  return {
    workload: program.workload,
    phase: program.phase,
    level: compiled.level,
    model: graph.model,
    systems: compiled.systems,
    sequences: graph.sequences,
    tokens: graph.tokens,
    microBatchSequences: program.microBatchSequences,
    microBatches: program.microBatches.map((mb) => ({ sequences: mb.sequences, count: mb.count })),
    activationPolicy: program.activationPolicy,
    hardware: program.hardware.name,
    totals: { flops: graphFlops(graph), estimatedStepCycles: estimateStepCycles(program) },
    nodes,
    edges: graph.edges.map((e) => ({ from: e.from, to: e.to, tensor: e.tensor })),
  };
}
