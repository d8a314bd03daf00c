import type { Command } from 'commander';
import { inputError, unknownNameMessage } from '../../models/diagnostics.ts';
import { deriveGemmMetrics } from '../../reports/gemm-metrics.ts';
import { HARDWARE_PRESET_NAMES, HARDWARE_PRESETS } from '../../simulator/arch/hardware-config.ts';
import { STALL_CAUSES } from '../../simulator/counters.ts';
import { CALIBRATION_TOKENS, simulateGemm } from '../../simulator/gemm.ts';
import { formatPercent, formatRatio, formatTable } from '../format.ts';
import type { Io } from '../io.ts';
import { parsePositiveIntOption, parseSparsityOption } from '../options.ts';

interface GemmOptions {
  k: string;
  n: string;
  m?: string;
  sparsity: string;
  hardware: string;
  json?: boolean;
}

export function registerGemm(program: Command, io: Io): void {
  program
    .command('gemm')
    .description('Simulate one streamed GEMM Y[M×N] = X[M×K]·W[K×N], dense and sparse, on the mesh')
    .requiredOption('--k <K>', 'input features (the reduced dimension)')
    .requiredOption('--n <N>', 'output features')
    .option(
      '--m <M>',
      `tokens on the wafer (default ${CALIBRATION_TOKENS} = 88 × 2048, the calibration token count)`,
    )
    .option('--sparsity <S>', 'fraction of zero weights, in [0, 1)', '0')
    .option('--hardware <preset>', `hardware preset: ${HARDWARE_PRESET_NAMES.join(', ')}`, 'cs2')
    .option('--json', 'print only JSON')
    .action((options: GemmOptions) => {
      const k = parsePositiveIntOption('--k', options.k, true);
      const n = parsePositiveIntOption('--n', options.n, true);
      const m = options.m === undefined ? CALIBRATION_TOKENS : parsePositiveIntOption('--m', options.m, true);
      const sparsity = parseSparsityOption('--sparsity', options.sparsity);
      const hardware = HARDWARE_PRESETS[options.hardware];
      if (!hardware) {
        throw inputError(
          'unknown-preset',
          '--hardware',
          unknownNameMessage('hardware preset', options.hardware, HARDWARE_PRESET_NAMES),
        );
      }
      const result = simulateGemm({ k, n, m, sparsity, hardware });
      const metrics = deriveGemmMetrics(result);
      if (options.json) {
        io.stdout(`${JSON.stringify(metrics, null, 2)}\n`);
        return;
      }
      const t = (run: typeof result.dense) =>
        `G=${run.tiling.rowGroups} (${run.tiling.rowsPerGroup} rows × k-slice ${run.tiling.kSlice}), ${run.tiling.tokensPerPe} tokens/PE`;
      const stallRows = STALL_CAUSES.filter(
        (c) => result.dense.counters.cycles[c] + result.sparse.counters.cycles[c] > 0,
      ).map((c) => [
        c,
        formatPercent(result.dense.counters.cycles[c] / result.dense.cycles),
        formatPercent(result.sparse.counters.cycles[c] / result.sparse.cycles),
      ]);
      io.stdout(
        `${k} × ${n} GEMM over ${m} tokens on ${hardware.name}, ${formatPercent(sparsity, 0)} sparse\n` +
          `dense:  ${Math.round(metrics.denseCycles)} cycles  ${t(result.dense)}\n` +
          `sparse: ${Math.round(metrics.sparseCycles)} cycles  ${t(result.sparse)}\n\n` +
          `${formatTable(['cycles by cause', 'dense', 'sparse'], stallRows)}\n\n` +
          `speedup ${formatRatio(metrics.speedup, 3)}, FLOP reduction ${formatRatio(metrics.flopReduction, 3)}, ` +
          `efficiency ${formatPercent(metrics.efficiency)}\n`,
      );
    });
}
