/**
 * Sweep presets, written in the sweep file format so they go through the same validation as a
 * user's file. Every base is GPT-3 XL as in SPDF (spdf-gpt3-xl-s*: batch 512, 26B pre-training
 * tokens; cs2-facts §8) with its one sparse pre-training phase only: no dense fine-tuning, so each
 * point measures the sparse step against its dense equivalent.
 */
import type { SweepFileInput } from './sweep-schema.ts';

/** 0, 0.05, …, 0.95: twenty levels, written as the decimals they are (0.15, not 0.15000000000000002). */
export const SPARSITY_LEVELS: readonly number[] = Array.from({ length: 20 }, (_, k) =>
  Number((k * 0.05).toFixed(2)),
);

const GPT3_XL =
  'GPT-3 XL (SPDF supp. Table 1: batch 512 sequences of 2,048, 26B tokens; docs/cs2-facts.md §8), one sparse pre-training phase';

/** GPT-3 XL with one sparse pre-training phase at the level of `preset` (the phase inherits it). */
function gpt3Xl(preset: 'spdf-gpt3-xl-s50' | 'spdf-gpt3-xl-s75') {
  return { version: 1, extends: preset, phases: [{ name: 'sparse-pretraining', tokens: 26e9 }] };
}

export const SWEEP_PRESETS: Readonly<Record<string, SweepFileInput>> = {
  'sparsity-gpt3-xl': {
    version: 1,
    description: `${GPT3_XL} on a CS-2, at sparsity 0 to 0.95 in steps of 0.05: how the realized speedup follows the FLOP reduction.`,
    base: gpt3Xl('spdf-gpt3-xl-s75'),
    vary: { sparsity: [...SPARSITY_LEVELS] },
  },
  'sparsity-cs2-vs-cs3': {
    version: 1,
    description: `${GPT3_XL}, at sparsity 0 to 0.95 on a CS-2 and a CS-3 (twice the MAC rate, 19% more PEs, 30% more I/O; docs/cs2-facts.md §4).`,
    base: gpt3Xl('spdf-gpt3-xl-s75'),
    vary: { sparsity: [...SPARSITY_LEVELS], 'hardware.preset': ['cs2', 'cs3'] },
  },
  'io-bandwidth': {
    version: 1,
    description: `${GPT3_XL} at 75% sparsity on a CS-2 with wafer I/O from 0.3 to 4.8 Tb/s (the CS-2 has 1.2; docs/cs2-facts.md §1): where weight streaming starts to bound the step.`,
    base: gpt3Xl('spdf-gpt3-xl-s75'),
    vary: { 'hardware.ioBitsPerSecond': [0.3e12, 0.6e12, 1.2e12, 2.4e12, 4.8e12] },
  },
  'simd-width': {
    version: 1,
    description:
      `${GPT3_XL} at 75% sparsity on a CS-2 with 1, 2 (the CS-2), 4 (the CS-3) and 8 MACs per PE per cycle with ` +
      'FP32 accumulation, the rate training kernels run at (fmacsPerCycleFp32Accumulate; the FP16-accumulate ' +
      'SIMD width is twice that, docs/cs2-facts.md §2).',
    base: gpt3Xl('spdf-gpt3-xl-s75'),
    vary: { 'hardware.fmacsPerCycleFp32Accumulate': [1, 2, 4, 8] },
  },
  'mesh-size': {
    version: 1,
    description: `${GPT3_XL} at 75% sparsity on meshes from about half to 1.5 times the CS-2's 757 × 996 PEs in each dimension.`,
    base: gpt3Xl('spdf-gpt3-xl-s75'),
    vary: { 'hardware.meshRows': [379, 757, 1136], 'hardware.meshCols': [498, 996, 1494] },
  },
  'cluster-gpt3-xl': {
    version: 1,
    description:
      `${GPT3_XL} at 75% sparsity on 1, 2, 4, 8 and 16 CS-2s in data parallel (the global batch of 512 split evenly; ` +
      'Andromeda had 16, docs/cs2-facts.md §1): how throughput scales and where it is lost (the step boundary and the weight ' +
      'stream do not shrink with more systems, and each system holds fewer tokens).',
    base: gpt3Xl('spdf-gpt3-xl-s75'),
    vary: { 'cluster.systems': [1, 2, 4, 8, 16] },
  },
  pattern: {
    version: 1,
    description: `${GPT3_XL} at 50% sparsity on a CS-2, unstructured, 2:4 and in 4 × 4 blocks (2:4 fixes the level at 0.5).`,
    base: gpt3Xl('spdf-gpt3-xl-s50'),
    vary: { 'sparsity.pattern': ['unstructured', '2:4', 'block:4x4'] },
  },
};

export const SWEEP_PRESET_NAMES = Object.keys(SWEEP_PRESETS) as readonly string[];
