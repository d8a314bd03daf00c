import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../diagnostics.ts';
import type { ModelConfig } from '../model-config.ts';
import { randomStream } from '../random-streams.ts';
import { type LayerWeightKind, sparsitySpec } from '../sparsity.ts';
import { errorOf } from '../test-support.ts';
import { layerWeights, type WeightMatrix } from '../weights.ts';
import { type BitMask, createBitMask, generateBitMask, getBit, setBit } from './bit-mask.ts';
import { type FileMaskSource, importMasks } from './mask-import.ts';
import { writeNpy } from './npy.ts';
import { writeSafetensors } from './safetensors.ts';
import {
  bitMaskToTensor,
  encodeTensor,
  type MaskLayout,
  type StoredTensor,
  storedShape,
} from './stored-tensor.ts';

const cwd = mkdtempSync(join(tmpdir(), 'wafersim-masks-'));
afterAll(() => rmSync(cwd, { recursive: true, force: true }));

const tiny = (activation: 'gelu' | 'swiglu'): ModelConfig => ({
  name: 'tiny',
  layers: 2,
  dModel: 8,
  heads: 2,
  dFF: 12,
  vocab: 16,
  seqLen: 4,
  activation,
  tiedEmbeddings: true,
});

function weightsOf(activation: 'gelu' | 'swiglu', sparse: LayerWeightKind[]): WeightMatrix[] {
  return layerWeights(tiny(activation), sparsitySpec(0.5, { weights: sparse }));
}

function randomMask(w: { name: string; rows: number; cols: number }): BitMask {
  return generateBitMask(w.rows, w.cols, 0.5, { kind: 'unstructured' }, randomStream(1, 'import', w.name));
}

/** A weight as a Cerebras checkpoint stores it: float16, pruned weights NaN, kept ones non-zero. */
function checkpointTensor(mask: BitMask, layout: MaskLayout): StoredTensor {
  const [first, second] = storedShape(mask.rows, mask.cols, layout);
  const values = Array.from({ length: first * second }, (_, i) => {
    const [a, b] = [Math.floor(i / second), i % second];
    const [row, col] = layout === 'out-in' ? [b, a] : [a, b];
    return getBit(mask, row, col) ? 0.01 * (1 + (i % 7)) : Number.NaN;
  });
  return encodeTensor('float16', [first, second], values);
}

const source = (
  path: string,
  names: FileMaskSource['names'],
  layout: MaskLayout = 'out-in',
): FileMaskSource => ({
  kind: 'file',
  path,
  names,
  layout,
});

const HF_LLAMA: Record<LayerWeightKind, string> = {
  q: 'self_attn.q_proj',
  k: 'self_attn.k_proj',
  v: 'self_attn.v_proj',
  attnOut: 'self_attn.o_proj',
  ffnIn: 'mlp.up_proj',
  ffnGate: 'mlp.gate_proj',
  ffnOut: 'mlp.down_proj',
};

