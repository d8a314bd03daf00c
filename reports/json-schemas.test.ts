import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { reportJsonSchema, sweepReportJsonSchema } from './json-schemas.ts';
import { buildReport } from './report-json.ts';
import { fixtureSweepReport } from './sweep/test-support.ts';
import { FIXTURE_META, fixtureSummary } from './test-support.ts';

describe('JSON Schemas of the result files', () => {
  const report = JSON.parse(JSON.stringify(buildReport([fixtureSummary()], FIXTURE_META)));
  const sweep = JSON.parse(JSON.stringify(fixtureSweepReport()));

  it('accept the files wafersim writes and reject a missing field or a wrong type', () => {
    const reportCheck = z.fromJSONSchema(reportJsonSchema() as never);
    expect(reportCheck.safeParse(report).success).toBe(true);
    const { gpu: _gpu, ...noGpu } = report;
    expect(reportCheck.safeParse(noGpu).success).toBe(false);
    expect(reportCheck.safeParse({ ...report, version: '1' }).success).toBe(false);
    const sweepCheck = z.fromJSONSchema(sweepReportJsonSchema() as never);
    expect(sweepCheck.safeParse(sweep).success).toBe(true);
    expect(sweepCheck.safeParse({ ...sweep, points: 'none' }).success).toBe(false);
  });

  it('are titled draft 2020-12 schemas that describe the headline fields', () => {
    const schema = reportJsonSchema() as {
      $schema: string;
      title: string;
      properties: Record<string, unknown>;
    };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.title).toBe('wafersim report.json (version 1)');
    const text = JSON.stringify(schema);
    for (const field of [
      'realizedSpeedup',
      'flopReduction',
      'efficiency',
      'stepSeconds',
      'resolved',
      'commit',
    ]) {
      expect(text).toContain(`"${field}"`);
    }
  });
});
