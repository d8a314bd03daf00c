/**
 * What `run` and `sweep` share: the worker count, the executor (a session worker with a pool, or
 * this thread for 0 workers), Ctrl-C cancellation that writes nothing (through the simulation and
 * the writing of the files), the progress bar (only on a terminal, never with --json), and the
 * invocation facts that go under a report's `meta`.
 */
import { availableParallelism, hostname } from 'node:os';
import { inputError } from '../models/diagnostics.ts';
import { CancelledError, serialExecutor } from '../simulator/executor.ts';
import { runInSession } from '../simulator/parallel/index.ts';
import type { WorkloadSummary } from '../simulator/run-summary.ts';
import { simulateRun } from '../simulator/simulate-run.ts';
import type { Workload } from '../workloads/index.ts';
import type { Io } from './io.ts';
import { parseNumberOption } from './options.ts';
import { createProgressBar, type Progress } from './progress.ts';
import { buildInfo } from './version.ts';

/** Exit code of a run cancelled by SIGINT (128 + 2, the shell's convention). */
export const EXIT_INTERRUPTED = 130;
/** Exit code of a run cancelled by SIGTERM (128 + 15): a job scheduler stopping it. */
export const EXIT_TERMINATED = 143;

/** `--workers`: a whole number ≥ 0; by default the number of CPU cores. */
export function parseWorkers(text: string | undefined): number {
  if (text === undefined) return availableParallelism();
  const value = parseNumberOption('--workers', text);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw inputError(
      'invalid-value',
      '--workers',
      `'${text}' must be a whole number of worker threads ≥ 0 (0 runs in this thread)`,
    );
  }
  return value;
}

/** Facts about this invocation that vary from run to run: they go under `meta` only. */
export function invocationFacts() {
  return {
    generatedAt: new Date().toISOString(),
    wafersimVersion: buildInfo().version,
    commit: buildInfo().commit,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    host: hostname(),
    cpus: availableParallelism(),
  };
}

/**
 * Simulates `workloads` and hands the summaries to `finish` (which builds and writes the report,
 * passing the signal on so a late Ctrl-C still writes nothing). A cancellation prints one line and
 * sets exit code 130 (143 for SIGTERM). The handlers stay until `finish` has written the files: a
 * signal before the writer's commit writes nothing, one after it leaves the new files complete
 * (and still exits 130 or 143). A second Ctrl-C exits at once: the folder then shows the earlier
 * files or the new ones whole (reports/atomic-write.ts), and the next write removes the leftovers.
 */
export async function simulateCancellably(
  io: Io,
  options: {
    workloads: readonly Workload[];
    workers: number;
    json: boolean;
    what: string;
    /** Each workload's summary as soon as it is simulated (a sweep's checkpoint of each point). */
    onWorkloadDone?: (index: number, summary: WorkloadSummary) => void;
    /** What an interruption keeps, when it keeps something (a sweep's finished points). */
    interrupted?: () => string;
    /** 'wavelet': every matmul scaled by a sampled region on the wavelet fabric. */
    fidelity?: 'row' | 'wavelet';
  },
  setExitCode: (code: number) => void,
  finish: (summaries: WorkloadSummary[], wallSeconds: number, signal: AbortSignal) => Promise<void>,
): Promise<void> {
  const controller = new AbortController();
  let exitCode = EXIT_INTERRUPTED;
  const onSigint = () => {
    if (controller.signal.aborted) process.exit(exitCode);
    controller.abort();
  };
  // SIGTERM (a scheduler's stop, `kill`) cancels the same way: nothing half-written.
  const onSigterm = () => {
    exitCode = EXIT_TERMINATED;
    onSigint();
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  const progress: Progress | undefined = io.stderrIsTty && !options.json ? createProgressBar(io) : undefined;
  const signal = controller.signal;
  try {
    const started = performance.now();
    const callbacks = {
      ...(options.fidelity ? { fidelity: options.fidelity } : {}),
      ...(progress ? { onProgress: progress.update } : {}),
      ...(options.onWorkloadDone ? { onWorkloadDone: options.onWorkloadDone } : {}),
    };
    const summaries =
      options.workers === 0
        ? await simulateRun(options.workloads, { executor: serialExecutor, signal, ...callbacks })
        : await runInSession(options.workloads, { workers: options.workers, signal, ...callbacks });
    progress?.stop();
    await finish(summaries, (performance.now() - started) / 1000, signal);
    if (signal.aborted) {
      // The signal came after the files were committed: they are whole; the exit code says it came.
      io.stderr(`wafersim: interrupted after the files were written; they are complete\n`);
      setExitCode(exitCode);
    }
  } catch (error) {
    if (!(error instanceof CancelledError) && !signal.aborted) throw error;
    progress?.stop();
    io.stderr(
      `wafersim: interrupted; the ${options.what} was cancelled and ${options.interrupted?.() ?? 'nothing was written'}\n`,
    );
    setExitCode(exitCode);
  } finally {
    progress?.stop();
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
  }
}
