/**
 * The dataflow graph of one training step: one immutable node type over a closed set of ops
 * (STYLE: tinygrad's UOp), edges for the tensors between them.
 */

/** The closed set of ops a training step lowers to. */
export const OPS = [
  'embedding', // token + position lookup (no FLOPs by convention)
  'layernorm',
  'linear', // Y = X·W with a streamed weight: Q, K, V, attention output, FFN; forward and backward-data
  'attn-scores', // S = Q·Kᵀ per head: activation × activation, dense, on-wafer
  'softmax',
  'attn-context', // O = P·V per head
  'residual',
  'activation', // GELU, or SwiGLU's gate ⊙ up
  'lm-head', // logits = X·Eᵀ, dense
  'loss', // softmax cross-entropy over the vocabulary
  'weight-grad', // dW = Xᵀ·dY, dense (LM head, LayerNorm γ/β, embedding)
  'sddmm', // dW = (Xᵀ·dY) ⊙ mask: one dot product over tokens per non-zero (backward-weight of a sparse linear)
  'grad-stream-out', // weight gradients leave the wafer for the off-wafer optimizer
  'optimizer', // the weight update in external memory (MemoryX): the step-boundary bubble
] as const;
export type Op = (typeof OPS)[number];

export const PASSES = ['forward', 'backward-data', 'backward-weight', 'optimizer'] as const;
export type Pass = (typeof PASSES)[number];

/** How an op's FLOPs are classed in the papers' accounting (DESIGN §3); `none` counts no FLOPs. */
export type FlopClass = 'sparseLinear' | 'attention' | 'lmHead' | 'none';

export interface NodeFlops {
  /** FLOPs if every weight were non-zero. */
  readonly dense: number;
  /** FLOPs on the non-zero weights only. */
  readonly effective: number;
}

export interface NodeBytes {
  /** Weight bytes streamed onto the wafer (values, plus indices for a sparse weight). */
  readonly streamedIn: number;
  /** Gradient bytes streamed off the wafer. */
  readonly streamedOut: number;
  /** Activation bytes this node produces on the wafer. */
  readonly activations: number;
}

export interface DataflowNode {
  /** Unique, readable: `L3.fwd.q`, `L3.bwd-data.softmax`, `head.bwd-weight.lm-head`. */
  readonly id: string;
  readonly op: Op;
  readonly pass: Pass;
  /** Transformer block index, or null for the embedding, head, loss and optimizer. */
  readonly layer: number | null;
  /** The node's role within its block (q, k, v, attnOut, ffnIn, ffnGate, ffnOut, ln1, …). */
  readonly role: string;
  /**
   * Dimensions. linear / lm-head / weight-grad / sddmm: [M, K, N] (tokens, in, out);
   * attn-scores / attn-context: [sequences, heads, seqLen, seqLen, dHead]; element-wise: [M, width];
   * grad-stream-out: [elements]; optimizer: [parameters].
   */
  readonly shape: readonly number[];
  readonly dtype: 'fp16' | 'fp32';
  /** The weight matrix the node reads or produces a gradient for (`layers.3.q`, `embedding`, `ln.3.1`). */
  readonly weight: string | null;
  /** Fraction of the weight's entries that are non-zero (1 for dense weights and weightless ops). */
  readonly density: number;
  readonly flopClass: FlopClass;
  readonly flops: NodeFlops;
  readonly bytes: NodeBytes;
}

export interface DataflowEdge {
  readonly from: string;
  readonly to: string;
  /** The tensor carried, e.g. `L3.x`, `L3.dy.q`. */
  readonly tensor: string;
}

export interface DataflowGraph {
  readonly model: string;
  /** Sequences in the step (the global batch) and tokens (sequences × seqLen). */
  readonly sequences: number;
  readonly tokens: number;
  readonly nodes: readonly DataflowNode[];
  readonly edges: readonly DataflowEdge[];
}
