/**
 * The last check before a result leaves the process: every number in it is finite. Inputs are
 * bounded (docs/limits.md) so that none can be NaN or infinite; one that is anyway is a bug, and
 * writing it would print `null` where a metric belongs (JSON has no NaN). Failing here keeps it
 * out of every report format: all of them are rendered before anything is written.
 */

/** Throws an internal error naming the first non-finite number's path in `value`. */
export function assertFiniteNumbers(value: unknown, what: string): void {
  const stack: { value: unknown; path: string }[] = [{ value, path: '' }];
  while (stack.length > 0) {
    const { value: v, path } = stack.pop()!;
    if (typeof v === 'number') {
      if (!Number.isFinite(v))
        throw new Error(`${what}: ${path || 'the value'} is ${v}, not a finite number`);
    } else if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], path: `${path}[${i}]` });
    } else if (typeof v === 'object' && v !== null) {
      const keys = Object.keys(v);
      for (let i = keys.length - 1; i >= 0; i--) {
        const key = keys[i]!;
        stack.push({ value: (v as Record<string, unknown>)[key], path: path ? `${path}.${key}` : key });
      }
    }
  }
}