describe('a folder of .npy files with wafersim names', () => {
  const weights = weightsOf('gelu', ['q', 'k', 'v', 'ffnIn', 'ffnOut']);
  const folder = join(cwd, 'npy-masks');
  mkdirSync(folder);
  for (const w of weights) {
    if (w.sparse) {
      const file = w.name === 'layers.1.ffnOut' ? `${w.name}.weight.npy` : `${w.name}.npy`; // both spellings
      writeFileSync(join(folder, file), writeNpy(bitMaskToTensor(randomMask(w), 'out-in')));
    }
  }
  // A dense matrix's file is ignored, even with a wrong shape.
  writeFileSync(join(folder, 'layers.0.attnOut.npy'), writeNpy(encodeTensor('bool', [1, 1], [1])));

  it('imports every sparse matrix, transposed from out-in, and nothing else', () => {
    const masks = importMasks(source('npy-masks', 'wafersim'), weights, cwd);
    expect([...masks.keys()].sort()).toEqual(
      weights
        .filter((w) => w.sparse)
        .map((w) => w.name)
        .sort(),
    );
    for (const w of weights.filter((w) => w.sparse)) expect(masks.get(w.name)).toEqual(randomMask(w));
  });

  it('a missing file names it and lists what is there', () => {
    const error = errorOf(() =>
      importMasks(
        source('npy-masks', 'wafersim'),
        weightsOf('gelu', ['q', 'k', 'v', 'attnOut', 'ffnIn']),
        cwd,
      ),
    );
    // layers.0.attnOut.npy is the 1×1 file written for the dense case above.
    expect(error.diagnostics.map((d) => [d.code, d.path])).toEqual([
      ['shape-mismatch', 'layers.0.attnOut'],
      ['missing-file', 'layers.1.attnOut'],
    ]);
    expect(error.diagnostics.map((d) => d.message)).toMatchInlineSnapshot(`
      [
        "npy-masks/layers.0.attnOut.npy: expected shape [8, 8] (layers.0.attnOut in layout 'out-in', [out, in]), found [1, 1].",
        "npy-masks has no file layers.1.attnOut.npy, the mask of sparse layers.1.attnOut under names 'wafersim'. It holds: layers.0.attnOut, layers.0.ffnIn, layers.0.ffnOut, layers.0.k, layers.0.q, layers.0.v, … (11 in all).",
      ]
    `);
  });
});

describe('a safetensors checkpoint with Hugging Face Llama names', () => {
  const weights = weightsOf('swiglu', ['q', 'k', 'v', 'attnOut', 'ffnIn', 'ffnGate', 'ffnOut']);

  it.each<[MaskLayout, string]>([
    ['out-in', 'model.'],
    ['in-out', ''],
  ])('float16 with NaN for pruned weights, layout %s, prefix "%s"', (layout, prefix) => {
    const tensors = weights.map(
      (w) =>
        [
          `${prefix}layers.${w.layer}.${HF_LLAMA[w.kind]}.weight`,
          checkpointTensor(randomMask(w), layout),
        ] as const,
    );
    const file = `llama-${layout}.safetensors`;
    writeFileSync(
      join(cwd, file),
      writeSafetensors([
        ['model.embed_tokens.weight', encodeTensor('float32', [2, 2], [1, 2, 3, 4])],
        ...tensors,
      ]),
    );
    const masks = importMasks(source(file, 'hf-llama', layout), weights, cwd);
    expect(masks.size).toBe(weights.length);
    for (const w of weights) expect(masks.get(w.name)).toEqual(randomMask(w));
  });

  it('a shape mismatch names the tensor, the expected shape in the layout, and spots a transpose', () => {
    const tensors = weights.map((w) => {
      const layout: MaskLayout = w.name === 'layers.1.ffnIn' ? 'in-out' : 'out-in'; // one stored the wrong way round
      return [
        `model.layers.${w.layer}.${HF_LLAMA[w.kind]}.weight`,
        checkpointTensor(randomMask(w), layout),
      ] as const;
    });
    writeFileSync(join(cwd, 'transposed.safetensors'), writeSafetensors(tensors));
    const error = errorOf(() => importMasks(source('transposed.safetensors', 'hf-llama'), weights, cwd));
    expect(error.diagnostics).toMatchInlineSnapshot(`
      [
        {
          "code": "shape-mismatch",
          "message": "transposed.safetensors: expected shape [12, 8] (layers.1.ffnIn in layout 'out-in', [out, in]), found [8, 12]. That is the transpose: is the layout 'in-out'?",
          "path": "model.layers.1.mlp.up_proj.weight",
        },
      ]
    `);
  });

  it('wrong naming convention: every matrix is reported, with a hint at the right one', () => {
    const tensors = weights.map(
      (w) =>
        [
          `model.layers.${w.layer}.${HF_LLAMA[w.kind]}.weight`,
          checkpointTensor(randomMask(w), 'out-in'),
        ] as const,
    );
    writeFileSync(join(cwd, 'llama.safetensors'), writeSafetensors(tensors));
    const error = errorOf(() => importMasks(source('llama.safetensors', 'wafersim'), weights, cwd));
    expect(error.diagnostics).toHaveLength(weights.length);
    expect(error.diagnostics[0]).toMatchInlineSnapshot(`
      {
        "code": "missing-file",
        "message": "llama.safetensors has no tensor 'layers.0.q', the mask of sparse layers.0.q under names 'wafersim'. Its tensors look like names 'hf-llama'. It holds: model.layers.0.self_attn.q_proj.weight, model.layers.0.self_attn.k_proj.weight, model.layers.0.self_attn.v_proj.weight, model.layers.0.self_attn.o_proj.weight, model.layers.0.mlp.up_proj.weight, model.layers.0.mlp.gate_proj.weight, … (14 in all).",
        "path": "layers.0.q",
      }
    `);
  });

  it('a missing tensor suggests a near name', () => {
    const tensors = weights.map((w) => {
      const name = w.name === 'layers.0.ffnOut' ? 'layers.0.ffn_out' : w.name;
      return [name, bitMaskToTensor(randomMask(w), 'out-in')] as const;
    });
    writeFileSync(join(cwd, 'typo.safetensors'), writeSafetensors(tensors));
    const error = errorOf(() => importMasks(source('typo.safetensors', 'wafersim'), weights, cwd));
    expect(error.diagnostics).toHaveLength(1);
    expect(error.diagnostics[0]!.message).toContain("Did you mean 'layers.0.ffn_out'?");
  });
});

