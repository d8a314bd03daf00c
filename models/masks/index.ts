/** Masks: bit masks, exact per-tile counts, and import from .npy / safetensors (see README.md). */
export {
  type BitMask,
  countNonZeros,
  countTiles,
  createBitMask,
  drawBlockGrid,
  exactKeptCount,
  generateBitMask,
  getBit,
  setBit,
} from './bit-mask.ts';
export {
  hypergeometricMean,
  hypergeometricPmf,
  hypergeometricVariance,
  logHypergeometricPmf,
  MAX_HYPERGEOMETRIC_POPULATION,
  sampleHypergeometric,
} from './hypergeometric.ts';
export { type FileMaskSource, importMasks, type MaskImportOptions } from './mask-import.ts';
export { readNpy, writeNpy } from './npy.ts';
export {
  readSafetensors,
  type SafetensorsEntry,
  safetensorsMaskTensor,
  writeSafetensors,
} from './safetensors.ts';
export {
  bitMaskToTensor,
  encodeTensor,
  MASK_DTYPES,
  type MaskDType,
  type MaskLayout,
  type StoredTensor,
  storedShape,
  tensorToBitMask,
} from './stored-tensor.ts';
export {
  guessMaskNames,
  type MaskNames,
  type MaskTensorRef,
  maskTensorRef,
  splitFusedQkv,
} from './tensor-names.ts';
export { createTileCounts, drawTileCounts, type TileCounts, tileArea, totalNonZeros } from './tile-counts.ts';
