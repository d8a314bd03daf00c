/**
 * Real masks from a user's file (DESIGN §2: the feature peers' users keep asking for): a
 * .safetensors file, or a folder of .npy files, one per matrix, named `<tensor name>.npy`. Every
 * problem with every sparse matrix is collected before reporting, so one run shows them all.
 */
import { readdirSync, type Stats, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Diagnostic, didYouMean, InputError, inputError } from '../diagnostics.ts';
import {
  closeInputFile,
  fileSystemError,
  openInputFile,
  readInputRange,
  tooLarge,
  withInputFile,
} from '../input-file.ts';
import type { MaskSource } from '../sparsity.ts';
import type { WeightMatrix } from '../weights.ts';
import { type BitMask, countNonZeros } from './bit-mask.ts';
import { MAX_NPY_HEADER_BYTES, NPY_PREAMBLE_BYTES, NPY_SLACK_BYTES, readNpyFile } from './npy.ts';
import {
  parseSafetensorsHeader,
  type SafetensorsHeaderEntry,
  safetensorsHeaderLength,
  safetensorsMaskDtype,
} from './safetensors.ts';
import {
  DTYPE_BYTES,
  elementCount,
  firstInfinity,
  type MaskLayout,
  type StoredTensor,
  storedShape,
  tensorToBitMask,
} from './stored-tensor.ts';
import { guessMaskNames, type MaskTensorRef, maskTensorRef, splitFusedQkv } from './tensor-names.ts';

export type FileMaskSource = Extract<MaskSource, { kind: 'file' }>;

export interface MaskImportOptions {
  /** Attention heads of the model: needed to split GPT-NeoX's fused QKV tensor per head. */
  readonly heads?: number;
}

/** The tensors of a mask file or folder, read on demand. */
interface MaskStore {
  /** The path as the user wrote it, for messages. */
  readonly label: string;
  readonly available: readonly string[];
  /** How a tensor of this store is named in messages: `tensor 'x'` or `file x.npy`. */
  describe(name: string): string;
  /** The file that holds a tensor, for messages. */
  fileOf(name: string): string;
  /**
   * The tensor `name`, the mask of `what`: its header is read first and handed to `checkShape`
   * (which throws when the shape is not the one expected), then exactly the data it declares.
   */
  read(name: string, what: string, checkShape: (shape: readonly number[]) => void): StoredTensor;
  close(): void;
}

const MAX_LISTED = 6;

/** What every lookup needs: the store, how the source names and lays out tensors, and stray names. */
interface ImportContext {
  readonly store: MaskStore;
  readonly source: FileMaskSource;
  /** Tensors no matrix expects: the only sensible did-you-mean targets. */
  readonly stray: readonly string[];
}

/**
 * The mask of every sparse matrix in `weights`, keyed by its canonical name; dense matrices are
 * skipped even when the file has a tensor for them. `cwd` resolves a relative `source.path`.
 */
export function importMasks(
  source: FileMaskSource,
  weights: readonly WeightMatrix[],
  cwd: string,
  options: MaskImportOptions = {},
): Map<string, BitMask> {
  const store = openMaskStore(source, cwd, largestTensorBytes(source, weights));
  try {
    return importFrom(store, source, weights, options);
  } finally {
    store.close();
  }
}

/**
 * The most bytes one mask tensor of these weights can take: its largest sparse matrix (a fused QKV
 * tensor is three) in float32, the widest mask dtype. No mask file is read past this (plus its header).
 */
function largestTensorBytes(source: FileMaskSource, weights: readonly WeightMatrix[]): number {
  let largest = 0;
  for (const w of weights) {
    if (!w.sparse) continue;
    const parts = maskTensorRef(source.names, w).kind === 'fused-qkv' ? 3 : 1;
    largest = Math.max(largest, parts * w.rows * w.cols);
  }
  return largest * DTYPE_BYTES.float32;
}

function importFrom(
  store: MaskStore,
  source: FileMaskSource,
  weights: readonly WeightMatrix[],
  options: MaskImportOptions,
): Map<string, BitMask> {
  const expected = new Set(weights.flatMap((w) => tensorNamesOf(maskTensorRef(source.names, w))));
  const context: ImportContext = { store, source, stray: store.available.filter((n) => !expected.has(n)) };
  const masks = new Map<string, BitMask>();
  const diagnostics: Diagnostic[] = [];
  // A fused QKV tensor serves three matrices: read it once, report its problems once.
  const fused = new Map<number, [BitMask, BitMask, BitMask] | 'failed'>();
  for (const weight of weights) {
    if (!weight.sparse) continue;
    const ref = maskTensorRef(source.names, weight);
    try {
      if (ref.kind === 'none') {
        const message = `${ref.reason}; names '${source.names}' has no tensor for it`;
        throw inputError('unsupported-format', weight.name, message);
      }
      if (ref.kind === 'own') {
        masks.set(weight.name, readMatrix(context, ref.names, weight.rows, weight.cols, weight.name));
        continue;
      }
      if (!fused.has(weight.layer)) {
        fused.set(weight.layer, 'failed'); // stays if the read throws, so K and V stay quiet
        fused.set(weight.layer, readFusedQkv(context, ref.names, weight, options.heads));
      }
      const parts = fused.get(weight.layer)!;
      if (parts !== 'failed') masks.set(weight.name, parts[ref.part]);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      diagnostics.push(...error.diagnostics);
    }
  }
  if (diagnostics.length > 0) throw new InputError(diagnostics);
  checkSomethingKept(source, weights, masks);
  return masks;
}

