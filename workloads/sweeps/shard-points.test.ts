/**
 * Sharding. Oracles: a property (for any number of points and any n ≤ points, every point is in
 * exactly one shard and no shard is empty) and the accepted `--shard` syntax.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../models/diagnostics.ts';
import { parseShard, shardPoints } from './shard-points.ts';

const pointsOf = (count: number) => Array.from({ length: count }, (_, index) => ({ index }));

describe('shardPoints', () => {
  it('every point is in exactly one shard, and no shard is empty, for any n ≤ points', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 200 })
          .chain((count) => fc.tuple(fc.constant(count), fc.integer({ min: 1, max: count }))),
        ([count, n]) => {
          const points = pointsOf(count);
          const shards = Array.from({ length: n }, (_, i) => shardPoints(points, i + 1, n));
          const seen = shards.flat().map((p) => p.index);
          expect(seen.sort((a, b) => a - b)).toEqual(points.map((p) => p.index));
          expect(shards.every((s) => s.length > 0)).toBe(true);
        },
      ),
    );
  });

  it('deals the points round-robin', () => {
    expect(shardPoints(pointsOf(7), 2, 3).map((p) => p.index)).toEqual([1, 4]);
  });

  it('more shards than points is bad input', () => {
    expect(() => shardPoints(pointsOf(3), 1, 4)).toThrow(
      /the sweep has 3 point\(s\), so it splits into at most 3 shards/,
    );
  });
});

describe('parseShard', () => {
  it('accepts i/n with 1 ≤ i ≤ n', () => {
    expect(parseShard('1/4')).toEqual({ index: 1, count: 4 });
    expect(parseShard('4/4')).toEqual({ index: 4, count: 4 });
    expect(parseShard(' 2 / 3 ')).toEqual({ index: 2, count: 3 });
  });

  it.each([
    ['0/2', /shard 0 of 2 does not exist/],
    ['3/2', /shard 3 of 2 does not exist/],
    ['x', /'x' is not a shard: expected i\/n/],
    ['1/0', /'1\/0' is not a shard/],
    ['1.5/2', /'1\.5\/2' is not a shard/],
    ['-1/2', /'-1\/2' is not a shard/],
  ])('%s is bad input', (text, message) => {
    expect(() => parseShard(text)).toThrow(InputError);
    expect(() => parseShard(text)).toThrow(message);
  });
});
