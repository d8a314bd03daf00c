import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { randomStream } from '../random-streams.ts';
import { generateBitMask, getBit } from './bit-mask.ts';
import {
  bfloat16Bits,
  bitMaskToTensor,
  encodeTensor,
  float16Bits,
  type MaskDType,
  type MaskLayout,
  tensorToBitMask,
} from './stored-tensor.ts';

describe('float encodings (IEEE 754 bit patterns)', () => {
  it.each([
    [1.5, 0x3e00],
    [-2, 0xc000],
    [Number.NaN, 0x7e00],
    [-0, 0x8000],
    [65_504, 0x7bff], // largest finite
    [65_520, 0x7c00], // rounds up to infinity
    [2 ** -24, 0x0001], // smallest subnormal
    [2 ** -25, 0x0000], // halfway, ties to even
    [3 * 2 ** -25, 0x0002], // halfway, ties to even (up)
    [2 ** -14, 0x0400], // smallest normal
  ])('float16(%d) = %i', (x, bits) => {
    expect(float16Bits(x)).toBe(bits);
  });

  it.each([
    [1, 0x3f80],
    [-1.5, 0xbfc0],
    [Number.NaN, 0x7fc0],
    [Number.POSITIVE_INFINITY, 0x7f80],
    [1 + 2 ** -8, 0x3f80], // halfway, ties to even (down)
  ])('bfloat16(%d) = %i', (x, bits) => {
    expect(bfloat16Bits(x)).toBe(bits);
  });
});

describe('stored tensor → bit mask', () => {
  it("'out-in' is transposed to [in, out]", () => {
    // PyTorch weight [out = 2, in = 3]; pruned where 0 or NaN.
    const tensor = encodeTensor('float32', [2, 3], [0.1, 0, Number.NaN, 0, -4, 1]);
    const mask = tensorToBitMask(tensor, 'out-in');
    expect([mask.rows, mask.cols]).toEqual([3, 2]);
    const rows = Array.from({ length: 3 }, (_, r) => [getBit(mask, r, 0), getBit(mask, r, 1)]);
    expect(rows).toEqual([
      [true, false],
      [false, true],
      [false, true],
    ]);
  });

  it('bitMaskToTensor then tensorToBitMask is the identity', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 20 }),
        fc.constantFrom<MaskLayout>('out-in', 'in-out'),
        fc.constantFrom<MaskDType>('bool', 'uint8', 'float16', 'bfloat16', 'float32'),
        fc.nat(),
        (rows, cols, layout, dtype, seed) => {
          const mask = generateBitMask(
            rows,
            cols,
            0.5,
            { kind: 'unstructured' },
            randomStream(seed, 'stored'),
          );
          const back = tensorToBitMask(bitMaskToTensor(mask, layout, dtype), layout);
          expect(back).toEqual(mask);
        },
      ),
    );
  });
});
