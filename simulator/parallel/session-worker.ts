/**
 * The session worker (started directly when compiled, through session-bootstrap.js from the
 * sources): runs `simulateRun` off the main thread behind comlink. With one worker, this thread is
 * that worker and runs the units itself (a pool of one would add a thread, and a copy of every
 * unit and result, for nothing); with more, they go to a pool of that many.
 */
import { parentPort } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import type { Workload } from '../../workloads/index.ts';
import { serialExecutor } from '../executor.ts';
import type { WorkloadSummary } from '../run-summary.ts';
import { simulateRun } from '../simulate-run.ts';
import { createExecutor } from './index.ts';
import { type SessionApi, type SimulationProgress, summaryTransferables, toWireError } from './protocol.ts';

let current: AbortController | undefined;

const api: SessionApi = {
  async run(workloads: readonly Workload[], workers: number, onProgress?, onWorkloadDone?, fidelity?) {
    const controller = new AbortController();
    current = controller;
    const executor = workers === 1 ? serialExecutor : createExecutor(workers);
    // The last progress call's reply: once it is back, every event has reached the caller.
    let delivered: Promise<unknown> = Promise.resolve();
    // Every finished workload's delivery, all awaited before the run returns.
    const handedOver: Promise<unknown>[] = [];
    try {
      const summaries: WorkloadSummary[] = await simulateRun(workloads, {
        executor,
        signal: controller.signal,
        ...(fidelity ? { fidelity } : {}),
        onProgress: (event: SimulationProgress) => {
          if (onProgress) delivered = Promise.resolve(onProgress(event)).catch(() => {});
        },
        ...(onWorkloadDone
          ? {
              onWorkloadDone: (index: number, summary: WorkloadSummary) => {
                handedOver.push(Promise.resolve(onWorkloadDone(index, summary)));
              },
            }
          : {}),
      });
      await delivered;
      await Promise.all(handedOver);
      return Comlink.transfer(summaries, summaryTransferables(summaries));
    } catch (error) {
      // A plain object, not an Error: comlink would drop an InputError's diagnostics.
      throw toWireError(error);
    } finally {
      if (current === controller) current = undefined;
      await executor.close?.();
    }
  },
  cancel() {
    current?.abort();
  },
};

if (!parentPort) throw new Error('session-worker.ts runs in a worker thread (see session.ts)');
Comlink.expose(api, nodeEndpoint(parentPort));
