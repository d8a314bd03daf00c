/**
 * The per-PE utilization heatmap of report.html (DESIGN §8): the mesh block-averaged to at most
 * 64 × 64 cells. A PE's utilization is its row's busy fraction (report.json `rowUtilization`) if
 * its column holds tokens and 0 beyond, so a cell is its row block's value times the share of its
 * columns that hold tokens.
 */
import type { PhaseReport, Report, RunReport } from '../report-json.ts';
import { CONFIG, LABEL_LIMIT, mainSparsePhase, type ReportChart, SCHEMA } from './chart-common.ts';

/** At most this many cells along each side of a utilization heatmap. */
export const MAX_HEATMAP_BLOCKS = 64;
/** With more runs than this that have a sparse phase, only the first run's heatmap is drawn. */
export const MAX_HEATMAPS = 3;

export interface HeatmapCell {
  readonly row0: number;
  readonly row1: number;
  readonly col0: number;
  readonly col1: number;
  /** Mean busy fraction of the block's PEs (0 for PEs of columns that hold no tokens). */
  readonly utilization: number;
}

/** Equal blocks of at most MAX_HEATMAP_BLOCKS along a side of `length` PEs (the last may be shorter). */
function blocks(length: number, perBlock: number): [number, number][] {
  const out: [number, number][] = [];
  for (let start = 0; start < length; start += perBlock)
    out.push([start, Math.min(length, start + perBlock)]);
  return out;
}

/**
 * The per-PE utilization of a phase's step, block-averaged: a PE's utilization is its row's busy
 * fraction for the columns that hold tokens and 0 beyond, so a cell is its row block's value times
 * the share of its columns that hold tokens.
 */
export function heatmapCells(run: RunReport, phase: PhaseReport): HeatmapCell[] {
  const { meshRows, meshCols } = run.hardware;
  const { rowsPerBlock, values } = phase.rowUtilization;
  const activeCols = phase.utilization.activeCols;
  const colBlocks = blocks(meshCols, Math.ceil(meshCols / MAX_HEATMAP_BLOCKS));
  return blocks(meshRows, rowsPerBlock).flatMap(([row0, row1], i) =>
    colBlocks.map(([col0, col1]) => {
      const active = Math.max(0, Math.min(col1, activeCols) - col0) / (col1 - col0);
      return { row0, row1, col0, col1, utilization: (values[i] ?? 0) * active };
    }),
  );
}

/**
 * Runs of equal cells along a row band drawn as one rect (a band's token-holding blocks all share
 * its value): the same picture with a few rects per band instead of up to 64.
 */
export function mergeEqualRuns(cells: readonly HeatmapCell[]): HeatmapCell[] {
  const out: HeatmapCell[] = [];
  for (const cell of cells) {
    const last = out.at(-1);
    if (last && last.row0 === cell.row0 && last.col1 === cell.col0 && last.utilization === cell.utilization) {
      out[out.length - 1] = { ...last, col1: cell.col1 };
    } else {
      out.push(cell);
    }
  }
  return out;
}

export function heatmapChart(run: RunReport, phase: PhaseReport, index: number): ReportChart {
  const { meshRows, meshCols } = run.hardware;
  const title = `Per-PE utilization: ${run.name}, phase ${phase.name}`;
  const side = 300;
  return {
    id: `chart-heatmap-${index}`,
    title,
    readingAid: `Each cell averages a block of PEs (${meshRows} × ${meshCols} mesh; ${phase.utilization.activeCols} columns hold tokens): bright is busy for most of the step, dark is idle.`,
    spec: {
      $schema: SCHEMA,
      config: CONFIG,
      title: { text: title, limit: LABEL_LIMIT },
      width: Math.round(side * Math.min(1.6, meshCols / meshRows)),
      height: side,
      data: { values: mergeEqualRuns(heatmapCells(run, phase)) },
      mark: { type: 'rect', aria: false },
      encoding: {
        x: {
          field: 'col0',
          type: 'quantitative',
          title: 'Mesh column (PE)',
          scale: { domain: [0, meshCols], nice: false },
        },
        x2: { field: 'col1' },
        y: {
          field: 'row0',
          type: 'quantitative',
          title: 'Mesh row (PE)',
          scale: { domain: [0, meshRows], nice: false, reverse: true },
        },
        y2: { field: 'row1' },
        color: {
          field: 'utilization',
          type: 'quantitative',
          title: 'Busy (% of step cycles)',
          scale: { domain: [0, 1], scheme: 'viridis' },
          legend: { format: '.0%', gradientLength: 200 },
        },
      },
    },
  };
}

/** Heatmaps for the main sparse phase of each run (only the first run's if there are many). */
export function heatmapCharts(report: Report): ReportChart[] {
  const sparseRuns = report.runs.flatMap((run) => {
    const phase = mainSparsePhase(run);
    return phase === undefined ? [] : [{ run, phase }];
  });
  const drawn = sparseRuns.length > MAX_HEATMAPS ? sparseRuns.slice(0, 1) : sparseRuns;
  return drawn.map(({ run, phase }, i) => heatmapChart(run, phase, i));
}
