/**
 * safetensors files (huggingface/safetensors format): an 8-byte little-endian header length, a JSON
 * header `{name: {dtype, shape, data_offsets: [begin, end]}, __metadata__?}`, then the data, offsets
 * relative to its start. A checkpoint may hold tensors of any dtype; only the ones read as masks must
 * be BOOL, U8, F16, BF16 or F32, so dtypes are checked per tensor, when it is used.
 */
import { inputError } from '../diagnostics.ts';
import { DTYPE_BYTES, elementCount, type MaskDType, type StoredTensor } from './stored-tensor.ts';

const FILE_DTYPES: Readonly<Record<string, MaskDType>> = {
  BOOL: 'bool',
  U8: 'uint8',
  F16: 'float16',
  BF16: 'bfloat16',
  F32: 'float32',
};
const DTYPE_NAMES: Readonly<Record<MaskDType, string>> = {
  bool: 'BOOL',
  uint8: 'U8',
  float16: 'F16',
  bfloat16: 'BF16',
  float32: 'F32',
};
/** Element sizes of the other safetensors dtypes, to check their offsets too. */
const OTHER_DTYPE_BYTES: Readonly<Record<string, number>> = {
  I8: 1,
  F8_E4M3: 1,
  F8_E5M2: 1,
  I16: 2,
  U16: 2,
  I32: 4,
  U32: 4,
  I64: 8,
  U64: 8,
  F64: 8,
};

/** One tensor of the file as stored: its dtype is the file's name for it (e.g. 'F16', 'I64'). */
export interface SafetensorsEntry {
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly data: Uint8Array;
}

function malformed(fileName: string, what: string): Error {
  return inputError('unsupported-format', fileName, `not a readable safetensors file: ${what}`);
}

/** The tensors of a safetensors file, as views into `bytes` (no copy). */
export function readSafetensors(bytes: Uint8Array, fileName: string): Map<string, SafetensorsEntry> {
  if (bytes.length < 8) throw malformed(fileName, 'shorter than its 8-byte header length');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (headerLength > bytes.length - 8) {
    throw malformed(fileName, `header length ${headerLength} exceeds the file (${bytes.length} bytes)`);
  }
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerLength)));
  } catch {
    throw malformed(fileName, 'the header is not JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw malformed(fileName, 'the header is not a JSON object');
  }
  const data = bytes.subarray(8 + headerLength);
  const entries = new Map<string, SafetensorsEntry>();
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    entries.set(name, parseEntry(name, value, data, fileName));
  }
  return entries;
}

function parseEntry(name: string, value: unknown, data: Uint8Array, fileName: string): SafetensorsEntry {
  const entry = value as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  const { dtype, shape, data_offsets: offsets } = entry ?? {};
  const isIndex = (d: unknown) => Number.isSafeInteger(d) && (d as number) >= 0;
  if (typeof dtype !== 'string' || !Array.isArray(shape) || !shape.every(isIndex)) {
    throw malformed(fileName, `tensor '${name}' has no valid dtype and shape`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isIndex)) {
    throw malformed(fileName, `tensor '${name}' has no valid data_offsets`);
  }
  const [begin, end] = offsets as [number, number];
  if (begin > end || end > data.length) {
    throw malformed(
      fileName,
      `tensor '${name}' data_offsets [${begin}, ${end}] fall outside the ${data.length} data bytes`,
    );
  }
  const known = FILE_DTYPES[dtype];
  const itemBytes = known ? DTYPE_BYTES[known] : OTHER_DTYPE_BYTES[dtype];
  if (itemBytes !== undefined && end - begin !== elementCount(shape) * itemBytes) {
    throw malformed(
      fileName,
      `tensor '${name}' has ${end - begin} bytes for shape [${shape.join(', ')}] of ${dtype}`,
    );
  }
  return { dtype, shape: shape as number[], data: data.subarray(begin, end) };
}

/** An entry as a mask tensor, or an input error if its dtype cannot be a mask. */
export function safetensorsMaskTensor(
  entry: SafetensorsEntry,
  fileName: string,
  tensorName: string,
): StoredTensor {
  const dtype = FILE_DTYPES[entry.dtype];
  if (dtype === undefined) {
    throw inputError(
      'unsupported-format',
      tensorName,
      `${fileName}: tensor dtype ${entry.dtype} cannot be read as a mask; accepted: ${Object.keys(FILE_DTYPES).join(', ')}`,
    );
  }
  return { dtype, shape: entry.shape, data: entry.data };
}

/** A safetensors file holding `tensors` in the given order; the header is space-padded to 8 bytes. */
export function writeSafetensors(
  tensors: Iterable<readonly [string, StoredTensor]>,
  metadata?: Readonly<Record<string, string>>,
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata) header.__metadata__ = metadata;
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const [name, tensor] of tensors) {
    header[name] = {
      dtype: DTYPE_NAMES[tensor.dtype],
      shape: tensor.shape,
      data_offsets: [offset, offset + tensor.data.length],
    };
    parts.push(tensor.data);
    offset += tensor.data.length;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerLength + offset);
  new DataView(out.buffer).setUint32(0, headerLength, true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLength);
  let at = 8 + headerLength;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