/**
 * A matrix may be fully pruned (its linear ops then multiply nothing, and still cost their fill,
 * drain and task overhead), but not every matrix of the layers at once: the layers' linear work
 * would issue no multiply at all, and its FLOP reduction (dense / effective) would be infinite.
 */
function checkSomethingKept(
  source: FileMaskSource,
  weights: readonly WeightMatrix[],
  masks: ReadonlyMap<string, BitMask>,
): void {
  if (weights.length === 0) return;
  const empty = (w: WeightMatrix) => w.sparse && masks.has(w.name) && countNonZeros(masks.get(w.name)!) === 0;
  if (!weights.every(empty)) return;
  throw inputError(
    'invalid-value',
    source.path,
    'every weight matrix of the layers is fully pruned (no mask holds a non-zero): their linear ops would multiply nothing, ' +
      'and the FLOP reduction of that work (dense / effective) would be infinite; keep at least one weight, or leave a matrix dense ' +
      '(sparsity.weights lists the sparse ones)',
  );
}

/** GPT-NeoX's query_key_value of a layer, [in = d, out = 3d] once transposed, split into Q, K, V. */
function readFusedQkv(
  context: ImportContext,
  names: readonly string[],
  weight: WeightMatrix,
  heads: number | undefined,
): [BitMask, BitMask, BitMask] {
  if (heads === undefined)
    throw new Error("importMasks needs options.heads to split 'hf-gpt-neox' QKV tensors");
  const whole = readMatrix(context, names, weight.rows, 3 * weight.cols, `layer ${weight.layer} Q, K, V`);
  return splitFusedQkv(whole, heads);
}

/** The first of `names` present in the store, checked against [rows, cols] in the file's layout. */
function readMatrix(
  context: ImportContext,
  names: readonly string[],
  rows: number,
  cols: number,
  what: string,
): BitMask {
  const { store, source } = context;
  const name = names.find((n) => store.available.includes(n));
  if (name === undefined) throw missingTensor(context, names[0]!, what);
  const expected = storedShape(rows, cols, source.layout);
  const tensor = store.read(name, what, (found) => {
    if (found.length !== 2 || found[0] !== expected[0] || found[1] !== expected[1]) {
      const message = shapeMessage(store.fileOf(name), source.layout, what, expected, found);
      throw inputError('shape-mismatch', name, message);
    }
  });
  const infinite = firstInfinity(tensor);
  if (infinite >= 0) {
    const [, second] = tensor.shape as [number, number];
    const at = `[${Math.floor(infinite / second)}, ${infinite % second}]`;
    throw inputError(
      'invalid-value',
      name,
      `${store.fileOf(name)}: ${store.describe(name)}, the mask of sparse ${what}, holds an infinity at ${at} ` +
        `(element ${infinite} in C order, the first of its kind); a mask holds 0 or NaN for a pruned weight and a finite non-zero for a kept one`,
    );
  }
  return tensorToBitMask(tensor, source.layout);
}

function shapeMessage(
  file: string,
  layout: MaskLayout,
  what: string,
  expected: readonly number[],
  found: readonly number[],
): string {
  const axes = layout === 'out-in' ? '[out, in]' : '[in, out]';
  const transposed = found.length === 2 && found[0] === expected[1] && found[1] === expected[0];
  const other = layout === 'out-in' ? 'in-out' : 'out-in';
  const hint = transposed ? ` That is the transpose: is the layout '${other}'?` : '';
  const shapes = `expected shape [${expected.join(', ')}] (${what} in layout '${layout}', ${axes}), found [${found.join(', ')}]`;
  return `${file}: ${shapes}.${hint}`;
}

