/**
 * Real masks from a user's file (DESIGN §2: the feature peers' users keep asking for): a
 * .safetensors file, or a folder of .npy files, one per matrix, named `<tensor name>.npy`. Every
 * problem with every sparse matrix is collected before reporting, so one run shows them all.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type Diagnostic, didYouMean, InputError, inputError } from '../diagnostics.ts';
import type { MaskSource } from '../sparsity.ts';
import type { WeightMatrix } from '../weights.ts';
import type { BitMask } from './bit-mask.ts';
import { readNpy } from './npy.ts';
import { readSafetensors, safetensorsMaskTensor } from './safetensors.ts';
import { type MaskLayout, type StoredTensor, storedShape, tensorToBitMask } from './stored-tensor.ts';
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
  read(name: string): StoredTensor;
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
  const store = openMaskStore(source, cwd);
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
  return masks;
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
  const tensor = store.read(name);
  const expected = storedShape(rows, cols, source.layout);
  const found = tensor.shape;
  if (found.length !== 2 || found[0] !== expected[0] || found[1] !== expected[1]) {
    const message = shapeMessage(store.fileOf(name), source.layout, what, expected, found);
    throw inputError('shape-mismatch', name, message);
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

function openMaskStore(source: FileMaskSource, cwd: string): MaskStore {
  const label = source.path;
  const full = resolve(cwd, source.path);
  let isDirectory: boolean;
  try {
    isDirectory = statSync(full).isDirectory();
  } catch {
    throw inputError(
      'missing-file',
      label,
      `no such file or folder (looked at ${full}); a mask source is a .safetensors file or a folder of .npy files`,
    );
  }
  if (isDirectory) return npyFolderStore(label, full);
  if (full.endsWith('.safetensors')) return safetensorsStore(label, readFileSync(full));
  const why = full.endsWith('.npy')
    ? 'a single .npy holds one matrix; put one .npy per matrix in a folder, named like layers.0.q.npy, and give the folder'
    : 'a mask source is a .safetensors file or a folder of .npy files';
  throw inputError('unsupported-format', label, why);
}

function npyFolderStore(label: string, folder: string): MaskStore {
  const available = readdirSync(folder)
    .filter((f) => f.endsWith('.npy'))
    .map((f) => f.slice(0, -'.npy'.length))
    .sort();
  return {
    label,
    available,
    describe: (name) => `file ${name}.npy`,
    fileOf: (name) => join(label, `${name}.npy`),
    read: (name) => readNpy(readFileSync(join(folder, `${name}.npy`)), join(label, `${name}.npy`)),
  };
}

function safetensorsStore(label: string, bytes: Uint8Array): MaskStore {
  const entries = readSafetensors(bytes, label);
  return {
    label,
    available: [...entries.keys()],
    describe: (name) => `tensor '${name}'`,
    fileOf: () => label,
    read: (name) => safetensorsMaskTensor(entries.get(name)!, label, name),
  };
}
