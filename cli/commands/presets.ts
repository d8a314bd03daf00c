import type { Command } from 'commander';
import { MODEL_PRESETS } from '../../models/model-config.ts';
import { HARDWARE_PRESETS } from '../../simulator/arch/hardware-config.ts';
import { macsPerCycle } from '../../simulator/arch/machine-rates.ts';
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
    hardware: Object.values(HARDWARE_PRESETS).map((h) => ({
      name: h.name,
      meshRows: h.meshRows,
      meshCols: h.meshCols,
      clockHz: h.clockHz,
      fmacsPerCycle: h.fmacsPerCycle,
      accumulate: h.accumulate,
      macsPerCycle: macsPerCycle(h),
      sramBytesPerPe: h.sramBytesPerPe,
      ioBitsPerSecond: h.ioBitsPerSecond,
      stepBubbleSeconds: h.stepBubbleSeconds,
    })),
  };
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
      const hardware = formatTable(
        [
          'hardware',
          'mesh',
          'clock',
          'FP16 FMAC/cycle',
          'accumulate',
          'MAC/cycle',
          'SRAM/PE',
          'I/O',
          'step bubble',
        ],
        all.hardware.map((h) => [
          h.name,
          `${h.meshRows} × ${h.meshCols}`,
          `${h.clockHz / 1e9} GHz`,
          String(h.fmacsPerCycle),
          h.accumulate,
          String(h.macsPerCycle),
          `${h.sramBytesPerPe / 1024} KiB`,
          `${h.ioBitsPerSecond / 1e12} Tb/s`,
          `${h.stepBubbleSeconds * 1e3} ms`,
        ]),
      );
      const sweeps = all.sweeps
        .map((s) => `  ${s.name} (varies ${s.vary.join(', ')})\n      ${s.description}`)
        .join('\n');
      io.stdout(
        `Models\n${models}\n\nWorkloads\n${workloads}\n\nStudies\n${studies}\n\nSweeps\n${sweeps}\n\nHardware\n${hardware}\n`,
      );
    });
}
