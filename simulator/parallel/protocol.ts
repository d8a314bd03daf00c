/**
 * The wire protocol of simulator/parallel: what a pool task carries, and the calls, events and
 * errors between the CLI (main thread) and the session worker. Everything here is plain,
 * structured-cloneable data; typed arrays (each `rowBusy`) are moved, never cloned.
 */
import type { Diagnostic } from '../../models/diagnostics.ts';
import { InputError } from '../../models/diagnostics.ts';
import type { Workload } from '../../workloads/index.ts';
import { CancelledError } from '../executor.ts';
import type { WorkloadSummary } from '../run-summary.ts';
import type { SimUnit, UnitResult } from '../units.ts';

/** A pool task: one unit in, its result out (the result's `rowBusy` buffers are moved back). */
export type PoolTask = SimUnit;
export type PoolTaskResult = UnitResult;

/** Progress of a run: `done` of `total` units of the level named by `label`. */
export interface SimulationProgress {
  readonly label: string;
  readonly done: number;
  readonly total: number;
}

/**
 * The session worker's API, called through comlink. `onProgress` arrives as a `Comlink.proxy`.
 * `run` resolves with the summaries (their `rowBusy` buffers transferred) or rejects with a
 * `WireError`; `cancel` aborts the run in progress.
 */
export interface SessionApi {
  run(
    workloads: readonly Workload[],
    workers: number,
    onProgress?: (event: SimulationProgress) => void | Promise<void>,
    onWorkloadDone?: (index: number, summary: WorkloadSummary) => void | Promise<void>,
    fidelity?: 'row' | 'wavelet',
  ): Promise<WorkloadSummary[]>;
  cancel(): void;
}

/**
 * What a session failure crosses the thread boundary as. Comlink rebuilds a thrown Error as a plain
 * Error with only name, message and stack, so the worker throws this plain object instead and the
 * caller rebuilds the error (with an InputError's diagnostics) from it.
 */
export interface WireError {
  readonly wire: 'wafersim-error';
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly diagnostics?: readonly Diagnostic[];
}

export function toWireError(error: unknown): WireError {
  if (!(error instanceof Error)) return { wire: 'wafersim-error', name: 'Error', message: String(error) };
  return {
    wire: 'wafersim-error',
    name: error.name,
    message: error.message,
    ...(error.stack === undefined ? {} : { stack: error.stack }),
    ...(error instanceof InputError ? { diagnostics: error.diagnostics } : {}),
  };
}

export function isWireError(value: unknown): value is WireError {
  return typeof value === 'object' && value !== null && (value as WireError).wire === 'wafersim-error';
}

/** The error the caller sees: an InputError keeps its diagnostics, a cancellation is a CancelledError. */
export function fromWireError(w: WireError): Error {
  const error =
    w.diagnostics !== undefined
      ? new InputError(w.diagnostics)
      : w.name === 'CancelledError'
        ? new CancelledError()
        : new Error(w.message);
  error.name = w.name;
  if (w.stack !== undefined) error.stack = w.stack;
  return error;
}

/** The buffers to move with a unit result: each task's `rowBusy`, once each. */
export function unitResultTransferables(result: UnitResult): ArrayBuffer[] {
  return distinctBuffers(result.results.map((r) => r.rowBusy));
}

/** The buffers to move with a run's summaries (the dense step may be shared by several workloads). */
export function summaryTransferables(summaries: readonly WorkloadSummary[]): ArrayBuffer[] {
  return distinctBuffers(
    summaries.flatMap((w) => w.phases.flatMap((p) => [...p.samples, p.dense].map((s) => s.rowBusy))),
  );
}

function distinctBuffers(arrays: readonly Float64Array[]): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const a of arrays) if (a.buffer instanceof ArrayBuffer) buffers.add(a.buffer);
  return [...buffers];
}
