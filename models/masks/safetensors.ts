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

/** One tensor of the file as its header describes it: offsets relative to the start of the data. */
export interface SafetensorsHeaderEntry {
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly begin: number;
  readonly end: number;
}

/** One tensor of the file as stored: its dtype is the file's name for it (e.g. 'F16', 'I64'). */
export interface SafetensorsEntry {
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly data: Uint8Array;
}

/** The longest header read: the safetensors library's own limit (MAX_HEADER_SIZE, 100 MB). */
export const MAX_SAFETENSORS_HEADER_BYTES = 100_000_000;

function malformed(fileName: string, what: string): Error {
  return inputError('unsupported-format', fileName, `not a readable safetensors file: ${what}`);
}

/**
 * The header's length, from the file's first 8 bytes (`head`, fewer if the file is shorter),
 * checked against the file's size and MAX_SAFETENSORS_HEADER_BYTES.
 */
export function safetensorsHeaderLength(head: Uint8Array, fileSize: number, fileName: string): number {
  if (head.length < 8 || fileSize < 8) throw malformed(fileName, 'shorter than its 8-byte header length');
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const headerLength = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
  if (headerLength > fileSize - 8) {
    throw malformed(fileName, `header length ${headerLength} exceeds the file (${fileSize} bytes)`);
  }
  if (headerLength > MAX_SAFETENSORS_HEADER_BYTES) {
    throw malformed(
      fileName,
      `header length ${headerLength} is more than the ${MAX_SAFETENSORS_HEADER_BYTES} bytes a safetensors header may be`,
    );
  }
  return headerLength;
}

/** The tensors a header describes, their offsets checked against the `dataLength` bytes after it. */
export function parseSafetensorsHeader(
  headerBytes: Uint8Array,
  dataLength: number,
  fileName: string,
): Map<string, SafetensorsHeaderEntry> {
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder().decode(headerBytes));
  } catch {
    throw malformed(fileName, 'the header is not JSON');
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw malformed(fileName, 'the header is not a JSON object');
  }
  const entries = new Map<string, SafetensorsHeaderEntry>();
  for (const [name, value] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    entries.set(name, parseEntry(name, value, dataLength, fileName));
  }
  return entries;
}

/** The tensors of a safetensors file, as views into `bytes` (no copy). */
export function readSafetensors(bytes: Uint8Array, fileName: string): Map<string, SafetensorsEntry> {
  const headerLength = safetensorsHeaderLength(bytes.subarray(0, 8), bytes.length, fileName);
  const data = bytes.subarray(8 + headerLength);
  const header = parseSafetensorsHeader(bytes.subarray(8, 8 + headerLength), data.length, fileName);
  const entries = new Map<string, SafetensorsEntry>();
  for (const [name, { dtype, shape, begin, end }] of header) {
    entries.set(name, { dtype, shape, data: data.subarray(begin, end) });
  }
  return entries;
}

function parseEntry(
  name: string,
  value: unknown,
  dataLength: number,
  fileName: string,
): SafetensorsHeaderEntry {
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
  if (begin > end || end > dataLength) {
    throw malformed(
      fileName,
      `tensor '${name}' data_offsets [${begin}, ${end}] fall outside the ${dataLength} data bytes`,
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
  return { dtype, shape: shape as number[], begin, end };
}

/** The mask dtype of a tensor's file dtype, or an input error if it cannot be a mask. */
export function safetensorsMaskDtype(dtype: string, fileName: string, tensorName: string): MaskDType {
  const maskDtype = FILE_DTYPES[dtype];
  if (maskDtype === undefined) {
    throw inputError(
      'unsupported-format',
      tensorName,
      `${fileName}: tensor dtype ${dtype} cannot be read as a mask; accepted: ${Object.keys(FILE_DTYPES).join(', ')}`,
    );
  }
  return maskDtype;
}

/** An entry as a mask tensor, or an input error if its dtype cannot be a mask. */
export function safetensorsMaskTensor(
  entry: SafetensorsEntry,
  fileName: string,
  tensorName: string,
): StoredTensor {
  return {
    dtype: safetensorsMaskDtype(entry.dtype, fileName, tensorName),
    shape: entry.shape,
    data: entry.data,
  };
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