describe('GPT-NeoX: fused query_key_value split per head', () => {
  const weights = weightsOf('gelu', ['q', 'k', 'v', 'attnOut', 'ffnIn', 'ffnOut']);
  const heads = 2;
  const headSize = 4;

  /** [in = 8, out = 24] with outputs grouped per head as (q_h, k_h, v_h). */
  function fuse(parts: BitMask[]): BitMask {
    const fused = createBitMask(8, 24);
    for (let row = 0; row < 8; row++) {
      for (let out = 0; out < 24; out++) {
        const head = Math.floor(out / (3 * headSize));
        const part = Math.floor((out % (3 * headSize)) / headSize);
        setBit(fused, row, out, getBit(parts[part]!, row, head * headSize + (out % headSize)));
      }
    }
    return fused;
  }

  it('q, k and v come back from the fused tensor; the other matrices from their own', () => {
    const tensors: (readonly [string, StoredTensor])[] = [];
    for (let layer = 0; layer < 2; layer++) {
      const qkv = (['q', 'k', 'v'] as const).map((kind) =>
        randomMask(weights.find((w) => w.name === `layers.${layer}.${kind}`)!),
      );
      tensors.push([
        `gpt_neox.layers.${layer}.attention.query_key_value.weight`,
        checkpointTensor(fuse(qkv), 'out-in'),
      ]);
      for (const [kind, name] of [
        ['attnOut', 'attention.dense'],
        ['ffnIn', 'mlp.dense_h_to_4h'],
        ['ffnOut', 'mlp.dense_4h_to_h'],
      ] as const) {
        const w = weights.find((x) => x.name === `layers.${layer}.${kind}`)!;
        tensors.push([`gpt_neox.layers.${layer}.${name}.weight`, checkpointTensor(randomMask(w), 'out-in')]);
      }
    }
    writeFileSync(join(cwd, 'neox.safetensors'), writeSafetensors(tensors));
    const masks = importMasks(source('neox.safetensors', 'hf-gpt-neox'), weights, cwd, { heads });
    expect(masks.size).toBe(weights.length);
    for (const w of weights) expect(masks.get(w.name)).toEqual(randomMask(w));
  });

  it('without heads the split is impossible: a bug in the caller, not an input error', () => {
    writeFileSync(join(cwd, 'empty.safetensors'), writeSafetensors([]));
    expect(() => importMasks(source('empty.safetensors', 'hf-gpt-neox'), weights, cwd)).toThrow(
      /needs options\.heads/,
    );
  });

  it('a SwiGLU gate has no GPT-NeoX tensor', () => {
    writeFileSync(join(cwd, 'empty.safetensors'), writeSafetensors([]));
    const error = errorOf(() =>
      importMasks(source('empty.safetensors', 'hf-gpt-neox'), weightsOf('swiglu', ['ffnGate']), cwd, {
        heads,
      }),
    );
    expect(error.diagnostics[0]).toMatchObject({ code: 'unsupported-format', path: 'layers.0.ffnGate' });
    expect(error.message).toContain('GPT-NeoX models have no FFN gate');
  });

  it('a missing fused tensor is reported once per layer, not once per Q, K, V', () => {
    writeFileSync(join(cwd, 'empty.safetensors'), writeSafetensors([]));
    const error = errorOf(() =>
      importMasks(source('empty.safetensors', 'hf-gpt-neox'), weightsOf('gelu', ['q', 'k', 'v']), cwd, {
        heads,
      }),
    );
    expect(error.diagnostics.map((d) => d.path)).toEqual([
      'gpt_neox.layers.0.attention.query_key_value.weight',
      'gpt_neox.layers.1.attention.query_key_value.weight',
    ]);
    expect(error.diagnostics[0]!.message).toContain('It holds no tensors.');
  });
});

