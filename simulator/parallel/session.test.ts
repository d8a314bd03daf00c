/** The session worker gives the in-process serial results, streams progress, cancels and cleans up. */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../models/diagnostics.ts';
import { CancelledError } from '../executor.ts';
import { simulateRun } from '../simulate-run.ts';
import type { SimulationProgress } from './protocol.ts';
import { runInSession } from './session.ts';
import {
  canonicalJson,
  infeasibleWorkload,
  liveWorkerThreads,
  progressIsOrdered,
  tinyWorkload,
  withoutTimings,
} from './test-support.ts';

describe('runInSession', () => {
  it('gives the serial in-process results with 0 and 2 unit workers, and streams ordered progress', async () => {
    const workload = tinyWorkload();
    const serial = await simulateRun([workload]);
    const before = liveWorkerThreads();
    for (const workers of [0, 2]) {
      const events: SimulationProgress[] = [];
      const summaries = await runInSession([workload], { workers, onProgress: (e) => events.push(e) });
      expect(withoutTimings(summaries)).toEqual(withoutTimings(serial));
      expect(canonicalJson(summaries)).toBe(canonicalJson(serial));
      expect(summaries[0]!.phases[0]!.dense.rowBusy).toBeInstanceOf(Float64Array);
      expect(progressIsOrdered(events)).toBe(true);
      expect(liveWorkerThreads()).toBe(before);
    }
  });

  it('an abort after the first progress event rejects with CancelledError and leaves no worker threads', async () => {
    const before = liveWorkerThreads();
    const controller = new AbortController();
    let during = 0;
    const run = runInSession([tinyWorkload(), tinyWorkload()], {
      workers: 2,
      signal: controller.signal,
      onProgress: () => {
        during = liveWorkerThreads();
        controller.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    expect(during).toBe(before + 1);
    expect(liveWorkerThreads()).toBe(before);
  });

  it('an already aborted signal rejects without starting a worker', async () => {
    await expect(
      runInSession([tinyWorkload()], { workers: 0, signal: AbortSignal.abort() }),
    ).rejects.toBeInstanceOf(CancelledError);
  });

  it('an InputError inside the session reaches the caller with its name, message and diagnostics', async () => {
    const workload = infeasibleWorkload();
    const inProcess = await simulateRun([workload]).catch((e: unknown) => e);
    expect(inProcess).toBeInstanceOf(InputError);
    const fromSession = await runInSession([workload], { workers: 0 }).catch((e: unknown) => e);
    expect(fromSession).toBeInstanceOf(InputError);
    const [a, b] = [inProcess as InputError, fromSession as InputError];
    expect(b.name).toBe('InputError');
    expect(b.message).toBe(a.message);
    expect(b.diagnostics).toEqual(a.diagnostics);
    expect(b.diagnostics[0]!.code).toBe('infeasible');
  });
});
