/**
 * Runs a simulation in a session worker (DESIGN §6) so the main thread stays free for the CLI:
 * progress comes back through a `Comlink.proxy`, an abort cancels the run and terminates the
 * worker, and the worker is always terminated at the end so the process can exit.
 */
import { Worker } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import type { Workload } from '../../workloads/index.ts';
import { CancelledError } from '../executor.ts';
import type { WorkloadSummary } from '../run-summary.ts';
import { fromWireError, isWireError, type SessionApi, type SimulationProgress } from './protocol.ts';

// Compiled, the session worker is plain JavaScript; from the sources, a bootstrap registers tsx
// first (Node 20 cannot start a worker on a .ts file).
const SESSION_ENTRY = new URL(
  import.meta.url.endsWith('.js') ? './session-worker.js' : './session-bootstrap.js',
  import.meta.url,
);
/** How long a cancelled session gets to stop its pool before it is terminated. */
const CANCEL_GRACE_MS = 250;

export interface SessionOptions {
  /** Unit workers inside the session: 0 runs the units serially in the session worker. */
  readonly workers: number;
  readonly onProgress?: (event: SimulationProgress) => void;
  /** Each workload's summary as soon as it is simulated, in the calling thread. */
  readonly onWorkloadDone?: (index: number, summary: WorkloadSummary) => void;
  readonly signal?: AbortSignal;
  readonly fidelity?: 'row' | 'wavelet';
}

export async function runInSession(
  workloads: readonly Workload[],
  options: SessionOptions,
): Promise<WorkloadSummary[]> {
  const { workers, onProgress, onWorkloadDone, signal } = options;
  if (signal?.aborted) throw new CancelledError();
  const worker = new Worker(SESSION_ENTRY);
  const session = Comlink.wrap<SessionApi>(nodeEndpoint(worker));
  let onAbort: (() => void) | undefined;
  const cancelled = new Promise<never>((_, reject) => {
    onAbort = () => {
      const grace = new Promise((resolve) => setTimeout(resolve, CANCEL_GRACE_MS).unref());
      void Promise.race([session.cancel().catch(() => {}), grace]).then(() => reject(new CancelledError()));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  // A worker that dies (a crash, an error while loading) never answers the pending call.
  let onExit: ((code: number) => void) | undefined;
  const died = new Promise<never>((_, reject) => {
    onExit = (code) => reject(new Error(`session worker exited with code ${code}`));
    worker.once('error', reject);
    worker.once('exit', onExit);
  });
  try {
    return await Promise.race([
      session.run(
        workloads,
        workers,
        onProgress ? Comlink.proxy(onProgress) : undefined,
        onWorkloadDone ? Comlink.proxy(onWorkloadDone) : undefined,
        options.fidelity,
      ),
      cancelled,
      died,
    ]);
  } catch (error) {
    if (signal?.aborted) throw new CancelledError();
    throw isWireError(error) ? fromWireError(error) : error;
  } finally {
    if (onAbort) signal?.removeEventListener('abort', onAbort);
    if (onExit) worker.off('exit', onExit);
    await worker.terminate();
  }
}
