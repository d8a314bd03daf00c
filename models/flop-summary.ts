/**
 * The `flops` summary (DESIGN §9 `flops --json`): FLOPs per token, per sequence (forward and
 * training), the breakdown, the dense equivalent, the reduction and, for a token budget, totals.
 */
import { countFlops, type FlopBreakdown, type Flops } from './flops.ts';
import type { ModelConfig } from './model-config.ts';
import type { SparsitySpec } from './sparsity.ts';

export interface FlopSummary {
  readonly model: string;
  /** Sparsity level of the sparse matrices, a fraction in [0, 1). */
  readonly sparsity: number;
  readonly seqLen: number;
  readonly perToken: { readonly forward: Flops; readonly training: Flops };
  readonly perSequence: { readonly forward: Flops; readonly training: Flops };
  /** Training FLOPs per sequence by kind (sums to perSequence.training). */
  readonly breakdown: FlopBreakdown;
  readonly dense: {
    readonly perToken: { readonly forward: Flops; readonly training: Flops };
    readonly perSequence: { readonly forward: Flops; readonly training: Flops };
    readonly breakdown: FlopBreakdown;
  };
  /** Dense training FLOPs / effective training FLOPs. */
  readonly reduction: number;
  /** Training FLOPs for a token budget, when one is given. */
  readonly total?: { readonly tokens: number; readonly training: Flops; readonly denseTraining: Flops };
}

export function summarizeFlops(
  model: ModelConfig,
  sparsity: SparsitySpec,
  options: { tokens?: number; densities?: ReadonlyMap<string, number> } = {},
): FlopSummary {
  const report = countFlops(model, sparsity, options.densities);
  const { effective, dense } = report;
  const summary: FlopSummary = {
    model: model.name,
    sparsity: sparsity.level,
    seqLen: model.seqLen,
    perToken: effective.perToken,
    perSequence: effective.perSequence,
    breakdown: effective.breakdown,
    dense: { perToken: dense.perToken, perSequence: dense.perSequence, breakdown: dense.breakdown },
    reduction: report.reduction,
  };
  if (options.tokens === undefined) return summary;
  return {
    ...summary,
    total: {
      tokens: options.tokens,
      training: effective.perToken.training * options.tokens,
      denseTraining: dense.perToken.training * options.tokens,
    },
  };
}
