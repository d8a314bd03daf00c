/**
 * JSON nested deeper than any input of this tool needs (a workload is five levels deep) is refused
 * before anything walks it recursively: `JSON.parse` takes any depth, but the `extends` merge, the
 * schemas and `JSON.stringify` recurse and would overflow the stack a few thousand levels down.
 */
import { inputError } from './diagnostics.ts';

/** Levels of nested arrays and objects an input may have (docs/limits.md). */
export const MAX_JSON_DEPTH = 64;

/** Throws naming `where` if `value` nests arrays or objects more than MAX_JSON_DEPTH levels deep. */
export function checkJsonDepth(value: unknown, where: string): void {
  const stack: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: v, depth } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= MAX_JSON_DEPTH) {
      throw inputError(
        'invalid-value',
        where,
        `nested more than ${MAX_JSON_DEPTH} levels deep (arrays and objects within each other); no input of wafersim needs that many`,
      );
    }
    for (const child of Array.isArray(v) ? v : Object.values(v))
      stack.push({ value: child, depth: depth + 1 });
  }
}
