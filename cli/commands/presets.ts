import type { Command } from 'commander';
import { HARDWARE_PRESETS, type HardwareConfig } from '../../hardware/hardware-config.ts';
import { macsPerCycle } from '../../hardware/machine-rates.ts';
import { MODEL_PRESETS } from '../../models/model-config.ts';
import { STUDY_PRESETS, WORKLOAD_PRESETS } from '../../workloads/index.ts';
import { SWEEP_PRESETS } from '../../workloads/sweeps/index.ts';
import { formatTable } from '../format.ts';
import type { Io } from '../io.ts';

/** Every preset the tool knows, as data: what `presets --json` prints. */
export function listPresets() {
  return {
    models: Object.values(MODEL_PRESETS).map((m) => ({
      name: m.name,
      layers: m.layers,
      dModel: m.dModel,
      heads: m.heads,
      dFF: m.dFF,
      vocab: m.vocab,
      seqLen: m.seqLen,
      activation: m.activation,
      note: m.note ?? '',
    })),
    workloads: Object.entries(WORKLOAD_PRESETS).map(([name, w]) => ({
      name,
      description: w.description ?? '',
    })),
    studies: Object.entries(STUDY_PRESETS).map(([name, s]) => ({
      name,
      workloads: [...s.workloads],
      description: s.description,
    })),
    sweeps: Object.entries(SWEEP_PRESETS).map(([name, s]) => ({
      name,
      description: s.description ?? '',
      vary: Object.keys(s.vary),
    })),
    // Every field of every preset, and the MAC rate its accumulation selects.
    hardware: Object.values(HARDWARE_PRESETS).map((h) => ({ ...h, macsPerCycle: macsPerCycle(h) })),
  };
}

/** Fields always shown: what sets the arithmetic rate, the memory ports, the calibrated parameters. */
const ALWAYS_SHOWN = [
  'accumulate',
  'memReadBytesPerCycle',
  'memWriteBytesPerCycle',
  'taskOverheadCycles',
  'gemmAccumulators',
  'stepBubbleSeconds',
] as const;

/** How a hardware field reads in the presets table. */
function formatHardwareField(key: string, value: unknown): string {
  if (typeof value !== 'number') return String(value);
  if (key === 'clockHz') return `${value / 1e9} GHz`;
  if (key.endsWith('BitsPerSecond')) return `${value / 1e12} Tb/s`;
  if (key === 'sramBytesPerPe') return `${value / 1024} KiB`;
  if (key.endsWith('Seconds')) return value < 1e-3 ? `${value * 1e6} µs` : `${value * 1e3} ms`;
  return String(value);
}

/**
 * The hardware presets side by side: the fields in which any two differ, then the ones always
 * shown (accumulation and the MAC rate it selects, memory ports, calibrated parameters).
 */
function hardwareTable(presets: ReturnType<typeof listPresets>['hardware']): string {
  const keys = Object.keys(presets[0]!).filter((k) => k !== 'name' && k !== 'macsPerCycle');
  const differs = keys.filter((k) =>
    presets.some(
      (p) =>
        JSON.stringify(p[k as keyof HardwareConfig]) !==
        JSON.stringify(presets[0]![k as keyof HardwareConfig]),
    ),
  );
  const columns = [...differs, ...ALWAYS_SHOWN.filter((k) => !differs.includes(k)), 'macsPerCycle'];
  return formatTable(
    ['hardware', ...columns],
    presets.map((p) => [p.name, ...columns.map((k) => formatHardwareField(k, p[k as keyof typeof p]))]),
  );
}

export function registerPresets(program: Command, io: Io): void {
  program
    .command('presets')
    .description('List the model, workload, study and hardware presets')
    .option('--json', 'print only JSON')
    .action((options: { json?: boolean }) => {
      const all = listPresets();
      if (options.json) {
        io.stdout(`${JSON.stringify(all, null, 2)}\n`);
        return;
      }
      const models = formatTable(
        ['model', 'layers', 'dModel', 'heads', 'dFF', 'vocab', 'seqLen', 'activation'],
        all.models.map((m) => [
          m.name,
          ...[m.layers, m.dModel, m.heads, m.dFF, m.vocab, m.seqLen].map(String),
          m.activation,
        ]),
      );
      const workloads = all.workloads.map((w) => `  ${w.name}\n      ${w.description}`).join('\n');
      const studies = all.studies
        .map((s) => `  ${s.name}: ${s.workloads.join(', ')}\n      ${s.description}`)
        .join('\n');
      const hardware = hardwareTable(all.hardware);
      const sweeps = all.sweeps
        .map((s) => `  ${s.name} (varies ${s.vary.join(', ')})\n      ${s.description}`)
        .join('\n');
      io.stdout(
        `Models\n${models}\n\nWorkloads\n${workloads}\n\nStudies\n${studies}\n\nSweeps\n${sweeps}\n\nHardware (the fields that tell presets apart, and the calibrated ones; every field: --json; ` +
          'sources: docs/cs2-facts.md; your own machine: wafersim schema hardware)\n' +
          `${hardware}\n`,
      );
    });
}
