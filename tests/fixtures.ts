/**
 * The small model the tests share: two GELU blocks of width 64 on a 16 × 16 mesh, small enough to
 * simulate in milliseconds, big enough to exercise every op, pass and kernel.
 */
import type { ModelConfig } from '../models/model-config.ts';

export const TINY_MODEL: ModelConfig = {
  name: 'tiny',
  layers: 2,
  dModel: 64,
  heads: 4,
  dFF: 256,
  vocab: 1000,
  seqLen: 128,
  activation: 'gelu',
  tiedEmbeddings: true,
};

/**
 * The CS-2 preset cut down to a 16 × 16 mesh (the `hardware` field of a workload file), without
 * the fixed pause of each step: the cs2's calibrated 0.135 s is about a thousand tiny steps, and
 * would leave nothing else to see.
 */
export const TINY_MESH = { preset: 'cs2', meshRows: 16, meshCols: 16, stepBubbleSeconds: 0 } as const;

/** A workload of the small model: a 75% sparse phase, then dense fine-tuning. */
export const TINY_WORKLOAD = {
  version: 1,
  model: TINY_MODEL,
  sparsity: 0.75,
  batch: { sequences: 8 },
  hardware: TINY_MESH,
  phases: [
    { name: 'sparse', tokens: 1e6 },
    { name: 'dense', tokens: 1e5, sparsity: 0 },
  ],
  seed: 7,
};
