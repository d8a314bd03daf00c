/**
 * Simulates a list of workloads (a study, or one workload) and returns their summaries. The one
 * entry point the CLI, the session worker and library users call; the executor decides whether
 * units run serially or on a worker pool, and the results are identical either way.
 */
import type { Workload } from '../workloads/index.ts';
import { summarizeWorkload, type WorkloadSummary } from './run-summary.ts';
import { type SimulateOptions, simulateWorkloads } from './run-workload.ts';

export async function simulateRun(
  workloads: readonly Workload[],
  options: SimulateOptions = {},
): Promise<WorkloadSummary[]> {
  return (await simulateWorkloads(workloads, options)).map(summarizeWorkload);
}
