/**
 * The workload file format, version 1 (DESIGN §7): what is trained (model × sparsity), how
 * (batch, activation policy, phases with token budgets) and on what (hardware). `WorkloadSchema`
 * validates a file after its `extends` chain is merged (see load-workload.ts); `Workload` is the
 * resolved, plain data the compiler and simulator read.
 */
import { z } from 'zod';
import {
  HARDWARE_PRESET_NAMES,
  HARDWARE_PRESETS,
  type HardwareConfig,
  HardwareRefSchema,
} from '../hardware/hardware-config.ts';
import { formatBound, unknownNameMessage } from '../models/diagnostics.ts';
import {
  MODEL_CONFIG_KEYS,
  MODEL_LIMITS,
  MODEL_PRESET_NAMES,
  MODEL_PRESETS,
  type ModelConfig,
  ModelConfigSchema,
} from '../models/model-config.ts';
import { parsePattern, type SparsitySpec, SparsitySpecSchema } from '../models/sparsity.ts';

export const WORKLOAD_FILE_VERSION = 1;
export const ACTIVATION_POLICIES = ['auto', 'keep', 'recompute', 'spill'] as const;
export type ActivationPolicy = (typeof ACTIVATION_POLICIES)[number];

/** "got 75", "got a string", "it is missing": the tail of an error message. */
export function describeInput(input: unknown): string {
  if (input === undefined) return 'it is missing';
  if (input === null) return 'got null';
  if (Array.isArray(input)) return input.length === 0 ? 'got an empty array' : 'got an array';
  if (typeof input === 'string')
    return `got ${JSON.stringify(input.length > 40 ? `${input.slice(0, 40)}…` : input)}`;
  if (typeof input === 'object') return 'got an object';
  return `got ${String(input)}`;
}

/** An error function naming the field and what it accepts, for a schema and its checks. */
function fieldError(field: string, accepted: string) {
  return (issue: { readonly input?: unknown }) =>
    issue.input === undefined
      ? `${field} is required: ${accepted}`
      : `${field} must be ${accepted}; ${describeInput(issue.input)}`;
}

const LEVEL = 'a sparsity level in [0, 1) (a fraction of zero weights, e.g. 0.75, not 75)';

function levelSchema(field: string) {
  const error = fieldError(field, LEVEL);
  return z.number({ error }).min(0, { error }).lt(1, { error });
}

function positiveIntSchema(field: string, what: string, max: number) {
  const error = fieldError(field, `a positive integer of at most ${formatBound(max)} (${what})`);
  return z.number({ error }).int({ error }).positive({ error }).max(max, { error });
}

/**
 * Upper bounds of a workload's sizes (docs/limits.md), far beyond any published run: a global
 * batch of 16 M sequences (published: thousands), a phase of 10^15 tokens (the largest published
 * runs train on about 1.5 × 10^13). A phase trains at least one token.
 */
export const WORKLOAD_LIMITS = {
  sequences: 2 ** 24,
  tokens: { min: 1, max: 1e15 },
} as const;

function fractionSchema(field: string, what: string) {
  const error = fieldError(field, `a fraction in [0, 1] (${what})`);
  return z.number({ error }).min(0, { error }).max(1, { error });
}

/** Custom issues carry the diagnostic code they should become (see workload-diagnostics.ts). */
const UNKNOWN_PRESET = { diagnostic: 'unknown-preset' } as const;

export const ModelPresetNameSchema = z.string().refine((name) => Object.hasOwn(MODEL_PRESETS, name), {
  error: (issue) => unknownNameMessage('model preset', String(issue.input), MODEL_PRESET_NAMES),
  params: UNKNOWN_PRESET,
});

export const HardwarePresetNameSchema = z.string().refine((name) => Object.hasOwn(HARDWARE_PRESETS, name), {
  error: (issue) => unknownNameMessage('hardware preset', String(issue.input), HARDWARE_PRESET_NAMES),
  params: UNKNOWN_PRESET,
});

