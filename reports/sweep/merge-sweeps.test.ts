/**
 * Merging shards. Oracles: the merge of every shard equals the unsharded report byte for byte
 * apart from `meta` (sweep.json, sweep.md, sweep.csv); a missing shard, a point in two shards and
 * shards of different sweeps are bad input naming the folders and point indices.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../models/diagnostics.ts';
import { mergeSweepReports, readSweepDir, type ShardInput } from './merge-sweeps.ts';
import { renderSweepCsv } from './sweep-csv.ts';
import { renderSweepMarkdown } from './sweep-markdown.ts';
import { renderSweepJson, type SweepReport } from './sweep-report.ts';
import { FIXTURE_META, fixtureSweepReport } from './test-support.ts';

/** A shard as `wafersim merge` reads it: the JSON text parsed back. */
function shard(label: string, report: SweepReport): ShardInput {
  return { label, dir: `/shards/${label}`, report: JSON.parse(renderSweepJson(report)) };
}

const whole = fixtureSweepReport();
const first = shard('a', fixtureSweepReport({ index: 1, count: 2 }));
const second = shard('b', fixtureSweepReport({ index: 2, count: 2 }));
const MERGE_META = { ...FIXTURE_META, generatedAt: '2025-02-02T00:00:00.000Z', workers: undefined };

function withoutMeta(report: SweepReport): string {
  const { meta: _meta, ...rest } = report;
  return JSON.stringify(rest, null, 2);
}

function messagesOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof InputError) return error.diagnostics.map((d) => `${d.path}: ${d.message}`);
    throw error;
  }
  throw new Error('expected an InputError');
}

describe('mergeSweepReports', () => {
  it('gives what one unsharded run gives, apart from meta, in any order of the shards', () => {
    for (const shards of [
      [first, second],
      [second, first],
    ]) {
      const merged = mergeSweepReports(shards, MERGE_META);
      expect(withoutMeta(merged)).toBe(withoutMeta(whole));
      expect(renderSweepMarkdown(merged)).toBe(renderSweepMarkdown(whole));
      expect(renderSweepCsv(merged)).toBe(renderSweepCsv(whole));
    }
  });

  it('its meta lists the shards and keeps every point timing', () => {
    const { meta } = mergeSweepReports([first, second], MERGE_META);
    expect(meta.mergedFrom?.map((m) => [m.dir, m.shard?.index, m.shard?.points])).toEqual([
      ['/shards/a', 1, [0, 2]],
      ['/shards/b', 2, [1, 3]],
    ]);
    expect(meta.points.map((p) => p.index)).toEqual([0, 1, 2, 3]);
    expect(meta.shard).toBeUndefined();
  });

  it('a missing shard: names the points and the shard to run', () => {
    expect(messagesOf(() => mergeSweepReports([first], MERGE_META))).toEqual([
      'merge: points 1, 3 are in none of the folders; run --shard 2/2 and merge its folder too',
    ]);
  });

  it('a point in two shards: names the points and both folders', () => {
    const again = { ...shard('c', fixtureSweepReport({ index: 1, count: 2 })) };
    expect(messagesOf(() => mergeSweepReports([first, second, again], MERGE_META))).toEqual([
      'merge: points 0, 2 are in a and c; merge each shard once',
    ]);
    expect(messagesOf(() => mergeSweepReports([first, first, second], MERGE_META))).toEqual([
      'a: this folder is named twice; name each shard folder once',
    ]);
  });

  it('shards of different sweeps: names both', () => {
    const other = shard('b', { ...fixtureSweepReport({ index: 2, count: 2 }), sweepId: 'fedcba9876543210' });
    expect(messagesOf(() => mergeSweepReports([first, other], MERGE_META))).toEqual([
      expect.stringMatching(
        /^b: not a shard of the same sweep: a is sweep 'toy-sweep' \(sweepId 0123456789abcdef\); b is sweep 'toy-sweep' \(sweepId fedcba9876543210\)/,
      ),
    ]);
  });
});

describe('readSweepDir', () => {
  const root = mkdtempSync(join(tmpdir(), 'wafersim-merge-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('reads a shard folder, and refuses a folder without a sweep.json or with another file', () => {
    writeFileSync(join(root, 'sweep.json'), renderSweepJson(whole));
    expect(readSweepDir(root, 'out').report).toEqual(JSON.parse(renderSweepJson(whole)));
    expect(messagesOf(() => readSweepDir(join(root, 'nowhere'), 'nowhere'))).toEqual([
      expect.stringMatching(/^nowhere\/sweep\.json: no such file/),
    ]);
    writeFileSync(join(root, 'sweep.json'), JSON.stringify({ version: 1, runs: [] }));
    expect(messagesOf(() => readSweepDir(root, 'out')).at(-1)).toMatch(
      /^out\/sweep\.json: not a sweep\.json that wafersim sweep writes/,
    );
  });
});
