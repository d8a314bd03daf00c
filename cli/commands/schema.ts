import type { Command } from 'commander';
import { inputError, unknownNameMessage } from '../../models/diagnostics.ts';
import { reportJsonSchema, sweepReportJsonSchema } from '../../reports/json-schemas.ts';
import { hardwareFileJsonSchema, workloadJsonSchema } from '../../workloads/index.ts';
import { sweepJsonSchema } from '../../workloads/sweeps/index.ts';
import type { Io } from '../io.ts';

const SCHEMAS: Record<string, () => unknown> = {
  workload: workloadJsonSchema,
  sweep: sweepJsonSchema,
  hardware: hardwareFileJsonSchema,
  report: reportJsonSchema,
  'sweep-report': sweepReportJsonSchema,
};

export function registerSchema(program: Command, io: Io): void {
  program
    .command('schema')
    .description(
      'Print the JSON Schema of an input file format (workload, sweep, hardware) or of a result file (report: report.json, sweep-report: sweep.json)',
    )
    .argument('<kind>', `the file format: ${Object.keys(SCHEMAS).join(', ')}`)
    .action((kind: string) => {
      const make = SCHEMAS[kind];
      if (!make)
        throw inputError(
          'unknown-preset',
          'schema',
          unknownNameMessage('schema', kind, Object.keys(SCHEMAS)),
        );
      io.stdout(`${JSON.stringify(make(), null, 2)}\n`);
    });
}
