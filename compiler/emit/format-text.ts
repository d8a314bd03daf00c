/**
 * Number and table formatting for the text emitters (summary, DOT labels). The compiler may not
 * import the CLI, so this is its own small copy of the CLI's style; locale-independent throughout.
 */

const KIB = 1024;

/** 6137003 → "6,137,003". */
export function groupDigits(value: number): string {
  return String(Math.round(value)).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function formatBytes(bytes: number): string {
  if (bytes >= KIB * KIB) return `${(bytes / KIB / KIB).toFixed(1)} MiB`;
  if (bytes >= KIB) return `${(bytes / KIB).toFixed(1)} KiB`;
  return `${bytes} B`;
}

export function formatKib(bytes: number): string {
  return (bytes / KIB).toFixed(1);
}

export function formatSeconds(seconds: number): string {
  if (seconds >= 1) return `${seconds.toFixed(2)} s`;
  if (seconds >= 1e-3) return `${(seconds * 1e3).toFixed(1)} ms`;
  return `${(seconds * 1e6).toFixed(1)} µs`;
}

const SI: readonly (readonly [number, string])[] = [
  [1e18, 'E'],
  [1e15, 'P'],
  [1e12, 'T'],
  [1e9, 'G'],
  [1e6, 'M'],
  [1e3, 'k'],
];

/** `3.03e15` → "3.03 PFLOP". */
export function formatFlops(flops: number): string {
  const hit = SI.find(([factor]) => flops >= factor);
  return hit ? `${(flops / hit[0]).toPrecision(3)} ${hit[1]}FLOP` : `${flops} FLOP`;
}

/** A plain text table with a header row; columns flagged in `right` are right-aligned. */
export function formatTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  right: readonly boolean[],
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (right[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
