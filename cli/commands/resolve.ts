/**
 * `wafersim resolve`: what a command would simulate, fully resolved, without simulating it: the
 * workload as a workload file with every preset followed and every default applied (model and
 * hardware inline), so it can be archived beside a result, diffed, or run again as it is. A
 * study prints an array of such files, a sweep its points with their values.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { looksLikePath, readJsonFile } from '../../models/read-json.ts';
import { toWorkloadFile } from '../../workloads/index.ts';
import { expandSweep, loadSweep, parseOverride, SWEEP_PRESET_NAMES } from '../../workloads/sweeps/index.ts';
import type { Io } from '../io.ts';
import { collect, SET_HELP, SET_OPTION } from '../options.ts';
import { resolveRef } from '../workload-ref.ts';

/** A sweep preset, or a JSON file with `vary` (a sweep file), rather than a workload. */
function isSweepRef(ref: string): boolean {
  if (!looksLikePath(ref)) return SWEEP_PRESET_NAMES.includes(ref);
  const path = resolve(ref);
  if (!existsSync(path) || !statSync(path).isFile()) return false;
  const json = readJsonFile(path, ref);
  return typeof json === 'object' && json !== null && 'vary' in json;
}

export function registerResolve(program: Command, io: Io): void {
  program
    .command('resolve')
    .description(
      'Print what would be simulated, fully resolved, as JSON: a workload file that reproduces the run (wafersim run accepts it)',
    )
    .argument('<workload>', 'a workload JSON file or preset, a study preset, or a sweep file or preset')
    .option(SET_OPTION, SET_HELP, collect)
    .action((ref: string, options: { set?: string[] }) => {
      let out: unknown;
      if (isSweepRef(ref)) {
        const overrides = (options.set ?? []).map((text) => parseOverride(text));
        const sweep = loadSweep(ref);
        const expanded = expandSweep(sweep, { overrides });
        out = {
          sweep: sweep.name,
          sweepId: expanded.sweepId,
          points: expanded.points.map((p) => ({
            index: p.index,
            values: p.values,
            workload: toWorkloadFile(p.workload),
          })),
        };
      } else {
        const resolved = resolveRef(ref, options.set);
        const files = resolved.workloads.map(toWorkloadFile);
        out = resolved.kind === 'study' ? files : files[0];
      }
      io.stdout(`${JSON.stringify(out, null, 2)}\n`);
    });
}
