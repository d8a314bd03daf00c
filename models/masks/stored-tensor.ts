/**
 * A 2-D tensor as a mask file stores it (raw little-endian bytes, C order), the one form both the
 * .npy and the safetensors readers produce, and its conversion to a `BitMask`. A weight is pruned
 * when it is zero (either sign) or, for floats, NaN: Cerebras marks pruned weights as NaN and
 * checkpoints keep them (cs2-facts §6). Anything else finite, subnormals included, is kept; an
 * infinity is damage, found by `firstInfinity` (the importer refuses it).
 */
import type { MaskSource } from '../sparsity.ts';
import { type BitMask, createBitMask } from './bit-mask.ts';

export const MASK_DTYPES = ['bool', 'uint8', 'float16', 'bfloat16', 'float32'] as const;
export type MaskDType = (typeof MASK_DTYPES)[number];

export const DTYPE_BYTES: Readonly<Record<MaskDType, number>> = {
  bool: 1,
  uint8: 1,
  float16: 2,
  bfloat16: 2,
  float32: 4,
};

/** 'out-in': [outputs, inputs] as PyTorch nn.Linear stores a weight; 'in-out': our [K, N]. */
export type MaskLayout = Extract<MaskSource, { kind: 'file' }>['layout'];

export interface StoredTensor {
  readonly dtype: MaskDType;
  readonly shape: readonly number[];
  /** product(shape) · DTYPE_BYTES[dtype] bytes; may be a view into a larger file buffer. */
  readonly data: Uint8Array;
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((acc, d) => acc * d, 1);
}

/** Expected stored shape of a [rows = K, cols = N] matrix in a layout. */
export function storedShape(rows: number, cols: number, layout: MaskLayout): [number, number] {
  return layout === 'out-in' ? [cols, rows] : [rows, cols];
}

/** A predicate over element indices; the dtype is decided once per tensor, not per element. */
function keptPredicate(tensor: StoredTensor): (i: number) => boolean {
  const d = tensor.data;
  switch (tensor.dtype) {
    case 'bool':
    case 'uint8':
      return (i) => d[i] !== 0;
    case 'float16':
      return (i) => {
        const h = d[2 * i]! | (d[2 * i + 1]! << 8);
        return (h & 0x7fff) !== 0 && (h & 0x7fff) <= 0x7c00; // above 0x7c00 is NaN
      };
    case 'bfloat16':
      return (i) => {
        const h = d[2 * i]! | (d[2 * i + 1]! << 8);
        return (h & 0x7fff) !== 0 && (h & 0x7fff) <= 0x7f80;
      };
    case 'float32':
      return (i) => {
        const w =
          (d[4 * i]! | (d[4 * i + 1]! << 8) | (d[4 * i + 2]! << 16) | (d[4 * i + 3]! << 24)) & 0x7fff_ffff;
        return w !== 0 && w <= 0x7f80_0000;
      };
  }
}

/**
 * The flat (C-order) index of the first infinite element of a float tensor, or -1. An infinity is
 * neither a pruned weight (0 or NaN) nor a weight a model trains to: a mask holding one is damaged.
 */
export function firstInfinity(tensor: StoredTensor): number {
  const d = tensor.data;
  const count = d.length / DTYPE_BYTES[tensor.dtype];
  switch (tensor.dtype) {
    case 'bool':
    case 'uint8':
      return -1;
    case 'float16':
    case 'bfloat16': {
      const inf = tensor.dtype === 'float16' ? 0x7c00 : 0x7f80;
      for (let i = 0; i < count; i++) if (((d[2 * i]! | (d[2 * i + 1]! << 8)) & 0x7fff) === inf) return i;
      return -1;
    }
    case 'float32':
      for (let i = 0; i < count; i++) {
        if (d[4 * i] === 0 && d[4 * i + 1] === 0 && d[4 * i + 2] === 0x80 && (d[4 * i + 3]! & 0x7f) === 0x7f)
          return i;
      }
      return -1;
  }
}

/**
 * The mask of a stored 2-D tensor as [rows = K, cols = N]; 'out-in' tensors are transposed. The
 * caller checks the shape against the matrix it expects (it knows the names to put in the message).
 */
