/**
 * The result of placement: every node of the dataflow graph mapped onto the mesh, with the tiling
 * chosen, the SRAM it uses, the limit that bounds it and why it won (DESIGN §5).
 */
import type { HardwareConfig } from '../../hardware/hardware-config.ts';
import type { DataflowGraph } from '../ir/graph.ts';

export type ActivationPolicy = 'keep' | 'recompute' | 'spill';

/** What limits a kernel's speed in the compiler's cost model. */
export type BoundingLimit = 'compute' | 'reduction' | 'io' | 'broadcast' | 'overhead';

/**
 * A streamed GEMM (forward and backward-data of a linear, the LM head), an SDDMM
 * (backward-weight) or an on-wafer dense product (attention): tokens split across the mesh
 * columns, the mesh rows divided into `rowGroups` groups that each own a share of the output
 * columns, the reduced dimension split in k-slices across the rows of a group.
 */
export interface MatmulTiling {
  readonly kernel: 'streamed-gemm' | 'sddmm' | 'attention';
  /** Tokens (M), reduced dimension (K) and output columns (N) of the product as executed. */
  readonly m: number;
  readonly k: number;
  readonly n: number;
  /** Fraction of non-zero weights. */
  readonly density: number;
  /** Whether the weight is read transposed (backward-data streams Wᵀ). */
  readonly transposed: boolean;
  /** Whether operands arrive over the wafer I/O (streamed weights) or come from the wafer (attention). */
  readonly fromIo: boolean;
  readonly rowGroups: number;
  readonly rowsPerGroup: number;
  /** Elements of K per PE row. */
  readonly kSlice: number;
  /** Output columns each group processes, one after the other. */
  readonly colsPerGroup: number;
  /** Tokens held by each PE (mesh columns used = ceil(m / tokensPerPe)). */
  readonly tokensPerPe: number;
  readonly activeCols: number;
  /** Accumulators (GEMM) or output-gradient column buffers (SDDMM) per PE. */
  readonly buffers: number;
}

export interface ElementwiseTiling {
  readonly kernel: 'elementwise';
  /** Elements each PE processes. */
  readonly elementsPerPe: number;
  /** Vector instructions per element (the hardware's `…OpsPerElement` kernel costs). */
  readonly opsPerElement: number;
  /** Whether the op reduces across a token's features (LayerNorm, softmax, loss): a column reduction. */
  readonly reducesAcrossRows: boolean;
}

export interface IoTiling {
  readonly kernel: 'stream-out' | 'stream-in';
  readonly bytes: number;
}

export interface BubbleTiling {
  readonly kernel: 'optimizer-bubble';
  readonly seconds: number;
}

export type Tiling = MatmulTiling | ElementwiseTiling | IoTiling | BubbleTiling;

export interface SramUse {
  /** Activations resident across the step under the activation policy (bytes per PE). */
  readonly residentBytes: number;
  /** This kernel's operands, accumulators and buffers (bytes per PE). */
  readonly workingBytes: number;
  readonly totalBytes: number;
}

export interface Placement {
  readonly node: string;
  readonly tiling: Tiling;
  readonly sram: SramUse;
  /** The compiler's analytical estimate (cycles); the simulator measures the real cost. */
  readonly estimatedCycles: number;
  readonly boundBy: BoundingLimit;
  /** One line: why this tiling won (e.g. "G=8 of 12 feasible: reduction 46k < compute 68k cycles"). */
  readonly why: string;
  /** Tilings considered and how many fit. */
  readonly candidates: { readonly considered: number; readonly feasible: number };
}

export interface MicroBatchProgram {
  /** Sequences in this micro-batch. */
  readonly sequences: number;
  /** How many micro-batches of this size a step runs. */
  readonly count: number;
  readonly graph: DataflowGraph;
  readonly placements: readonly Placement[];
  /** Activation bytes this micro-batch sends out and back over the I/O (spill policy; else 0). */
  readonly spilledBytes: number;
}

export interface PlacedProgram {
  readonly workload: string;
  readonly phase: string;
  readonly hardware: HardwareConfig;
  readonly activationPolicy: ActivationPolicy;
  /** The whole step's graph (global batch): FLOPs per step come from here. */
  readonly stepGraph: DataflowGraph;
  /** Micro-batches of the step: one entry, or two when the batch is not a multiple of the micro-batch. */
  readonly microBatches: readonly MicroBatchProgram[];
  readonly microBatchSequences: number;
  /** Forward nodes of the blocks that run again before their backward (recompute policy; else 0). */
  readonly recomputedNodes: number;
}