const ModelFieldSchema = z
  .union([ModelPresetNameSchema, ModelConfigSchema], {
    error: fieldError(
      'model',
      `a model preset name (${MODEL_PRESET_NAMES.join(', ')}) or an inline model object { ${MODEL_CONFIG_KEYS.join(', ')} }`,
    ),
  })
  .describe(`A model preset (${MODEL_PRESET_NAMES.join(', ')}) or an inline model shape`);

const SparsityFieldSchema = z
  .union([levelSchema('sparsity'), SparsitySpecSchema], {
    error: fieldError(
      'sparsity',
      `${LEVEL} or a sparsity spec object { level, weights?, pattern?, distribution?, source? }`,
    ),
  })
  .describe(
    'The sparsity of the sparse phases: a level in [0, 1) (shorthand for { "level": L }) or a full spec; ' +
      'its level is the default of every phase that does not set its own',
  );

export const BatchSchema = z
  .strictObject(
    {
      sequences: positiveIntSchema(
        'sequences',
        'global batch: sequences per optimizer step',
        WORKLOAD_LIMITS.sequences,
      ).describe('Global batch: sequences per optimizer step (sequences)'),
      microBatchSequences: positiveIntSchema(
        'microBatchSequences',
        'sequences resident on the wafer at once',
        WORKLOAD_LIMITS.sequences,
      )
        .optional()
        .describe('Sequences resident on the wafer at once (sequences); omitted: the compiler chooses'),
    },
    {
      error: fieldError(
        'batch',
        'an object { sequences, microBatchSequences? } (sequences per step and on the wafer)',
      ),
    },
  )
  .superRefine((batch, ctx) => {
    if (batch.microBatchSequences !== undefined && batch.microBatchSequences > batch.sequences) {
      ctx.addIssue({
        code: 'custom',
        path: ['microBatchSequences'],
        message: `microBatchSequences must be at most batch.sequences (${batch.sequences}); got ${batch.microBatchSequences}`,
      });
    }
  });

/**
 * The largest cluster: "up to 2,048 CS-3" (cs2-facts §4, Cerebras press) [OFF]; the CS-2 era's
 * SwarmX reached 192 (cs2-facts §5).
 */
export const MAX_CLUSTER_SYSTEMS = 2048;

export const ClusterSchema = z
  .strictObject(
    {
      systems: positiveIntSchema('systems', 'identical systems in data parallel', MAX_CLUSTER_SYSTEMS)
        .default(1)
        .describe(
          'Identical systems training in data parallel (systems): the global batch is split evenly, weights are ' +
            'broadcast to every system and gradients reduced on the way back (SwarmX)',
        ),
    },
    { error: fieldError('cluster', 'an object { systems } (systems in data parallel)') },
  )
  .describe('A cluster of systems in data parallel; omitted: one system');

/**
 * The machine: a preset or a hardware file, with any field overridden. A file may also write
 * `"hardware": "cs3"` or `"hardware": "./machine.json"`; the loader expands that (and makes a
 * file's path absolute) before this schema sees it, so only the object form is checked here.
 */
export const HardwareFieldSchema = HardwareRefSchema.extend({
  preset: HardwarePresetNameSchema.optional().describe(
    `A hardware preset: ${HARDWARE_PRESET_NAMES.join(', ')}; the other fields override its values. Default: cs2 (unless file is given)`,
  ),
  file: z
    .string()
    .min(1)
    .optional()
    .describe(
      'A hardware file (wafersim schema hardware), relative to the workload file; the other fields override its values',
    ),
  name: z
    .string()
    .min(1)
    .optional()
    .describe('Name used in reports; default: the preset or file, with the overridden fields'),
}).refine((h) => h.preset === undefined || h.file === undefined, {
  error: 'hardware sets both preset and file: name one machine to start from',
  path: ['file'],
});

