/**
 * Simulates a list of workloads (a study, or one workload) and returns their summaries. The one
 * entry point the CLI, the session worker and library users call; the executor decides whether
 * units run serially or on a worker pool, and the results are identical either way.
 */
import type { Workload } from '../workloads/index.ts';
import { summarizeWorkload, type WorkloadSummary } from './run-summary.ts';
import { type SimulateOptions, simulateWorkloads } from './run-workload.ts';

export interface SimulateRunOptions extends Omit<SimulateOptions, 'onWorkloadDone'> {
  /** Each workload's summary as soon as it is simulated (a sweep writes each point then). */
  readonly onWorkloadDone?: (index: number, summary: WorkloadSummary) => void;
}

export async function simulateRun(
  workloads: readonly Workload[],
  options: SimulateRunOptions = {},
): Promise<WorkloadSummary[]> {
  const { onWorkloadDone, ...rest } = options;
  const results = await simulateWorkloads(workloads, {
    ...rest,
    ...(onWorkloadDone ? { onWorkloadDone: (i, r) => onWorkloadDone(i, summarizeWorkload(r)) } : {}),
  });
  return results.map(summarizeWorkload);
}
