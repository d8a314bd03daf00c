/**
 * NumPy .npy files holding one 2-D mask (format: numpy.lib.format, NEP 1). Accepted: versions 1.0,
 * 2.0 (and 3.0, which only allows a UTF-8 header), C order, dtypes |b1, |u1, <f2, <f4. Anything
 * else is an input error naming the file and what is accepted, never a silent misread.
 */
import { inputError } from '../diagnostics.ts';
import { type InputFile, readInputRange, tooLarge } from '../input-file.ts';
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

/** A .npy header as read: the array's dtype and shape, and where its data lies in the file. */
export interface NpyHeader {
  readonly dtype: MaskDType;
  readonly descr: string;
  readonly shape: readonly number[];
  /** Offset of the first data byte. */
  readonly dataStart: number;
  /** product(shape) · the dtype's size. */
  readonly byteLength: number;
}

/** Bytes before the header: the magic, the version and the header length (12 in versions 2 and 3). */
export const NPY_PREAMBLE_BYTES = 12;
/**
 * The longest header read: numpy writes about 128 bytes for a 2-D array (and, since 1.24, reads
 * at most 10,000 unless told otherwise); version 1.0's 2-byte length field allows 65,535.
 */
export const MAX_NPY_HEADER_BYTES = 65_536;
/** Bytes a .npy file may hold after its data (numpy writes none). */
export const NPY_SLACK_BYTES = 4096;

/** Where the header of a .npy file ends (its data starts), from its first 10 or 12 bytes. */
function npyDataStart(
  bytes: Uint8Array,
  fileName: string,
): { major: number; headerStart: number; dataStart: number } {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b))
    throw unsupported(fileName, 'not a .npy file (no \\x93NUMPY magic)');
  const major = bytes[6]!;
  const minor = bytes[7]!;
  if (major < 1 || major > 3 || minor !== 0)
    throw unsupported(fileName, `.npy version ${major}.${minor} is not supported`);
  const headerStart = major === 1 ? 10 : 12;
  if (bytes.length < headerStart) throw unsupported(fileName, 'the file is truncated inside its header');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  return { major, headerStart, dataStart: headerStart + headerLength };
}

/** The header of a .npy file; `bytes` starts at the file's start and holds at least the header. */
export function parseNpyHeader(bytes: Uint8Array, fileName: string): NpyHeader {
  const { major, headerStart, dataStart } = npyDataStart(bytes, fileName);
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
  return { dtype, descr, shape, dataStart, byteLength: elementCount(shape) * DTYPE_BYTES[dtype] };
}

function truncated(fileName: string, header: NpyHeader, has: number): Error {
  return unsupported(
    fileName,
    `the file is truncated: shape (${header.shape.join(', ')}) of ${header.descr} needs ${header.byteLength} data bytes, it has ${has}`,
  );
}

/** A .npy file's array, from the file's bytes. */
export function readNpy(bytes: Uint8Array, fileName: string): StoredTensor {
  const header = parseNpyHeader(bytes, fileName);
  const { dtype, shape, dataStart, byteLength } = header;
  if (dataStart + byteLength > bytes.length) throw truncated(fileName, header, bytes.length - dataStart);
  return { dtype, shape, data: bytes.subarray(dataStart, dataStart + byteLength) };
}

/**
 * A .npy file's array, read from an open file: the header first (at most MAX_NPY_HEADER_BYTES),
 * then `checkShape` (which throws when the shape is not the one expected), then exactly the data
 * bytes the header declares. A file larger than that plus NPY_SLACK_BYTES is refused unread.
 */
export function readNpyFile(
  file: InputFile,
  fileName: string,
  checkShape: (shape: readonly number[]) => void,
): StoredTensor {
  const preamble = readInputRange(file, 0, Math.min(file.size, NPY_PREAMBLE_BYTES));
  const { headerStart, dataStart } = npyDataStart(preamble, fileName);
  if (dataStart - headerStart > MAX_NPY_HEADER_BYTES) {
    throw unsupported(
      fileName,
      `its header would be ${dataStart - headerStart} bytes long; a .npy header is at most ${MAX_NPY_HEADER_BYTES} bytes`,
    );
  }
  if (dataStart > file.size) throw unsupported(fileName, 'the file is truncated inside its header');
  const header = parseNpyHeader(readInputRange(file, 0, dataStart), fileName);
  checkShape(header.shape);
  const end = header.dataStart + header.byteLength;
  if (end > file.size) throw truncated(fileName, header, file.size - header.dataStart);
  if (file.size > end + NPY_SLACK_BYTES) {
    throw tooLarge(
      file,
      file.size,
      end + NPY_SLACK_BYTES,
      `for shape (${header.shape.join(', ')}) of ${header.descr} its header says ${end} bytes; with the ${NPY_SLACK_BYTES} bytes a .npy file may hold after its data, it may be`,
    );
  }
  const data = readInputRange(file, header.dataStart, header.byteLength);
  if (data.length < header.byteLength) throw truncated(fileName, header, data.length);
  return { dtype: header.dtype, shape: header.shape, data };
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
