/**
 * report.html in a real browser: a 2-layer model on a 16 × 16 mesh is simulated in-process, its
 * report written with writeReport, and the page opened from disk in headless Chromium
 * (playwright-core and the system's Chromium: tests/chromium.ts). Oracles: nothing
 * logged to the console, no page error, not one request beyond the page itself, every chart an
 * SVG of non-zero size with its title and reading aid, the tables and definitions present.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { heatmapCells } from '../reports/html/heatmap.ts';
import { buildReport, type Report } from '../reports/report-json.ts';
import { FIXTURE_META } from '../reports/test-support.ts';
import { writeReport } from '../reports/write-report.ts';
import { simulateRun } from '../simulator/simulate-run.ts';
import { parseWorkload } from '../workloads/index.ts';
import { openPage } from './chromium.ts';
import { TINY_WORKLOAD } from './fixtures.ts';

/** The workload of tests/cli-run.test.ts, with a name that needs escaping. */
const SMALL_WORKLOAD = { ...TINY_WORKLOAD, name: 'small <b>&</b>' };

const CHARTS = [
  'chart-flop-vs-speedup',
  'chart-op-kinds',
  'chart-stalls',
  'chart-efficiency',
  'chart-heatmap-0',
];

let dir: string;
let report: Report;
let context: BrowserContext;
let page: Page;
let consoleMessages: string[] = [];
let pageErrors: string[] = [];
let requests: string[] = [];
let failedRequests: string[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wafersim-html-'));
  const workload = parseWorkload(SMALL_WORKLOAD, { name: 'small', source: '(test)' });
  report = buildReport(await simulateRun([workload]), FIXTURE_META);
  await writeReport(report, join(dir, 'out'));
  const opened = await openPage(join(dir, 'out', 'report.html'), dir);
  ({ context, page } = opened);
  consoleMessages = opened.consoleMessages;
  pageErrors = opened.pageErrors;
  requests = opened.requests;
  failedRequests = opened.failedRequests;
});

afterAll(async () => {
  await context?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('report.html in headless Chromium', () => {
  it('loads with no console message, no page error and no request beyond itself', () => {
    expect(consoleMessages).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(failedRequests).toEqual([]);
    expect(requests).toEqual([pathToFileURL(join(dir, 'out', 'report.html')).href]);
  });

  it('shows the title with the run name as text (escaped in the file, not markup)', async () => {
    expect(await page.title()).toBe('wafersim report: small <b>&</b>');
    expect(await page.locator('h1').textContent()).toBe('wafersim report: small <b>&</b>');
    expect(await page.locator('main b').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(0);
  });

  it.each(CHARTS)('%s: an SVG of non-zero size with its title and reading aid', async (id) => {
    const svg = page.locator(`figure#${id} > svg`);
    expect(await svg.count()).toBe(1);
    const box = await svg.boundingBox();
    expect(box?.width).toBeGreaterThan(100);
    expect(box?.height).toBeGreaterThan(100);
    const title = await page.locator(`figure#${id}`).getAttribute('aria-label');
    expect(title).toBeTruthy();
    expect(await svg.locator('.role-title-text text').allTextContents()).toContain(title);
    expect((await page.locator(`figure#${id} > figcaption`).textContent())?.length).toBeGreaterThan(40);
  });

  it('has the summary and time-to-train tables, the GPU context and the definitions', async () => {
    const summary = page.locator('#summary table tbody tr');
    expect(await summary.count()).toBe(3); // two phases and the run's totals
    expect(await page.locator('#summary').textContent()).toContain(`${report.runs[0]!.name}sparse75.0%`);
    expect(await page.locator('#time-to-train table tbody tr').count()).toBe(3);
    expect(await page.locator('#gpu').textContent()).toContain('data/gpu-h100-sparse.json');
    expect(await page.locator('#definitions dt').count()).toBeGreaterThan(20);
  });
});

describe('the heatmap of the simulated run', () => {
  it('averages to the PE busy fraction of the step (conservation: the same busy cycles, re-binned)', () => {
    const run = report.runs[0]!;
    const phase = run.phases[0]!;
    const cells = heatmapCells(run, phase);
    const pes = run.hardware.meshRows * run.hardware.meshCols;
    const busy = cells.reduce((a, c) => a + (c.row1 - c.row0) * (c.col1 - c.col0) * c.utilization, 0);
    // Exact when every op spans the same token-holding columns; ops narrower than the widest
    // would make the heatmap read high.
    expect(busy / pes).toBeCloseTo(phase.utilization.peBusy, 3);
  });
});
