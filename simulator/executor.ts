/**
 * How units get run. The serial executor is the reference; the parallel one (parallel/) must
 * return exactly the same results in the same order.
 */
import { type SimUnit, simulateUnit, type UnitResult } from './units.ts';

export interface RunOptions {
  readonly signal?: AbortSignal;
  /** Called after each unit completes, with how many are done of how many. */
  readonly onUnitDone?: (done: number, total: number) => void;
}

export interface UnitExecutor {
  run(units: readonly SimUnit[], options?: RunOptions): Promise<UnitResult[]>;
  close?(): Promise<void>;
}

export class CancelledError extends Error {
  constructor() {
    super('simulation cancelled');
    this.name = 'CancelledError';
  }
}

export const serialExecutor: UnitExecutor = {
  async run(units, options = {}) {
    const out: UnitResult[] = [];
    for (const unit of units) {
      if (options.signal?.aborted) throw new CancelledError();
      out.push(simulateUnit(unit));
      options.onUnitDone?.(out.length, units.length);
      // Yield so that a cancellation (Ctrl-C, an AbortSignal) gets through between units.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return out;
  },
};
