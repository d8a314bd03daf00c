/**
 * `wafersim crosscheck`: the DESIGN §9 JSON (`{ cases: [{ name, rowCycles, waveletCycles, error }],
 * worstError }`, error = wavelet / row − 1), the exit code against the ±2% goal, and how close the
 * two fidelities are today: within 3% on every case whose stream keeps up with the PEs (the
 * I/O-bound cases differ in how the stream reaches the rows; docs/design.md §6).
 */
import { describe, expect, it } from 'vitest';
import { runMain } from './run-cli.ts';

interface CaseJson {
  name: string;
  rowCycles: number;
  waveletCycles: number;
  error: number;
  ioBound: boolean;
}

describe('wafersim crosscheck', () => {
  it('--json: every case with both fidelities’ cycles and their error, the worst, and exit 1 beyond ±2%', async () => {
    const r = await runMain(['crosscheck', '--json']);
    const out = JSON.parse(r.stdout) as {
      cases: CaseJson[];
      worstError: number;
      tolerance: number;
    };
    expect(out.tolerance).toBe(0.02);
    expect(out.cases.length).toBeGreaterThanOrEqual(40);
    expect(out.cases.filter((c) => c.name.startsWith('GEMM ')).length).toBe(out.cases.length / 2);
    expect(new Set(out.cases.map((c) => c.name)).size).toBe(out.cases.length);
    for (const c of out.cases) {
      expect(c.error).toBeCloseTo(c.waveletCycles / c.rowCycles - 1, 12);
      expect(Math.abs(c.error)).toBeLessThan(c.ioBound ? 0.07 : 0.03);
    }
    const worst = out.cases.reduce((w, c) => (Math.abs(c.error) > Math.abs(w) ? c.error : w), 0);
    expect(out.worstError).toBe(worst);
    expect(r.code).toBe(Math.abs(out.worstError) > 0.02 ? 1 : 0);
  }, 120_000);

  it('prints a table with the worst error against the goal', async () => {
    const r = await runMain(['crosscheck']);
    expect(r.stdout).toMatch(/^Streamed GEMMs and SDDMMs of one row group on cs2/);
    expect(r.stdout).toMatch(/worst error [+-]\d+\.\d+% \(goal ±2%\)/);
    expect(r.stderr).toBe('');
  }, 120_000);

  it('gemm --fidelity wavelet agrees with the row kernel on a small mesh; too large or unknown exits 2', async () => {
    const args = ['gemm', '--k', '512', '--n', '256', '--m', '1024', '--sparsity', '0.5'];
    const mesh = ['--set', 'hardware.meshRows=16', '--set', 'hardware.meshCols=16'];
    const row = JSON.parse((await runMain([...args, ...mesh, '--json'])).stdout);
    const wavelet = await runMain([...args, ...mesh, '--fidelity', 'wavelet', '--json']);
    expect(wavelet.code).toBe(0);
    const w = JSON.parse(wavelet.stdout);
    expect(Math.abs(w.sparseCycles / row.sparseCycles - 1)).toBeLessThan(0.03);
    expect(Math.abs(w.denseCycles / row.denseCycles - 1)).toBeLessThan(0.03);
    expect(w.flopReduction).toBe(row.flopReduction);
    const big = await runMain(['gemm', '--k', '12288', '--n', '12288', '--fidelity', 'wavelet']);
    expect(big.code).toBe(2);
    expect(big.stderr).toMatch(
      /too large for the wavelet fidelity: about .* use fewer tokens \(--m\) or a smaller mesh/,
    );
    const unknown = await runMain([...args, '--fidelity', 'cycle']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--fidelity: 'cycle' is not a fidelity; accepted: row, wavelet/);
  }, 120_000);

  it('gemm --fidelity wavelet --trace: each PE runs one task at a time, an AXPY per weight it receives', async () => {
    const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'wafersim-gemm-trace-'));
    try {
      const file = join(dir, 'trace.json');
      const args = ['gemm', '--k', '64', '--n', '32', '--m', '64', '--sparsity', '0.5'];
      const mesh = ['--set', 'hardware.meshRows=4', '--set', 'hardware.meshCols=4'];
      const r = await runMain([...args, ...mesh, '--fidelity', 'wavelet', '--trace', file, '--json']);
      expect(r.code).toBe(0);
      const trace = JSON.parse(readFileSync(file, 'utf8')) as {
        traceEvents: { ph: string; pid: number; tid: number; name: string; ts: number; dur: number }[];
        otherData: Record<string, string>;
      };
      expect(trace.otherData.truncated).toBeUndefined();
      const tasks = trace.traceEvents.filter((e) => e.ph === 'X');
      const byThread = new Map<string, typeof tasks>();
      for (const t of tasks)
        byThread.set(`${t.pid}/${t.tid}`, [...(byThread.get(`${t.pid}/${t.tid}`) ?? []), t]);
      for (const spans of byThread.values()) {
        const sorted = [...spans].sort((a, b) => a.ts - b.ts);
        for (let i = 1; i < sorted.length; i++) {
          expect(sorted[i]!.ts).toBeGreaterThanOrEqual(sorted[i - 1]!.ts + sorted[i - 1]!.dur - 1e-9);
        }
      }
      // The dense GEMM: K = 64 splits evenly over the rows, so every PE holding tokens runs the
      // same number of AXPYs, one per weight of its k-slice in every output column.
      const axpysPerPe = new Map<number, number>();
      for (const t of tasks)
        if (t.pid === 2 && t.name === 'AXPY') axpysPerPe.set(t.tid, (axpysPerPe.get(t.tid) ?? 0) + 1);
      expect(new Set(axpysPerPe.values()).size).toBe(1);
      const perPe = [...axpysPerPe.values()][0]!;
      expect(perPe % 32).toBe(0); // N = 32 output columns, the k-slice's weights in each
      // Counters per mesh row of each group: waiting wavelets (whole numbers, none at the end)
      // and the share of the routers' output ports in use (a fraction).
      const counters = trace.traceEvents.filter((e) => e.ph === 'C') as unknown as {
        name: string;
        pid: number;
        ts: number;
        args: { wavelets?: number; fraction?: number };
      }[];
      const queued = counters.filter((e) => e.name.endsWith(': queued wavelets'));
      const use = counters.filter((e) => e.name.endsWith(': link use'));
      expect(queued.length).toBe(use.length);
      expect(new Set(queued.filter((e) => e.pid === 2).map((e) => e.name)).size).toBe(4); // 4 rows, 1 group
      for (const e of queued) expect(Number.isInteger(e.args.wavelets)).toBe(true);
      for (const e of use) {
        expect(e.args.fraction).toBeGreaterThanOrEqual(0);
        expect(e.args.fraction).toBeLessThanOrEqual(1);
      }
      expect(use.some((e) => (e.args.fraction ?? 0) > 0)).toBe(true);
      const lastQueued = new Map<string, number>();
      for (const e of [...queued].sort((a, b) => a.ts - b.ts))
        lastQueued.set(`${e.pid}/${e.name}`, e.args.wavelets!);
      for (const v of lastQueued.values()) expect(v).toBe(0);
      const row = await runMain([...args, ...mesh, '--trace', file]);
      expect(row.code).toBe(2);
      expect(row.stderr).toMatch(
        /--trace: a GEMM trace shows the PEs of the wavelet fidelity: add --fidelity wavelet/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
