/**
 * What is trained: the shape of a decoder-only transformer (DESIGN §2).
 */
import { z } from 'zod';
import { formatBound } from './diagnostics.ts';

/**
 * Upper bounds of a model's shape (docs/limits.md): several times the largest published models
 * (GPT-3 175B: 96 layers, d 12,288, dFF 49,152; PaLM 540B: d 18,432; vocabularies up to 256 k), so
 * no real model is refused, while the graph the compiler builds (∝ layers) and the per-tile counts
 * of each matrix stay within what one machine can hold.
 */
export const MODEL_LIMITS = {
  layers: 1024,
  dModel: 65_536,
  dFF: 262_144,
  vocab: 1_048_576,
  seqLen: 1_048_576,
} as const;

const positiveInt = (what: string, max: number) =>
  z
    .number({ error: `${what} must be a number (a positive integer)` })
    .int({ error: `${what} must be a positive integer` })
    .positive({ error: `${what} must be a positive integer` })
    .max(max, { error: `${what} must be a positive integer of at most ${formatBound(max)}` });

export const ModelConfigSchema = z
  .strictObject({
    name: z.string().min(1).describe('Model name, used in reports'),
    layers: positiveInt('layers', MODEL_LIMITS.layers).describe('Number of transformer blocks'),
    dModel: positiveInt('dModel', MODEL_LIMITS.dModel).describe('Hidden width (elements)'),
    heads: positiveInt('heads', MODEL_LIMITS.dModel).describe(
      'Attention heads; dModel must be divisible by heads',
    ),
    dFF: positiveInt('dFF', MODEL_LIMITS.dFF).describe('Feed-forward inner width (elements)'),
    vocab: positiveInt('vocab', MODEL_LIMITS.vocab).describe('Vocabulary size (tokens)'),
    seqLen: positiveInt('seqLen', MODEL_LIMITS.seqLen).describe('Context length (tokens per sequence)'),
    activation: z
      .enum(['gelu', 'swiglu'], { error: "activation must be 'gelu' or 'swiglu'" })
      .describe('FFN activation: gelu (two FFN matrices) or swiglu (gate, up and down matrices)'),
    tiedEmbeddings: z.boolean().describe('LM head shares the token-embedding matrix'),
    note: z.string().optional().describe('Where the shape comes from'),
  })
  .superRefine((m, ctx) => {
    if (m.dModel % m.heads !== 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['heads'],
        message: `dModel (${m.dModel}) must be divisible by heads (${m.heads})`,
      });
    }
  });

export type ModelConfig = z.infer<typeof ModelConfigSchema>;

export const MODEL_CONFIG_KEYS = Object.keys(ModelConfigSchema.shape) as readonly string[];

const gpt = (name: string, layers: number, dModel: number, heads: number, note: string): ModelConfig => ({
  name,
  layers,
  dModel,
  heads,
  dFF: 4 * dModel,
  vocab: 50_257,
  seqLen: 2048,
  activation: 'gelu',
  tiedEmbeddings: true,
  note,
});

const GPT3_NOTE = 'GPT-3 paper (Brown et al. 2020) Table 2.1 shape; context 2048, GPT-2 BPE vocab 50,257';
const MEDISWIFT_NOTE =
  'MediSwift (arXiv 2403.00952) shape inferred from the published parameter counts ' +
  '(302M = 12·24·1024², 1.21B = 12·24·2048², non-embedding; Large taken as d=1536); see docs/cs2-facts.md §9';

/** Model presets. Every shape cites where it comes from. */
export const MODEL_PRESETS: Readonly<Record<string, ModelConfig>> = {
  'gpt2-small': {
    ...gpt('gpt2-small', 12, 768, 12, 'GPT-2 small as trained in SPDF (supp. Table 1): context 2048'),
  },
  'gpt3-medium': gpt('gpt3-medium', 24, 1024, 16, GPT3_NOTE),
  'gpt3-large': gpt('gpt3-large', 24, 1536, 16, GPT3_NOTE),
  'gpt3-xl': gpt('gpt3-xl', 24, 2048, 16, `${GPT3_NOTE}; as trained in SPDF (supp. Table 1)`),
  'gpt3-2.7b': gpt('gpt3-2.7b', 32, 2560, 32, GPT3_NOTE),
  'gpt3-6.7b': gpt('gpt3-6.7b', 32, 4096, 32, GPT3_NOTE),
  'gpt3-13b': gpt('gpt3-13b', 40, 5120, 40, GPT3_NOTE),
  'llama2-7b': {
    name: 'llama2-7b',
    layers: 32,
    dModel: 4096,
    heads: 32,
    dFF: 11_008,
    vocab: 32_000,
    seqLen: 4096,
    activation: 'swiglu',
    tiedEmbeddings: false,
    note: 'Llama 2 (Touvron et al. 2023) 7B: SwiGLU FFN 11008, vocab 32,000, context 4096, untied LM head',
  },
  'mediswift-m': gpt('mediswift-m', 24, 1024, 16, MEDISWIFT_NOTE),
  'mediswift-l': gpt('mediswift-l', 24, 1536, 16, MEDISWIFT_NOTE),
  'mediswift-xl': gpt('mediswift-xl', 24, 2048, 16, MEDISWIFT_NOTE),
};

export const MODEL_PRESET_NAMES = Object.keys(MODEL_PRESETS) as readonly string[];
