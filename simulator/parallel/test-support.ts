/** Shared by the parallel tests: a workload small enough to simulate in a fraction of a second. */

import { TINY_MODEL } from '../../tests/fixtures.ts';
import { parseWorkload, type Workload } from '../../workloads/index.ts';
import { serialExecutor, type UnitExecutor } from '../executor.ts';
import type { SimUnit } from '../units.ts';

export function tinyWorkload(meshSide = 16): Workload {
  return parseWorkload(
    {
      version: 1,
      model: TINY_MODEL,
      sparsity: 0.75,
      batch: { sequences: 8 },
      hardware: { preset: 'cs2', meshRows: meshSide, meshCols: meshSide },
      phases: [{ name: 'p', tokens: 1e6 }],
      seed: 7,
    },
    { name: 'tiny' },
  );
}

/** The tiny workload on a 2×2 mesh: its activations do not fit in SRAM (an InputError). */
export function infeasibleWorkload(): Workload {
  return tinyWorkload(2);
}

const TIMINGS = new Set(['drawMs', 'simulateMs']);

/** A copy without the wall-clock fields, which differ from run to run. */
export function withoutTimings(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutTimings);
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([k]) => !TIMINGS.has(k))
      .map(([k, v]) => [k, withoutTimings(v)]),
  );
}

/** JSON of a result with typed arrays written out and timings left out: byte-comparable. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (key, v) =>
    TIMINGS.has(key) ? undefined : ArrayBuffer.isView(v) ? Array.from(v as Float64Array) : v,
  );
}

/** The serial executor, recording the units it is given. */
export function recordingExecutor(): UnitExecutor & { readonly units: SimUnit[] } {
  const units: SimUnit[] = [];
  return {
    units,
    run(batch, options) {
      units.push(...batch);
      return serialExecutor.run(batch, options);
    },
  };
}

/** Worker threads this thread has running now (from the diagnostic report). */
export function liveWorkerThreads(): number {
  return (process.report.getReport() as unknown as { workers: unknown[] }).workers.length;
}

/** Checks a progress stream: per label, `done` counts 1, 2, … up to `total`. */
export function progressIsOrdered(
  events: readonly { label: string; done: number; total: number }[],
): boolean {
  const byLabel = new Map<string, { done: number; total: number }[]>();
  for (const e of events) byLabel.set(e.label, [...(byLabel.get(e.label) ?? []), e]);
  if (byLabel.size === 0) return false;
  for (const stream of byLabel.values()) {
    const total = stream[0]!.total;
    if (stream.length !== total) return false;
    if (!stream.every((e, i) => e.done === i + 1 && e.total === total)) return false;
  }
  return true;
}
