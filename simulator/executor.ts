/**
 * How units get run. The serial executor is the reference; the parallel one (parallel/) must
 * return exactly the same results in the same order.
 */
import { type SimUnit, simulateUnit, type UnitResult } from './units.ts';

export interface RunOptions {
  readonly signal?: AbortSignal;
  /** Called after each unit completes, with how many are done of how many. */
  readonly onUnitDone?: (done: number, total: number) => void;
  /** Called with each unit's result as it completes (in completion order). */
  readonly onUnitResult?: (index: number, result: UnitResult) => void;
  /**
   * The group of each unit (a sweep point, a step): lower groups are started first, so groups
   * finish one after another and each can be written as it completes. Within a group (and with
   * no groups) the largest units go first.
   */
  readonly groupOf?: readonly number[];
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
      const result = simulateUnit(unit);
      out.push(result);
      options.onUnitResult?.(out.length - 1, result);
      options.onUnitDone?.(out.length, units.length);
      // Yield so that a cancellation (Ctrl-C, an AbortSignal) gets through between units.
      await new Promise((resolve) => setImmediate(resolve));
    }
    return out;
  },
};
