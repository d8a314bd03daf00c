/**
 * Where each weight matrix's mask sits in a mask file, under the naming conventions a `MaskSource`
 * may declare: wafersim's canonical names, Hugging Face Llama, and Hugging Face GPT-NeoX, whose
 * Q, K and V share one fused tensor that is split per head here.
 */
import type { LayerWeightKind, MaskSource } from '../sparsity.ts';
import type { WeightMatrix } from '../weights.ts';
import { type BitMask, createBitMask, getBit, setBit } from './bit-mask.ts';

export type MaskNames = Extract<MaskSource, { kind: 'file' }>['names'];

/**
 * A matrix's tensor: its own, or one of the three parts of a fused QKV tensor. `names` are the
 * accepted spellings, the first being the one messages show.
 */
export type MaskTensorRef =
  | { readonly kind: 'own'; readonly names: readonly string[] }
  | { readonly kind: 'fused-qkv'; readonly names: readonly string[]; readonly part: 0 | 1 | 2 }
  | { readonly kind: 'none'; readonly reason: string };

const HF_LLAMA: Readonly<Record<LayerWeightKind, string>> = {
  q: 'self_attn.q_proj',
  k: 'self_attn.k_proj',
  v: 'self_attn.v_proj',
  attnOut: 'self_attn.o_proj',
  ffnIn: 'mlp.up_proj',
  ffnGate: 'mlp.gate_proj',
  ffnOut: 'mlp.down_proj',
};

const HF_GPT_NEOX: Readonly<Record<Exclude<LayerWeightKind, 'q' | 'k' | 'v' | 'ffnGate'>, string>> = {
  attnOut: 'attention.dense',
  ffnIn: 'mlp.dense_h_to_4h',
  ffnOut: 'mlp.dense_4h_to_h',
};

/** Hugging Face checkpoints name parameters with the model prefix; a bare base model drops it. */
function withAndWithoutPrefix(prefix: string, rest: string): string[] {
  return [`${prefix}.${rest}`, rest];
}

export function maskTensorRef(names: MaskNames, weight: WeightMatrix): MaskTensorRef {
  const { layer, kind } = weight;
  switch (names) {
    case 'wafersim':
      return { kind: 'own', names: [weight.name, `${weight.name}.weight`] };
    case 'hf-llama':
      return {
        kind: 'own',
        names: withAndWithoutPrefix('model', `layers.${layer}.${HF_LLAMA[kind]}.weight`),
      };
    case 'hf-gpt-neox': {
      if (kind === 'q' || kind === 'k' || kind === 'v') {
        const part = kind === 'q' ? 0 : kind === 'k' ? 1 : 2;
        const fused = withAndWithoutPrefix('gpt_neox', `layers.${layer}.attention.query_key_value.weight`);
        return { kind: 'fused-qkv', names: fused, part };
      }
      if (kind === 'ffnGate') {
        return {
          kind: 'none',
          reason: 'GPT-NeoX models have no FFN gate (they use GELU); this model is SwiGLU',
        };
      }
      return {
        kind: 'own',
        names: withAndWithoutPrefix('gpt_neox', `layers.${layer}.${HF_GPT_NEOX[kind]}.weight`),
      };
    }
  }
}

/** The convention a file's tensor names look like, for a hint when nothing matched. */
export function guessMaskNames(available: readonly string[]): MaskNames | undefined {
  if (available.some((n) => /\.self_attn\.[qkvo]_proj\b/.test(n) || /\.mlp\.(up|gate|down)_proj\b/.test(n))) {
    return 'hf-llama';
  }
  if (available.some((n) => /(^|\.)gpt_neox\.|\.attention\.query_key_value\b/.test(n))) return 'hf-gpt-neox';
  if (available.some((n) => /^layers\.\d+\.(q|k|v|attnOut|ffnIn|ffnGate|ffnOut)(\.weight)?$/.test(n)))
    return 'wafersim';
  return undefined;
}

/**
 * Q, K and V from GPT-NeoX's fused query_key_value mask, given as [K = d, N = 3d]. Its outputs are
 * grouped per head, (q_h, k_h, v_h) blocks of dHead outputs each, which is how GPTNeoXAttention
 * views them (`qkv.view(..., heads, 3 * head_size)`).
 */
export function splitFusedQkv(fused: BitMask, heads: number): [BitMask, BitMask, BitMask] {
  if (!Number.isSafeInteger(heads) || heads <= 0 || fused.cols % (3 * heads) !== 0) {
    throw new Error(`cannot split a fused QKV mask with ${fused.cols} outputs into 3 × ${heads} heads`);
  }
  const cols = fused.cols / 3;
  const headSize = cols / heads;
  const parts: [BitMask, BitMask, BitMask] = [
    createBitMask(fused.rows, cols),
    createBitMask(fused.rows, cols),
    createBitMask(fused.rows, cols),
  ];
  for (let row = 0; row < fused.rows; row++) {
    for (let out = 0; out < fused.cols; out++) {
      if (!getBit(fused, row, out)) continue;
      const head = Math.floor(out / (3 * headSize));
      const within = out - head * 3 * headSize;
      const part = Math.floor(within / headSize);
      setBit(parts[part]!, row, head * headSize + (within - part * headSize), true);
    }
  }
  return parts;
}
