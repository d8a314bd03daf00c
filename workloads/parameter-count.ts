/**
 * Parameter counts of a model shape, for token budgets set by a tokens-per-parameter rule.
 */
import type { ModelConfig } from '../models/model-config.ts';

/**
 * Weights of the shape: per block 4·d² attention (Q, K, V, output) and 2 (GELU) or 3 (SwiGLU)
 * FFN matrices of d·dFF; token embeddings V·d; an untied LM head V·d more; learned positions
 * seqLen·d for GPT-style (GELU) models, none for Llama-style (SwiGLU) models, which use rotary
 * positions. Biases and norms are left out (< 0.1% of these shapes).
 * gpt3-xl → 1.315e9 (published "1.3B"), gpt2-small → 1.25e8 ("125M"), llama2-7b → 6.74e9.
 */
export function countParameters(model: ModelConfig): number {
  const d = model.dModel;
  const ffnMatrices = model.activation === 'swiglu' ? 3 : 2;
  const blocks = model.layers * (4 * d * d + ffnMatrices * d * model.dFF);
  const embeddings = model.vocab * d;
  const lmHead = model.tiedEmbeddings ? 0 : model.vocab * d;
  const positions = model.activation === 'gelu' ? model.seqLen * d : 0;
  return blocks + embeddings + lmHead + positions;
}

/** `x` rounded to `digits` significant digits: 2.63e10 → 2.6e10. */
export function roundToSignificant(x: number, digits: number): number {
  return Number(x.toPrecision(digits));
}

/** 2.6e10 → '26B', 7.1e7 → '71M'; for descriptions. */
export function formatCount(n: number): string {
  if (n >= 1e9) return `${Number((n / 1e9).toPrecision(3))}B`;
  if (n >= 1e6) return `${Number((n / 1e6).toPrecision(3))}M`;
  if (n >= 1e3) return `${Number((n / 1e3).toPrecision(3))}k`;
  return String(n);
}
