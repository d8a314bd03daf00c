import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { errorOf } from '../test-support.ts';
import { getBit } from './bit-mask.ts';
import { readSafetensors, safetensorsMaskTensor, writeSafetensors } from './safetensors.ts';
import { encodeTensor, type StoredTensor, tensorToBitMask } from './stored-tensor.ts';

const dir = mkdtempSync(join(tmpdir(), 'wafersim-safetensors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A file assembled by hand from the format description: u64 header length, JSON, data. */
function handMade(header: object, data: number[]): Uint8Array {
  const json = Buffer.from(JSON.stringify(header));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([length, json, Buffer.from(data)]);
}

describe('golden: the format as specified', () => {
  it('reads a hand-made file with metadata and a U8 and an F16 tensor', () => {
    const file = handMade(
      {
        __metadata__: { format: 'pt' },
        a: { dtype: 'U8', shape: [1, 2], data_offsets: [0, 2] },
        b: { dtype: 'F16', shape: [1, 2], data_offsets: [2, 6] },
      },
      [5, 0, 0x00, 0x7e, 0x00, 0x3c], // a = [5, 0]; b = [NaN, 1.0]
    );
    const entries = readSafetensors(file, 'm.safetensors');
    expect([...entries.keys()]).toEqual(['a', 'b']);
    const b = tensorToBitMask(safetensorsMaskTensor(entries.get('b')!, 'm.safetensors', 'b'), 'in-out');
    expect([getBit(b, 0, 0), getBit(b, 0, 1)]).toEqual([false, true]);
  });
});

describe('round trip through a file in a temp dir', () => {
  it('BOOL, U8, F16 with NaN, BF16 with NaN and F32, in order, with metadata', () => {
    const tensors: [string, StoredTensor][] = [
      ['layers.0.q', encodeTensor('bool', [2, 3], [1, 0, 1, 1, 0, 0])],
      ['layers.0.k', encodeTensor('uint8', [3, 2], [0, 1, 2, 0, 255, 0])],
      ['layers.0.v', encodeTensor('float16', [2, 2], [Number.NaN, 0.5, -0, 1e-3])],
      ['layers.0.attnOut', encodeTensor('bfloat16', [1, 3], [Number.NaN, 2, 0])],
      ['layers.0.ffnIn', encodeTensor('float32', [2, 1], [0, -1e-30])],
    ];
    const path = join(dir, 'masks.safetensors');
    writeFileSync(path, writeSafetensors(tensors, { producer: 'wafersim test' }));
    const bytes = readFileSync(path);
    const headerLength = Number(bytes.readBigUInt64LE(0));
    expect(headerLength % 8).toBe(0);
    expect(JSON.parse(bytes.subarray(8, 8 + headerLength).toString()).__metadata__).toEqual({
      producer: 'wafersim test',
    });
    const entries = readSafetensors(bytes, path);
    expect([...entries.keys()]).toEqual(tensors.map(([name]) => name));
    for (const [name, tensor] of tensors) {
      const back = safetensorsMaskTensor(entries.get(name)!, path, name);
      expect(back.dtype).toBe(tensor.dtype);
      expect(back.shape).toEqual(tensor.shape);
      expect([...back.data]).toEqual([...tensor.data]);
    }
    const kept = (name: string) => {
      const m = tensorToBitMask(safetensorsMaskTensor(entries.get(name)!, path, name), 'in-out');
      return Array.from({ length: m.rows * m.cols }, (_, i) => getBit(m, Math.floor(i / m.cols), i % m.cols));
    };
    expect(kept('layers.0.v')).toEqual([false, true, false, true]);
    expect(kept('layers.0.attnOut')).toEqual([false, true, false]);
    expect(kept('layers.0.ffnIn')).toEqual([false, true]);
  });
});

describe('errors', () => {
  it('an I64 tensor is listed but cannot be a mask', () => {
    const file = handMade(
      { step: { dtype: 'I64', shape: [1, 1], data_offsets: [0, 8] } },
      new Array(8).fill(0),
    );
    const entries = readSafetensors(file, 'ckpt.safetensors');
    const error = errorOf(() => safetensorsMaskTensor(entries.get('step')!, 'ckpt.safetensors', 'step'));
    expect(error.diagnostics).toMatchInlineSnapshot(`
      [
        {
          "code": "unsupported-format",
          "message": "ckpt.safetensors: tensor dtype I64 cannot be read as a mask; accepted: BOOL, U8, F16, BF16, F32",
          "path": "step",
        },
      ]
    `);
  });

  it.each([
    [
      'a header longer than the file',
      () => Uint8Array.from([200, 0, 0, 0, 0, 0, 0, 0, 123]),
      'exceeds the file',
    ],
    ['a header that is not JSON', () => handMade({}, []).fill(0x41, 8), 'not JSON'],
    [
      'offsets outside the data',
      () => handMade({ a: { dtype: 'U8', shape: [2, 2], data_offsets: [0, 4] } }, [1, 2]),
      'fall outside the 2 data bytes',
    ],
    [
      'a size that does not match the shape',
      () => handMade({ a: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 4] } }, [0, 0, 0, 0]),
      'has 4 bytes for shape [2, 2] of F32',
    ],
  ])('%s', (_what, file, fragment) => {
    const error = errorOf(() => readSafetensors(file(), 'x.safetensors'));
    expect(error.diagnostics[0]!.code).toBe('unsupported-format');
    expect(error.diagnostics[0]!.path).toBe('x.safetensors');
    expect(error.message).toContain(fragment);
  });
});