export const GradualScheduleSchema = z
  .strictObject({
    schedule: z
      .literal('gradual', { error: fieldError('schedule', "'gradual'") })
      .describe('Level changes linearly (in density) from `from` to `to` over part of the phase'),
    from: levelSchema('from').describe(
      'Sparsity level at the start of the phase, until startFraction (fraction)',
    ),
    to: levelSchema('to').describe('Sparsity level from endFraction to the end of the phase (fraction)'),
    startFraction: fractionSchema('startFraction', "of the phase's tokens where the ramp starts").describe(
      "Where the ramp starts, as a fraction of the phase's tokens in [0, 1]",
    ),
    endFraction: fractionSchema('endFraction', "of the phase's tokens where the ramp ends").describe(
      "Where the ramp ends, as a fraction of the phase's tokens in [startFraction, 1]",
    ),
  })
  .superRefine((s, ctx) => {
    if (s.startFraction > s.endFraction) {
      ctx.addIssue({
        code: 'custom',
        path: ['endFraction'],
        message: `endFraction must be at least startFraction (${s.startFraction}); got ${s.endFraction}`,
      });
    }
  });
export type GradualSchedule = z.infer<typeof GradualScheduleSchema>;

const PhaseSparsitySchema = z.union([levelSchema('sparsity'), GradualScheduleSchema], {
  error: fieldError(
    'sparsity',
    `${LEVEL} or { "schedule": "gradual", "from", "to", "startFraction", "endFraction" }`,
  ),
});
export type PhaseSparsity = z.infer<typeof PhaseSparsitySchema>;

const tokensError = fieldError(
  'tokens',
  `a number of tokens trained in this phase from ${WORKLOAD_LIMITS.tokens.min} to ${formatBound(WORKLOAD_LIMITS.tokens.max)} (e.g. 2.6e10)`,
);

export const PhaseSchema = z.strictObject({
  name: z
    .string({ error: fieldError('name', "a phase name such as 'sparse-pretraining'") })
    .min(1, { error: fieldError('name', 'a non-empty phase name') })
    .describe('Phase name, used in reports; unique within the workload'),
  tokens: z
    .number({ error: tokensError })
    .min(WORKLOAD_LIMITS.tokens.min, { error: tokensError })
    .max(WORKLOAD_LIMITS.tokens.max, { error: tokensError })
    .describe('Tokens trained in this phase (tokens)'),
  sparsity: PhaseSparsitySchema.optional().describe(
    "This phase's sparsity level, or a gradual schedule; omitted: the level of the workload's sparsity",
  ),
});