describe('the source path', () => {
  const weights = weightsOf('gelu', ['q']);
  it.each([
    ['does-not-exist.safetensors', 'missing-file', 'no such file or folder'],
    ['layers.0.q.npy', 'unsupported-format', 'a single .npy holds one matrix'],
    ['notes.txt', 'unsupported-format', 'a .safetensors file or a folder of .npy files'],
  ])('%s → %s', (path, code, fragment) => {
    writeFileSync(join(cwd, 'layers.0.q.npy'), writeNpy(encodeTensor('bool', [8, 8], new Array(64).fill(1))));
    writeFileSync(join(cwd, 'notes.txt'), 'hello');
    const error = errorOf(() => importMasks(source(path, 'wafersim'), weights, cwd));
    expect(error.diagnostics[0]).toMatchObject({ code, path });
    expect(error.message).toContain(fragment);
  });
});

describe('masks with nothing kept, and damaged values', () => {
  const weights = weightsOf('gelu', ['q', 'k', 'v', 'attnOut', 'ffnIn', 'ffnOut']);
  /** A folder of float32 .npy masks, `values(w)` giving each matrix's stored values. */
  function folderOf(name: string, values: (w: WeightMatrix) => number[]): string {
    const folder = join(cwd, name);
    mkdirSync(folder);
    for (const w of weights) {
      const shape = storedShape(w.rows, w.cols, 'out-in');
      writeFileSync(join(folder, `${w.name}.npy`), writeNpy(encodeTensor('float32', shape, values(w))));
    }
    return name;
  }
  const kept = (w: WeightMatrix): number[] =>
    Array.from({ length: w.rows * w.cols }, (_, i) => (i % 3 === 0 ? 0 : 0.5));

  it('a matrix all 0 or all NaN is fully pruned, a legal mask with no bit set', () => {
    const zero = folderOf('one-zero', (w) => (w.name === 'layers.0.q' ? new Array(64).fill(0) : kept(w)));
    const nan = folderOf('one-nan', (w) =>
      w.name === 'layers.1.v' ? new Array(64).fill(Number.NaN) : kept(w),
    );
    const zeros = importMasks(source(zero, 'wafersim'), weights, cwd);
    expect(zeros.get('layers.0.q')!.bits.every((b) => b === 0)).toBe(true);
    expect(zeros.get('layers.0.k')!.bits.some((b) => b !== 0)).toBe(true);
    const nans = importMasks(source(nan, 'wafersim'), weights, cwd);
    expect(nans.get('layers.1.v')!.bits.every((b) => b === 0)).toBe(true);
  });

  it('every matrix fully pruned is refused: the linear work would multiply nothing', () => {
    const none = folderOf('all-pruned', (w) =>
      new Array(w.rows * w.cols).fill(w.layer === 0 ? 0 : Number.NaN),
    );
    const error = errorOf(() => importMasks(source(none, 'wafersim'), weights, cwd));
    expect(error.diagnostics).toHaveLength(1);
    expect(error.diagnostics[0]).toMatchObject({ code: 'invalid-value', path: 'all-pruned' });
    expect(error.message).toContain('every weight matrix of the layers is fully pruned');
    // One dense matrix left among them is enough.
    const withDense = weightsOf('gelu', ['q', 'k', 'v', 'attnOut', 'ffnIn']);
    expect(importMasks(source(none, 'wafersim'), withDense, cwd).size).toBe(10);
  });

  it.each([
    ['float32', Number.POSITIVE_INFINITY],
    ['float16', Number.NEGATIVE_INFINITY],
  ] as const)('an infinity in a %s mask is refused, naming the tensor and its first index', (dtype, inf) => {
    const folder = join(cwd, `inf-${dtype}`);
    mkdirSync(folder);
    const w = weights.find((x) => x.name === 'layers.0.ffnIn')!; // [8 in, 12 out], stored [12, 8]
    const values = kept(w);
    values[8 * 5 + 3] = inf; // row 5, column 3 of the stored [out, in] tensor
    values[8 * 7] = inf;
    writeFileSync(join(folder, 'layers.0.ffnIn.npy'), writeNpy(encodeTensor(dtype, [12, 8], values)));
    const error = errorOf(() => importMasks(source(`inf-${dtype}`, 'wafersim'), [w], cwd));
    expect(error.diagnostics).toEqual([
      {
        code: 'invalid-value',
        path: 'layers.0.ffnIn',
        message: `${join(`inf-${dtype}`, 'layers.0.ffnIn.npy')}: file layers.0.ffnIn.npy, the mask of sparse layers.0.ffnIn, holds an infinity at [5, 3] (element 43 in C order, the first of its kind); a mask holds 0 or NaN for a pruned weight and a finite non-zero for a kept one`,
      },
    ]);
  });

  it('an infinity in a bfloat16 safetensors tensor is refused the same way', () => {
    const w = weights.find((x) => x.name === 'layers.1.q')!;
    const values = kept(w);
    values[9] = Number.POSITIVE_INFINITY;
    writeFileSync(
      join(cwd, 'inf.safetensors'),
      writeSafetensors([['layers.1.q', encodeTensor('bfloat16', [8, 8], values)]]),
    );
    const error = errorOf(() => importMasks(source('inf.safetensors', 'wafersim'), [w], cwd));
    expect(error.diagnostics[0]).toMatchObject({ code: 'invalid-value', path: 'layers.1.q' });
    expect(error.message).toContain(
      "tensor 'layers.1.q', the mask of sparse layers.1.q, holds an infinity at [1, 1]",
    );
  });
});

