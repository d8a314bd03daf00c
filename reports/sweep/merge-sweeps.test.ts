/**
 * Merging shards. Oracles: the merge of every shard equals the unsharded report byte for byte
 * apart from `meta` (sweep.json, sweep.md, sweep.csv); a missing shard, a point in two shards and
 * shards of different sweeps are bad input naming the folders and point indices.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../../models/diagnostics.ts';
import { mergeSweepReports, readSweepDir, type ShardInput } from './merge-sweeps.ts';
import { renderSweepCsv } from './sweep-csv.ts';
import { renderSweepHtml } from './sweep-html.ts';
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

  it('names a bad field the way workload errors do: the field, what it accepts, what it got', () => {
    const edited = JSON.parse(renderSweepJson(whole));
    edited.points[1].run.totals = [];
    delete edited.points[0].values;
    writeFileSync(join(root, 'sweep.json'), JSON.stringify(edited));
    const messages = messagesOf(() => readSweepDir(root, 'out'));
    expect(messages).toContain(
      'out/sweep.json: points[0].values: values is required: an object (The value of every varied path at this point)',
    );
    expect(
      messages.some((m) =>
        /^out\/sweep\.json: points\[1\]\.run\.totals: totals must be an object; got an empty array$/.test(m),
      ),
    ).toBe(true);
    expect(messages.join('\n')).not.toMatch(/Invalid input/);
  });
});

/** Parsed JSON, edited at any depth by the tests below. */
// biome-ignore lint/suspicious/noExplicitAny: an edit reaches anywhere into the parsed file, whatever its type
type EditableJson = Record<string, any>;

