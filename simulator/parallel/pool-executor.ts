/**
 * A UnitExecutor on a piscina pool. Results come back in unit order, so they are identical to the
 * serial executor's; `onUnitDone` fires in completion order. A cancellation or a failing unit
 * destroys the pool (queued tasks are dropped, running ones terminated, and every thread has exited
 * before `run` rejects); the next run starts a fresh pool.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { CancelledError, type RunOptions, type UnitExecutor } from '../executor.ts';
import { estimateUnitWork, type SimUnit, type UnitResult } from '../units.ts';
import type { PoolTask, PoolTaskResult } from './protocol.ts';

/** Compiled (dist/, plain JavaScript: workers need no loader) or run from the TypeScript sources. */
const COMPILED = import.meta.url.endsWith('.js');
const WORKER_ENTRY = new URL(COMPILED ? './unit-worker.js' : './unit-worker.ts', import.meta.url).href;
/** From the sources, workers run them through tsx; resolved here so that any cwd works. */
function workerExecArgv(): string[] {
  return COMPILED ? [] : ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href];
}

export function createPoolExecutor(workers: number): UnitExecutor {
  if (!Number.isInteger(workers) || workers < 1) {
    throw new RangeError(`a pool needs a whole number of workers ≥ 1, got ${workers}`);
  }
  let pool: Piscina<PoolTask, PoolTaskResult> | undefined;
  /** Fails the run in progress; set while a run is. */
  let failRun: ((error: unknown) => void) | undefined;

  const open = () => {
    if (!pool) {
      pool = new Piscina<PoolTask, PoolTaskResult>({
        filename: WORKER_ENTRY,
        minThreads: workers,
        maxThreads: workers,
        execArgv: workerExecArgv(),
      });
      // Errors outside any task (a worker crashing while idle): the run in progress fails.
      pool.on('error', (error: unknown) => failRun?.(error));
    }
    return pool;
  };
  // Piscina's destroy() drops the queue and waits for every worker to exit. (Aborting tasks one by
  // one instead would terminate their workers without waiting, and start replacements.)
  const destroy = async () => {
    const p = pool;
    pool = undefined;
    await p?.destroy();
  };

  return {
    async run(units: readonly SimUnit[], options: RunOptions = {}): Promise<UnitResult[]> {
      const { signal, onUnitDone, onUnitResult, groupOf } = options;
      if (signal?.aborted) throw new CancelledError();
      if (units.length === 0) return [];
      const p = open();
      let stopped = false;
      let done = 0;
      // Groups in order, and in each the largest units first, so the last ones to finish are
      // short and the workers end together; results still come back in unit order.
      const group = (i: number) => groupOf?.[i] ?? 0;
      const order = units
        .map((_, i) => i)
        .sort(
          (a, b) => group(a) - group(b) || estimateUnitWork(units[b]!) - estimateUnitWork(units[a]!) || a - b,
        );
      const tasks: Promise<UnitResult>[] = new Array(units.length);
      for (const i of order) {
        tasks[i] = p.run(units[i]!).then((result) => {
          if (!stopped && !signal?.aborted) {
            onUnitResult?.(i, result);
            onUnitDone?.(++done, units.length);
          }
          return result;
        });
      }
      // After a failure the others reject too (the pool is destroyed); nobody waits for those.
      for (const t of tasks) t.catch(() => {});
      const onAbort = () => failRun?.(new CancelledError());
      const failed = new Promise<never>((_, reject) => {
        failRun = reject;
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        return await Promise.race([Promise.all(tasks), failed]);
      } catch (error) {
        stopped = true;
        await destroy();
        throw signal?.aborted ? new CancelledError() : error;
      } finally {
        failRun = undefined;
        signal?.removeEventListener('abort', onAbort);
      }
    },
    close: destroy,
  };
}
