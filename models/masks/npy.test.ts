import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { errorOf } from '../test-support.ts';
import { getBit } from './bit-mask.ts';
import { readNpy, writeNpy } from './npy.ts';
import { encodeTensor, type MaskDType, type StoredTensor, tensorToBitMask } from './stored-tensor.ts';

const dir = mkdtempSync(join(tmpdir(), 'wafersim-npy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The bytes `np.save` writes for np.array([[True, False, True], [False, False, True]]) (numpy 1.x/2.x). */
function numpyBoolFile(): Uint8Array {
  const header = `${"{'descr': '|b1', 'fortran_order': False, 'shape': (2, 3), }".padEnd(117, ' ')}\n`;
  return Uint8Array.from([
    0x93,
    ...Buffer.from('NUMPY'),
    1,
    0,
    118,
    0,
    ...Buffer.from(header, 'latin1'),
    1,
    0,
    1,
    0,
    0,
    1,
  ]);
}

function withHeader(dict: string, data: number[], version: 1 | 2 = 1): Uint8Array {
  const preamble = version === 1 ? 10 : 12;
  const header = `${dict.padEnd(Math.ceil((preamble + dict.length + 1) / 64) * 64 - preamble - 1, ' ')}\n`;
  const out = Buffer.alloc(preamble + header.length + data.length);
  out.write('\x93NUMPY', 0, 'latin1');
  out[6] = version;
  if (version === 1) out.writeUInt16LE(header.length, 8);
  else out.writeUInt32LE(header.length, 8);
  out.write(header, preamble, 'latin1');
  out.set(data, preamble + header.length);
  return out;
}

describe('golden: what numpy writes', () => {
  it('reads np.save of a bool matrix', () => {
    const tensor = readNpy(numpyBoolFile(), 'm.npy');
    expect(tensor.dtype).toBe('bool');
    expect(tensor.shape).toEqual([2, 3]);
    expect([...tensor.data]).toEqual([1, 0, 1, 0, 0, 1]);
  });

  it('writes the same bytes numpy does', () => {
    expect(writeNpy(encodeTensor('bool', [2, 3], [1, 0, 1, 0, 0, 1]))).toEqual(numpyBoolFile());
  });

  it('float16 [[1.5, nan], [0.0, -0.0]] (numpy bytes): only 1.5 is kept', () => {
    const file = withHeader(
      `{'descr': '<f2', 'fortran_order': False, 'shape': (2, 2), }`,
      [0, 62, 0, 126, 0, 0, 0, 128],
    );
    const mask = tensorToBitMask(readNpy(file, 'f16.npy'), 'in-out');
    expect([getBit(mask, 0, 0), getBit(mask, 0, 1), getBit(mask, 1, 0), getBit(mask, 1, 1)]).toEqual([
      true,
      false,
      false,
      false,
    ]);
  });

  it('reads a version 2.0 header', () => {
    const file = withHeader(`{'descr': '|u1', 'fortran_order': False, 'shape': (1, 3), }`, [0, 7, 255], 2);
    expect(readNpy(file, 'v2.npy')).toMatchObject({ dtype: 'uint8', shape: [1, 3] });
  });
});

describe('round trips through files in a temp dir', () => {
  const values = [1, 0, Number.NaN, -0, 0.25, 3, 2 ** -26, Number.POSITIVE_INFINITY];
  it.each<[MaskDType, 1 | 2]>([
    ['bool', 1],
    ['uint8', 1],
    ['float16', 1],
    ['float32', 1],
    ['float16', 2],
    ['bool', 2],
  ])('%s, version %i', (dtype, version) => {
    const tensor = encodeTensor(dtype, [2, 4], dtype === 'uint8' ? [1, 0, 0, 0, 9, 3, 255, 1] : values);
    const path = join(dir, `${dtype}-v${version}.npy`);
    writeFileSync(path, writeNpy(tensor, { version }));
    const back = readNpy(readFileSync(path), path);
    expect(back.dtype).toBe(dtype);
    expect(back.shape).toEqual([2, 4]);
    expect([...back.data]).toEqual([...tensor.data]);
    // Zeros and NaN are pruned; 2^-26 underflows float16 to 0 (a float16 mask cannot hold it).
    const kept = Array.from({ length: 8 }, (_, i) =>
      getBit(tensorToBitMask(back, 'in-out'), Math.floor(i / 4), i % 4),
    );
    const expected = {
      bool: [true, false, false, false, true, true, true, true],
      uint8: [true, false, false, false, true, true, true, true],
      float16: [true, false, false, false, true, true, false, true],
      float32: [true, false, false, false, true, true, true, true],
      bfloat16: [],
    }[dtype];
    expect(kept).toEqual(expected);
  });

  it('any small shape survives write → read', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<MaskDType>('bool', 'uint8', 'float16', 'float32'),
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 0, max: 9 }),
        fc.constantFrom<1 | 2>(1, 2),
        (dtype, rows, cols, version) => {
          const tensor: StoredTensor = encodeTensor(
            dtype,
            [rows, cols],
            Array.from({ length: rows * cols }, (_, i) => i % 3),
          );
          const back = readNpy(writeNpy(tensor, { version }), 'p.npy');
          expect(back.shape).toEqual([rows, cols]);
          expect([...back.data]).toEqual([...tensor.data]);
        },
      ),
    );
  });
});

describe('rejected files say what is accepted', () => {
  it.each([
    ['fortran order', `{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }`, 'fortran_order is True'],
    [
      'big-endian',
      `{'descr': '>f4', 'fortran_order': False, 'shape': (2, 2), }`,
      "dtype '>f4' is not accepted",
    ],
    ['float64', `{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }`, "dtype '<f8' is not accepted"],
    ['structured', `{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (2,), }`, 'structured'],
  ])('%s', (_what, dict, fragment) => {
    const error = errorOf(() => readNpy(withHeader(dict, new Array(32).fill(0)), 'bad.npy'));
    expect(error.diagnostics[0]!.code).toBe('unsupported-format');
    expect(error.diagnostics[0]!.path).toBe('bad.npy');
    expect(error.message).toContain(fragment);
    expect(error.message).toContain('|b1 (bool), |u1 (uint8), <f2 (float16) or <f4 (float32)');
  });

  it('a 3-D array is a shape mismatch', () => {
    const error = errorOf(() =>
      readNpy(
        withHeader(`{'descr': '|u1', 'fortran_order': False, 'shape': (2, 2, 2), }`, new Array(8).fill(1)),
        'a.npy',
      ),
    );
    expect(error.diagnostics).toMatchInlineSnapshot(`
      [
        {
          "code": "shape-mismatch",
          "message": "a mask must be a 2-D matrix, found shape (2, 2, 2) (3-D)",
          "path": "a.npy",
        },
      ]
    `);
  });

  it('truncated data and a missing magic', () => {
    const truncated = withHeader(`{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }`, [0, 0, 0]);
    expect(errorOf(() => readNpy(truncated, 't.npy')).message).toContain('needs 16 data bytes, it has 3');
    expect(errorOf(() => readNpy(Buffer.from('PK\x03\x04 not numpy at all'), 'z.npy')).message).toContain(
      'no \\x93NUMPY magic',
    );
  });
});
