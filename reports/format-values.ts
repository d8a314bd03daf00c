/**
 * How report values print for people (Markdown and the CLI summary). Percent and units appear
 * only here; the metrics themselves stay fractions and seconds.
 */

const SI = [
  { factor: 1e18, prefix: 'E' },
  { factor: 1e15, prefix: 'P' },
  { factor: 1e12, prefix: 'T' },
  { factor: 1e9, prefix: 'G' },
  { factor: 1e6, prefix: 'M' },
  { factor: 1e3, prefix: 'k' },
];

/** `3.03e9` → `3.03 G`; with a unit, `3.03 GFLOP`. */
export function si(value: number, unit = '', digits = 3): string {
  const abs = Math.abs(value);
  for (const { factor, prefix } of SI) {
    if (abs >= factor) return `${(value / factor).toPrecision(digits)} ${prefix}${unit}`;
  }
  return `${value.toPrecision(digits)} ${unit}`.trimEnd();
}

export function percent(fraction: number | null, digits = 1): string {
  return fraction === null ? '–' : `${(fraction * 100).toFixed(digits)}%`;
}

export function ratio(value: number | null, digits = 2): string {
  return value === null ? '–' : `${value.toFixed(digits)}×`;
}

/** Seconds in the unit a reader thinks in: µs, ms, s, min, h or days (3 significant digits). */
export function seconds(value: number): string {
  const abs = Math.abs(value);
  if (abs === 0) return '0 s';
  if (abs < 1e-3) return `${(value * 1e6).toPrecision(3)} µs`;
  if (abs < 1) return `${(value * 1e3).toPrecision(3)} ms`;
  if (abs < 120) return `${value.toPrecision(3)} s`;
  if (abs < 2 * 3600) return `${(value / 60).toPrecision(3)} min`;
  if (abs < 48 * 3600) return `${(value / 3600).toPrecision(3)} h`;
  return `${(value / 86_400).toPrecision(3)} days`;
}

/** A count with thousands separators and at most `digits` decimals (`976.56`, `1,000,000`). */
export function count(value: number, digits = 2): string {
  return value.toLocaleString('en-US', { maximumFractionDigits: digits });
}
