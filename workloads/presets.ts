/**
 * Workload presets, written in the file format so that they go through the same validation as a
 * user's file. Every description says where each number comes from (sections of
 * docs/cs2-facts.md) and which numbers are assumptions.
 */
import { MODEL_PRESETS } from '../models/model-config.ts';
import { countParameters, formatCount, roundToSignificant } from './parameter-count.ts';
import type { WorkloadFileInput, WorkloadOverlay } from './workload-schema.ts';

/** SPDF trains "Chinchilla ≈20 tokens/param" (cs2-facts §8, supp. Table 1). */
export const TOKENS_PER_PARAMETER = 20;
/** ASSUMPTION: no source gives the dense fine-tuning budget; 1% of the pre-training tokens. */
export const FINETUNE_TOKEN_FRACTION = 0.01;

/** 20 tokens per parameter of the preset's shape, to two significant digits (26B for GPT-3 XL). */
export function chinchillaTokens(modelPreset: string): number {
  const model = MODEL_PRESETS[modelPreset];
  if (model === undefined) throw new Error(`no model preset '${modelPreset}'`);
  return roundToSignificant(TOKENS_PER_PARAMETER * countParameters(model), 2);
}

const FINETUNE_NOTE =
  `Dense fine-tuning: ${FINETUNE_TOKEN_FRACTION * 100}% of the pre-training tokens, an ASSUMPTION ` +
  '(no fine-tuning budget is published in our data).';

interface SparseThenDense {
  readonly description: string;
  readonly model: string;
  readonly level: number;
  readonly pretrainingTokens: number;
  readonly sequences: number;
}

/** Sparse pre-training at `level` (the phase inherits the workload's level), then dense fine-tuning. */
function sparseThenDense(p: SparseThenDense): WorkloadFileInput {
  return {
    version: 1,
    description: p.description,
    model: p.model,
    sparsity: p.level,
    batch: { sequences: p.sequences },
    phases: [
      { name: 'sparse-pretraining', tokens: p.pretrainingTokens },
      {
        name: 'dense-finetuning',
        tokens: roundToSignificant(p.pretrainingTokens * FINETUNE_TOKEN_FRACTION, 2),
        sparsity: 0,
      },
    ],
  };
}

const MICRO_NOTE = 'Micro-batch left to the compiler: the largest that fits in SRAM (none published).';
/**
 * Model Zoo runs GPT-3 XL at 88 sequences per micro-batch (cs2-facts §5), but how the CS-2 stores
 * activations for the backward pass is not published, and our SRAM model does not hold 88: the
 * compiler picks the largest micro-batch that fits, and `wafersim compile` shows the limit.
 */
const MICRO_NOTE_XL =
  'Micro-batch left to the compiler, the largest that fits in SRAM: Model Zoo uses 88 (docs/cs2-facts.md §5), ' +
  'more than our activation-memory model holds (see wafersim compile).';

const levelText = (level: number) =>
  level === 0 ? 'dense (level 0, the baseline)' : `${level * 100}% sparse`;

const MEDISWIFT_SIZES = [
  { size: 'm', title: 'MediSwift-M', shape: 'GPT-3 Medium' },
  { size: 'l', title: 'MediSwift-L', shape: 'GPT-3 Large (d=1536, inferred)' },
  { size: 'xl', title: 'MediSwift-XL', shape: 'GPT-3 XL' },
] as const;

function mediswiftPreset(size: (typeof MEDISWIFT_SIZES)[number], level: number): WorkloadFileInput {
  const model = `mediswift-${size.size}`;
  const tokens = chinchillaTokens(model);
  const params = countParameters(MODEL_PRESETS[model]!);
  const micro = size.size === 'xl' ? MICRO_NOTE_XL : MICRO_NOTE;
  return sparseThenDense({
    model,
    level,
    pretrainingTokens: tokens,
    sequences: 512,
    description:
      `${size.title} (MediSwift, arXiv 2403.00952; docs/cs2-facts.md §9): ${levelText(level)} unstructured pre-training, ` +
      `then dense fine-tuning. Shape: ${size.shape}, inferred from the published parameter count (docs/cs2-facts.md §9 [DER]). ` +
      `Pre-training: ${formatCount(tokens)} tokens = ${TOKENS_PER_PARAMETER} tokens per parameter ` +
      `(the SPDF/Chinchilla rule, docs/cs2-facts.md §8) × ${formatCount(params)} parameters counted from the shape; ` +
      `MediSwift's own token budget is not published in our data (docs/cs2-facts.md §9 [UNC]). ${FINETUNE_NOTE} ` +
      `Batch 512 sequences per step: SPDF's GPT-3 XL batch (docs/cs2-facts.md §8), MediSwift's is [UNC]. ${micro}`,
  });
}

/** SPDF (arXiv 2303.10464) supp. Table 1: batch and pre-training tokens as published (cs2-facts §8). */
const SPDF_MODELS = {
  'gpt2-small': { title: 'GPT-2 Small', sequences: 256, tokens: 2.5e9 },
  'gpt3-xl': { title: 'GPT-3 XL', sequences: 512, tokens: 26e9 },
} as const;