describe('a shard sweep.json is validated before it is trusted', () => {
  const root = mkdtempSync(join(tmpdir(), 'wafersim-merge-edits-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const firstJson = JSON.parse(renderSweepJson(fixtureSweepReport({ index: 1, count: 2 })));
  const secondJson = JSON.parse(renderSweepJson(fixtureSweepReport({ index: 2, count: 2 })));

  /** Writes the two shards (the first edited by `edit`) and merges them. */
  function mergeEdited(edit: (r: EditableJson) => void, name = 'case'): SweepReport {
    const a = structuredClone(firstJson);
    edit(a);
    mkdirSync(join(root, name, 'a'), { recursive: true });
    mkdirSync(join(root, name, 'b'), { recursive: true });
    writeFileSync(join(root, name, 'a', 'sweep.json'), JSON.stringify(a));
    writeFileSync(join(root, name, 'b', 'sweep.json'), JSON.stringify(secondJson));
    const shards = ['a', 'b'].map((s) => readSweepDir(join(root, name, s), s));
    return mergeSweepReports(shards, MERGE_META);
  }

  it.each<[string, (r: EditableJson) => void, RegExp]>([
    [
      'pointCount 1e9',
      (r) => (r.pointCount = 1e9),
      /^a\/sweep\.json: pointCount: 1000000000 is not a point count: a sweep has a whole number of points from 1 to 100,000$/,
    ],
    [
      'pointCount 1e15',
      (r) => (r.pointCount = 1e15),
      /^a\/sweep\.json: pointCount: 1000000000000000 is not a point count/,
    ],
    ['pointCount 2.5', (r) => (r.pointCount = 2.5), /^a\/sweep\.json: pointCount: 2\.5 is not a point count/],
    [
      'pointCount off the grid',
      (r) => (r.pointCount = 5),
      /^a\/sweep\.json: pointCount: 5 points, but the value lists of vary make 4$/,
    ],
    [
      'an index outside the sweep',
      (r) => (r.points[0].index = 7),
      /^a\/sweep\.json: points\[0\]\.index: 7 is not a point of a sweep of 4 \(0 to 3\)$/,
    ],
    [
      'a fractional index',
      (r) => (r.points[1].index = 0.5),
      /^a\/sweep\.json: points\[1\]\.index: 0\.5 is not a point/,
    ],
    [
      'edited values',
      (r) => (r.points[0].values = { foo: [1, { a: 2 }] }),
      /^a\/sweep\.json: points\[0\]\.values: \{"foo":\[1,\{"a":2\}\]\} is not point 0 of vary, which is \{"seed":1\}$/,
    ],
    [
      'values of another point',
      (r) => (r.points[1].values = { seed: 1 }),
      /^a\/sweep\.json: points\[1\]\.values: \{"seed":1\} is not point 2 of vary, which is \{"seed":3\}$/,
    ],
    [
      'a phase the run lacks',
      (r) => (r.points[0].phase = 'nope'),
      /^a\/sweep\.json: points\[0\]\.phase: 'nope' is not a phase of the point's run/,
    ],
    [
      'a point twice',
      (r) => (r.points[1] = r.points[0]),
      /^a\/sweep\.json: points\[1\]\.index: point 0 appears twice$/,
    ],
    [
      'a reference outside',
      (r) => (r.reference.index = 4),
      /^a\/sweep\.json: reference\.index: 4 is not a point of a sweep of 4$/,
    ],
    [
      'a timing of no point',
      (r) => (r.meta.points[0].index = 1),
      /^a\/sweep\.json: meta\.points\[0\]\.index: 1 is not one of this file's points/,
    ],
    [
      'a shard count of 0',
      (r) => (r.meta.shard.count = 0),
      /^a\/sweep\.json: meta\.shard\.count: 0 is not a shard count/,
    ],
    [
      'another name',
      (r) => (r.name = 'other'),
      /^b\/sweep\.json: name: "toy-sweep" here, "other" in a\/sweep\.json: both say they are shards of one sweep/,
    ],
    [
      'another base',
      (r) => (r.base = 'toy-s50'),
      /^b\/sweep\.json: base: "toy-s75" here, "toy-s50" in a\/sweep\.json/,
    ],
    [
      'another vary (and points to match)',
      (r) => {
        r.vary = { seed: [1, 5, 3, 6] };
        r.points[0].values = { seed: 1 };
        r.points[1].values = { seed: 3 };
      },
      /^b\/sweep\.json: vary: \{"seed":\[1,2,3,4\]\} here, \{"seed":\[1,5,3,6\]\} in a\/sweep\.json/,
    ],
  ])('%s exits 2 naming the file and the field', (name, edit, message) => {
    expect(messagesOf(() => mergeEdited(edit, name.replaceAll(' ', '-')))[0]).toMatch(message);
  });

  it('the unedited shards still merge', () => {
    expect(withoutMeta(mergeEdited(() => {}, 'unedited'))).toBe(withoutMeta(whole));
  });

  /** Every path into a JSON value, as keys and indices. */
  function pathsOf(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
    if (typeof value !== 'object' || value === null) return [prefix];
    const keys: (string | number)[] = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
    return [
      prefix,
      ...keys.flatMap((k) => pathsOf((value as Record<string | number, unknown>)[k], [...prefix, k])),
    ];
  }
  const allPaths = pathsOf(firstJson).filter((p) => p.length > 0);
  // The fields a merge reads itself, edited more often than the ~1000 others.
  const readPaths: (string | number)[][] = [
    ['pointCount'],
    ['vary'],
    ['vary', 'seed'],
    ['vary', 'seed', 1],
    ['points'],
    ['points', 0, 'index'],
    ['points', 1, 'values'],
    ['points', 0, 'values', 'seed'],
    ['points', 0, 'phase'],
    ['points', 0, 'run', 'phases'],
    ['points', 1, 'run', 'phases', 0, 'name'],
    ['points', 0, 'stepSeconds'],
    ['reference', 'index'],
    ['meta', 'shard'],
    ['meta', 'shard', 'count'],
    ['meta', 'shard', 'index'],
    ['meta', 'points', 0, 'index'],
    ['meta', 'points'],
    ['name'],
    ['sweepId'],
    ['base'],
    ['version'],
  ];
  const valueAt = (path: (string | number)[]) =>
    path.reduce<unknown>((at, key) => (at as Record<string | number, unknown>)[key], firstJson);
  const numberPaths = allPaths.filter((p) => typeof valueAt(p) === 'number');
  const stringPaths = allPaths.filter((p) => typeof valueAt(p) === 'string');
  const DELETE = Symbol('delete');
  const SPECIAL = [0, -1, 1, 0.5, 1e15, 1e308, -1e308, 2 ** 53, 4, 3, '', 'sparse', null, [], {}, DELETE];
  const edit = fc.oneof(
    // Anything anywhere: mostly refused by the schema.
    fc.tuple(
      fc.oneof(fc.constantFrom(...readPaths), fc.constantFrom(...allPaths)),
      fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constantFrom(...SPECIAL)),
    ),
    // A number for a number, a string for a string: the schema passes them, the renderers get them.
    fc.tuple(
      fc.constantFrom(...numberPaths),
      fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, -1, 1e-300, 1e300)),
    ),
    fc.tuple(fc.constantFrom(...stringPaths), fc.string({ maxLength: 12 })),
  );
  const edits = fc.array(edit, { minLength: 1, maxLength: 3 });

  function apply(r: object, path: (string | number)[], value: unknown): void {
    let at: unknown = r;
    for (const key of path.slice(0, -1)) {
      if (typeof at !== 'object' || at === null) return;
      at = (at as Record<string | number, unknown>)[key];
    }
    if (typeof at !== 'object' || at === null) return;
    const last = path.at(-1)!;
    if (value === DELETE) {
      if (Array.isArray(at) && typeof last === 'number') at.splice(last, 1);
      else delete (at as Record<string | number, unknown>)[last];
    } else (at as Record<string | number, unknown>)[last] = value;
  }

  /** A merge of edited shards and every file it renders: a report, or an InputError; nothing else. */
  async function mergeAndRender(list: [(string | number)[], unknown][], html: boolean, name: string) {
    let merged: SweepReport;
    try {
      merged = mergeEdited((r) => {
        for (const [path, value] of list) apply(r, path, value);
      }, name);
    } catch (error) {
      if (error instanceof InputError) return;
      throw error;
    }
    renderSweepMarkdown(merged);
    renderSweepCsv(merged);
    renderSweepJson(merged);
    if (html) await renderSweepHtml(merged);
  }

  it('any edits to a shard give a merged sweep whose files render, or an InputError (md, csv, json)', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(edits, (list) => mergeAndRender(list, false, `p${n++}`)),
      { numRuns: 300 },
    );
  });

  it('… and sweep.html renders too', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(edits, (list) => mergeAndRender(list, true, `h${n++}`)),
      { numRuns: 40 },
    );
  });
});
