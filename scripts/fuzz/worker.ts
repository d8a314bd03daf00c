/**
 * A fuzz worker: a child process that runs the cases its parent sends, one at a time, and answers
 * with each outcome. The parent kills it when a case takes too long and starts another.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { FuzzCase } from './cases.ts';
import { layOut, runCase } from './run-case.ts';

interface Job {
  readonly id: number;
  readonly case: FuzzCase;
  readonly root: string;
  readonly fixtures: string;
}

process.on('message', async (job: Job) => {
  const caseDir = join(job.root, `case-${job.id}`);
  try {
    layOut(job.case, caseDir, job.fixtures);
    const outcome = await runCase(job.case, caseDir, job.fixtures);
    process.send?.({ id: job.id, outcome });
  } catch (error) {
    // Laying out the files failed (the harness's fault, not wafersim's): say so.
    process.send?.({ id: job.id, harnessError: String((error as Error).stack ?? error) });
  } finally {
    rmSync(caseDir, { recursive: true, force: true });
  }
});
