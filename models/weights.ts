/**
 * The weight matrices of a model, each with its shape and its density under a sparsity spec.
 * The per-matrix density is where the per-layer distribution (uniform or ERK) is decided.
 */
import type { ModelConfig } from './model-config.ts';
import { LAYER_WEIGHT_KINDS, type LayerWeightKind, type SparsitySpec } from './sparsity.ts';

export interface WeightMatrix {
  /** Canonical name, e.g. `layers.3.ffnIn`; the key of its mask and its PRNG stream. */
  readonly name: string;
  readonly layer: number;
  readonly kind: LayerWeightKind;
  /** Input features (K in Y = X·W). */
  readonly rows: number;
  /** Output features (N). */
  readonly cols: number;
  /** Whether the sparsity spec makes this matrix sparse. */
  readonly sparse: boolean;
}

export function weightShape(model: ModelConfig, kind: LayerWeightKind): { rows: number; cols: number } {
  const d = model.dModel;
  switch (kind) {
    case 'q':
    case 'k':
    case 'v':
    case 'attnOut':
      return { rows: d, cols: d };
    case 'ffnIn':
    case 'ffnGate':
      return { rows: d, cols: model.dFF };
    case 'ffnOut':
      return { rows: model.dFF, cols: d };
  }
}

/** Weight kinds a block of this model has: SwiGLU adds the gate matrix. */
export function layerWeightKinds(model: ModelConfig): readonly LayerWeightKind[] {
  return LAYER_WEIGHT_KINDS.filter((k) => k !== 'ffnGate' || model.activation === 'swiglu');
}

/** Every per-layer weight matrix of the model, in layer order then kind order. */
export function layerWeights(model: ModelConfig, sparsity: SparsitySpec): WeightMatrix[] {
  const sparseKinds = new Set(sparsity.weights);
  const out: WeightMatrix[] = [];
  for (let layer = 0; layer < model.layers; layer++) {
    for (const kind of layerWeightKinds(model)) {
      const { rows, cols } = weightShape(model, kind);
      const sparse = sparsity.level > 0 && sparseKinds.has(kind);
      out.push({ name: `layers.${layer}.${kind}`, layer, kind, rows, cols, sparse });
    }
  }
  return out;
}

/**
 * Density (fraction of non-zeros, in (0, 1]) of each matrix, keyed by name. Uniform gives every
 * sparse matrix 1 − level. ERK (Evci et al. 2020, "Rigging the Lottery") gives density ∝
 * (rows + cols) / (rows · cols), scaled so the sparse matrices keep (1 − level) of their weights
 * in total; a matrix whose ERK density would exceed 1 is made dense and the rest rescaled.
 */
export function matrixDensities(
  weights: readonly WeightMatrix[],
  sparsity: SparsitySpec,
): Map<string, number> {
  const densities = new Map<string, number>();
  for (const w of weights) densities.set(w.name, w.sparse ? 1 - sparsity.level : 1);
  if (sparsity.distribution !== 'erk' || sparsity.level === 0) return densities;

  const sparse = weights.filter((w) => w.sparse);
  const targetNonZeros = sparse.reduce((acc, w) => acc + w.rows * w.cols, 0) * (1 - sparsity.level);
  const dense = new Set<string>();
  for (;;) {
    let denseParams = 0;
    let scaledParams = 0;
    for (const w of sparse) {
      if (dense.has(w.name)) denseParams += w.rows * w.cols;
      else scaledParams += w.rows + w.cols;
    }
    const epsilon = (targetNonZeros - denseParams) / scaledParams;
    let changed = false;
    for (const w of sparse) {
      if (dense.has(w.name)) continue;
      const density = (epsilon * (w.rows + w.cols)) / (w.rows * w.cols);
      if (density > 1) {
        dense.add(w.name);
        changed = true;
      }
    }
    if (changed) continue;
    for (const w of sparse) {
      densities.set(w.name, dense.has(w.name) ? 1 : (epsilon * (w.rows + w.cols)) / (w.rows * w.cols));
    }
    return densities;
  }
}
