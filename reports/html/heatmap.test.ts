/**
 * The heatmap as data: at most 64 × 64 cells tiling the mesh, values in [0, 1]; closed form: a
 * cell is its row block's value times its share of token-holding columns; equal runs along a band
 * merge without changing the busy PE-cycles; only the main sparse phase is drawn.
 */
import { describe, expect, it } from 'vitest';
import { buildReport, type PhaseReport, type Report } from '../report-json.ts';
import { FIXTURE_META, fixtureSummary } from '../test-support.ts';
import { mainSparsePhase } from './chart-common.ts';
import {
  type HeatmapCell,
  heatmapCells,
  heatmapCharts,
  MAX_HEATMAP_BLOCKS,
  mergeEqualRuns,
} from './heatmap.ts';

const META = FIXTURE_META;
const report = buildReport([fixtureSummary()], META);

/** The fixture's run on a CS-2-sized mesh: 757 rows in 64 blocks of 12 (the last holds 1 row). */
function onLargeMesh(activeCols: number): { run: Report['runs'][number]; phase: PhaseReport } {
  const run = report.runs[0]!;
  const values = Array.from({ length: 64 }, (_, i) => (i + 1) / 64);
  const phase: PhaseReport = {
    ...run.phases[0]!,
    utilization: { ...run.phases[0]!.utilization, activeCols },
    rowUtilization: { rowsPerBlock: 12, values },
  };
  return {
    run: { ...run, hardware: { ...run.hardware, meshRows: 757, meshCols: 996 }, phases: [phase] },
    phase,
  };
}

describe('heatmap', () => {
  it('has at most 64 × 64 cells with values in [0, 1], tiling the mesh exactly', () => {
    const { run, phase } = onLargeMesh(500);
    const cells = heatmapCells(run, phase);
    const rows = new Set(cells.map((c) => c.row0));
    const cols = new Set(cells.map((c) => c.col0));
    expect(rows.size).toBe(64);
    expect(cols.size).toBeLessThanOrEqual(MAX_HEATMAP_BLOCKS);
    expect(cells).toHaveLength(rows.size * cols.size);
    for (const c of cells) {
      expect(c.utilization).toBeGreaterThanOrEqual(0);
      expect(c.utilization).toBeLessThanOrEqual(1);
    }
    const area = cells.reduce((a, c) => a + (c.row1 - c.row0) * (c.col1 - c.col0), 0);
    expect(area).toBe(757 * 996);
  });

  it('a cell is its row block’s value × the share of its columns that hold tokens', () => {
    const { run, phase } = onLargeMesh(500);
    const cells = heatmapCells(run, phase);
    // 996 columns in blocks of 16: columns 496..511 straddle the 500 token-holding columns.
    const at = (row0: number, col0: number) => cells.find((c) => c.row0 === row0 && c.col0 === col0)!;
    expect(at(0, 0)).toEqual({ row0: 0, row1: 12, col0: 0, col1: 16, utilization: 1 / 64 });
    expect(at(12, 496).utilization).toBeCloseTo((2 / 64) * (4 / 16), 15);
    expect(at(12, 512).utilization).toBe(0);
    expect(at(756, 992)).toMatchObject({ row1: 757, col1: 996, utilization: 0 });
    expect(at(756, 480).utilization).toBe(1);
  });

  it('the chart draws runs of equal cells along a band as one rect, covering the same PEs', () => {
    const { run, phase } = onLargeMesh(500);
    const cells = heatmapCells(run, phase);
    const merged = mergeEqualRuns(cells);
    // Per band: the token-holding blocks, the straddling block, the idle blocks.
    expect(merged).toHaveLength(64 * 3);
    const busy = (cs: readonly HeatmapCell[]) =>
      cs.reduce((a, c) => a + (c.row1 - c.row0) * (c.col1 - c.col0) * c.utilization, 0);
    expect(busy(merged)).toBeCloseTo(busy(cells), 6);
    expect(merged.slice(0, 3)).toEqual([
      { row0: 0, row1: 12, col0: 0, col1: 496, utilization: 1 / 64 },
      { row0: 0, row1: 12, col0: 496, col1: 512, utilization: (1 / 64) * (4 / 16) },
      { row0: 0, row1: 12, col0: 512, col1: 996, utilization: 0 },
    ]);
  });

  it('is drawn for the main sparse phase of a run; a dense run gets none', () => {
    const charts = heatmapCharts(report);
    expect(charts.map((c) => c.id)).toEqual(['chart-heatmap-0']);
    expect(mainSparsePhase(report.runs[0]!)!.name).toBe('sparse');
    const dense = { ...report, runs: [{ ...report.runs[0]!, phases: [report.runs[0]!.phases[1]!] }] };
    expect(heatmapCharts(dense)).toEqual([]);
  });

  it('with many runs, only the first run’s heatmap is drawn', () => {
    const runs = Array.from({ length: 5 }, (_, i) => ({ ...report.runs[0]!, name: `r${i}` }));
    const charts = heatmapCharts({ ...report, runs });
    expect(charts).toHaveLength(1);
    expect(charts[0]!.title).toContain('r0');
  });
});