function spdfPreset(model: keyof typeof SPDF_MODELS, level: number): WorkloadFileInput {
  const m = SPDF_MODELS[model];
  const micro = model === 'gpt3-xl' ? MICRO_NOTE_XL : MICRO_NOTE;
  return sparseThenDense({
    model,
    level,
    pretrainingTokens: m.tokens,
    sequences: m.sequences,
    description:
      `SPDF (arXiv 2303.10464; docs/cs2-facts.md §8) ${m.title}: ${level * 100}% sparse pre-training with static random ` +
      `masks, uniform per layer, then dense fine-tuning. Batch ${m.sequences} sequences and ${formatCount(m.tokens)} ` +
      `pre-training tokens as published (supp. Table 1). ${FINETUNE_NOTE} ${micro}`,
  });
}

/** Llama 2's pre-training batch: 4M tokens = 1,024 sequences of 4,096 (Touvron et al. 2023). */
const LLAMA_SEQUENCES = 1024;

function sparseLlamaPreset(level: number): WorkloadFileInput {
  const tokens = chinchillaTokens('llama2-7b');
  return {
    version: 1,
    description:
      `Sparse Llama (arXiv 2405.03594; docs/cs2-facts.md §7b): Llama-2 7B pre-trained at ${level * 100}% unstructured ` +
      'sparsity on a CS-3, where the paper reports acceleration that "closely matches theoretical scaling". ' +
      `Token budget: not in our data; ASSUMPTION ${formatCount(tokens)} tokens = ${TOKENS_PER_PARAMETER} tokens ` +
      `per parameter of the shape (the paper continues from pruned dense weights, so its budget likely differs). ` +
      `Batch: ASSUMPTION ${LLAMA_SEQUENCES} sequences of 4,096 tokens, Llama 2's dense pre-training batch. ` +
      "One sparse phase: the paper's later fine-tuning keeps the mask and has no budget in our data.",
    model: 'llama2-7b',
    sparsity: level,
    batch: { sequences: LLAMA_SEQUENCES },
    hardware: { preset: 'cs3' },
    phases: [{ name: 'sparse-pretraining', tokens }],
  };
}

function cs3WhatIf(base: string): WorkloadOverlay {
  return {
    version: 1,
    extends: base,
    description:
      `What-if: ${base} on a CS-3 (hardware preset cs3: 762 × 1176 PEs, 8-wide FP16 FMAC, same 1.2 Tb/s I/O; ` +
      'docs/cs2-facts.md §4), everything else unchanged. No CS-3 run of this workload is published.',
    hardware: { preset: 'cs3' },
  };
}

/**
 * Gradual pruning during pre-training: dense for the first quarter of the tokens, then the
 * density falls linearly to the target, reached at three quarters, held to the end; the schedule
 * "The Journey Matters" (arXiv 2501.12486; cs2-facts §11) finds close to optimal. GPT-3 XL with
 * SPDF's batch and tokens (cs2-facts §8); the pruning rule itself is [UNC] there.
 */
function gradualPreset(level: number): WorkloadFileInput {
  const tokens = 26e9;
  return {
    version: 1,
    description:
      `GPT-3 XL pre-trained with gradual pruning to ${level * 100}% sparsity: dense until 25% of the tokens, density ` +
      'falling linearly to the target at 75%, then held (the schedule "The Journey Matters", arXiv 2501.12486, ' +
      "finds close to optimal; docs/cs2-facts.md §11), then dense fine-tuning. Batch 512 and 26B tokens as SPDF's GPT-3 XL " +
      `(docs/cs2-facts.md §8). ${FINETUNE_NOTE} ${MICRO_NOTE_XL}`,
    model: 'gpt3-xl',
    sparsity: level,
    batch: { sequences: 512 },
    phases: [
      {
        name: 'gradual-pruning',
        tokens,
        sparsity: { schedule: 'gradual', from: 0, to: level, startFraction: 0.25, endFraction: 0.75 },
      },
      {
        name: 'dense-finetuning',
        tokens: roundToSignificant(tokens * FINETUNE_TOKEN_FRACTION, 2),
        sparsity: 0,
      },
    ],
  };
}

/**
 * The Cerebras-GPT configurations on clusters of CS-2s (Cerebras/modelzoo Release_1.9.1
 * gpt3/configs/Cerebras_GPT/*.yaml: "intended to run on a cluster of 4 CS-2s", …): the global
 * batch and the systems as published, the published micro-batch in the description (our SRAM model
 * decides its own). Dense, context 2048. The token budget is an ASSUMPTION: 20 tokens per
 * parameter (the Chinchilla rule, cs2-facts §8); the configs' own budgets are not in our data.
 */
