/** Formatting for human-readable CLI output: the report's value formats, and plain text tables. */
import { percent, ratio, si } from '../reports/format-values.ts';

/** `3.03e9` → `3.03 G`; pass the unit to append (`FLOP`). */
export const formatSi = si;

export function formatPercent(fraction: number, digits = 1): string {
  return percent(fraction, digits);
}

export function formatRatio(value: number, digits = 2): string {
  return ratio(value, digits);
}

/** A plain text table with a header row; columns after the first are right-aligned. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
