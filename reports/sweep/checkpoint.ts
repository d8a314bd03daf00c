/**
 * The points of a sweep kept as they finish, so that an interrupted sweep resumes where it
 * stopped (`wafersim sweep --resume`). Each finished point is one file,
 * `<out>/.points/<sweepId>/point-<index>.json`, written whole (a temporary file renamed into
 * place) and validated when read back: a point of another sweep (another sweepId), a file of
 * another version or a damaged one is simulated again, never trusted. The folder is removed once
 * the sweep's files are written.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonFile } from '../../models/read-json.ts';
import {
  type FinishedPoint,
  FinishedPointSchema,
  type SweepReport,
  SweepReportSchema,
} from './sweep-report.ts';

export const CHECKPOINT_FOLDER = '.points';

export function checkpointDir(outDir: string, sweepId: string): string {
  return join(outDir, CHECKPOINT_FOLDER, sweepId);
}

export function writeFinishedPoint(outDir: string, sweepId: string, finished: FinishedPoint): void {
  const dir = checkpointDir(outDir, sweepId);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `point-${finished.point.index}.json`);
  const temp = `${path}.tmp-${process.pid}`;
  writeFileSync(temp, `${JSON.stringify({ sweepId, ...finished })}\n`);
  renameSync(temp, path);
}

/**
 * A kept file's JSON, or undefined for anything unusable (then the point simply runs again). Read
 * through the guarded reader: a checkpoint replaced by a FIFO or a link to /dev/zero is refused
 * rather than read forever.
 */
function parseJson(path: string): unknown {
  try {
    return readJsonFile(path, path);
  } catch {
    return undefined;
  }
}

/**
 * The points of sweep `sweepId` among `wanted` that are already finished: from the checkpoint
 * folder, and from a sweep.json of the same sweep already in `outDir` (a sweep run to the end).
 */
export function readFinishedPoints(
  outDir: string,
  sweepId: string,
  wanted: ReadonlySet<number>,
): FinishedPoint[] {
  // Validated, then kept as written (not zod's copy), so the points stay byte for byte what was written.
  const found = new Map<number, FinishedPoint>();
  const previousJson = parseJson(join(outDir, 'sweep.json'));
  const previous = SweepReportSchema.safeParse(previousJson);
  if (previous.success && previous.data.sweepId === sweepId) {
    const raw = previousJson as SweepReport;
    for (const point of raw.points) {
      const timing = raw.meta.points.find((t) => t.index === point.index);
      if (wanted.has(point.index) && timing) found.set(point.index, { point, timing });
    }
  }
  const dir = checkpointDir(outDir, sweepId);
  if (existsSync(dir)) {
    for (const name of readdirSync(dir)) {
      if (!/^point-\d+\.json$/.test(name)) continue;
      const json = parseJson(join(dir, name));
      const parsed = FinishedPointSchema.safeParse(json);
      if (!parsed.success || parsed.data.sweepId !== sweepId) continue;
      const { point, timing } = json as FinishedPoint;
      if (wanted.has(point.index) && timing.index === point.index) found.set(point.index, { point, timing });
    }
  }
  return [...found.values()].sort((a, b) => a.point.index - b.point.index);
}

/** Removes the sweep's checkpoints, and the checkpoint folder if nothing else is in it. */
export function removeFinishedPoints(outDir: string, sweepId: string): void {
  try {
    rmSync(checkpointDir(outDir, sweepId), { recursive: true, force: true });
  } catch (error) {
    // `.points` is not a folder: there were no checkpoints to remove.
    if (error instanceof Error && 'code' in error && error.code === 'ENOTDIR') return;
    throw error;
  }
  try {
    rmdirSync(join(outDir, CHECKPOINT_FOLDER));
  } catch {
    // Another sweep's checkpoints are still there, or there was no folder.
  }
}
