/**
 * FLOP accounting with the sparse-training papers' conventions (DESIGN §3, cs2-facts §12):
 * 2 FLOPs per multiply-accumulate; per token forward = the per-layer linear layers at their
 * density + attention score and context products (dense, no causal halving) + the LM head
 * (dense); biases, LayerNorm, softmax, activations and embedding lookups count no FLOPs.
 * A training step is 3× its forward: backward-data and backward-weight each cost one forward
 * and both scale with density under static masks.
 */
import type { ModelConfig } from './model-config.ts';
import type { SparsitySpec } from './sparsity.ts';
import { layerWeights, matrixDensities, type WeightMatrix } from './weights.ts';

/** FLOPs (floating-point operations, 2 per MAC). A plain number: counts stay exact up to 2^53. */
export type Flops = number;

export const FLOPS_PER_MAC = 2;
/** Forward + backward-data + backward-weight (cs2-facts §12). */
export const TRAINING_PASSES = 3;

export interface FlopBreakdown {
  /** The per-layer linear layers (Q, K, V, attention output, FFN), at their density. */
  readonly sparseLinear: Flops;
  /** Attention score (Q·Kᵀ) and context (P·V) products: dense, no causal halving. */
  readonly attention: Flops;
  /** The LM head (dense). */
  readonly lmHead: Flops;
}

export interface FlopCount {
  readonly perToken: { readonly forward: Flops; readonly training: Flops };
  readonly perSequence: { readonly forward: Flops; readonly training: Flops };
  /** Training FLOPs per sequence, split by kind; the parts sum to `perSequence.training`. */
  readonly breakdown: FlopBreakdown;
}

/** Forward FLOPs per token of each part. `densities` gives each matrix's fraction of non-zeros. */
export function forwardFlopsPerToken(
  model: ModelConfig,
  weights: readonly WeightMatrix[],
  densities: ReadonlyMap<string, number>,
): FlopBreakdown {
  let sparseLinear = 0;
  for (const w of weights) {
    const density = densities.get(w.name) ?? 1;
    sparseLinear += FLOPS_PER_MAC * w.rows * w.cols * density;
  }
  const attention = FLOPS_PER_MAC * 2 * model.layers * model.seqLen * model.dModel;
  const lmHead = FLOPS_PER_MAC * model.dModel * model.vocab;
  return { sparseLinear, attention, lmHead };
}

function countFromForward(model: ModelConfig, forward: FlopBreakdown): FlopCount {
  const forwardPerToken = forward.sparseLinear + forward.attention + forward.lmHead;
  const perTokenTraining = TRAINING_PASSES * forwardPerToken;
  const n = model.seqLen;
  return {
    perToken: { forward: forwardPerToken, training: perTokenTraining },
    perSequence: { forward: forwardPerToken * n, training: perTokenTraining * n },
    breakdown: {
      sparseLinear: TRAINING_PASSES * forward.sparseLinear * n,
      attention: TRAINING_PASSES * forward.attention * n,
      lmHead: TRAINING_PASSES * forward.lmHead * n,
    },
  };
}

export interface FlopReport {
  readonly effective: FlopCount;
  readonly dense: FlopCount;
  /** Dense training FLOPs / effective training FLOPs (≥ 1). */
  readonly reduction: number;
  /** Fraction of the sparse matrices' weights that are non-zero. */
  readonly sparseDensity: number;
}

/**
 * FLOPs of one sequence and one token for a model under a sparsity spec. `densities` overrides the
 * per-matrix densities (e.g. measured from imported masks); by default they follow the spec.
 */
export function countFlops(
  model: ModelConfig,
  sparsity: SparsitySpec,
  densities?: ReadonlyMap<string, number>,
): FlopReport {
  const weights = layerWeights(model, sparsity);
  const effectiveDensities = densities ?? matrixDensities(weights, sparsity);
  const effective = countFromForward(model, forwardFlopsPerToken(model, weights, effectiveDensities));
  const dense = countFromForward(model, forwardFlopsPerToken(model, weights, new Map()));
  let sparseWeights = 0;
  let sparseNonZeros = 0;
  for (const w of weights) {
    if (!w.sparse) continue;
    sparseWeights += w.rows * w.cols;
    sparseNonZeros += w.rows * w.cols * (effectiveDensities.get(w.name) ?? 1);
  }
  return {
    effective,
    dense,
    reduction: dense.perSequence.training / effective.perSequence.training,
    sparseDensity: sparseWeights === 0 ? 1 : sparseNonZeros / sparseWeights,
  };
}
