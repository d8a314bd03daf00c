/**
 * Splitting a sweep into shards that run as independent jobs (`--shard i/n`, a Slurm array or a
 * Kubernetes indexed Job) and merge afterwards. Points are dealt round-robin: shard i (from 1)
 * holds the points whose index mod n is i − 1. Round-robin rather than contiguous because
 * neighbouring points cost alike (in a sparsity sweep the low levels have the most non-zeros to
 * draw), so dealing them spreads the slow ones over every shard.
 */
import { inputError } from '../../models/diagnostics.ts';

export interface Shard {
  /** Which shard, from 1. */
  readonly index: number;
  /** How many shards the sweep is split into. */
  readonly count: number;
}

const SHARD_HELP = 'i/n with 1 ≤ i ≤ n, e.g. 1/4 for the first of four shards';

/** Parses `--shard i/n`; anything else is bad input naming the option. */
export function parseShard(text: string): Shard {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || !Number.isSafeInteger(index) || !Number.isSafeInteger(count) || count < 1) {
    throw inputError('invalid-value', '--shard', `'${text}' is not a shard: expected ${SHARD_HELP}`);
  }
  if (index < 1 || index > count) {
    throw inputError(
      'invalid-value',
      '--shard',
      `'${text}': shard ${index} of ${count} does not exist; expected ${SHARD_HELP}`,
    );
  }
  return { index, count };
}

/** The shard a point belongs to (from 1). */
export function shardOf(pointIndex: number, count: number): number {
  return (pointIndex % count) + 1;
}

/**
 * The points of shard `i` of `n` (i from 1). Every point is in exactly one shard; a shard is
 * never empty, so `n` may not exceed the number of points.
 */
export function shardPoints<P extends { readonly index: number }>(
  points: readonly P[],
  i: number,
  n: number,
): P[] {
  if (!Number.isSafeInteger(n) || n < 1 || !Number.isSafeInteger(i) || i < 1 || i > n) {
    throw inputError('invalid-value', '--shard', `'${i}/${n}' is not a shard: expected ${SHARD_HELP}`);
  }
  if (n > points.length) {
    throw inputError(
      'invalid-value',
      '--shard',
      `'${i}/${n}': the sweep has ${points.length} point(s), so it splits into at most ${points.length} shards`,
    );
  }
  return points.filter((p) => shardOf(p.index, n) === i);
}
