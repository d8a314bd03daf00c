/**
 * Simulates a list of workloads (a study, or one workload) and returns their summaries. The one
 * entry point the CLI, the session worker and library users call; the executor decides whether
 * units run serially or on a worker pool, and the results are identical either way.
 */
import type { Workload } from '../workloads/index.ts';
import type { UnitExecutor } from './executor.ts';
import { summarizeWorkload, type WorkloadSummary } from './run-summary.ts';
import { type SimulatedStep, type SimulateOptions, simulateWorkload } from './run-workload.ts';
import type { TaskResult } from './units.ts';

export async function simulateRun(
  workloads: readonly Workload[],
  options: Omit<SimulateOptions, 'denseCache' | 'denseTaskCache'> & { executor?: UnitExecutor } = {},
): Promise<WorkloadSummary[]> {
  const denseCache = new Map<string, SimulatedStep>();
  const denseTaskCache = new Map<string, TaskResult>();
  const out: WorkloadSummary[] = [];
  for (const workload of workloads) {
    const result = await simulateWorkload(workload, { ...options, denseCache, denseTaskCache });
    out.push(summarizeWorkload(result));
  }
  return out;
}
