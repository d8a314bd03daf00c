/** The workloads package (DESIGN §7): see README.md. */

export {
  HARDWARE_FILE_VERSION,
  HardwareFileSchema,
  hardwareFileJsonSchema,
  loadHardware,
  loadHardwareFile,
} from './hardware-file.ts';
export { workloadJsonSchema } from './json-schema.ts';
export {
  type LoadWorkloadOptions,
  loadWorkload,
  type ParseWorkloadOptions,
  parseWorkload,
  type ResolvedRef,
  resolveHardwareField,
  resolveStudyOrWorkload,
  resolveWorkload,
} from './load-workload.ts';
export { countParameters, formatCount, roundToSignificant } from './parameter-count.ts';
export {
  chinchillaTokens,
  FINETUNE_TOKEN_FRACTION,
  STUDY_PRESET_NAMES,
  STUDY_PRESETS,
  type StudyPreset,
  TOKENS_PER_PARAMETER,
  WORKLOAD_PRESET_NAMES,
  WORKLOAD_PRESETS,
} from './presets.ts';
export { toWorkloadFile } from './workload-file.ts';
export {
  ACTIVATION_POLICIES,
  type ActivationPolicy,
  averageDensity,
  BatchSchema,
  ClusterSchema,
  type GradualSchedule,
  GradualScheduleSchema,
  levelAt,
  MAX_CLUSTER_SYSTEMS,
  PhaseSchema,
  type PhaseSparsity,
  phaseSchedule,
  type SparsitySchedule,
  sequencesPerSystem,
  WORKLOAD_FILE_VERSION,
  WORKLOAD_LIMITS,
  type Workload,
  type WorkloadFile,
  type WorkloadFileInput,
  type WorkloadOverlay,
  type WorkloadPhase,
  WorkloadSchema,
} from './workload-schema.ts';
