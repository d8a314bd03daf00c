import type { Command } from 'commander';
import { loadMeasuredPoints, VALIDATION_TOLERANCE, validateGemmPoints } from '../../reports/validation.ts';
import { HARDWARE_PRESETS } from '../../simulator/arch/hardware-config.ts';
import { CALIBRATION_TOKENS } from '../../simulator/gemm.ts';
import { formatPercent, formatRatio, formatTable } from '../format.ts';
import type { Io } from '../io.ts';

/** Exit code when a modeled point is beyond the tolerance (bad input stays 2). */
export const EXIT_VALIDATION_FAILED = 1;

export function registerValidate(program: Command, io: Io, setExitCode: (code: number) => void): void {
  program
    .command('validate')
    .description(
      'Compare the model with every published CS-2 measurement the repository ships; exit 1 beyond ±3%',
    )
    .option('--json', 'print only JSON')
    .action((options: { json?: boolean }) => {
      const hardware = HARDWARE_PRESETS.cs2!;
      const measured = loadMeasuredPoints();
      const points = validateGemmPoints(hardware, measured);
      const pass = points.every((p) => p.pass);
      const calibrated = {
        taskOverheadCycles: hardware.taskOverheadCycles,
        gemmAccumulators: hardware.gemmAccumulators,
        fittedBy: 'scripts/calibrate.ts',
        fittedTo: 'data/cs2-gemm-speedup.json',
        tokens: CALIBRATION_TOKENS,
      };
      if (options.json) {
        io.stdout(
          `${JSON.stringify({ pass, tolerance: VALIDATION_TOLERANCE, calibrated, points }, null, 2)}\n`,
        );
      } else {
        const rows = points.map((p) => [
          p.name,
          formatRatio(p.measuredSpeedup),
          formatRatio(p.modeledSpeedup, 3),
          `${p.relativeError >= 0 ? '+' : ''}${formatPercent(p.relativeError, 2)}`,
          p.pass ? 'ok' : 'FAIL',
        ]);
        io.stdout(
          `Model vs measured on cs2 (${CALIBRATION_TOKENS} tokens; source: ${measured.source})\n\n` +
            `${formatTable(['point', 'measured', 'model', 'error', `±${formatPercent(VALIDATION_TOLERANCE, 0)}`], rows)}\n\n` +
            `Calibrated parameters (fitted to these points by ${calibrated.fittedBy}): ` +
            `taskOverheadCycles = ${calibrated.taskOverheadCycles}, gemmAccumulators = ${calibrated.gemmAccumulators}\n` +
            `${pass ? 'All points within tolerance.' : 'Some points are beyond the tolerance.'}\n`,
        );
      }
      if (!pass) setExitCode(EXIT_VALIDATION_FAILED);
    });
}
