/**
 * All parallelism lives in this folder (DESIGN §6): a piscina pool for independent units and a
 * comlink session worker for long runs. Every parallel path has its serial twin: `createExecutor(0)`
 * is the serial executor, and the results are identical for any worker count.
 */
import { serialExecutor, type UnitExecutor } from '../executor.ts';
import { createPoolExecutor } from './pool-executor.ts';

export { createPoolExecutor } from './pool-executor.ts';
export type { SessionApi, SimulationProgress } from './protocol.ts';
export { runInSession, type SessionOptions } from './session.ts';

/** 0 → the serial executor (units run in this thread); N ≥ 1 → a pool of N worker threads. */
export function createExecutor(workers: number): UnitExecutor {
  return workers === 0 ? serialExecutor : createPoolExecutor(workers);
}
