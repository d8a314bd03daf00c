/**
 * The edge where sweeps come in: a sweep preset name or a sweep JSON file (or an already-parsed
 * object) becomes a validated `Sweep`, or an `InputError` naming the file, the field and what
 * would be accepted. Expanding it into points is expand-sweep.ts; splitting them into shards,
 * shard-points.ts (both re-exported here).
 */
import { basename, dirname, resolve } from 'node:path';
import { diagnosticsFromZod, InputError, inputError, unknownNameMessage } from '../../models/diagnostics.ts';
import { checkJsonDepth } from '../../models/json-depth.ts';
import { displayPath, isFile, looksLikePath, readJsonFile } from '../../models/read-json.ts';
import { isPlainObject } from '../merge-layers.ts';
import { workloadErrorMap } from '../workload-diagnostics.ts';
import { describeInput } from '../workload-schema.ts';
import { SWEEP_PRESET_NAMES, SWEEP_PRESETS } from './presets.ts';
import { type Sweep, SweepSchema } from './sweep-schema.ts';

export { type ExpandedSweep, expandSweep, type SweepPoint } from './expand-sweep.ts';
export { parseShard, type Shard, shardPoints } from './shard-points.ts';

export interface LoadSweepOptions {
  /** Folder a relative ref (and an inline object's relative base) resolves from; default the working directory. */
  readonly cwd?: string;
}

export interface ParseSweepOptions extends LoadSweepOptions {
  /** Names the input in diagnostics and becomes `Sweep.source`; default '(inline)'. */
  readonly source?: string;
  /** The sweep name when the object has none; default 'sweep'. */
  readonly name?: string;
}

function validate(
  json: unknown,
  where: { label: string | undefined; source: string; dir: string; name: string },
): Sweep {
  checkJsonDepth(json, where.label ?? where.source);
  if (!isPlainObject(json)) {
    throw inputError(
      'invalid-type',
      where.label ?? '(root)',
      `a sweep must be a JSON object { "version": 1, "base", "vary": { "<dotted.path>": [values…] } }; ${describeInput(json)}`,
    );
  }
  const parsed = SweepSchema.safeParse(json, { error: workloadErrorMap });
  if (!parsed.success) {
    const known = Object.keys(SweepSchema.shape);
    throw new InputError(
      diagnosticsFromZod(parsed.error, {
        ...(where.label === undefined ? {} : { file: where.label }),
        knownKeysAt: (path) => (path.length === 0 ? known : []),
      }),
    );
  }
  const file = parsed.data;
  return {
    name: file.name ?? where.name,
    ...(file.description === undefined ? {} : { description: file.description }),
    base: file.base,
    vary: file.vary,
    source: where.source,
    dir: where.dir,
    ...(where.label === undefined ? {} : { label: where.label }),
  };
}

/** Validates an already-parsed sweep object (library use); a relative base resolves from `cwd`. */
export function parseSweep(json: unknown, options: ParseSweepOptions = {}): Sweep {
  const cwd = resolve(options.cwd ?? process.cwd());
  return validate(json, {
    label: options.source,
    source: options.source ?? '(inline)',
    dir: cwd,
    name: options.name ?? 'sweep',
  });
}

/** Loads a sweep preset by name, or a sweep .json file (relative to `cwd`). */
export function loadSweep(ref: string, options: LoadSweepOptions = {}): Sweep {
  const cwd = resolve(options.cwd ?? process.cwd());
  if (!looksLikePath(ref) && Object.hasOwn(SWEEP_PRESETS, ref)) {
    return validate(SWEEP_PRESETS[ref], { label: `sweep preset ${ref}`, source: ref, dir: cwd, name: ref });
  }
  const absolutePath = resolve(cwd, ref);
  if (looksLikePath(ref) || isFile(absolutePath)) {
    const label = displayPath(absolutePath, cwd);
    return validate(readJsonFile(absolutePath, label), {
      label,
      source: absolutePath,
      dir: dirname(absolutePath),
      name: basename(absolutePath).replace(/\.json$/i, ''),
    });
  }
  throw inputError(
    'unknown-preset',
    ref,
    `${unknownNameMessage('sweep preset', ref, SWEEP_PRESET_NAMES)} A path to a sweep file must end in .json or contain a slash.`,
  );
}
