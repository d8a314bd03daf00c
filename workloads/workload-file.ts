/**
 * A resolved workload written back as a workload file that reproduces it: every reference
 * followed (the model and the hardware inline, every field explicit), every default applied.
 * It is what `wafersim resolve` prints and what every report embeds, in the spirit of gem5's
 * config.json: `wafersim run` on it simulates exactly the same thing (tested on every preset).
 */
import type { Workload, WorkloadPhase } from './workload-schema.ts';
import { WORKLOAD_FILE_VERSION } from './workload-schema.ts';

/** A phase's sparsity as a file writes it: omitted when it is the workload's level. */
function phaseSparsity(phase: WorkloadPhase, level: number): Record<string, unknown> {
  const s = phase.sparsity;
  if (s.schedule === 'constant') return s.level === level ? {} : { sparsity: s.level };
  return { sparsity: { ...s } };
}

export function toWorkloadFile(w: Workload): Record<string, unknown> {
  return {
    version: WORKLOAD_FILE_VERSION,
    name: w.name,
    ...(w.description === undefined ? {} : { description: w.description }),
    model: { ...w.model },
    sparsity: structuredClone(w.sparsity),
    batch: { ...w.batch },
    hardware: { ...w.hardware },
    cluster: { ...w.cluster },
    activationPolicy: w.activationPolicy,
    phases: w.phases.map((p) => ({ name: p.name, tokens: p.tokens, ...phaseSparsity(p, w.sparsity.level) })),
    seed: w.seed,
  };
}
