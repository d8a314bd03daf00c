/**
 * The progress bar of long commands: one cli-progress bar on stderr, fed by the simulator's
 * progress events (`done` of `total` units of the level named by `label`). The caller creates it
 * only when stderr is a terminal and stdout is not reserved for JSON (DESIGN §9).
 */
import { Writable } from 'node:stream';
import { Presets, SingleBar } from 'cli-progress';
import type { Io } from './io.ts';

/** What the simulator reports as it goes (structurally the event of simulateRun and runInSession). */
export interface ProgressEvent {
  readonly label: string;
  readonly done: number;
  readonly total: number;
}

export interface Progress {
  update(event: ProgressEvent): void;
  stop(): void;
}

/** A terminal-like stream over `io.stderr`, so the bar goes where the CLI's stderr goes. */
function stderrStream(io: Io): Writable {
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      io.stderr(chunk.toString());
      callback();
    },
  });
  return Object.assign(stream, { isTTY: true, columns: process.stderr.columns || 80 });
}

/** What the bar counts, said once when it starts. */
export const UNIT_MEANING =
  'A unit is one sparse weight matrix (its mask drawn, every pass over it simulated) or a group of dense ops; the ETA is from the rate so far.';

export function createProgressBar(io: Io): Progress {
  const bar = new SingleBar(
    {
      stream: stderrStream(io),
      format: '{bar} {value}/{total} units · {label} · ETA {eta_formatted}',
      hideCursor: true,
      clearOnComplete: true,
      etaBuffer: 20,
    },
    Presets.shades_classic,
  );
  let label: string | undefined;
  return {
    update(event) {
      if (label === undefined) {
        io.stderr(`${UNIT_MEANING}\n`);
        bar.start(event.total, event.done, { label: event.label });
      } else if (event.label !== label) bar.setTotal(event.total);
      label = event.label;
      bar.update(event.done, { label: event.label });
    },
    stop() {
      if (label !== undefined) bar.stop();
      label = undefined;
    },
  };
}
