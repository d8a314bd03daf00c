/**
 * JSON Schemas of the result files, generated from the same zod schemas the tests validate them
 * with: `wafersim schema report` (report.json) and `wafersim schema sweep-report` (sweep.json).
 * Tools that read the results (notebooks, dashboards, other simulators' pipelines) can check a
 * file against them and read each field's description and unit.
 */
import { z } from 'zod';
import { ReportSchema } from './report-json.ts';
import { SweepReportSchema } from './sweep/sweep-report.ts';

function described(schema: z.ZodType, title: string, description: string): Record<string, unknown> {
  const { $schema: _draft, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'output',
    unrepresentable: 'any',
  }) as Record<string, unknown>;
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', title, description, ...rest };
}

export function reportJsonSchema(): Record<string, unknown> {
  return described(
    ReportSchema,
    'wafersim report.json (version 1)',
    'The results of `wafersim run`: per workload and phase, the simulated step, speedup and where the gap goes. Fractions are in [0, 1]; units are in the field names or descriptions.',
  );
}

export function sweepReportJsonSchema(): Record<string, unknown> {
  return described(
    SweepReportSchema,
    'wafersim sweep.json (version 1)',
    'The results of `wafersim sweep`: every point with its varied values, its headline figures and its full run (as in report.json).',
  );
}
