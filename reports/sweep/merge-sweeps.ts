/**
 * Shards → one sweep. Each shard directory holds a sweep.json with its own points; the merge
 * checks that they are shards of the same sweep (equal `sweepId`, and the same name, base, vary,
 * point count and reference: a file can be edited, so the id alone is not trusted) and that
 * together they hold every point exactly once, then writes what one unsharded run writes: the same
 * definition, the points sorted by index, kept exactly as the shards wrote them. Only `meta`
 * differs (it lists the shards merged). Each sweep.json is validated first: the report schema,
 * then its sizes (at most MAX_SWEEP_POINTS points, as a sweep file may declare) and every point on
 * the grid of its `vary` (its index in range, its values those of that index). A failed check is
 * an InputError naming the folder, the field and the point indices.
 */
import { join } from 'node:path';
import type { z } from 'zod';
import { type Diagnostic, InputError, inputError } from '../../models/diagnostics.ts';
import { readJsonFile } from '../../models/read-json.ts';
import { MAX_SWEEP_POINTS, shardOf, valuesAt } from '../../workloads/sweeps/index.ts';
import { workloadDiagnostics, workloadErrorMap } from '../../workloads/workload-diagnostics.ts';
import { type SweepInvocationMeta, type SweepReport, SweepReportSchema } from './sweep-report.ts';

export interface ShardInput {
  /** How messages name the shard: its sweep.json path as the user gave its folder. */
  readonly label: string;
  readonly dir: string;
  readonly report: SweepReport;
}

/** Problems reported per file; past these, one more line counts the rest. */
const MAX_REPORTED = 5;