const CEREBRAS_GPT = [
  { id: 'cerebras-gpt-1.3b', model: 'gpt3-xl', title: '1.3B', systems: 4, sequences: 528, micro: 132 },
  { id: 'cerebras-gpt-2.7b', model: 'gpt3-2.7b', title: '2.7B', systems: 4, sequences: 528, micro: 132 },
  { id: 'cerebras-gpt-6.7b', model: 'gpt3-6.7b', title: '6.7B', systems: 8, sequences: 1040, micro: 65 },
  { id: 'cerebras-gpt-13b-8x', model: 'gpt3-13b', title: '13B', systems: 8, sequences: 720, micro: 90 },
  { id: 'cerebras-gpt-13b-12x', model: 'gpt3-13b', title: '13B', systems: 12, sequences: 1080, micro: 90 },
] as const;

function cerebrasGptPreset(c: (typeof CEREBRAS_GPT)[number]): WorkloadFileInput {
  const tokens = chinchillaTokens(c.model);
  return {
    version: 1,
    description:
      `Cerebras-GPT ${c.title} (Model Zoo R1.9.1 Cerebras_GPT configs): dense pre-training on ${c.systems} CS-2s in ` +
      `data parallel, global batch ${c.sequences} sequences of 2,048 as published ("${c.sequences} global = ` +
      `(${c.micro} micro)*(num_csx)*(grad accum steps)"), ${c.sequences / c.systems} per system. Shape ${c.model}. ` +
      `Tokens: ASSUMPTION ${formatCount(tokens)} = ${TOKENS_PER_PARAMETER} per parameter (the Chinchilla rule, ` +
      `docs/cs2-facts.md §8). ${MICRO_NOTE}`,
    model: c.model,
    sparsity: 0,
    batch: { sequences: c.sequences },
    cluster: { systems: c.systems },
    phases: [{ name: 'pretraining', tokens }],
  };
}

function buildPresets(): Record<string, WorkloadFileInput | WorkloadOverlay> {
  const presets: Record<string, WorkloadFileInput | WorkloadOverlay> = {};
  for (const size of MEDISWIFT_SIZES) {
    presets[`mediswift-${size.size}-dense`] = mediswiftPreset(size, 0);
    presets[`mediswift-${size.size}-s50`] = mediswiftPreset(size, 0.5);
    presets[`mediswift-${size.size}-s75`] = mediswiftPreset(size, 0.75);
  }
  for (const model of ['gpt2-small', 'gpt3-xl'] as const) {
    presets[`spdf-${model}-s50`] = spdfPreset(model, 0.5);
    presets[`spdf-${model}-s75`] = spdfPreset(model, 0.75);
  }
  presets['llama2-7b-s50'] = sparseLlamaPreset(0.5);
  presets['llama2-7b-s70'] = sparseLlamaPreset(0.7);
  presets['mediswift-xl-s75-cs3'] = cs3WhatIf('mediswift-xl-s75');
  presets['spdf-gpt3-xl-s75-cs3'] = cs3WhatIf('spdf-gpt3-xl-s75');
  presets['gpt3-xl-gradual-s75'] = gradualPreset(0.75);
  for (const c of CEREBRAS_GPT) presets[c.id] = cerebrasGptPreset(c);
  return presets;
}

export const WORKLOAD_PRESETS: Readonly<Record<string, WorkloadFileInput | WorkloadOverlay>> = buildPresets();
export const WORKLOAD_PRESET_NAMES = Object.keys(WORKLOAD_PRESETS) as readonly string[];

export interface StudyPreset {
  readonly description: string;
  /** Workload presets reported side by side, in this order. */
  readonly workloads: readonly string[];
}

const mediswiftStudy = (size: string, title: string): StudyPreset => ({
  description: `${title} dense, 50% and 75% sparse pre-training side by side (MediSwift, arXiv 2403.00952; docs/cs2-facts.md §9)`,
  workloads: [`mediswift-${size}-dense`, `mediswift-${size}-s50`, `mediswift-${size}-s75`],
});

export const STUDY_PRESETS: Readonly<Record<string, StudyPreset>> = {
  'mediswift-m': mediswiftStudy('m', 'MediSwift-M'),
  'mediswift-l': mediswiftStudy('l', 'MediSwift-L'),
  'mediswift-xl': mediswiftStudy('xl', 'MediSwift-XL'),
  'spdf-gpt2-small': {
    description:
      'SPDF GPT-2 Small at 50% and 75% sparse pre-training (arXiv 2303.10464; docs/cs2-facts.md §8)',
    workloads: ['spdf-gpt2-small-s50', 'spdf-gpt2-small-s75'],
  },
  'spdf-gpt3-xl': {
    description: 'SPDF GPT-3 XL at 50% and 75% sparse pre-training (arXiv 2303.10464; docs/cs2-facts.md §8)',
    workloads: ['spdf-gpt3-xl-s50', 'spdf-gpt3-xl-s75'],
  },
  'sparse-llama2-7b': {
    description: 'Sparse Llama-2 7B at 50% and 70% on a CS-3 (arXiv 2405.03594; docs/cs2-facts.md §7b)',
    workloads: ['llama2-7b-s50', 'llama2-7b-s70'],
  },
};

export const STUDY_PRESET_NAMES = Object.keys(STUDY_PRESETS) as readonly string[];
