/**
 * What the charts of report.html share: the chart record the page renders, the vega-lite look
 * (fonts, sizes, label limits) and which phases a chart draws.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { PhaseReport, RunReport } from '../report-json.ts';

export interface ReportChart {
  /** The figure's HTML id (also what the browser test looks for). */
  readonly id: string;
  readonly title: string;
  readonly readingAid: string;
  readonly spec: TopLevelSpec;
}

const FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif';
export const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
/**
 * Without a canvas vega estimates text widths generously (0.8 em a character), and truncates labels
 * by that estimate: limits are set high so that nothing is cut.
 */
export const LABEL_LIMIT = 1000;

export const CONFIG = {
  font: FONT,
  background: 'white',
  title: { anchor: 'start', fontSize: 15, offset: 12 },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', labelLimit: LABEL_LIMIT },
  legend: { labelFontSize: 11, titleFontSize: 11, labelLimit: LABEL_LIMIT, titleLimit: LABEL_LIMIT },
  view: { stroke: null },
} as const;

/** A sparse phase: at least some weights are zero (a dense fine-tuning phase is not one). */
export function sparsePhases(run: RunReport): PhaseReport[] {
  return run.phases.filter((p) => p.sparsity > 0);
}

/** The sparse phase with the most tokens (the first of equals), or undefined for a dense run. */
export function mainSparsePhase(run: RunReport): PhaseReport | undefined {
  return sparsePhases(run).reduce<PhaseReport | undefined>(
    (best, p) => (best === undefined || p.tokens > best.tokens ? p : best),
    undefined,
  );
}
