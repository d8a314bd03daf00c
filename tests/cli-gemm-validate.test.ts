import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

describe('wafersim gemm (the real bin)', () => {
  it('--json has the DESIGN §9 fields; 75% sparsity speeds up but not beyond the FLOP reduction', () => {
    const r = runCli(['gemm', '--k', '4096', '--n', '4096', '--sparsity', '0.75', '--json']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j).sort()).toEqual(
      [
        'denseCycles',
        'efficiency',
        'flopReduction',
        'k',
        'm',
        'n',
        'sparseCycles',
        'sparsity',
        'speedup',
      ].sort(),
    );
    expect(j).toMatchObject({ m: 180_224, k: 4096, n: 4096, sparsity: 0.75 });
    expect(j.flopReduction).toBe(4); // exactly 25% of 4096² kept
    expect(j.speedup).toBeGreaterThan(2);
    expect(j.efficiency).toBeLessThanOrEqual(1);
    expect(j.speedup / j.flopReduction).toBeCloseTo(j.efficiency, 12);
  });

  it('sparsity 0 gives speedup 1 exactly', () => {
    const j = JSON.parse(runCli(['gemm', '--k', '2048', '--n', '2048', '--m', '65536', '--json']).stdout);
    expect(j.speedup).toBe(1);
    expect(j.denseCycles).toBe(j.sparseCycles);
  });

  it('bad input exits 2 naming the option', () => {
    const r = runCli(['gemm', '--k', 'abc', '--n', '8']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--k: 'abc' is not a number/);
    const h = runCli(['gemm', '--k', '8', '--n', '8', '--hardware', 'cs9']);
    expect(h.code).toBe(2);
    expect(h.stderr).toMatch(/unknown hardware preset 'cs9'/);
  });
});

describe('wafersim validate', () => {
  it('every shipped CS-2 point is within ±3%, and --json says which parameters were fitted', () => {
    const r = runCli(['validate', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.pass).toBe(true);
    expect(j.points.map((p: { sparsity: number }) => p.sparsity)).toEqual([0.5, 0.75, 0.9]);
    for (const p of j.points) expect(Math.abs(p.relativeError)).toBeLessThanOrEqual(0.03);
    expect(j.calibrated).toMatchObject({ fittedTo: 'data/cs2-gemm-speedup.json', tokens: 180_224 });
  });
});