describe('mask entries that are not regular files', () => {
  const weights = weightsOf('gelu', ['q']).filter((w) => w.layer === 0);
  const q = weights.find((w) => w.name === 'layers.0.q')!;
  const good = () => writeNpy(bitMaskToTensor(randomMask(q), 'out-in'));
  let n = 0;
  /** A mask folder whose layers.0.q.npy is made by `make`; the diagnostics of importing it. */
  function importWith(make: (path: string) => void): { code: string; path: string; message: string }[] {
    const name = `entries-${n++}`;
    mkdirSync(join(cwd, name));
    make(join(cwd, name, 'layers.0.q.npy'));
    return errorOf(() => importMasks(source(name, 'wafersim'), weights, cwd)).diagnostics.map((d) => ({
      ...d,
      message: d.message.replace(`${name}/`, 'F/'),
    }));
  }
  const expected = 'expected a .npy file (the mask of sparse layers.0.q)';

  it('a folder, a link loop, a link to /dev/zero, a FIFO and a dangling link: each named, in words', () => {
    expect(importWith((p) => mkdirSync(p))).toEqual([
      {
        code: 'unsupported-format',
        path: 'layers.0.q',
        message: `F/layers.0.q.npy is a folder; ${expected}`,
      },
    ]);
    expect(importWith((p) => symlinkSync(p, p))).toEqual([
      {
        code: 'missing-file',
        path: 'layers.0.q',
        message: `F/layers.0.q.npy is a loop of symbolic links (or a chain of more than 40), so it leads to no file; ${expected}`,
      },
    ]);
    expect(importWith((p) => symlinkSync('/dev/zero', p))).toEqual([
      {
        code: 'unsupported-format',
        path: 'layers.0.q',
        message: `F/layers.0.q.npy (a symbolic link to /dev/zero) is a character device, not a regular file; ${expected}`,
      },
    ]);
    expect(importWith((p) => execFileSync('mkfifo', [p]))).toEqual([
      {
        code: 'unsupported-format',
        path: 'layers.0.q',
        message: `F/layers.0.q.npy is a FIFO (named pipe), not a regular file; ${expected}`,
      },
    ]);
    expect(importWith((p) => symlinkSync(join(cwd, 'nowhere.npy'), p))).toEqual([
      {
        code: 'missing-file',
        path: 'layers.0.q',
        message: `F/layers.0.q.npy (a symbolic link to ${join(cwd, 'nowhere.npy')}) leads to no file`,
      },
    ]);
  });

  it('a link to a regular .npy file is read', () => {
    writeFileSync(join(cwd, 'elsewhere.npy'), good());
    mkdirSync(join(cwd, 'linked'));
    symlinkSync(join(cwd, 'elsewhere.npy'), join(cwd, 'linked', 'layers.0.q.npy'));
    expect(importMasks(source('linked', 'wafersim'), weights, cwd).get('layers.0.q')).toEqual(randomMask(q));
  });

  it('a file larger than its header says (beyond a 4 KiB slack) is refused unread, naming both sizes', () => {
    const bytes = good();
    expect(bytes.length).toBe(192);
    expect(importWith((p) => writeFileSync(p, Buffer.concat([bytes, new Uint8Array(5000)])))).toEqual([
      {
        code: 'invalid-value',
        path: 'layers.0.q',
        message:
          'F/layers.0.q.npy is 5.1 KiB (5,192 bytes); for shape (8, 8) of |b1 its header says 192 bytes; ' +
          'with the 4096 bytes a .npy file may hold after its data, it may be at most 4.2 KiB (4,288 bytes)',
      },
    ]);
    mkdirSync(join(cwd, 'slack'));
    writeFileSync(join(cwd, 'slack', 'layers.0.q.npy'), Buffer.concat([bytes, new Uint8Array(4096)]));
    expect(importMasks(source('slack', 'wafersim'), weights, cwd).get('layers.0.q')).toEqual(randomMask(q));
  });

  it('a huge sparse file is refused from its size: no mask of the workload can be that large', () => {
    const [error] = importWith((p) => {
      writeFileSync(p, good());
      truncateSync(p, 2 ** 40);
    });
    expect(error).toMatchObject({ code: 'invalid-value', path: 'layers.0.q' });
    expect(error!.message).toMatch(
      /^F\/layers\.0\.q\.npy is 1 TiB \(1,099,511,627,776 bytes\); a \.npy mask of this workload \(its largest matrix in float32, with a header\) may be at most 68.3 KiB/,
    );
  });

  it('a header that claims a huge array in a small file is a shape mismatch, and nothing more is read', () => {
    const header = writeNpy(encodeTensor('bool', [0, 0], [])).slice();
    const text = new TextDecoder('latin1').decode(header).replace('(0, 0)', '(9999999, 99999)');
    const [error] = importWith((p) => writeFileSync(p, Buffer.from(text, 'latin1')));
    expect(error).toMatchObject({ code: 'shape-mismatch', path: 'layers.0.q' });
  });

  it('a .safetensors source that is /dev/zero, a FIFO or a folder is named', () => {
    symlinkSync('/dev/zero', join(cwd, 'zero.safetensors'));
    execFileSync('mkfifo', [join(cwd, 'fifo.safetensors')]);
    for (const [file, what] of [
      ['zero.safetensors', '(a symbolic link to /dev/zero) is a character device'],
      ['fifo.safetensors', 'is a FIFO (named pipe)'],
    ]) {
      const error = errorOf(() => importMasks(source(file!, 'wafersim'), weights, cwd));
      expect(error.diagnostics).toEqual([
        {
          code: 'unsupported-format',
          // The message begins with the path: it is not repeated in front of it.
          path: '',
          message: `${file} ${what}, not a regular file; expected a .safetensors file`,
        },
      ]);
    }
    symlinkSync(join(cwd, 'loop.safetensors'), join(cwd, 'loop.safetensors'));
    const loop = errorOf(() => importMasks(source('loop.safetensors', 'wafersim'), weights, cwd));
    expect(loop.diagnostics[0]).toMatchObject({ code: 'missing-file', path: 'loop.safetensors' });
    expect(loop.message).toContain('is a loop of symbolic links');
  });

  it('a safetensors header longer than 100 MB is refused without reading it (a sparse file)', () => {
    const path = join(cwd, 'long-header.safetensors');
    const head = new Uint8Array(8);
    new DataView(head.buffer).setUint32(0, 200_000_000, true);
    writeFileSync(path, head);
    truncateSync(path, 300_000_000);
    const error = errorOf(() => importMasks(source('long-header.safetensors', 'wafersim'), weights, cwd));
    expect(error.message).toContain(
      'header length 200000000 is more than the 100000000 bytes a safetensors header may be',
    );
  });
});

