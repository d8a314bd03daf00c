/**
 * The wafersim library API: everything the CLI does is available here for scripts and notebooks.
 */
export * from './models/diagnostics.ts';
export { type FlopSummary, summarizeFlops } from './models/flop-summary.ts';
export {
  countFlops,
  FLOPS_PER_MAC,
  type FlopBreakdown,
  type FlopCount,
  type FlopReport,
  TRAINING_PASSES,
} from './models/flops.ts';
export { loadModel, modelPreset, parseModelConfig } from './models/load-model.ts';
export * from './models/masks/index.ts';
export {
  MODEL_PRESET_NAMES,
  MODEL_PRESETS,
  type ModelConfig,
  ModelConfigSchema,
} from './models/model-config.ts';
export { nextBelow, nextUnit, randomStream } from './models/random-streams.ts';
export * from './models/sparsity.ts';
export * from './models/weights.ts';
export * from './simulator/arch/hardware-config.ts';
export * from './workloads/index.ts';
