/**
 * What `run`, `compile` and `resolve` take: a workload file, a workload preset or a study, with
 * the `--set` overrides applied to every workload it names.
 */
import { type ResolvedRef, resolveStudyOrWorkload } from '../workloads/index.ts';
import { applyOverrides, parseOverride } from '../workloads/sweeps/index.ts';

export function resolveRef(ref: string, setTexts: readonly string[] = []): ResolvedRef {
  const overrides = setTexts.map((text) => parseOverride(text));
  const resolved = resolveStudyOrWorkload(ref);
  if (overrides.length === 0) return resolved;
  return { ...resolved, workloads: resolved.workloads.map((w) => applyOverrides(w, overrides)) };
}
