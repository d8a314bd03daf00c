/**
 * The wafersim library API: everything the CLI does is available here for scripts and notebooks.
 */

export type { DataflowEdge, DataflowGraph, DataflowNode } from './compiler/ir/graph.ts';
export { verifyGraph } from './compiler/ir/verify.ts';
export {
  type CompiledPhase,
  type CompileResult,
  compilePhase,
  compileWorkload,
} from './compiler/pipeline.ts';
export type { PlacedProgram, Placement } from './compiler/place/placed-program.ts';
export * from './hardware/hardware-config.ts';
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
export { deriveGemmMetrics } from './reports/gemm-metrics.ts';
export { deriveMetrics, METRIC_DEFINITIONS } from './reports/metrics.ts';
export { buildReport, type Report, ReportSchema } from './reports/report-json.ts';
export { validateGemmPoints } from './reports/validation.ts';
export { writeReport } from './reports/write-report.ts';
export * from './simulator/counters.ts';
export { CancelledError, serialExecutor, type UnitExecutor } from './simulator/executor.ts';
export { CALIBRATION_TOKENS, type GemmResult, simulateGemm } from './simulator/gemm.ts';
export { createExecutor, runInSession } from './simulator/parallel/index.ts';
export type { PhaseSummary, StepSummary, WorkloadSummary } from './simulator/run-summary.ts';
export { simulateRun } from './simulator/simulate-run.ts';
export * from './workloads/index.ts';
