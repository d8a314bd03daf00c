import type { Command } from 'commander';
import { HARDWARE_PRESET_NAMES } from '../../hardware/hardware-config.ts';
import { inputError, unknownNameMessage } from '../../models/diagnostics.ts';
import { MODEL_LIMITS } from '../../models/model-config.ts';
import { looksLikePath } from '../../models/read-json.ts';
import { assertFiniteNumbers } from '../../reports/finite.ts';
import { deriveGemmMetrics } from '../../reports/gemm-metrics.ts';
import { buildWaveletGemmTrace, checkTracePath, renderTrace, writeTraceFile } from '../../reports/trace.ts';
import { STALL_CAUSES } from '../../simulator/counters.ts';
import { CALIBRATION_TOKENS, simulateGemm } from '../../simulator/gemm.ts';
import { resolveHardwareField, WORKLOAD_LIMITS } from '../../workloads/index.ts';
import { checkOverridesApart, parseOverride, targetPath } from '../../workloads/sweeps/index.ts';
import { formatPercent, formatRatio, formatTable } from '../format.ts';
import type { Io } from '../io.ts';
import { collect, parseFidelity, parsePositiveIntOption, parseSparsityOption } from '../options.ts';
import { buildInfo } from '../version.ts';

interface GemmOptions {
  k: string;
  n: string;
  m?: string;
  sparsity: string;
  hardware: string;
  set?: string[];
  fidelity?: string;
  trace?: string;
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
    .option(
      '--hardware <preset|file>',
      `hardware preset (${HARDWARE_PRESET_NAMES.join(', ')}) or hardware file (wafersim schema hardware)`,
      'cs2',
    )
    .option(
      '--set <hardware.field=value>',
      'override a hardware field, repeatable, e.g. --set hardware.fmacsPerCycle=8',
      collect,
    )
    .option(
      '--fidelity <row|wavelet>',
      "'row' (the kernel every command uses) or 'wavelet' (every PE, router and wavelet; small meshes, small --m)",
      'row',
    )
    .option(
      '--trace <file>',
      "with --fidelity wavelet: every PE's data tasks as a timeline (Chrome trace-event JSON; open it in ui.perfetto.dev)",
    )
    .option('--json', 'print only JSON')
    .action((options: GemmOptions) => {
      const fidelity = parseFidelity(options.fidelity ?? 'row');
      if (options.trace !== undefined) {
        if (fidelity !== 'wavelet') {
          throw inputError(
            'invalid-value',
            '--trace',
            'a GEMM trace shows the PEs of the wavelet fidelity: add --fidelity wavelet',
          );
        }
        checkTracePath(options.trace);
      }
      // A GEMM's sides are bounded like a model's widest matrix, its tokens like a global batch.
      const side = MODEL_LIMITS.dFF;
      const k = parsePositiveIntOption('--k', options.k, true, side);
      const n = parsePositiveIntOption('--n', options.n, true, side);
      const m =
        options.m === undefined
          ? CALIBRATION_TOKENS
          : parsePositiveIntOption('--m', options.m, true, MODEL_LIMITS.seqLen * WORKLOAD_LIMITS.sequences);
      const sparsity = parseSparsityOption('--sparsity', options.sparsity);
      const hardware = gemmHardware(options.hardware, options.set ?? []);
      const trace = options.trace;
      const result = simulateGemm({ k, n, m, sparsity, hardware, fidelity, trace: trace !== undefined });
      const metrics = deriveGemmMetrics(result);
      assertFiniteNumbers(metrics, 'gemm metrics');
      if (trace !== undefined) {
        const { version, commit } = buildInfo();
        const built = buildWaveletGemmTrace(result, hardware.clockHz, { wafersimVersion: version, commit });
        writeTraceFile(trace, renderTrace(built));
      }
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
          (fidelity === 'wavelet'
            ? 'wavelet fidelity: every PE, router and wavelet of every row group (cycles not split by cause)\n\n'
            : `${formatTable(['cycles by cause', 'dense', 'sparse'], stallRows)}\n\n`) +
          `speedup ${formatRatio(metrics.speedup, 3)}, FLOP reduction ${formatRatio(metrics.flopReduction, 3)}, ` +
          `efficiency ${formatPercent(metrics.efficiency)}\n`,
      );
    });
}

/** `--hardware` with the `--set hardware.<field>` overrides applied; gemm takes no other paths. */
function gemmHardware(ref: string, setTexts: readonly string[]) {
  const overrides = setTexts.map((text) => parseOverride(text));
  checkOverridesApart(overrides);
  const fields: Record<string, unknown> = {};
  for (const { path, value } of overrides) {
    const segments = targetPath(path);
    if (segments[0] !== 'hardware' || segments.length !== 2) {
      throw inputError(
        'invalid-value',
        `--set ${path}`,
        'gemm simulates one GEMM on one machine: only hardware.<field> can be set (--k, --n, --m and --sparsity give the rest)',
      );
    }
    if (segments[1] === 'preset' || segments[1] === 'file') {
      throw inputError('invalid-value', `--set ${path}`, 'choose the machine with --hardware');
    }
    fields[segments[1]!] = value;
  }
  if (!looksLikePath(ref) && !HARDWARE_PRESET_NAMES.includes(ref)) {
    throw inputError(
      'unknown-preset',
      '--hardware',
      `${unknownNameMessage('hardware preset', ref, HARDWARE_PRESET_NAMES)} A hardware file must end in .json or contain a slash.`,
    );
  }
  const base = looksLikePath(ref) ? { file: ref } : { preset: ref };
  return resolveHardwareField({ ...base, ...fields });
}
