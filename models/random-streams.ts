/**
 * Seeded randomness with one independent stream per named purpose (DESIGN §2, STYLE §7): the
 * stream for `('mask', 'layers.3.q')` depends only on the seed and that name, never on what was
 * drawn before or on which worker draws it. No unseeded randomness anywhere.
 */
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';

export type { RandomGenerator };

/** 32-bit FNV-1a of a string, the purpose part of a stream key. */
function fnv1a(text: string, basis: number): number {
  let hash = basis >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/** SplitMix32-style finalizer: spreads a 32-bit key over the state words. */
function mix32(x: number): number {
  let z = (x + 0x9e3779b9) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return (z ^ (z >>> 16)) >>> 0;
}

/**
 * The generator for one purpose, e.g. `randomStream(seed, 'mask', 'layers.0.q')`. Different
 * purposes under the same seed, and the same purpose under different seeds, give unrelated streams.
 */
export function randomStream(seed: number, ...purpose: readonly string[]): RandomGenerator {
  if (!Number.isSafeInteger(seed) || seed < 0)
    throw new Error(`seed must be a non-negative safe integer, got ${seed}`);
  const key = purpose.join('/');
  const seedLow = seed >>> 0;
  const seedHigh = Math.floor(seed / 2 ** 32) >>> 0;
  // Every state word depends on the whole seed and the whole purpose, through different bases.
  const state: number[] = [0x811c9dc5, 0x050c5d1f, 0x1b873593, 0xcc9e2d51].map((basis, i) =>
    mix32(fnv1a(key, basis) ^ mix32((seedLow + Math.imul(i + 1, 0x9e3779b9)) >>> 0) ^ mix32(seedHigh ^ i)),
  );
  if ((state[0]! | state[1]! | state[2]! | state[3]!) === 0) state[0] = 1; // xoroshiro's all-zero state is a fixed point
  const rng = xoroshiro128plusFromState(state);
  // The first outputs of xoroshiro128+ mix only part of the state: discard them.
  for (let i = 0; i < 8; i++) rng.next();
  return rng;
}

/** Uniform double in [0, 1) with 53 random bits. */
export function nextUnit(rng: RandomGenerator): number {
  const high = (rng.next() >>> 0) >>> 5; // 27 bits
  const low = (rng.next() >>> 0) >>> 6; // 26 bits
  return (high * 67_108_864 + low) / 9_007_199_254_740_992;
}

/** Uniform integer in [0, bound), bound ≤ 2^32, without modulo bias. */
export function nextBelow(rng: RandomGenerator, bound: number): number {
  return Math.floor(nextUnit(rng) * bound);
}
