import type { Command } from 'commander';
import { HARDWARE_PRESETS } from '../../hardware/hardware-config.ts';
import { deriveEnergyTable } from '../../reports/energy.ts';
import {
  CALIBRATION,
  type CalibratedParameter,
  loadMeasuredPoints,
  STEP_TOLERANCE,
  type StepValidationPoint,
  VALIDATION_TOLERANCE,
  type ValidationPoint,
  validateGemmPoints,
  validateStepPoints,
  worstError,
} from '../../reports/validation.ts';
import { CALIBRATION_TOKENS } from '../../simulator/gemm.ts';
import { createExecutor } from '../../simulator/parallel/index.ts';
import { formatPercent, formatRatio, formatTable } from '../format.ts';
import type { Io } from '../io.ts';
import { parseWorkers } from '../simulate.ts';

/** Exit code when a modeled point is beyond the tolerance (bad input stays 2). */
export const EXIT_VALIDATION_FAILED = 1;

const signed = (e: number) => `${e >= 0 ? '+' : ''}${formatPercent(e, 2)}`;
const sample = (inSample: boolean) => (inSample ? 'fitted' : 'held out');

/** Worst error of each kind of point, in sample and out of sample, reported apart. */
function errorSummary(gemm: readonly ValidationPoint[], steps: readonly StepValidationPoint[]) {
  const stats = (points: readonly { relativeError: number }[]) => ({
    points: points.length,
    worstError: worstError(points),
  });
  const part = (inSample: boolean) => {
    const own = steps.filter((p) => p.inSample === inSample);
    return {
      gemm: stats(gemm.filter((p) => p.inSample === inSample)),
      steps: stats(own.filter((p) => p.gated)),
      contextSteps: stats(own.filter((p) => !p.gated)),
    };
  };
  return { inSample: part(true), outOfSample: part(false) };
}

export function registerValidate(program: Command, io: Io, setExitCode: (code: number) => void): void {
  program
    .command('validate')
    .description(
      'Compare the model with every published CS-2 measurement the repository ships (GEMM speedups within ±3%, ' +
        'whole training steps within ±10%), fitted and held-out points apart; exit 1 beyond the tolerance',
    )
    .option('--workers <N>', 'worker threads for the whole-step simulations (default: the CPU cores)')
    .option('--json', 'print only JSON')
    .action(async (options: { json?: boolean; workers?: string }) => {
      const workers = parseWorkers(options.workers);
      const hardware = HARDWARE_PRESETS.cs2!;
      const measured = loadMeasuredPoints();
      const points = validateGemmPoints(hardware, measured);
      const executor = workers > 0 ? createExecutor(workers) : undefined;
      let steps: StepValidationPoint[];
      try {
        steps = await validateStepPoints(executor ? { executor } : {});
      } finally {
        await executor?.close?.();
      }
      const pass = points.every((p) => p.pass) && steps.every((p) => p.pass);
      const calibrated = Object.fromEntries(
        (Object.keys(CALIBRATION) as CalibratedParameter[]).map((name) => [
          name,
          { value: hardware[name], fittedTo: [...CALIBRATION[name].fittedTo] },
        ]),
      );
      const summary = errorSummary(points, steps);
      // The energy table: derived exactly through two figures, so there is nothing to judge.
      const derivedEnergy = deriveEnergyTable(hardware);
      const energy = {
        derivedFrom:
          'data/cs2-power.json (E1: FP32 GEMM 349.0 TFLOP/s at 79.66 GFLOP/s/W; E2: 30 mW per PE at peak)',
        parameters: {
          staticPowerWattsPerPe: {
            value: hardware.staticPowerWattsPerPe,
            derived: derivedEnergy.staticPowerWattsPerPe,
          },
          energyPerMacPicojoules: {
            value: hardware.energyPerMacPicojoules,
            derived: derivedEnergy.energyPerMacPicojoules,
          },
        },
        heldOut: [] as string[],
      };
      if (options.json) {
        io.stdout(
          `${JSON.stringify(
            {
              pass,
              tolerance: VALIDATION_TOLERANCE,
              stepTolerance: STEP_TOLERANCE,
              hardware: hardware.name,
              calibration: {
                fittedBy: 'scripts/calibrate.ts',
                gemmTokens: CALIBRATION_TOKENS,
                parameters: calibrated,
              },
              points,
              steps,
              errors: summary,
              energy,
            },
            null,
            2,
          )}\n`,
        );
      } else {
        const gemmRows = points.map((p) => [
          p.name,
          formatRatio(p.measuredSpeedup),
          formatRatio(p.modeledSpeedup, 3),
          signed(p.relativeError),
          sample(p.inSample),
          p.pass ? 'ok' : 'FAIL',
        ]);
        const stepRows = steps.map((p) => [
          `${p.id} ${p.name}`,
          p.systems > 1 ? `${p.systems} × ${p.hardware}` : p.hardware,
          `${p.measuredStepSeconds.toFixed(4)} s`,
          `${p.modeledStepSeconds.toFixed(4)} s`,
          signed(p.relativeError),
          sample(p.inSample),
          p.gated ? (p.pass ? 'ok' : 'FAIL') : 'context',
        ]);
        const params = (Object.keys(CALIBRATION) as CalibratedParameter[])
          .map((name) => `  ${name} = ${hardware[name]}: fitted to ${CALIBRATION[name].fittedTo.join(', ')}`)
          .join('\n');
        const worst = (e: number | null) => (e === null ? 'none' : formatPercent(e, 2));
        const { inSample: fit, outOfSample: held } = summary;
        io.stdout(
          'Model vs measured, with the presets as shipped.\n\n' +
            `Sparse GEMM speedup over dense on ${hardware.name} (${CALIBRATION_TOKENS} tokens; ${measured.source}):\n\n` +
            `${formatTable(['point', 'measured', 'model', 'error', 'fit', `±${formatPercent(VALIDATION_TOLERANCE, 0)}`], gemmRows)}\n\n` +
            'Whole dense training steps (data/cs-training-steps.json). Context, not judged: BERT-large (an encoder ' +
            'simulated as the same blocks with a head over every token; three software releases) and J2 (a 2023 ' +
            'release; the same page shows one release moving that run by 24%):\n\n' +
            `${formatTable(['run', 'hardware', 'measured', 'model', 'error', 'fit', `±${formatPercent(STEP_TOLERANCE, 0)}`], stepRows)}\n\n` +
            `Calibrated parameters of ${hardware.name} (scripts/calibrate.ts; cs3 carries them over):\n${params}\n\n` +
            `Energy table of ${hardware.name} (reports/energy.ts), derived exactly through two points of ${energy.derivedFrom}: ` +
            `staticPowerWattsPerPe = ${hardware.staticPowerWattsPerPe}, energyPerMacPicojoules = ${hardware.energyPerMacPicojoules}. ` +
            'Two points fix two parameters: no energy measurement is held out, so reported energies are unvalidated estimates.\n\n' +
            `Largest error, fitted points: GEMM ${worst(fit.gemm.worstError)}, steps ${worst(fit.steps.worstError)}\n` +
            `Largest error, held-out points: GEMM ${worst(held.gemm.worstError)}, steps ${worst(held.steps.worstError)}` +
            `, context steps ${worst(held.contextSteps.worstError)}\n` +
            `${pass ? 'All judged points within tolerance.' : 'Some points are beyond the tolerance.'}\n`,
        );
      }
      if (!pass) setExitCode(EXIT_VALIDATION_FAILED);
    });
}
