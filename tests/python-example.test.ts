/**
 * The Python path (examples/python): the standard-library reader runs on the files wafersim
 * writes, through python3 (as on the CI machine), and calls the real bin; the notebook's code
 * cells are valid Python (pandas itself is not installed here, so they are compiled, not run).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildReport, renderReportJson } from '../reports/report-json.ts';
import { renderSweepJson } from '../reports/sweep/sweep-report.ts';
import { fixtureSweepReport } from '../reports/sweep/test-support.ts';
import { FIXTURE_META, fixtureSummary } from '../reports/test-support.ts';
import { writeReport } from '../reports/write-report.ts';
import { BIN } from './run-cli.ts';

const EXAMPLES = join(dirname(fileURLToPath(import.meta.url)), '..', 'examples', 'python');
const dir = mkdtempSync(join(tmpdir(), 'wafersim-python-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function python(args: string[], input?: string) {
  const r = spawnSync('python3', args, { cwd: EXAMPLES, encoding: 'utf8', input, timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('examples/python', () => {
  const report = join(dir, 'report.json');
  const sweep = join(dir, 'sweep.json');
  writeFileSync(report, renderReportJson(buildReport([fixtureSummary()], FIXTURE_META)));
  writeFileSync(sweep, renderSweepJson(fixtureSweepReport()));

  it('prints a report.json and a sweep.json as rows, with the standard library only', () => {
    const r = python(['wafersim_results.py', report]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('run\tphase\tsparsity\tflopReduction\trealizedSpeedup\tefficiency\tstepSeconds');
    expect(lines.slice(1)).toEqual([
      'toy-s75\tsparse\t0.75\t2.5\t2\t0.8\t1.25',
      'toy-s75\tdense\t0\t1\t1\t1\t2.5',
    ]);
    const s = python(['wafersim_results.py', sweep]);
    expect(s.code).toBe(0);
    expect(s.stdout.trim().split('\n')).toHaveLength(5);
  });

  it('reads report.json as wafersim writes it: a link into the current generation', async () => {
    const out = join(dir, 'out');
    await writeReport(buildReport([fixtureSummary()], FIXTURE_META), out);
    const r = python(['wafersim_results.py', join(out, 'report.json')]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(python(['wafersim_results.py', report]).stdout);
  });

  it('rows carry the varied values of a sweep, and run_wafersim calls the bin', () => {
    const code = [
      'import json',
      'from wafersim_results import load, rows_of, run_wafersim',
      `rows = rows_of(load(${JSON.stringify(sweep)}))`,
      `flops = run_wafersim(["flops", "--model", "gpt2-small"], wafersim=(${JSON.stringify(process.execPath)}, ${JSON.stringify(BIN)}))`,
      'print(json.dumps({"seeds": [r["values.seed"] for r in rows], "model": flops["model"]}))',
    ].join('\n');
    const r = python(['-'], code);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ seeds: [1, 2, 3, 4], model: 'gpt2-small' });
  });

  it("the notebook's code cells are valid Python", () => {
    const check = [
      'import json',
      'nb = json.load(open("results-in-pandas.ipynb"))',
      'assert nb["nbformat"] == 4',
      'cells = [c for c in nb["cells"] if c["cell_type"] == "code"]',
      'for c in cells: compile("".join(c["source"]), "cell", "exec")',
      'print(len(cells))',
    ].join('\n');
    const r = python(['-'], check);
    expect(r.stderr).toBe('');
    expect(Number(r.stdout.trim())).toBeGreaterThanOrEqual(3);
  });
});