export function tensorToBitMask(tensor: StoredTensor, layout: MaskLayout): BitMask {
  if (tensor.shape.length !== 2) throw new Error(`a mask tensor must be 2-D, got shape [${tensor.shape}]`);
  const [first, second] = tensor.shape as [number, number];
  const rows = layout === 'out-in' ? second : first;
  const cols = layout === 'out-in' ? first : second;
  const mask = createBitMask(rows, cols);
  const kept = keptPredicate(tensor);
  const { bits } = mask;
  // Source index of (row, col): row · cols + col for 'in-out', col · rows + row for 'out-in'.
  const rowStride = layout === 'out-in' ? 1 : cols;
  const colStride = layout === 'out-in' ? rows : 1;
  for (let row = 0; row < rows; row++) {
    for (let col = 0; col < cols; col++) {
      if (!kept(row * rowStride + col * colStride)) continue;
      const i = row * cols + col;
      bits[i >>> 3]! |= 1 << (i & 7);
    }
  }
  return mask;
}

/** A bit mask as a 0/1 tensor in a layout, to write masks out (and to test the readers). */
export function bitMaskToTensor(mask: BitMask, layout: MaskLayout, dtype: MaskDType = 'bool'): StoredTensor {
  const shape = storedShape(mask.rows, mask.cols, layout);
  const values = new Float64Array(mask.rows * mask.cols);
  for (let row = 0; row < mask.rows; row++) {
    for (let col = 0; col < mask.cols; col++) {
      const i = row * mask.cols + col;
      if ((mask.bits[i >>> 3]! >>> (i & 7)) & 1) values[layout === 'out-in' ? col * mask.rows + row : i] = 1;
    }
  }
  return encodeTensor(dtype, shape, values);
}

/**
 * Numbers → a stored tensor. Floats are rounded to the nearest representable value (ties to even, via
 * float32), so a value too small for float16 becomes 0, i.e. pruned: encode masks, not weights.
 */
export function encodeTensor(
  dtype: MaskDType,
  shape: readonly number[],
  values: ArrayLike<number>,
): StoredTensor {
  const count = elementCount(shape);
  if (values.length !== count) throw new Error(`${values.length} values for shape [${shape}]`);
  const data = new Uint8Array(count * DTYPE_BYTES[dtype]);
  const view = new DataView(data.buffer);
  for (let i = 0; i < count; i++) {
    const v = values[i]!;
    if (dtype === 'bool') data[i] = v !== 0 && !Number.isNaN(v) ? 1 : 0;
    else if (dtype === 'uint8') data[i] = v;
    else if (dtype === 'float32') view.setFloat32(4 * i, v, true);
    else view.setUint16(2 * i, dtype === 'float16' ? float16Bits(v) : bfloat16Bits(v), true);
  }
  return { dtype, shape: [...shape], data };
}

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** IEEE binary16 bits of a number, round to nearest even from its float32 value. */
export function float16Bits(x: number): number {
  f32[0] = x;
  const b = u32[0]!;
  const sign = (b >>> 16) & 0x8000;
  const exponent = (b >>> 23) & 0xff;
  const mantissa = b & 0x7f_ffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa !== 0 ? 0x200 : 0);
  const e = exponent - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    const full = mantissa | 0x80_0000;
    const shift = 14 - e;
    return sign | roundShift(full, shift);
  }
  return sign | roundShift((e << 23) | mantissa, 13); // a carry out of the mantissa bumps the exponent, as it should
}

/** bfloat16 bits: the top half of the float32, round to nearest even; NaN stays NaN. */
export function bfloat16Bits(x: number): number {
  f32[0] = x;
  const b = u32[0]!;
  if ((b & 0x7fff_ffff) > 0x7f80_0000) return ((b >>> 16) & 0x8000) | 0x7fc0;
  return roundShift(b, 16) & 0xffff;
}

function roundShift(value: number, shift: number): number {
  const kept = Math.floor(value / 2 ** shift);
  const rest = value - kept * 2 ** shift;
  const half = 2 ** (shift - 1);
  return rest > half || (rest === half && kept % 2 === 1) ? kept + 1 : kept;
}
