/**
 * Dependencies flow one way (DESIGN §1, STYLE §2): models → hardware → workloads → compiler →
 * simulator → reports, the CLI on top. The machine description (hardware/) sits below everything
 * that uses it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const LAYERS = ['models', 'hardware', 'workloads', 'compiler', 'simulator', 'reports', 'cli'] as const;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (entry.endsWith('.ts') && !entry.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

function layerOf(file: string): string {
  return relative(ROOT, file).split(/[\\/]/)[0]!;
}

/** Relative imports of a file; `typesToo: false` leaves out `import type` (no runtime edge). */
function importsOf(file: string, typesToo = true): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(import|export)(\s+type)?[^'"]*?from\s+['"](\.[^'"]+)['"]/g)]
    .filter((m) => typesToo || !m[2])
    .map((m) => m[3]!);
  return specs.map((s) => resolve(dirname(file), s));
}

describe('dependency direction', () => {
  const files = LAYERS.flatMap((l) => {
    try {
      return sourceFiles(join(ROOT, l));
    } catch {
      return [];
    }
  });

  it('finds the source files', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  it('nothing imports from a layer above it', () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = layerOf(file);
      for (const target of importsOf(file)) {
        const to = layerOf(target);
        if (!LAYERS.includes(to as (typeof LAYERS)[number])) continue;
        if (LAYERS.indexOf(to as never) > LAYERS.indexOf(from as never)) {
          violations.push(`${relative(ROOT, file)} → ${relative(ROOT, target)}`);
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it('no runtime import cycles between modules', () => {
    const graph = new Map(files.map((f) => [f, importsOf(f, false).filter((t) => files.includes(t))]));
    const state = new Map<string, 'open' | 'done'>();
    const cycles: string[] = [];
    const visit = (f: string, stack: string[]) => {
      if (state.get(f) === 'done') return;
      if (state.get(f) === 'open') {
        cycles.push([...stack.slice(stack.indexOf(f)), f].map((x) => relative(ROOT, x)).join(' → '));
        return;
      }
      state.set(f, 'open');
      for (const t of graph.get(f) ?? []) visit(t, [...stack, f]);
      state.set(f, 'done');
    };
    for (const f of files) visit(f, []);
    expect(cycles).toEqual([]);
  });
});
