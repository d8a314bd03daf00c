/**
 * report.html as text: self-contained (no script, no external reference, a CSP that forbids any
 * load), every name escaped, the summary and time-to-train tables, the measured GPU context citing
 * its data files, every metric and stall cause defined; the same report renders to the same bytes.
 */
import { describe, expect, it } from 'vitest';
import { STALL_CAUSES } from '../../simulator/counters.ts';
import { METRIC_DEFINITIONS } from '../metrics.ts';
import { buildReport } from '../report-json.ts';
import { FIXTURE_META, fixtureSummary } from '../test-support.ts';
import { escapeHtml } from './html.ts';
import { renderReportHtml } from './page.ts';

const META = FIXTURE_META;
const HOSTILE = `<script>alert("x")</script> & 'co'`;
const summary = fixtureSummary();
const report = buildReport(
  [
    {
      ...summary,
      name: HOSTILE,
      phases: summary.phases.map((p, i) => (i === 0 ? { ...p, name: `<i>${p.name}` } : p)),
    },
  ],
  META,
);
const html = await renderReportHtml(report);

/** The markup of one `<section id>` of the page. */
function section(id: string): string {
  const start = html.indexOf(`<section id="${id}">`);
  return html.slice(start, html.indexOf('</section>', start));
}
const headers = (markup: string) =>
  [...markup.matchAll(/<th scope="col"[^>]*>([^<]*)<\/th>/g)].map((m) => m[1]);
const cells = (markup: string) => [...markup.matchAll(/<td[^>]*>([^<]*)<\/td>/g)].map((m) => m[1]);

describe('report.html', () => {
  it('is one self-contained document: no script, no external reference, a CSP that forbids loads', () => {
    expect(html).toMatch(/^<!doctype html>\n<html lang="en"><head><meta charset="utf-8">/);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; img-src data:"`);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\bsrc=|@import|url\((?!#)/i);
    // Element ids (SVG gradients) are unique on the page.
    const ids = [...html.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
    expect(new Set(ids).size).toBe(ids.length);
    // The only URLs are XML namespaces of the inline SVGs.
    const urls = [...html.matchAll(/https?:\/\/[^\s"'<>)]+/g)].map((m) => m[0]);
    expect(new Set(urls)).toEqual(new Set(['http://www.w3.org/2000/svg', 'http://www.w3.org/1999/xlink']));
  });

  it('escapes names from user files everywhere, in the tables and inside the SVGs', () => {
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<i>sparse');
    expect(html).toContain(escapeHtml(HOSTILE));
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;');
  });

  it('the throughput table: tokens/s, one system, scaling and the step boundary of every phase', () => {
    const t = section('throughput');
    expect(headers(t)).toEqual([
      'run',
      'phase',
      'systems',
      'tokens/s',
      'per system',
      'step',
      'one system',
      'scaling efficiency',
      'last gradients',
      'SwarmX tree',
      'fixed pause',
    ]);
    // The fixture: 1,000 tokens per 1.25 s step on one system, 40 ms + 60 ms of boundary.
    expect(t).toContain('<td class="num">800</td>');
    expect(t).toContain('<td class="num">100.0%</td>');
    expect(t).toContain('<td class="num">60.0 ms</td>');
  });

  it('has the summary and time-to-train tables, the charts and the definitions', () => {
    const ids = [...html.matchAll(/<(?:section|figure) id="([^"]+)"/g)].map((m) => m[1]);
    expect(ids).toEqual([
      'summary',
      'charts',
      'chart-flop-vs-speedup',
      'chart-op-kinds',
      'chart-stalls',
      'chart-efficiency',
      'chart-heatmap-0',
      'time-to-train',
      'energy',
      'throughput',
      'gpu',
      'definitions',
    ]);
    const summary = section('summary');
    expect(headers(summary)).toEqual([
      'run',
      'phase',
      'sparsity',
      'FLOP reduction',
      'realized speedup',
      'efficiency',
      'step time',
      'sparse',
      'dense',
      'one H100',
    ]);
    // Fractions print as percent, ratios with ×: the fixture's sparse phase.
    expect(cells(summary).slice(0, 7)).toEqual([
      escapeHtml(HOSTILE),
      '&lt;i&gt;sparse',
      '75.0%',
      '2.50×',
      '2.00×',
      '80.0%',
      '1.25 s',
    ]);
    expect(headers(section('time-to-train'))).toEqual([
      'run',
      'phase',
      'tokens',
      'steps',
      ...['sparse', 'dense', 'one H100', '8 H100s'],
      ...['sparse', 'dense', 'one H100'],
    ]);
    expect(headers(section('energy'))).toEqual([
      'run',
      'phase',
      ...['sparse', 'dense'],
      'saving',
      'J/token',
      'tokens/J',
      ...['sparse', 'dense'],
      'static share',
    ]);
    expect(section('energy')).toContain('nothing held out to validate them');
    const terms = [...section('definitions').matchAll(/<dt>([^<]*)<\/dt>/g)].map((m) => m[1]);
    expect(terms).toEqual([...Object.keys(METRIC_DEFINITIONS), ...STALL_CAUSES]);
  });

  it('gives the GPU context as measured data, citing both files', () => {
    const gpu = section('gpu');
    expect(gpu).toContain('<code>data/gpu-h100-gpt3xl-step.json</code>');
    expect(gpu).toContain('<code>data/gpu-h100-sparse.json</code>');
    expect(gpu.match(/class="measured">measured</g)).toHaveLength(2);
    // The toy model's width is outside the measured ones: its rate is labelled an extrapolation.
    expect(gpu).toContain('extrapolated: outside the measured widths');
    expect(gpu).toMatch(/cuSPARSE CSR.*2:4/s);
    expect(gpu).toContain('<td>16384 × 2048 × 2048</td>');
  });

  it('renders the same report to the same bytes', async () => {
    expect(await renderReportHtml(report)).toBe(html);
  });
});