/** Keys sorted at every level: two JSON values are the same value when these are equal. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}

/** A JSON value in a message: at most 80 characters of it. */
function shortJson(value: unknown): string {
  const text = JSON.stringify(value) ?? 'nothing';
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

const isIndex = (n: number, below: number) => Number.isSafeInteger(n) && n >= 0 && n < below;

/** The product of the value lists' lengths, or Infinity once it passes MAX_SWEEP_POINTS. */
function gridSize(vary: SweepReport['vary']): number {
  let size = 1;
  for (const values of Object.values(vary)) {
    size *= values.length;
    if (size > MAX_SWEEP_POINTS) return Number.POSITIVE_INFINITY;
  }
  return size;
}

/**
 * What the report schema cannot say of a sweep.json: its sizes are bounded and agree with each
 * other, and every point, timing and shard field lies on the grid of its `vary`.
 */
function checkGrid(report: SweepReport, ctx: z.RefinementCtx): void {
  const issue = (path: PropertyKey[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  const { pointCount, vary } = report;
  if (!Number.isSafeInteger(pointCount) || pointCount < 1 || pointCount > MAX_SWEEP_POINTS) {
    issue(
      ['pointCount'],
      `${pointCount} is not a point count: a sweep has a whole number of points from 1 to ${MAX_SWEEP_POINTS.toLocaleString('en-US')}`,
    );
    return;
  }
  const size = gridSize(vary);
  if (Object.keys(vary).length === 0 || size !== pointCount) {
    const made = Number.isFinite(size) ? `${size}` : `more than ${MAX_SWEEP_POINTS.toLocaleString('en-US')}`;
    issue(['pointCount'], `${pointCount} points, but the value lists of vary make ${made}`);
    return;
  }
  if (!isIndex(report.reference.index, pointCount)) {
    issue(['reference', 'index'], `${report.reference.index} is not a point of a sweep of ${pointCount}`);
  }
  if (report.points.length > pointCount) {
    issue(['points'], `${report.points.length} points in a sweep of ${pointCount}`);
    return;
  }
  // Past MAX_REPORTED problems with points, the rest are not listed (a file may hold 100,000).
  let reported = 0;
  const pointIssue = (path: PropertyKey[], message: string) => {
    if (reported++ < MAX_REPORTED) issue(path, message);
  };
  const held = new Set<number>();
  for (const [i, p] of report.points.entries()) {
    if (!isIndex(p.index, pointCount)) {
      pointIssue(
        ['points', i, 'index'],
        `${p.index} is not a point of a sweep of ${pointCount} (0 to ${pointCount - 1})`,
      );
      continue;
    }
    if (held.has(p.index)) pointIssue(['points', i, 'index'], `point ${p.index} appears twice`);
    held.add(p.index);
    const expected = valuesAt(vary, p.index);
    if (canonical(p.values) !== canonical(expected)) {
      pointIssue(
        ['points', i, 'values'],
        `${shortJson(p.values)} is not point ${p.index} of vary, which is ${shortJson(expected)}`,
      );
    }
    if (!p.run.phases.some((phase) => phase.name === p.phase)) {
      const names = p.run.phases.map((phase) => phase.name).join(', ') || 'none';
      pointIssue(['points', i, 'phase'], `'${p.phase}' is not a phase of the point's run (${names})`);
    }
  }
  const timed = new Set<number>();
  for (const [i, t] of report.meta.points.entries()) {
    if (!held.has(t.index) || timed.has(t.index)) {
      pointIssue(
        ['meta', 'points', i, 'index'],
        `${t.index} is not one of this file's points, or is timed twice`,
      );
    }
    timed.add(t.index);
  }
  const shard = report.meta.shard;
  if (shard !== undefined) {
    if (!Number.isSafeInteger(shard.count) || shard.count < 1 || shard.count > pointCount)
      issue(
        ['meta', 'shard', 'count'],
        `${shard.count} is not a shard count of a sweep of ${pointCount} points`,
      );
    else if (!Number.isSafeInteger(shard.index) || shard.index < 1 || shard.index > shard.count)
      issue(
        ['meta', 'shard', 'index'],
        `${shard.index} is not a shard of ${shard.count} (1 to ${shard.count})`,
      );
  }
}

/** sweep.json as merge accepts it: the report schema, then its sizes and its grid (checkGrid). */
const ShardReportSchema = SweepReportSchema.superRefine(checkGrid);

/** Reads `dir/sweep.json`; a missing or invalid file is bad input naming it. */
export function readSweepDir(dir: string, label = dir): ShardInput {
  const file = join(label, 'sweep.json');
  const json = readJsonFile(join(dir, 'sweep.json'), file);
  // The workloads' error map: `pointCount must be an integer…; got "x"`, not zod's own wording.
  const parsed = ShardReportSchema.safeParse(json, { error: workloadErrorMap });
  if (!parsed.success) {
    const diagnostics = workloadDiagnostics(parsed.error, ShardReportSchema, () => file);
    const more = diagnostics.length - MAX_REPORTED;
    throw new InputError([
      ...diagnostics.slice(0, MAX_REPORTED),
      {
        code: 'invalid-value',
        path: file,
        message:
          'not a sweep.json that wafersim sweep writes (version 1), or one edited since' +
          `${more > 0 ? ` (${more} more problems not listed)` : ''}; merge the folders \`wafersim sweep --shard\` wrote`,
      },
    ]);
  }
  // The file as written, not zod's copy: the points stay byte for byte what the shard wrote.
  return { label: file, dir, report: json as SweepReport };
}

/** `point 3 is` or `points 1, 2, 5 are` (at most 20 listed, then the count). */
function pointsAre(indices: readonly number[]): string {
  const shown = indices.slice(0, 20).join(', ');
  const list = indices.length > 20 ? `${shown}, … (${indices.length} in all)` : shown;
  return indices.length === 1 ? `point ${list} is` : `points ${list} are`;
}

/** The fields that define a sweep, beside its sweepId; `vary` in order (it orders the points). */
const DEFINITION: readonly [string, (r: SweepReport) => unknown][] = [
  ['name', (r) => r.name],
  ['description', (r) => r.description],
  ['base', (r) => r.base],
  ['vary', (r) => Object.entries(r.vary)],
  ['pointCount', (r) => r.pointCount],
  ['reference', (r) => r.reference],
];

function checkSameSweep(shards: readonly ShardInput[]): void {
  const first = shards[0]!;
  const others = shards.filter((s) => s.report.sweepId !== first.report.sweepId);
  if (others.length === 0) {
    // Same sweepId: each field that defines the sweep must agree too (an edited file would not).
    const diagnostics: Diagnostic[] = [];
    for (const shard of shards.slice(1)) {
      for (const [field, of] of DEFINITION) {
        const [mine, theirs] = [of(shard.report), of(first.report)];
        if (canonical(mine) === canonical(theirs)) continue;
        const shown = field === 'vary' ? (r: SweepReport) => r.vary : of;
        diagnostics.push({
          code: 'invalid-value',
          path: `${shard.label}: ${field}`,
          message:
            `${shortJson(shown(shard.report))} here, ${shortJson(shown(first.report))} in ${first.label}: ` +
            'both say they are shards of one sweep (the same sweepId) but describe different ones; ' +
            'run every shard from the same sweep file, and merge the folders as written',
        });
      }
    }
    if (diagnostics.length > 0) throw new InputError(diagnostics);
    return;
  }
  const describe = (s: ShardInput) => `${s.label} is sweep '${s.report.name}' (sweepId ${s.report.sweepId})`;
  throw inputError(
    'invalid-value',
    others[0]!.label,
    `not a shard of the same sweep: ${[first, ...others].map(describe).join('; ')}. Only shards of one sweep ` +
      '(same name, base, vary and resolved workloads) merge; run every shard from the same sweep file',
  );
}

/** Which shards to rerun for the missing points, when the shards agree on how the sweep was split. */
function rerunHint(shards: readonly ShardInput[], missing: readonly number[]): string {
  const counts = new Set(shards.map((s) => s.report.meta.shard?.count));
  const [count] = [...counts];
  if (counts.size !== 1 || count === undefined) return '';
  const wanted = [...new Set(missing.map((i) => shardOf(i, count)))].sort((a, b) => a - b);
  const folders = wanted.length === 1 ? 'its folder' : 'their folders';
  return `; run ${wanted.map((i) => `--shard ${i}/${count}`).join(', ')} and merge ${folders} too`;
}

function checkCoverage(shards: readonly ShardInput[]): void {
  const { pointCount } = shards[0]!.report;
  const holders = new Map<number, string[]>();
  for (const s of shards) {
    for (const p of s.report.points) holders.set(p.index, [...(holders.get(p.index) ?? []), s.label]);
  }
  const diagnostics: Diagnostic[] = [];
  // Points held by more than one folder, grouped by the folders that hold them.
  const duplicated = new Map<string, number[]>();
  for (const [index, labels] of [...holders].sort((a, b) => a[0] - b[0])) {
    if (labels.length < 2) continue;
    const key = labels.join(' and ');
    duplicated.set(key, [...(duplicated.get(key) ?? []), index]);
  }
  for (const [labels, indices] of duplicated) {
    diagnostics.push({
      code: 'invalid-value',
      path: 'merge',
      message: `${pointsAre(indices)} in ${labels}; merge each shard once`,
    });
  }
  const outside = [...holders.keys()].filter((i) => !(Number.isInteger(i) && i >= 0 && i < pointCount));
  if (outside.length > 0) {
    diagnostics.push({
      code: 'invalid-value',
      path: 'merge',
      message: `${pointsAre(outside.sort((a, b) => a - b))} not in a sweep of ${pointCount} points`,
    });
  }
  const missing = Array.from({ length: pointCount }, (_, i) => i).filter((i) => !holders.has(i));
  if (missing.length > 0) {
    diagnostics.push({
      code: 'invalid-value',
      path: 'merge',
      message: `${pointsAre(missing)} in none of the folders${rerunHint(shards, missing)}`,
    });
  }
  if (diagnostics.length > 0) throw new InputError(diagnostics);
}

/** One sweep from its shards; `meta` is the merge's own, listing the shards it read. */
export function mergeSweepReports(shards: readonly ShardInput[], meta: SweepInvocationMeta): SweepReport {
  if (shards.length === 0) throw inputError('invalid-value', 'merge', 'name at least one shard folder');
  const twice = shards.find((s, i) => shards.findIndex((t) => t.dir === s.dir) !== i);
  if (twice !== undefined) {
    throw inputError('invalid-value', twice.label, 'this folder is named twice; name each shard folder once');
  }
  checkSameSweep(shards);
  checkCoverage(shards);
  const { meta: _meta, points: _points, ...definition } = shards[0]!.report;
  const points = shards.flatMap((s) => s.report.points).sort((a, b) => a.index - b.index);
  const timings = shards.flatMap((s) => s.report.meta.points).sort((a, b) => a.index - b.index);
  return {
    ...definition,
    points,
    meta: {
      ...meta,
      mergedFrom: shards.map((s) => ({
        dir: s.dir,
        generatedAt: s.report.meta.generatedAt,
        host: s.report.meta.host,
        ...(s.report.meta.workers === undefined ? {} : { workers: s.report.meta.workers }),
        ...(s.report.meta.wallSeconds === undefined ? {} : { wallSeconds: s.report.meta.wallSeconds }),
        ...(s.report.meta.shard === undefined ? {} : { shard: s.report.meta.shard }),
      })),
      points: timings,
    },
  };
}