export const WorkloadSchema = z
  .strictObject({
    $schema: z.string().optional().describe('Path or URL of the workload JSON Schema, for editors; ignored'),
    version: z
      .literal(WORKLOAD_FILE_VERSION, {
        error: fieldError('version', '1 (the workload file format version)'),
      })
      .describe('Workload file format version; must be 1'),
    name: z
      .string({ error: fieldError('name', 'a non-empty string') })
      .min(1, { error: fieldError('name', 'a non-empty string') })
      .optional()
      .describe('Workload name used in reports; defaults to the file or preset name'),
    description: z
      .string({ error: fieldError('description', 'a string') })
      .optional()
      .describe('What this workload is and where its numbers come from'),
    extends: z
      .string({ error: fieldError('extends', 'a workload preset name or a path to a workload file') })
      .min(1, { error: fieldError('extends', 'a workload preset name or a path to a workload file') })
      .optional()
      .describe(
        'A workload preset or a .json file (relative to this file) whose fields this file overrides: ' +
          'objects merge key by key, arrays and other values replace, null removes an inherited key',
      ),
    model: ModelFieldSchema,
    sparsity: SparsityFieldSchema,
    seqLen: positiveIntSchema(
      'seqLen',
      "tokens per sequence; overrides the model's context length",
      MODEL_LIMITS.seqLen,
    )
      .optional()
      .describe("Context length (tokens per sequence); defaults to the model's seqLen"),
    batch: BatchSchema.describe('Batch sizes (sequences)'),
    hardware: HardwareFieldSchema.default({}).describe(
      'The machine: a hardware preset or file plus overrides of any of its fields (or just a preset name or file path)',
    ),
    cluster: ClusterSchema.default({ systems: 1 }),
    activationPolicy: z
      .enum(ACTIVATION_POLICIES, {
        error: fieldError('activationPolicy', "'auto', 'keep', 'recompute' or 'spill'"),
      })
      .default('auto')
      .describe(
        'How activations are kept for the backward pass: keep them on the wafer, recompute each block from its ' +
          'checkpointed input, spill them off the wafer, or auto (the compiler picks the fastest that fits)',
      ),
    phases: z
      .array(PhaseSchema, {
        error: fieldError('phases', 'a non-empty array of phases { name, tokens, sparsity? }'),
      })
      .min(1, { error: fieldError('phases', 'a non-empty array of phases { name, tokens, sparsity? }') })
      .describe('Training phases in order, e.g. sparse pre-training then dense fine-tuning'),
    seed: z
      .number({ error: fieldError('seed', 'a non-negative integer') })
      .int({ error: fieldError('seed', 'a non-negative integer') })
      .nonnegative({ error: fieldError('seed', 'a non-negative integer') })
      .default(0)
      .describe('Seed of every random stream (masks, data); non-negative integer'),
  })
  .superRefine((w, ctx) => {
    const seen = new Set<string>();
    w.phases.forEach((phase, i) => {
      if (seen.has(phase.name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['phases', i, 'name'],
          message: `name must be unique within the workload; '${phase.name}' is used twice`,
        });
      }
      seen.add(phase.name);
    });
    checkNmPhases(w, ctx);
    checkClusterBatch(w, ctx);
  });

/** The global batch is split evenly across the systems: each runs the same per-system step. */
function checkClusterBatch(
  w: { batch: { sequences: number; microBatchSequences?: number | undefined }; cluster: { systems: number } },
  ctx: z.RefinementCtx,
) {
  const { systems } = w.cluster;
  const sequences = w.batch.sequences;
  const micro = w.batch.microBatchSequences;
  if (sequences % systems === 0) {
    if (systems > 1 && micro !== undefined && micro > sequences / systems) {
      ctx.addIssue({
        code: 'custom',
        path: ['batch', 'microBatchSequences'],
        message: `microBatchSequences must be at most the sequences of one system (batch.sequences / cluster.systems = ${sequences / systems}); got ${micro}`,
      });
    }
    return;
  }
  const below = Math.floor(sequences / systems) * systems;
  const options = [below, below + systems].filter((s) => s > 0).join(' or ');
  ctx.addIssue({
    code: 'custom',
    path: ['batch', 'sequences'],
    message:
      `sequences must be a multiple of cluster.systems (${systems}): the global batch is split evenly across the ` +
      `systems; got ${sequences} (${options} would split evenly)`,
  });
}

/** An N:M pattern fixes the sparsity at 1 − N/M: a phase may be dense or at that level, never ramp. */
function checkNmPhases(
  w: { sparsity: number | SparsitySpec; phases: readonly Phase[] },
  ctx: z.RefinementCtx,
) {
  const spec = w.sparsity;
  if (typeof spec === 'number') return;
  const pattern = parsePattern(spec.pattern);
  if (pattern?.kind !== 'n:m') return;
  const implied = 1 - pattern.n / pattern.m;
  w.phases.forEach((phase, i) => {
    const s = phase.sparsity;
    if (s === undefined || (typeof s === 'number' && (s === 0 || Math.abs(s - implied) < 1e-9))) return;
    ctx.addIssue({
      code: 'custom',
      path: ['phases', i, 'sparsity'],
      message: `sparsity must be 0 or ${implied} with pattern ${spec.pattern} (an N:M pattern fixes the level); got ${typeof s === 'number' ? s : 'a gradual schedule'}`,
    });
  });
}

type Phase = z.infer<typeof PhaseSchema>;

