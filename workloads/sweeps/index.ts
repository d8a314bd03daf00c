/** Sweeps (DESIGN §7): see README.md. */

export {
  type ExpandedSweep,
  MAX_SWEEP_POINTS,
  pointCount,
  pointLabel,
  type SweepPoint,
  valuesAt,
} from './expand-sweep.ts';
export {
  expandSweep,
  type LoadSweepOptions,
  loadSweep,
  type ParseSweepOptions,
  parseSweep,
} from './load-sweep.ts';
export { applyOverrides, checkOverridesApart, type Override, parseOverride } from './overrides.ts';
export { SPARSITY_LEVELS, SWEEP_PRESET_NAMES, SWEEP_PRESETS } from './presets.ts';
export { parseShard, type Shard, shardOf, shardPoints } from './shard-points.ts';
export {
  type JsonValue,
  SPARSITY_PATH,
  SWEEP_FILE_VERSION,
  type Sweep,
  type SweepFile,
  type SweepFileInput,
  SweepSchema,
  sweepJsonSchema,
  targetPath,
  varyPathProblem,
} from './sweep-schema.ts';
