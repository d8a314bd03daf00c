/**
 * Sweep reports built from the hand-built `WorkloadSummary` of ../test-support.ts (a 75% sparse
 * phase: FLOP reduction 2.5, realized speedup 2, efficiency 0.8; and a dense phase), for the tests
 * of reports/sweep: a 4-point sweep over `seed`, whole and in shards.
 */
import { fixtureSummary } from '../test-support.ts';
import {
  buildSweepReport,
  type PointResult,
  type SweepDefinition,
  type SweepInvocationMeta,
  type SweepReport,
} from './sweep-report.ts';

export const FIXTURE_SWEEP: SweepDefinition = {
  sweepId: '0123456789abcdef',
  name: 'toy-sweep',
  description: 'A toy sweep over seeds',
  base: 'toy-s75',
  vary: { seed: [1, 2, 3, 4] },
  pointCount: 4,
  reference: { index: 0, isBase: false },
};

export const FIXTURE_META: SweepInvocationMeta = {
  generatedAt: '2025-01-01T00:00:00.000Z',
  wafersimVersion: '0.0.0-test',
  commit: '0123456789ab',
  node: 'v20.0.0',
  platform: 'test',
  host: 'host',
  cpus: 1,
  workers: 0,
  wallSeconds: 1.5,
};

export function fixturePoint(index: number): PointResult {
  const seed = index + 1;
  return {
    index,
    values: { seed },
    summary: fixtureSummary({ name: `toy-sweep #${index} (seed=${seed})`, seed }),
  };
}

/** The whole sweep, or shard `i` of `n` (round-robin) with its shard meta. */
export function fixtureSweepReport(shard?: { index: number; count: number }): SweepReport {
  const indices = [0, 1, 2, 3].filter((i) => shard === undefined || i % shard.count === shard.index - 1);
  const meta = shard ? { ...FIXTURE_META, shard: { ...shard, points: indices } } : FIXTURE_META;
  return buildSweepReport(FIXTURE_SWEEP, indices.map(fixturePoint), meta);
}
