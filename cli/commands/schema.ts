import type { Command } from 'commander';
import { inputError, unknownNameMessage } from '../../models/diagnostics.ts';
import { hardwareFileJsonSchema, workloadJsonSchema } from '../../workloads/index.ts';
import { sweepJsonSchema } from '../../workloads/sweeps/index.ts';
import type { Io } from '../io.ts';

const SCHEMAS: Record<string, () => unknown> = {
  workload: workloadJsonSchema,
  sweep: sweepJsonSchema,
  hardware: hardwareFileJsonSchema,
};

export function registerSchema(program: Command, io: Io): void {
  program
    .command('schema')
    .description('Print the JSON Schema of a file format, for editor completion and validation')
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
