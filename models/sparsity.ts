/**
 * Which weights are sparse, how many non-zeros, in what pattern, from which source (DESIGN §2).
 * Sparsity is a fraction in [0, 1) everywhere in code; percent is only for printing.
 */
import { z } from 'zod';

/**
 * The weight matrices of one transformer block, by role. `ffnGate` exists only for SwiGLU.
 * Shapes are [in, out] (K × N in Y = X·W): q, k, v, attnOut [d, d]; ffnIn, ffnGate [d, dFF];
 * ffnOut [dFF, d].
 */
export const LAYER_WEIGHT_KINDS = ['q', 'k', 'v', 'attnOut', 'ffnIn', 'ffnGate', 'ffnOut'] as const;
export type LayerWeightKind = (typeof LAYER_WEIGHT_KINDS)[number];

/** SPDF / MediSwift / Model Zoo sparse configs: Q, K, V, attention output and the FFN matrices (cs2-facts §6, §8). */
export const DEFAULT_SPARSE_WEIGHTS: readonly LayerWeightKind[] = LAYER_WEIGHT_KINDS;

export type SparsityPattern =
  | { readonly kind: 'unstructured' }
  | { readonly kind: 'n:m'; readonly n: number; readonly m: number }
  | { readonly kind: 'block'; readonly blockRows: number; readonly blockCols: number };

const PATTERN_HELP = "'unstructured', 'N:M' with 0 < N < M (e.g. '2:4'), or 'block:RxC' (e.g. 'block:4x4')";

/** Parses the pattern string of a sparsity spec; undefined when it is not one of the accepted forms. */
export function parsePattern(text: string): SparsityPattern | undefined {
  if (text === 'unstructured') return { kind: 'unstructured' };
  const nm = /^(\d+):(\d+)$/.exec(text);
  if (nm) {
    const n = Number(nm[1]);
    const m = Number(nm[2]);
    return n > 0 && n < m ? { kind: 'n:m', n, m } : undefined;
  }
  const block = /^block:(\d+)x(\d+)$/.exec(text);
  if (block) {
    const blockRows = Number(block[1]);
    const blockCols = Number(block[2]);
    return blockRows > 0 && blockCols > 0 ? { kind: 'block', blockRows, blockCols } : undefined;
  }
  return undefined;
}

export function formatPattern(p: SparsityPattern): string {
  if (p.kind === 'unstructured') return 'unstructured';
  if (p.kind === 'n:m') return `${p.n}:${p.m}`;
  return `block:${p.blockRows}x${p.blockCols}`;
}

export const MaskSourceSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('random'),
    seed: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe('Seed of the mask streams; defaults to the workload seed'),
  }),
  z.strictObject({
    kind: z.literal('file'),
    path: z
      .string()
      .min(1)
      .describe(
        'A .safetensors file (zeros mark pruned weights) or a folder of .npy files, one per matrix, named like the matrix (layers.0.q.npy)',
      ),
    layout: z
      .enum(['out-in', 'in-out'])
      .default('out-in')
      .describe(
        "Axis order of each stored matrix: 'out-in' as PyTorch nn.Linear stores weights, or 'in-out'",
      ),
    names: z
      .enum(['wafersim', 'hf-llama', 'hf-gpt-neox'])
      .default('wafersim')
      .describe('How tensors are named in the file: wafersim (layers.{i}.q), or a Hugging Face convention'),
  }),
]);
export type MaskSource = z.infer<typeof MaskSourceSchema>;

export const SparsitySpecSchema = z
  .strictObject({
    level: z
      .number({ error: 'sparsity level must be a number: a fraction of zero weights in [0, 1), e.g. 0.75' })
      .min(0, { error: 'sparsity level must be in [0, 1) (a fraction of zero weights, e.g. 0.75, not 75)' })
      .lt(1, { error: 'sparsity level must be in [0, 1) (a fraction of zero weights, e.g. 0.75, not 75)' })
      .describe('Fraction of the sparse weights that are zero, in [0, 1)'),
    weights: z
      .array(z.enum(LAYER_WEIGHT_KINDS))
      .min(1)
      .default([...DEFAULT_SPARSE_WEIGHTS])
      .describe(
        'Which per-layer weight matrices are sparse; embeddings, LM head, LayerNorm and biases stay dense',
      ),
    pattern: z
      .string()
      .default('unstructured')
      .refine((t) => parsePattern(t) !== undefined, { error: `pattern must be ${PATTERN_HELP}` })
      .describe(`Where the zeros may fall: ${PATTERN_HELP}. N:M groups run along the input dimension`),
    distribution: z
      .enum(['uniform', 'erk'], { error: "distribution must be 'uniform' or 'erk'" })
      .default('uniform')
      .describe('Per-layer density: uniform (every sparse matrix at the level) or ERK (Evci et al. 2020)'),
    source: MaskSourceSchema.default({ kind: 'random' }).describe(
      'Random masks from a seed, or real masks from a file',
    ),
  })
  .superRefine((s, ctx) => {
    const p = parsePattern(s.pattern);
    if (p?.kind === 'n:m' && s.level > 0) {
      const implied = 1 - p.n / p.m;
      if (Math.abs(implied - s.level) > 1e-9) {
        ctx.addIssue({
          code: 'custom',
          path: ['level'],
          message: `pattern ${s.pattern} fixes the sparsity at ${implied}; set level to ${implied} or choose another pattern`,
        });
      }
    }
  });

export type SparsitySpecInput = z.input<typeof SparsitySpecSchema>;
export type SparsitySpec = z.infer<typeof SparsitySpecSchema>;

export const DENSE: SparsitySpec = SparsitySpecSchema.parse({ level: 0 });

export function sparsitySpec(level: number, rest: Omit<SparsitySpecInput, 'level'> = {}): SparsitySpec {
  return SparsitySpecSchema.parse({ ...rest, level });
}
