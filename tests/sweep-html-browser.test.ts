/**
 * sweep.html in a real browser: a sweep of the tiny workload over the FP32-accumulate MAC rate
 * (1, 2, 4, 8: a log axis) × two seeds is simulated in-process, written as `wafersim sweep`
 * writes it, and opened in headless Chromium (tests/chromium.ts). Oracles: no console message,
 * page error or request beyond the page; every chart an SVG of non-zero size; the absolute
 * figures are there with their axis titles in words and units, and they move the right way
 * (a wider datapath never makes the step slower).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSweepReport, type SweepReport, sweepDefinition } from '../reports/sweep/sweep-report.ts';
import { FIXTURE_META } from '../reports/sweep/test-support.ts';
import { writeSweepReport } from '../reports/sweep/write-sweep.ts';
import { simulateRun } from '../simulator/simulate-run.ts';
import { expandSweep, parseSweep } from '../workloads/sweeps/index.ts';
import { type OpenedPage, openPage } from './chromium.ts';
import { TINY_MESH, TINY_MODEL } from './fixtures.ts';

const SWEEP = {
  version: 1,
  name: 'tiny-simd',
  base: {
    version: 1,
    model: TINY_MODEL,
    sparsity: 0.75,
    batch: { sequences: 8 },
    hardware: TINY_MESH,
    phases: [{ name: 'sparse', tokens: 1e6 }],
  },
  vary: { 'hardware.fmacsPerCycleFp32Accumulate': [1, 2, 4, 8], seed: [0, 1] },
};

let dir: string;
let report: SweepReport;
let opened: OpenedPage;
let page: Page;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wafersim-sweep-html-'));
  const sweep = parseSweep(SWEEP);
  const expanded = expandSweep(sweep);
  const summaries = await simulateRun(expanded.points.map((p) => p.workload));
  report = buildSweepReport(
    sweepDefinition(sweep, expanded),
    expanded.points.map((p, i) => ({ index: p.index, values: p.values, summary: summaries[i]! })),
    FIXTURE_META,
  );
  await writeSweepReport(report, join(dir, 'out'));
  opened = await openPage(join(dir, 'out', 'sweep.html'), dir);
  page = opened.page;
}, 120_000);

afterAll(async () => {
  await opened?.context.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('sweep.html in headless Chromium', () => {
  it('loads with no console message, no page error and no request beyond itself', () => {
    expect(opened.consoleMessages).toEqual([]);
    expect(opened.pageErrors).toEqual([]);
    expect(opened.failedRequests).toEqual([]);
    expect(opened.requests).toEqual([pathToFileURL(join(dir, 'out', 'sweep.html')).href]);
  });

  it('shows every chart as an SVG of non-zero size, absolute figures first', async () => {
    const figures = page.locator('figure');
    const titles = await figures.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    expect(titles.slice(0, 4)).toEqual([
      'Step time against hardware.fmacsPerCycleFp32Accumulate',
      'Time to train against hardware.fmacsPerCycleFp32Accumulate',
      'Speedup over the reference point against hardware.fmacsPerCycleFp32Accumulate',
      'Effective throughput against hardware.fmacsPerCycleFp32Accumulate',
    ]);
    for (const box of await page
      .locator('figure svg')
      .evaluateAll((els) => els.map((e) => e.getBoundingClientRect()).map((r) => [r.width, r.height]))) {
      expect(box[0]).toBeGreaterThan(100);
      expect(box[1]).toBeGreaterThan(100);
    }
  });

  it('labels the axes in words with units, and the page names the version', async () => {
    const text = await page.locator('#chart-1 svg').textContent();
    expect(text).toContain('step time (s)');
    expect(text).toContain('FP16 multiply, FP32 accumulate MACs per PE per cycle');
    expect(await page.locator('#chart-2 svg').textContent()).toMatch(
      /time to train \((days|hours|minutes|s)\)/,
    );
    expect(await page.locator('footer').textContent()).toContain('wafersim 0.0.0-test (commit 0123456789ab)');
  });

  it('the figures it plots move the right way: a wider datapath never slows a step', () => {
    for (const seed of [0, 1]) {
      const steps = report.points.filter((p) => p.values.seed === seed).map((p) => p.stepSeconds);
      for (let i = 1; i < steps.length; i++) expect(steps[i]!).toBeLessThanOrEqual(steps[i - 1]!);
      expect(steps.at(-1)!).toBeLessThan(steps[0]!);
    }
    expect(report.reference).toEqual({ index: 2, isBase: true }); // the cs2's 2, seed 0
  });
});
