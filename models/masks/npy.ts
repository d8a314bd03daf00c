/**
 * NumPy .npy files holding one 2-D mask (format: numpy.lib.format, NEP 1). Accepted: versions 1.0,
 * 2.0 (and 3.0, which only allows a UTF-8 header), C order, dtypes |b1, |u1, <f2, <f4. Anything
 * else is an input error naming the file and what is accepted, never a silent misread.
 */
import { inputError } from '../diagnostics.ts';
import { DTYPE_BYTES, elementCount, type MaskDType, type StoredTensor } from './stored-tensor.ts';

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

/** numpy `descr` → dtype; '<u1' and '|u1' are the same thing, numpy writes the latter. */
const DESCR_DTYPES: Readonly<Record<string, MaskDType>> = {
  '|b1': 'bool',
  '|u1': 'uint8',
  '<u1': 'uint8',
  '<f2': 'float16',
  '<f4': 'float32',
};
const DTYPE_DESCR: Readonly<Record<Exclude<MaskDType, 'bfloat16'>, string>> = {
  bool: '|b1',
  uint8: '|u1',
  float16: '<f2',
  float32: '<f4',
};
const ACCEPTED =
  'dtype |b1 (bool), |u1 (uint8), <f2 (float16) or <f4 (float32), 2-D, C order, .npy version 1.0 or 2.0';

function unsupported(fileName: string, what: string): Error {
  return inputError('unsupported-format', fileName, `${what}; a mask .npy must be ${ACCEPTED}`);
}

export function readNpy(bytes: Uint8Array, fileName: string): StoredTensor {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b))
    throw unsupported(fileName, 'not a .npy file (no \\x93NUMPY magic)');
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if (major < 1 || major > 3 || minor !== 0)
    throw unsupported(fileName, `.npy version ${major}.${minor} is not supported`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerStart = major === 1 ? 10 : 12;
  if (bytes.length < headerStart) throw unsupported(fileName, 'the file is truncated inside its header');
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const dataStart = headerStart + headerLength;
  if (dataStart > bytes.length) throw unsupported(fileName, 'the file is truncated inside its header');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(
    bytes.subarray(headerStart, dataStart),
  );

  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(header)?.[1];
  if (descr === undefined) throw unsupported(fileName, 'structured or unreadable dtype in the header');
  const dtype = DESCR_DTYPES[descr];
  if (dtype === undefined) throw unsupported(fileName, `dtype '${descr}' is not accepted`);
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header)?.[1];
  if (fortran === undefined) throw unsupported(fileName, 'the header has no fortran_order');
  if (fortran === 'True')
    throw unsupported(fileName, 'fortran_order is True (save with np.ascontiguousarray)');
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (shapeText === undefined) throw unsupported(fileName, 'the header has no shape');
  const shape = shapeText
    .split(',')
    .map((s) => s.trim().replace(/L$/, ''))
    .filter((s) => s !== '')
    .map(Number);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0))
    throw unsupported(fileName, `unreadable shape (${shapeText})`);
  if (shape.length !== 2) {
    throw inputError(
      'shape-mismatch',
      fileName,
      `a mask must be a 2-D matrix, found shape (${shape.join(', ')}) (${shape.length}-D)`,
    );
  }
  const byteLength = elementCount(shape) * DTYPE_BYTES[dtype];
  if (dataStart + byteLength > bytes.length) {
    throw unsupported(
      fileName,
      `the file is truncated: shape (${shape.join(', ')}) of ${descr} needs ${byteLength} data bytes, it has ${bytes.length - dataStart}`,
    );
  }
  return { dtype, shape, data: bytes.subarray(dataStart, dataStart + byteLength) };
}

/**
 * A .npy file for a tensor (bfloat16 has no numpy dtype). Version 1.0 unless the header needs 2.0's
 * longer length field, or `version` asks for 2.0.
 */
export function writeNpy(tensor: StoredTensor, options: { version?: 1 | 2 } = {}): Uint8Array {
  if (tensor.dtype === 'bfloat16')
    throw new Error('numpy has no bfloat16 dtype; write it as float32 or to safetensors');
  const shape = tensor.shape.length === 1 ? `(${tensor.shape[0]},)` : `(${tensor.shape.join(', ')})`;
  const dict = `{'descr': '${DTYPE_DESCR[tensor.dtype]}', 'fortran_order': False, 'shape': ${shape}, }`;
  let version = options.version ?? 1;
  if (version === 1 && 10 + dict.length + 1 > 0xffff) version = 2;
  const preamble = version === 1 ? 10 : 12;
  // numpy pads the header with spaces and ends it with \n so the data starts on a 64-byte boundary.
  const padded = `${dict.padEnd(Math.ceil((preamble + dict.length + 1) / 64) * 64 - preamble - 1, ' ')}\n`;
  const out = new Uint8Array(preamble + padded.length + tensor.data.length);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  const view = new DataView(out.buffer);
  if (version === 1) view.setUint16(8, padded.length, true);
  else view.setUint32(8, padded.length, true);
  for (let i = 0; i < padded.length; i++) out[preamble + i] = padded.charCodeAt(i);
  out.set(tensor.data, preamble + padded.length);
  return out;
}
