/** Serial ≡ parallel (STYLE §10): the pool gives the serial executor's results, in unit order. */
import { transferableSymbol, valueSymbol } from 'piscina';
import { afterEach, describe, expect, it } from 'vitest';
import { CancelledError, serialExecutor, type UnitExecutor } from '../executor.ts';
import { simulateRun } from '../simulate-run.ts';
import { type SimUnit, simulateUnit } from '../units.ts';
import { createExecutor, createPoolExecutor } from './index.ts';
import {
  canonicalJson,
  liveWorkerThreads,
  progressIsOrdered,
  recordingExecutor,
  tinyWorkload,
  withoutTimings,
} from './test-support.ts';
import runUnit from './unit-worker.ts';

const opened: UnitExecutor[] = [];
const pool = (workers: number) => {
  const executor = createPoolExecutor(workers);
  opened.push(executor);
  return executor;
};
afterEach(async () => {
  await Promise.all(opened.splice(0).map((e) => e.close?.()));
});

async function tinyUnits(): Promise<SimUnit[]> {
  const recorder = recordingExecutor();
  await simulateRun([tinyWorkload()], { executor: recorder });
  return recorder.units;
}

describe('createExecutor', () => {
  it('0 workers is the serial executor', () => {
    expect(createExecutor(0)).toBe(serialExecutor);
  });

  it('rejects a worker count that is not a whole number ≥ 1', () => {
    expect(() => createPoolExecutor(-1)).toThrow(RangeError);
    expect(() => createPoolExecutor(1.5)).toThrow(RangeError);
  });
});

describe('unit worker', () => {
  it('moves each rowBusy buffer back instead of cloning it', async () => {
    const [unit] = await tinyUnits();
    const moved = runUnit(unit!) as unknown as Record<symbol, unknown>;
    const result = moved[valueSymbol] as ReturnType<typeof simulateUnit>;
    expect(withoutTimings(result)).toEqual(withoutTimings(simulateUnit(unit!)));
    expect(moved[transferableSymbol]).toEqual([...new Set(result.results.map((r) => r.rowBusy.buffer))]);
    expect(result.results.length).toBeGreaterThan(0);
  });
});

describe('pool executor', () => {
  it('simulateRun gives the serial results with 1 and 2 workers', async () => {
    const workload = tinyWorkload();
    const serial = await simulateRun([workload]);
    for (const workers of [1, 2]) {
      const pooled = await simulateRun([workload], { executor: pool(workers) });
      expect(withoutTimings(pooled)).toEqual(withoutTimings(serial));
      expect(canonicalJson(pooled)).toBe(canonicalJson(serial));
    }
  });

  it('returns results in unit order and reports each unit as it completes', async () => {
    const units = await tinyUnits();
    const events: { label: string; done: number; total: number }[] = [];
    const results = await pool(2).run(units, {
      onUnitDone: (done, total) => events.push({ label: 'all', done, total }),
    });
    expect(results.map((r) => r.id)).toEqual(units.map((u) => u.id));
    expect(progressIsOrdered(events)).toBe(true);
    expect(events.at(-1)).toEqual({ label: 'all', done: units.length, total: units.length });
  });

  it('an abort rejects with CancelledError and leaves no worker threads', async () => {
    const units = await tinyUnits();
    const before = liveWorkerThreads();
    const controller = new AbortController();
    let during = 0;
    const run = pool(2).run([...units, ...units, ...units], {
      signal: controller.signal,
      onUnitDone: () => {
        during = liveWorkerThreads();
        controller.abort();
      },
    });
    await expect(run).rejects.toBeInstanceOf(CancelledError);
    expect(during).toBe(before + 2);
    expect(liveWorkerThreads()).toBe(before);
  });

  it('a unit that throws in a worker rejects the run with its error and leaves no worker threads', async () => {
    const units = await tinyUnits();
    const matrix = units.find((u) => u.kind === 'matrix')!;
    const broken: SimUnit = { ...matrix, pattern: 'no-such-pattern' };
    const before = liveWorkerThreads();
    await expect(pool(2).run([...units.slice(0, 3), broken, ...units])).rejects.toThrow(
      `unit ${matrix.id}: bad pattern no-such-pattern`,
    );
    expect(liveWorkerThreads()).toBe(before);
  });
});