describe('arbitrary bytes as a mask file', () => {
  const weights = weightsOf('gelu', ['q']).filter((w) => w.layer === 0);
  const q = weights.find((w) => w.name === 'layers.0.q')!;
  const valid = writeNpy(bitMaskToTensor(randomMask(q), 'out-in'));
  /** Random bytes, or a valid file with bytes changed, cut or appended. */
  const bytes = fc.oneof(
    fc.uint8Array({ maxLength: 300 }),
    fc
      .tuple(
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }),
        fc.nat(),
        fc.uint8Array({ maxLength: 16 }),
      )
      .map(([edits, cut, tail]) => {
        const out = Uint8Array.from(valid);
        for (const [at, value] of edits) out[at % out.length] = value;
        return Buffer.concat([out.subarray(0, out.length - (cut % 8)), tail]);
      }),
  );

  it('give masks or an InputError, never another failure (.npy in a folder, and .safetensors)', () => {
    mkdirSync(join(cwd, 'arbitrary'));
    fc.assert(
      fc.property(bytes, (content) => {
        writeFileSync(join(cwd, 'arbitrary', 'layers.0.q.npy'), content);
        writeFileSync(join(cwd, 'arbitrary.safetensors'), content);
        for (const path of ['arbitrary', 'arbitrary.safetensors']) {
          try {
            const masks = importMasks(source(path, 'wafersim'), weights, cwd);
            expect(masks.get('layers.0.q')).toMatchObject({ rows: 8, cols: 8 });
          } catch (error) {
            if (!(error instanceof InputError)) throw error;
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
