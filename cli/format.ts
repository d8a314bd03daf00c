/** Number formatting for human-readable CLI output (percent and SI prefixes only when printed). */

const SI = [
  { factor: 1e18, prefix: 'E' },
  { factor: 1e15, prefix: 'P' },
  { factor: 1e12, prefix: 'T' },
  { factor: 1e9, prefix: 'G' },
  { factor: 1e6, prefix: 'M' },
  { factor: 1e3, prefix: 'k' },
];

/** `3.03e9` → `3.03 G`; pass the unit to append (`FLOP`). */
export function formatSi(value: number, unit = '', digits = 3): string {
  const abs = Math.abs(value);
  for (const { factor, prefix } of SI) {
    if (abs >= factor) return `${(value / factor).toPrecision(digits)} ${prefix}${unit}`;
  }
  return `${value.toPrecision(digits)} ${unit}`.trimEnd();
}

export function formatPercent(fraction: number, digits = 1): string {
  return `${(fraction * 100).toFixed(digits)}%`;
}

export function formatRatio(ratio: number, digits = 2): string {
  return `${ratio.toFixed(digits)}×`;
}

/** A plain text table with a header row; columns after the first are right-aligned. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
