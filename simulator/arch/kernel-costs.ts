/**
 * Costs of the on-wafer kernels that are not GEMMs, and fixed SRAM reservations. No published
 * figure exists for any of these (cs2-facts has none): each is a parameter with a stated default
 * and the reasoning behind it, tagged [UNC]. Change them here; the reports show what they cost.
 * Keys are op names of the dataflow graph (compiler/ir/graph.ts); this leaf imports nothing.
 */
/**
 * Vector instructions per element of each element-wise kernel, each running at the width of the
 * configured arithmetic: FP32 (`@fadds`, 2 on WSE-2, 4 on WSE-3) when the kernels accumulate in
 * FP32 as training does, FP16 (`@faddh`/`@fmulh`, 4 and 8) otherwise (cs2-facts §2). [UNC] Counted for a
 * straightforward kernel: residual 1 add; LayerNorm 2 for the statistics + 4 to normalize, scale
 * and shift; softmax max, subtract, exp (≈ 4 with a polynomial), sum, scale; GELU's tanh
 * approximation ≈ 10; SwiGLU's SiLU ≈ 8 plus the gating multiply; loss = softmax + pick.
 * Backward-data of each costs about twice its forward (recomputing and chaining the terms).
 */
export const ELEMENTWISE_OPS_PER_ELEMENT: Readonly<Record<string, number>> = {
  embedding: 1,
  layernorm: 6,
  softmax: 8,
  residual: 1,
  activation: 10,
  loss: 9,
  'weight-grad': 2,
};
export const SWIGLU_OPS_PER_ELEMENT = 9;
export const BACKWARD_ELEMENTWISE_FACTOR = 2;

/** SRAM per PE held by the program, its stacks and runtime buffers (bytes). [UNC] */
export const RESERVED_SRAM_BYTES_PER_PE = 4096;
/** Depth of the queue that holds arriving weight wavelets on each PE (wavelets of 4 bytes). [UNC] */
export const WEIGHT_FIFO_WAVELETS = 64;
