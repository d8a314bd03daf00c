/**
 * `wafersim crosscheck [--json] [--full]` (DESIGN §9): the streamed GEMMs both fidelities can run,
 * the `row` kernel against the `wavelet` program of every PE (simulator/wavelet/crosscheck.ts),
 * the error of each case and the worst. Exit 1 when a case is beyond the ±2% goal, like
 * `validate` when a point is beyond its tolerance.
 */
import type { Command } from 'commander';
import { HARDWARE_PRESETS } from '../../hardware/hardware-config.ts';
import {
  CROSSCHECK_TOLERANCE,
  type CrosscheckResult,
  crosscheckCases,
  runCrosscheckCase,
  worstCrosscheckError,
} from '../../simulator/wavelet/crosscheck.ts';
import { formatPercent, formatTable } from '../format.ts';
import type { Io } from '../io.ts';

/** Exit code when a case is beyond the tolerance (bad input stays 2). */
export const EXIT_CROSSCHECK_FAILED = 1;

const signed = (e: number) => `${e >= 0 ? '+' : ''}${formatPercent(e, 2)}`;

export function registerCrosscheck(program: Command, io: Io, setExitCode: (code: number) => void): void {
  program
    .command('crosscheck')
    .description(
      'Run streamed GEMMs on both fidelities, the row kernel and the wavelet program of every PE, and compare ' +
        'their cycles case by case (goal ±2%); exit 1 beyond it',
    )
    .option(
      '--full',
      'every combination of a smaller set of factor values (768 cases, about 10 minutes on 2 cores) instead of one factor at a time',
    )
    .option('--json', 'print only JSON')
    .action((options: { json?: boolean; full?: boolean }) => {
      const hardware = HARDWARE_PRESETS.cs2!;
      const results: CrosscheckResult[] = crosscheckCases(Boolean(options.full)).map((c) =>
        runCrosscheckCase(hardware, c),
      );
      const worstError = worstCrosscheckError(results);
      if (Math.abs(worstError) > CROSSCHECK_TOLERANCE) setExitCode(EXIT_CROSSCHECK_FAILED);
      if (options.json) {
        io.stdout(
          `${JSON.stringify(
            {
              hardware: hardware.name,
              tolerance: CROSSCHECK_TOLERANCE,
              cases: results.map((r) => ({
                name: r.name,
                rowCycles: r.rowCycles,
                waveletCycles: r.waveletCycles,
                error: r.error,
                ...r.case,
              })),
              worstError,
            },
            null,
            2,
          )}\n`,
        );
        return;
      }
      const rows = results.map((r) => [
        r.name,
        r.rowCycles.toFixed(0),
        String(r.waveletCycles),
        signed(r.error),
      ]);
      io.stdout(
        `Streamed GEMMs and SDDMMs of one row group on ${hardware.name}: the row kernel against the wavelet program of every PE\n\n` +
          `${formatTable(['case', 'row cycles', 'wavelet cycles', 'error'], rows)}\n\n` +
          `worst error ${signed(worstError)} (goal ±${formatPercent(CROSSCHECK_TOLERANCE, 0)})\n` +
          'error = wavelet / row − 1; docs/design.md §6 says what separates the fidelities today.\n',
      );
    });
}
