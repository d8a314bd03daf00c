/**
 * The package as a consumer gets it: built to JavaScript with declarations, imported by name
 * through its `exports`. The package is built into a folder of its own (not dist/, which other
 * tests' bins read meanwhile); a consumer inside it imports 'wafersim' by self-reference, as an
 * installed consumer would by name. The README's library snippet runs as written, and a
 * TypeScript consumer type-checks with no @types/node.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TSC = join(ROOT, 'node_modules', '.bin', 'tsc');
let pkg: string;

beforeAll(() => {
  mkdirSync(join(ROOT, '.vitest-tmp'), { recursive: true });
  pkg = mkdtempSync(join(ROOT, '.vitest-tmp', 'package-'));
  const built = spawnSync(TSC, ['-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(pkg, 'dist')], {
    encoding: 'utf8',
  });
  expect(built.status, built.stdout + built.stderr).toBe(0);
  cpSync(join(ROOT, 'data'), join(pkg, 'dist', 'data'), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
  mkdirSync(join(pkg, 'consumer'));
}, 60_000);
afterAll(() => rmSync(pkg, { recursive: true, force: true }));

const packageJson = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));

describe('the package', () => {
  it('exports compiled JavaScript with its declarations, and ships them', () => {
    expect(packageJson.exports['.']).toEqual({ types: './dist/index.d.ts', import: './dist/index.js' });
    expect(packageJson.files).toEqual(expect.arrayContaining(['dist', 'cli/bin.js', 'data', 'docs']));
  });

  it("runs the README's library snippet as written", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const snippet = /## Library[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(snippet).toBeDefined();
    writeFileSync(join(pkg, 'consumer', 'snippet.mjs'), snippet!);
    const r = spawnSync(process.execPath, [join(pkg, 'consumer', 'snippet.mjs')], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const [reduction, speedup, gemmSpeedup] = r.stdout.trim().split('\n').map(Number);
    expect(reduction).toBeCloseTo(2.494, 3);
    expect(speedup).toBeGreaterThan(1);
    expect(gemmSpeedup).toBeGreaterThan(1);
  }, 120_000);

  it('type-checks a TypeScript consumer that has no @types/node', () => {
    writeFileSync(
      join(pkg, 'consumer', 'consumer.ts'),
      [
        "import { HARDWARE_PRESETS, type HardwareConfig, loadWorkload, simulateGemm, type Workload } from 'wafersim';",
        'const hw: HardwareConfig = HARDWARE_PRESETS.cs2!;',
        "const w: Workload = loadWorkload('spdf-gpt2-small-s75');",
        'export const cycles: number = simulateGemm({ k: 64, n: 64, sparsity: 0.5, hardware: hw }).sparse.cycles + w.seed;',
        '',
      ].join('\n'),
    );
    writeFileSync(
      join(pkg, 'consumer', 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          strict: true,
          noEmit: true,
          types: [],
        },
        files: ['consumer.ts'],
      }),
    );
    const r = spawnSync(TSC, ['-p', join(pkg, 'consumer', 'tsconfig.json')], { encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 60_000);
});