function missingTensor(context: ImportContext, name: string, what: string): Error {
  const { store, source, stray } = context;
  const suggestion = didYouMean(name, stray);
  const guessed = guessMaskNames(store.available);
  const parts = [
    `${store.label} has no ${store.describe(name)}, the mask of sparse ${what} under names '${source.names}'.`,
  ];
  if (guessed !== undefined && guessed !== source.names)
    parts.push(`Its tensors look like names '${guessed}'.`);
  if (suggestion !== undefined) parts.push(`Did you mean '${suggestion}'?`);
  const listed = store.available.slice(0, MAX_LISTED).join(', ');
  const more = store.available.length > MAX_LISTED ? `, … (${store.available.length} in all)` : '';
  parts.push(store.available.length === 0 ? 'It holds no tensors.' : `It holds: ${listed}${more}.`);
  return inputError('missing-file', name, parts.join(' '));
}

function tensorNamesOf(ref: MaskTensorRef): readonly string[] {
  return ref.kind === 'none' ? [] : ref.names;
}

/** What a mask source must be, for messages. */
const SOURCE_EXPECTED = 'a .safetensors file or a folder of .npy files';

function openMaskStore(source: FileMaskSource, cwd: string, maxTensorBytes: number): MaskStore {
  const label = source.path;
  const full = resolve(cwd, source.path);
  let stats: Stats;
  try {
    stats = statSync(full);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw inputError(
        'missing-file',
        label,
        `no such file or folder (looked at ${full}); a mask source is ${SOURCE_EXPECTED}`,
      );
    }
    throw fileSystemError(error, full, { where: label, shown: full, expected: SOURCE_EXPECTED });
  }
  if (stats.isDirectory()) return npyFolderStore(label, full, maxTensorBytes);
  if (full.endsWith('.safetensors')) return safetensorsStore(label, full);
  const why = full.endsWith('.npy')
    ? 'a single .npy holds one matrix; put one .npy per matrix in a folder, named like layers.0.q.npy, and give the folder'
    : `a mask source is ${SOURCE_EXPECTED}`;
  throw inputError('unsupported-format', label, why);
}

function npyFolderStore(label: string, folder: string, maxTensorBytes: number): MaskStore {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch (error) {
    throw fileSystemError(error, folder, { where: label, shown: folder, expected: SOURCE_EXPECTED });
  }
  const available = names
    .filter((f) => f.endsWith('.npy'))
    .map((f) => f.slice(0, -'.npy'.length))
    .sort();
  // No .npy file is read past its header's size; none can be larger than the largest matrix's.
  const maxFileBytes = NPY_PREAMBLE_BYTES + MAX_NPY_HEADER_BYTES + maxTensorBytes + NPY_SLACK_BYTES;
  return {
    label,
    available,
    describe: (name) => `file ${name}.npy`,
    fileOf: (name) => join(label, `${name}.npy`),
    read: (name, what, checkShape) => {
      const shown = join(label, `${name}.npy`);
      const options = { where: name, shown, expected: `a .npy file (the mask of sparse ${what})` };
      return withInputFile(join(folder, `${name}.npy`), options, (file) => {
        if (file.size > maxFileBytes) {
          const whose = 'a .npy mask of this workload (its largest matrix in float32, with a header) may be';
          throw tooLarge(file, file.size, maxFileBytes, whose);
        }
        return readNpyFile(file, shown, checkShape);
      });
    },
    close: () => {},
  };
}

/**
 * A safetensors file, which may be a whole checkpoint: only its header and the tensors used as
 * masks are read, each exactly as large as its header entry says (and its shape the one expected).
 */
function safetensorsStore(label: string, path: string): MaskStore {
  const file = openInputFile(path, { where: label, shown: label, expected: 'a .safetensors file' });
  let entries: Map<string, SafetensorsHeaderEntry>;
  let dataStart: number;
  try {
    const headerLength = safetensorsHeaderLength(readInputRange(file, 0, 8), file.size, label);
    dataStart = 8 + headerLength;
    const headerBytes = readInputRange(file, 8, headerLength);
    if (headerBytes.length < headerLength)
      throw inputError('unsupported-format', label, 'the file shrank while it was read');
    entries = parseSafetensorsHeader(headerBytes, file.size - dataStart, label);
  } catch (error) {
    closeInputFile(file);
    throw error;
  }
  return {
    label,
    available: [...entries.keys()],
    describe: (name) => `tensor '${name}'`,
    fileOf: () => label,
    read: (name, _what, checkShape) => {
      const entry = entries.get(name)!;
      const dtype = safetensorsMaskDtype(entry.dtype, label, name);
      checkShape(entry.shape);
      // The shape is the expected one, so this is at most the workload's largest mask.
      const byteLength = elementCount(entry.shape) * DTYPE_BYTES[dtype];
      const data = readInputRange(file, dataStart + entry.begin, entry.end - entry.begin);
      if (data.length < byteLength) {
        throw inputError(
          'unsupported-format',
          name,
          `${label}: tensor '${name}' is cut short: the file shrank while it was read`,
        );
      }
      return { dtype, shape: entry.shape, data } satisfies StoredTensor;
    },
    close: () => closeInputFile(file),
  };
}