/** A workload file as written (defaults not yet applied). */
export type WorkloadFileInput = z.input<typeof WorkloadSchema>;
/** A workload file after validation (defaults applied, `extends` already merged). */
export type WorkloadFile = z.output<typeof WorkloadSchema>;
/** A file that extends another: only `version` and `extends` are required. */
export type WorkloadOverlay = Partial<WorkloadFileInput> & { version: 1; extends: string };

/** The sparsity of a resolved phase: a constant level or a gradual ramp. */
export type SparsitySchedule = { readonly schedule: 'constant'; readonly level: number } | GradualSchedule;

export interface WorkloadPhase {
  readonly name: string;
  /** Tokens trained in this phase. */
  readonly tokens: number;
  readonly sparsity: SparsitySchedule;
}

/** A resolved workload: plain typed data, every reference followed and every default applied. */
export interface Workload {
  readonly name: string;
  readonly description?: string;
  /** The model with the workload's `seqLen` applied. */
  readonly model: ModelConfig;
  /** Which weights are sparse and how; `level` is the default of the phases. */
  readonly sparsity: SparsitySpec;
  readonly batch: { readonly sequences: number; readonly microBatchSequences?: number };
  /** The hardware preset with the overrides applied: one system of the cluster. */
  readonly hardware: HardwareConfig;
  /** Systems in data parallel; each trains batch.sequences / systems sequences per step. */
  readonly cluster: { readonly systems: number };
  readonly activationPolicy: ActivationPolicy;
  readonly phases: readonly WorkloadPhase[];
  readonly seed: number;
  /** A preset name, or the absolute path of the file the workload was loaded from. */
  readonly source: string;
}

/** Sequences each system of the cluster trains per step (the global batch split evenly). */
export function sequencesPerSystem(w: Pick<Workload, 'batch' | 'cluster'>): number {
  return w.batch.sequences / w.cluster.systems;
}

/** The schedule of a phase as written (a level, a gradual ramp, or nothing: the spec's level). */
export function phaseSchedule(
  phase: { readonly sparsity?: PhaseSparsity | SparsitySchedule },
  spec: { readonly level: number },
): SparsitySchedule {
  const s = phase.sparsity;
  if (s === undefined) return { schedule: 'constant', level: spec.level };
  if (typeof s === 'number') return { schedule: 'constant', level: s };
  return s;
}

/**
 * Sparsity level after `fraction` of the phase's tokens. A gradual schedule holds `from` until
 * startFraction, then moves linearly in density (equivalently in level) to `to` at endFraction.
 * Linear rather than the cubic ramp of Zhu & Gupta 2017: the FLOPs of a step scale with the
 * current density, so a linear ramp keeps the average density in closed form.
 */
export function levelAt(
  phase: { readonly sparsity?: PhaseSparsity | SparsitySchedule },
  spec: { readonly level: number },
  fraction: number,
): number {
  if (!(fraction >= 0 && fraction <= 1)) throw new RangeError(`fraction must be in [0, 1]; got ${fraction}`);
  const s = phaseSchedule(phase, spec);
  if (s.schedule === 'constant') return s.level;
  if (fraction <= s.startFraction) return s.from;
  if (fraction >= s.endFraction) return s.to;
  const t = (fraction - s.startFraction) / (s.endFraction - s.startFraction);
  return s.from + (s.to - s.from) * t;
}

/** Token-weighted mean density (1 − level) over the phase: the factor that scales its sparse FLOPs. */
export function averageDensity(
  phase: { readonly sparsity?: PhaseSparsity | SparsitySchedule },
  spec: { readonly level: number },
): number {
  const s = phaseSchedule(phase, spec);
  if (s.schedule === 'constant') return 1 - s.level;
  const before = s.startFraction * (1 - s.from);
  const ramp = (s.endFraction - s.startFraction) * (1 - (s.from + s.to) / 2);
  const after = (1 - s.endFraction) * (1 - s.to);
  return before + ramp + after;
}
