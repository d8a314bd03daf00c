/**
 * Shards → one sweep. Each shard directory holds a sweep.json with its own points; the merge
 * checks that they are shards of the same sweep (equal `sweepId`) and that together they hold
 * every point exactly once, then writes what one unsharded run writes: the same definition, the
 * points sorted by index, kept exactly as the shards wrote them. Only `meta` differs (it lists the
 * shards merged). A failed check is an InputError naming the files and point indices.
 */
import { join } from 'node:path';
import { type Diagnostic, diagnosticsFromZod, InputError, inputError } from '../../models/diagnostics.ts';
import { readJsonFile } from '../../models/read-json.ts';
import { shardOf } from '../../workloads/sweeps/index.ts';
import { type SweepInvocationMeta, type SweepReport, SweepReportSchema } from './sweep-report.ts';

export interface ShardInput {
  /** How messages name the shard: its sweep.json path as the user gave its folder. */
  readonly label: string;
  readonly dir: string;
  readonly report: SweepReport;
}

/** Reads `dir/sweep.json`; a missing or invalid file is bad input naming it. */
export function readSweepDir(dir: string, label = dir): ShardInput {
  const file = join(label, 'sweep.json');
  const json = readJsonFile(join(dir, 'sweep.json'), file);
  const parsed = SweepReportSchema.safeParse(json);
  if (!parsed.success) {
    const diagnostics = diagnosticsFromZod(parsed.error, { file });
    throw new InputError([
      ...diagnostics.slice(0, 5),
      {
        code: 'invalid-value',
        path: file,
        message:
          'not a sweep.json that wafersim sweep writes (version 1); merge the folders `wafersim sweep --shard` wrote',
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

function checkSameSweep(shards: readonly ShardInput[]): void {
  const first = shards[0]!;
  const others = shards.filter((s) => s.report.sweepId !== first.report.sweepId);
  if (others.length === 0) return;
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
